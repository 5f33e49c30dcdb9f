"""Map layer of the incidents app: incidents not yet closed, coloured by level."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from cityguard.onemap.registry import PointLayer, register

from . import grading
from .choices import LEVEL_HEX, Level, Status
from .models import Incident

GROUP_EMERGENCY = _("Emergency response")


def _props(row: tuple[Any, ...]) -> dict[str, Any]:
    pk, title, level, status, subtype = row
    return {
        "id": pk,
        "name": title,
        "level": level,
        "level_name": f"{grading.roman(level)} · {grading.NAMES_ZH.get(level, '')}",
        "status": status,
        "subtype": subtype,
        "colour": LEVEL_HEX.get(level, "#607d8b"),
        "url": f"/incidents/{pk}/",
    }


register(
    PointLayer(
        name="incidents.active",
        title=_("Active incidents"),
        group=GROUP_EMERGENCY,
        geometry="point",
        colour=LEVEL_HEX[1],
        order=5,
        legend=[(label, LEVEL_HEX[value]) for value, label in Level.choices],
        queryset=lambda user: Incident.objects.visible_to(user).exclude(status=Status.CLOSED),
        columns=("id", "title", "level", "status", "subtype"),
        properties=_props,
    )
)
