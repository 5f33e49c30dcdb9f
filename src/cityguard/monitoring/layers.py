"""Map layer of the sensors, coloured by state; the map page keeps it current from the
live stream with the layer's script (static/monitoring/map_live.js)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from cityguard.onemap.registry import PointLayer, register

from .choices import DEFAULT_UNIT, SensorKind, SensorState
from .models import Sensor

GROUP = _("Monitoring")
LAYER_NAME = "monitoring.sensors"


def _value(value: Any, unit: str) -> str:
    if value is None:
        return "—"
    shown = f"{value:g}" if isinstance(value, float) else str(value)
    return f"{shown} {unit}".strip()


def sensor_props(row: tuple[Any, ...]) -> dict[str, Any]:
    pk, code, name, kind, unit, state, last_value = row
    unit = unit or DEFAULT_UNIT.get(kind, "")
    kind_label = str(SensorKind(kind).label) if kind in SensorKind.values else kind
    state_label = str(SensorState(state).label) if state in SensorState.values else state
    return {
        "id": pk,
        "sensor_code": code,
        "name": f"{code} {name}".strip(),
        "kind": kind,
        "kind_label": f"{kind_label} · {state_label} · {_value(last_value, unit)}",
        "state": state,
        "unit": unit,
        "last_value": last_value,
        "colour": SensorState.colour_of(state),
        "url": f"/monitoring/sensors/{code}/",
    }


sensors_layer = register(
    PointLayer(
        name=LAYER_NAME,
        title=_("Sensors"),
        group=GROUP,
        geometry="point",
        colour=SensorState.colour_of(SensorState.NORMAL),
        cluster=True,
        visible=False,
        order=70,
        legend=[(label, SensorState.colour_of(v)) for v, label in SensorState.choices],
        script="monitoring/map_live.js",
        queryset=lambda user: Sensor.objects.visible_to(user),
        columns=("id", "code", "name", "kind", "unit", "state", "last_value"),
        properties=sensor_props,
    )
)
