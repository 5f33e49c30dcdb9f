"""Map layers of the hazards app: open hazards by severity (coloured by state), closed
hazards, and public tips awaiting triage."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cityguard.onemap.registry import PointLayer, register

from . import lifecycle
from .choices import HazardState, Severity, TipStatus
from .models import OPEN, Hazard
from .services import tips_visible_to

GROUP = pgettext_lazy("hazard", "Hazards")
_URL = "/hazards/{}/"
_TIP_URL = "/hazards/tips/{}/"


def _props(row: tuple[Any, ...]) -> dict[str, Any]:
    pk, title, state, severity, deadline, escalated_at, org_name = row
    return {
        "id": pk,
        "name": title,
        "reference": f"YH{pk:06d}",
        "state": state,
        "state_label": str(HazardState(state).label),
        "severity": severity,
        "severity_label": str(Severity(severity).label),
        "deadline": deadline.isoformat() if deadline else None,
        "escalated": escalated_at is not None,
        "organization": org_name,
        "colour": HazardState.colour_of(state),
        "url": _URL.format(pk),
    }


COLUMNS = ("id", "title", "state", "severity", "deadline", "escalated_at", "organization__name")
STATE_LEGEND = [(label, HazardState.colour_of(value)) for value, label in HazardState.choices]


def _open(severity: str) -> Any:
    return lambda user: Hazard.objects.visible_to(user).filter(OPEN, severity=severity)


register(
    PointLayer(
        name="hazards.major",
        title=_("Open major hazards"),
        group=GROUP,
        geometry="point",
        colour=Severity.colour_of(Severity.MAJOR),
        cluster=False,
        order=50,
        legend=[(label, c) for label, c in STATE_LEGEND if label != HazardState.CLOSED.label],
        queryset=_open(Severity.MAJOR),
        columns=COLUMNS,
        properties=_props,
    )
)
register(
    PointLayer(
        name="hazards.general",
        title=_("Open general hazards"),
        group=GROUP,
        geometry="point",
        colour=Severity.colour_of(Severity.GENERAL),
        cluster=True,
        order=51,
        legend=[(label, c) for label, c in STATE_LEGEND if label != HazardState.CLOSED.label],
        queryset=_open(Severity.GENERAL),
        columns=COLUMNS,
        properties=_props,
    )
)
register(
    PointLayer(
        name="hazards.closed",
        title=_("Closed hazards"),
        group=GROUP,
        geometry="point",
        colour=HazardState.colour_of(lifecycle.CLOSED),
        cluster=True,
        visible=False,
        order=52,
        queryset=lambda user: Hazard.objects.visible_to(user).filter(is_open=False),
        columns=COLUMNS,
        properties=_props,
    )
)


def _tip_props(row: tuple[Any, ...]) -> dict[str, Any]:
    pk, code, description = row
    return {
        "id": pk,
        "name": code,
        "description": description[:120],
        "colour": TipStatus.colour_of(TipStatus.RECEIVED),
        "url": _TIP_URL.format(pk),
    }


register(
    PointLayer(
        name="hazards.tips",
        title=_("Public tips awaiting triage"),
        group=GROUP,
        geometry="point",
        colour=TipStatus.colour_of(TipStatus.RECEIVED),
        cluster=True,
        visible=False,
        order=53,
        queryset=lambda user: tips_visible_to(user).filter(status=TipStatus.RECEIVED),
        columns=("id", "code", "description"),
        properties=_tip_props,
    )
)
