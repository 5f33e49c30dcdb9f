"""The one map page: every registered layer over a configurable basemap."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db.models import Max, Min
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from cityguard.core.access import reach
from cityguard.core.choices import Level, OrganizationKind, PlaceKind
from cityguard.core.models import Jurisdiction

from . import registry

TILE_CRS = ("wgs84", "gcj02", "bd09")
# Yangpu's centre, for a database with no boundaries yet.
DEFAULT_CENTRE = (121.52, 31.29)
DEFAULT_ZOOM = 13


def tile_config() -> dict[str, Any]:
    """The basemap settings as the page needs them.

    Several tile templates may be joined with `|` (Tianditu serves its labels as a second
    layer). With no URL the map draws on a plain background, so the datum is WGS 84:
    there is nothing to align the features with.
    """
    raw = str(getattr(settings, "CITYGUARD_TILE_URL", "") or "")
    urls = [u.strip() for u in raw.split("|") if u.strip()]
    crs = str(getattr(settings, "CITYGUARD_TILE_CRS", "wgs84") or "wgs84").strip().lower()
    if crs not in TILE_CRS or not urls:
        crs = "wgs84"
    return {
        "urls": urls,
        "attribution": str(getattr(settings, "CITYGUARD_TILE_ATTRIBUTION", "") or ""),
        "crs": crs,
        "subdomains": str(getattr(settings, "CITYGUARD_TILE_SUBDOMAINS", "") or "abc"),
    }


def initial_extent(user: Any) -> list[float] | None:
    """WGS 84 [min_lon, min_lat, max_lon, max_lat] to open on: the user's own jurisdiction
    when they have one, else the streets of the district, else the district itself."""
    r = reach(user)
    nodes = Jurisdiction.objects.exclude(min_lon__isnull=True)
    candidates = []
    if r.path:
        candidates.append(nodes.filter(path=r.path))
    candidates += [nodes.filter(level=Level.STREET), nodes.filter(level=Level.DISTRICT)]
    for qs in candidates:
        box = qs.aggregate(
            x1=Min("min_lon"), y1=Min("min_lat"), x2=Max("max_lon"), y2=Max("max_lat")
        )
        if box["x1"] is not None:
            return [box["x1"], box["y1"], box["x2"], box["y2"]]
    return None


def ui_strings() -> dict[str, str]:
    return {
        "layers": _("Layers"),
        "showLayers": _("Show layers"),
        "hideLayers": _("Hide layers"),
        "close": _("Close"),
        "loading": _("Loading…"),
        "loadFailed": _("Could not load this layer."),
        "truncated": _("Not all shown — zoom in"),
        "tilesFailed": _("Basemap unavailable: layers are shown over a plain background."),
        "kind": _("Kind"),
        "address": _("Address"),
        "organization": _("Organisation"),
        "population": _("Population"),
        "details": _("Open details"),
        "search": _("Search organisations"),
        "searchButton": _("Search"),
        "noResults": _("No organisation found."),
        "noLocation": _("This organisation has no location."),
        "legend": _("Legend"),
        "zoomIn": _("Zoom in"),
        "zoomOut": _("Zoom out"),
    }


def kind_labels() -> dict[str, str]:
    """Kind code → label for popups (the two tables agree where codes coincide)."""
    labels = {str(v): str(lbl) for v, lbl in PlaceKind.choices}
    labels.update({str(v): str(lbl) for v, lbl in OrganizationKind.choices})
    return labels


@login_required
def map_page(request: HttpRequest) -> HttpResponse:
    config = {
        "layers": [layer.describe() for layer in registry.layers()],
        "tiles": tile_config(),
        "api": {
            "base": reverse("api:api-root"),
            "organizations": reverse("api:list_organizations"),
            "organizationUrl": reverse("core:organization_detail", args=[0]).replace(
                "/0/", "/{id}/"
            ),
        },
        "view": {
            "extent": initial_extent(request.user),
            "centre": list(DEFAULT_CENTRE),
            "zoom": DEFAULT_ZOOM,
        },
        "kinds": kind_labels(),
        "strings": ui_strings(),
    }
    return render(
        request, "onemap/map.html", {"map_config": config, "layer_scripts": registry.scripts()}
    )
