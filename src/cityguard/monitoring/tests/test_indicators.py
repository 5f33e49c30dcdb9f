"""Availability figures and the indicators the monitoring app declares."""

from __future__ import annotations

from typing import Any

import pytest

from cityguard import testing
from cityguard.indicators import registry
from cityguard.indicators.registry import Period
from cityguard.monitoring import indicators, services
from cityguard.monitoring.models import Sensor

from .conftest import same_by_street

pytestmark = pytest.mark.django_db
PERIOD = Period(2026, 6)


def test_availability_rows_and_offline_list(mon: Any) -> None:
    Sensor.objects.filter(code__in=["west_level", "east_gas"]).update(state="offline")
    services.save_sensor(
        mon.users.admin, {"enabled": False}, Sensor.objects.get(code="west_pressure")
    )
    rows = indicators.availability(None)
    got = {
        (r["street"], r["kind"]): (r["sensors"], r["online"], r["offline"], r["rate"]) for r in rows
    }
    assert got == {
        ("310110001", "combustible_gas"): (1, 1, 0, 100.0),
        ("310110001", "water_level"): (1, 0, 1, 0.0),
        ("310110002", "combustible_gas"): (1, 0, 1, 0.0),
        ("310110002", "water_level"): (1, 1, 0, 100.0),
    }
    assert rows[0]["street_name"] == "西街道"
    west = indicators.availability(mon.users.west_officer)
    assert {r["street"] for r in west} == {"310110001"}
    assert [s.code for s in indicators.offline_sensors(None)] == ["east_gas", "west_level"]
    assert [s.code for s in indicators.offline_sensors(mon.users.west_manager)] == []
    assert [s.code for s in indicators.offline_sensors(None, "310110002")] == ["east_gas"]


def test_declared_indicators(mon: Any) -> None:
    Sensor.objects.filter(code="west_level").update(state="offline")
    avail = registry.get("sensor-availability")
    assert avail.compute(None, None, PERIOD) == 80.0
    assert avail.compute(None, "310110002", PERIOD) == 100.0
    assert avail.compute(mon.users.west_officer, None, PERIOD) == pytest.approx(66.7)
    assert avail.on_target(80.0) is False
    active = registry.get("alarms-active")
    assert active.compute(None, None, PERIOD) == 0.0 and active.on_target(0.0) is True
    assert same_by_street("sensor-availability", mon.users.west_officer, PERIOD) == {
        "310110001": pytest.approx(66.7),
        "310110002": 100.0,
    }
    assert same_by_street("alarms-active", mon.users.west_officer, PERIOD) == {
        "310110001": 0.0,
        "310110002": 0.0,
    }


def test_park_coverage(mon: Any) -> None:
    plan = registry.get("plan-09")
    assert plan.order == 9 and plan.target == 100.0 and plan.binding is False
    assert plan.compute(None, None, PERIOD) is None  # no parks
    park_w = testing.make_organization(mon.users.admin, "西公园", 121.51, 31.30, kind="park")
    park_e = testing.make_organization(mon.users.admin, "东公园", 121.55, 31.30, kind="park")
    assert plan.compute(None, None, PERIOD) == 0.0
    services.save_sensor(
        mon.users.admin,
        {"code": "P-W", "kind": "smoke", "lon": 121.51, "lat": 31.30, "organization": park_w.pk},
    )
    s = services.save_sensor(
        mon.users.admin,
        {"code": "P-E", "kind": "smoke", "lon": 121.55, "lat": 31.30, "organization": park_e.pk},
    )
    assert plan.compute(None, None, PERIOD) == 100.0
    Sensor.objects.filter(pk=s.pk).update(state="offline")
    assert plan.compute(None, None, PERIOD) == 50.0
    assert plan.compute(None, "310110001", PERIOD) == 100.0
    assert plan.compute(None, "310110002", PERIOD) == 0.0
    assert same_by_street("plan-09", mon.users.west_officer, PERIOD) == {
        "310110001": 100.0,
        "310110002": 0.0,
    }
    services.save_sensor(mon.users.admin, {"enabled": False}, Sensor.objects.get(code="P-W"))
    assert plan.compute(None, None, PERIOD) == 0.0
