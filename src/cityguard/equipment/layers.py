"""Map layer of the special-equipment registry: units coloured by their inspection state
(in date, due soon, overdue, unregistered, not in use)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from cityguard.onemap.registry import PointLayer, register

from . import config, services
from .choices import EquipmentKind, InspectionState
from .models import Equipment, inspection_state

GROUP = _("Supervision")
LEGEND = [(label, InspectionState.colour_of(value)) for value, label in InspectionState.choices]


def units(user: Any) -> QuerySet:
    return Equipment.objects.visible_to(user).exclude(status="scrapped")


def _props(row: tuple[Any, ...]) -> dict[str, Any]:
    pk, name, kind, status, number, due = row
    state = inspection_state(status, number, due, services.today(), config.due_days())
    return {
        "id": pk,
        "name": name,
        "kind": kind,
        "kind_label": f"{EquipmentKind(kind).label} · {InspectionState(state).label}",
        "state": state,
        "registration_no": number,
        "next_inspection_due": due.isoformat() if due else None,
        "colour": InspectionState.colour_of(state),
        "url": f"/equipment/{pk}/",
    }


register(
    PointLayer(
        name="equipment",
        title=_("Special equipment"),
        group=GROUP,
        geometry="point",
        colour=InspectionState.colour_of("ok"),
        cluster=True,
        visible=False,
        order=60,
        legend=LEGEND,
        queryset=units,
        columns=("id", "name", "kind", "status", "registration_no", "next_inspection_due"),
        properties=_props,
    )
)
