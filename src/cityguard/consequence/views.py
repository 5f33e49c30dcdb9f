"""The threat-zone page: a release and the weather in, zones on a map and who is inside out.

POST computes and records a run, then redirects to `?run=<id>` (so a reload does not
record it again); the page shows any recorded run the user may read.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from cityguard.core.views import leaflet_config, picker_context

from . import services
from .forms import ThreatZoneForm
from .models import ThreatZoneRun

LEVEL_COLOURS = {1: "#d32f2f", 2: "#f57c00", 3: "#fbc02d"}


def level_colour(level: Any) -> str:
    return LEVEL_COLOURS.get(level if isinstance(level, int) else 0, "#fbc02d")


def _zone_label(props: dict[str, Any]) -> str:
    return _("Level %(level)s: ≥ %(threshold)s mg/m³") % {
        "level": props.get("level"),
        "threshold": props.get("threshold_mg_m3"),
    }


def _result(user: Any, run: ThreatZoneRun) -> dict[str, Any]:
    features: list[dict[str, Any] | None] = []
    zones = []
    rows = services.exposure(user, run)
    # Draw the largest (least severe) zone first so the severe ones stay on top.
    for feat, row in reversed(list(zip(run.geojson["features"], rows, strict=False))):
        # The stored note is in the language of whoever ran it; show it in the reader's.
        props = {
            **feat["properties"],
            "note": services.zone_note(
                not feat.get("geometry"), bool(feat["properties"].get("truncated"))
            ),
        }
        colour = level_colour(props.get("level"))
        if feat.get("geometry"):
            features.append(
                {
                    "type": "Feature",
                    "geometry": feat["geometry"],
                    "properties": {"colour": colour, "label": _zone_label(props), "role": "zone"},
                }
            )
        zones.append(
            {
                "props": props,
                "colour": colour,
                "label": _zone_label(props),
                "area_km2": round(row["area_m2"] / 1e6, 3),
                **row,
            }
        )
    zones.reverse()
    features.append(
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [run.lon, run.lat]},
            "properties": {"colour": "#0b2545", "label": _("Release point"), "role": "main"},
        }
    )
    nearest = rows[0]["nearest_shelters_outside"] if rows else []
    for s in nearest:
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [s["lon"], s["lat"]]},
                "properties": {"colour": "#2e7d32", "label": s["name"], "role": "related"},
            }
        )
    return {"run": run, "zones": zones, "nearest": nearest, "map_config": leaflet_config(features)}


@login_required
def threat_zone_page(request: HttpRequest) -> HttpResponseBase:
    runs = services.runs_for(request.user).select_related("created_by")
    run = None
    if request.method == "POST":
        form = ThreatZoneForm(request.POST)
        if form.is_valid():
            run = form.run(request.user)
            if run is not None:
                return redirect(f"{reverse('consequence:threat_zone')}?run={run.pk}")
    else:
        run_id = request.GET.get("run", "")
        if run_id.isdigit() and len(run_id) < 18:
            run = runs.filter(pk=int(run_id)).first()
        initial: dict[str, Any] = {}
        if run is not None:
            initial = _initial_from(run)
        form = ThreatZoneForm(initial=initial or None)
    context: dict[str, Any] = {
        "form": form,
        "picker": picker_context(request.user, form["lon"].id_for_label, form["lat"].id_for_label),
        "recent": list(runs[:10]),
    }
    if run is not None and request.method != "POST":
        context.update(_result(request.user, run))
    response: HttpResponse = render(request, "consequence/threat_zone.html", context)
    return response


def _initial_from(run: ThreatZoneRun) -> dict[str, Any]:
    i = run.inputs
    thresholds = [*list(i.get("thresholds_mg_m3") or []), None, None, None]
    return {
        "substance": i.get("substance", ""),
        "release_rate_g_s": i.get("release_rate_g_s"),
        "source_height_m": i.get("source_height_m"),
        "terrain": i.get("terrain"),
        "wind_speed_m_s": i.get("wind_speed_m_s"),
        "wind_from_deg": i.get("wind_from_deg"),
        "stability": i.get("stability"),
        "lon": i.get("lon"),
        "lat": i.get("lat"),
        "threshold_1": thresholds[0],
        "threshold_2": thresholds[1],
        "threshold_3": thresholds[2],
        "incident_ref": run.incident_ref,
    }
