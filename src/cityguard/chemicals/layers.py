"""Map layers of the chemicals app: chemical enterprises coloured by their highest major
hazard grade, and the major hazard sources themselves."""

from __future__ import annotations

from typing import Any

from django.db.models import Min, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from cityguard.core.models import Organization
from cityguard.onemap.registry import PointLayer, register

from .choices import NOT_MAJOR_COLOUR, Grade, grade_colour
from .models import Unit

GROUP = _("Hazardous chemicals")
LEGEND = [
    *((label, Grade.colour_of(value)) for value, label in Grade.choices),
    (_("Not a major hazard"), NOT_MAJOR_COLOUR),
]


def enterprises(user: Any) -> QuerySet:
    """Organisations with units in use, each with its highest grade (lowest number)."""
    return (
        Organization.objects.visible_to(user)
        .filter(chemical_units__is_active=True)
        .annotate(worst=Min("chemical_units__grade", filter=Q(chemical_units__is_major=True)))
    )


def _enterprise_props(row: tuple[Any, ...]) -> dict[str, Any]:
    pk, name, address, worst = row
    return {
        "id": pk,
        "name": name,
        "address": address,
        "grade": worst,
        "colour": grade_colour(worst),
        "url": f"/chemicals/enterprises/{pk}/",
    }


def sources(user: Any) -> QuerySet:
    return Unit.objects.visible_to(user).filter(is_major=True, is_active=True)


def _source_props(row: tuple[Any, ...]) -> dict[str, Any]:
    pk, name, org_name, grade, r, code = row
    return {
        "id": pk,
        "name": name,
        "organization": org_name,
        "grade": grade,
        "r": None if r is None else round(r, 2),
        "code": code,
        "colour": grade_colour(grade),
        "url": f"/chemicals/units/{pk}/",
    }


register(
    PointLayer(
        name="chemicals.enterprises",
        title=_("Chemical enterprises"),
        group=GROUP,
        geometry="point",
        colour="#6d4c41",
        cluster=True,
        visible=False,
        order=50,
        legend=LEGEND,
        queryset=enterprises,
        columns=("id", "name", "address", "worst"),
        properties=_enterprise_props,
    )
)
register(
    PointLayer(
        name="chemicals.major_hazards",
        title=_("Major hazard sources"),
        group=GROUP,
        geometry="point",
        colour=Grade.colour_of("1"),
        cluster=False,
        visible=True,
        order=51,
        legend=LEGEND[:4],
        queryset=sources,
        columns=("id", "name", "organization__name", "grade", "r", "major_hazard__code"),
        properties=_source_props,
    )
)
