"""Fixtures of the monitoring tests (B's and C's tests use them too: keep them stable).

- `mon`: the district and users of the root conftest plus five sensors —
  `west_gas` (combustible gas, west_org, west street), `east_gas` (combustible gas,
  east_org, east street), `west_level` / `east_level` (water level, no organisation) and
  `west_pressure` (hydrant water pressure, west_org); `mon.sensors` maps code → Sensor.
- `feed(code, values, start=None, step_s=60)`: ingest one sensor's values (HTTP source),
  timestamps `start` (ms; default `mon.t0`) + i × step; returns the IngestResult.
- `rule(**data)`: save a rule as district staff (JSON shape of the API).
"""

from __future__ import annotations

import time
from types import SimpleNamespace
from typing import Any

import pytest

from cityguard.monitoring import pipeline, services
from cityguard.monitoring.models import Sensor

SENSORS = [
    ("west_gas", "combustible_gas", 121.51, 31.27, "west_org"),
    ("east_gas", "combustible_gas", 121.55, 31.27, "east_org"),
    ("west_level", "water_level", 121.52, 31.28, None),
    ("east_level", "water_level", 121.54, 31.28, None),
    ("west_pressure", "water_pressure", 121.515, 31.275, "west_org"),
]


@pytest.fixture(autouse=True)
def _fresh_pipeline_cache() -> Any:
    # Each test starts from its own database state: forget the previous test's sensors.
    pipeline.invalidate()
    yield
    pipeline.invalidate()


@pytest.fixture
def mon(district: Any, users: Any) -> SimpleNamespace:
    sensors: dict[str, Sensor] = {}
    for code, kind, lon, lat, org in SENSORS:
        sensors[code] = services.save_sensor(
            users.admin,
            {
                "code": code,
                "name": code.replace("_", " "),
                "kind": kind,
                "lon": lon,
                "lat": lat,
                "organization": getattr(users, org) if org else None,
                "expected_interval_s": 60,
            },
        )
    # An hour ago, on a whole minute: readings from here on are never in the future.
    t0 = (int(time.time()) // 60 * 60 - 3600) * 1000
    return SimpleNamespace(district=district, users=users, sensors=sensors, t0=t0, **sensors)


@pytest.fixture
def feed(mon: SimpleNamespace) -> Any:
    def send(
        code: str, values: list[float], start: int | None = None, step_s: float = 60
    ) -> pipeline.IngestResult:
        base = mon.t0 if start is None else start
        items = [
            {"sensor": code, "ts": int(base + i * step_s * 1000), "value": v}
            for i, v in enumerate(values)
        ]
        return pipeline.ingest(items, source="http")

    return send


@pytest.fixture
def rule(mon: SimpleNamespace) -> Any:
    def make(**data: Any) -> Any:
        data.setdefault("name", f"rule {data.get('severity', 'major')}")
        data.setdefault("severity", "major")
        data.setdefault("sensor", None)
        if data["sensor"] is None:
            data.setdefault("sensor_kind", "combustible_gas")
        else:
            data.setdefault("sensor_kind", None)
        return services.save_rule(mon.users.staff, data)

    return make


def same_by_street(code: str, officer: Any, period: Any) -> dict[str, Any]:
    """Assert that the indicator's `by_street` gives exactly what `compute` gives street by
    street, for the whole district (user None) and for `officer`; the district's values."""
    from cityguard.core.figures import street_codes
    from cityguard.indicators.registry import get

    indicator = get(code)
    assert indicator.by_street is not None
    out: dict[str, Any] = {}
    for user in (None, officer):
        expected = {c: indicator.compute(user, c, period) for c in street_codes()}
        assert indicator.by_street(user, period) == expected
        out = out or expected
    return out
