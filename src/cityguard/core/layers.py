"""Map layers of the core registry: boundaries, organisations by kind, places."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cityguard.onemap.registry import AreaLayer, PointLayer, register

from .choices import Level, OrganizationKind, PlaceKind
from .models import Jurisdiction, Organization, Place

GROUP_BOUNDARIES = _("Boundaries")
GROUP_ORGANIZATIONS = _("Organisations")
GROUP_PLACES = _("Places")


def _jurisdictions(level: str) -> Any:
    return lambda user: Jurisdiction.objects.visible_to(user).filter(level=level)


def _area_props(row: tuple[Any, ...]) -> dict[str, Any]:
    code, name, population = row
    return {
        "code": code,
        "name": name,
        "population": population,
        "url": reverse("core:jurisdiction_detail", args=[code]),
    }


for order, (level, title, colour, visible) in enumerate(
    [
        (Level.STREET, _("Streets and towns"), "#37474f", True),
        (Level.COMMUNITY, _("Communities"), "#78909c", False),
        (Level.GRID, _("Grid cells"), "#b0bec5", False),
    ]
):
    register(
        AreaLayer(
            name=f"core.{level}",
            title=title,
            group=GROUP_BOUNDARIES,
            geometry="polygon",
            colour=colour,
            visible=visible,
            order=10 + order,
            queryset=_jurisdictions(level),
            columns=("code", "name", "population"),
            properties=_area_props,
        )
    )

_ORG_URL = "/organizations/{}/"
_PLACE_URL = "/places/{}/"


def _org_layer(kind: str, label: Any) -> None:
    colour = OrganizationKind.colour_of(kind)

    def props(row: tuple[Any, ...]) -> dict[str, Any]:
        pk, name, address = row
        return {
            "id": pk,
            "name": name,
            "address": address,
            "kind": kind,
            "colour": colour,
            "url": _ORG_URL.format(pk),
        }

    register(
        PointLayer(
            name=f"core.organizations.{kind}",
            title=label,
            group=GROUP_ORGANIZATIONS,
            geometry="point",
            colour=colour,
            cluster=True,
            order=30,
            queryset=lambda user: Organization.objects.visible_to(user).filter(
                kind=kind, is_active=True
            ),
            columns=("id", "name", "address"),
            properties=props,
        )
    )


for _kind, _label in OrganizationKind.choices:
    _org_layer(_kind, _label)


def _place_props(row: tuple[Any, ...]) -> dict[str, Any]:
    pk, name, kind, org_name = row
    return {
        "id": pk,
        "name": name,
        "kind": kind,
        "organization": org_name,
        "colour": PlaceKind.colour_of(kind),
        "url": _PLACE_URL.format(pk),
    }


register(
    PointLayer(
        name="core.places",
        title=_("Places"),
        group=GROUP_PLACES,
        geometry="point",
        colour="#d81b60",
        cluster=True,
        order=40,
        legend=[(label, PlaceKind.colour_of(value)) for value, label in PlaceKind.choices],
        queryset=lambda user: Place.objects.visible_to(user),
        columns=("id", "name", "kind", "organization__name"),
        properties=_place_props,
    )
)
