"""The demo loader: sensors of every demo kind located in the tree, kind rules, readings,
two alarms; deterministic for a seed."""

from __future__ import annotations

from typing import Any

import pytest

from cityguard.core.models import Place
from cityguard.monitoring import demo, services
from cityguard.monitoring.models import Aggregate, Alarm, AlarmRule, Reading, Sensor

pytestmark = pytest.mark.django_db


def _places(users: Any, district: Any) -> None:
    spots = [
        ("underground_space", 121.512, 31.272),
        ("crowded_place", 121.545, 31.275),
        ("commercial_complex", 121.52, 31.30),
        ("billboard", 121.55, 31.30),
    ]
    for i, (kind, lon, lat) in enumerate(spots):
        org = users.west_org if lon < 121.53 else users.east_org
        Place.objects.create(
            name=f"场所{i}",
            kind=kind,
            organization=org,
            lon=lon,
            lat=lat,
            jurisdiction=district.west if lon < 121.53 else district.east,
        )


def test_demo_loads(users: Any, district: Any) -> None:
    _places(users, district)
    counts = demo.load_demo(scale=0.1, seed=3)
    assert counts["sensors"] == Sensor.objects.count() >= 25
    kinds = set(Sensor.objects.values_list("kind", flat=True))
    assert kinds == {"combustible_gas", "water_pressure", "water_level", "temperature", "smoke",
                     "tilt"}  # fmt: skip
    assert not Sensor.objects.filter(street__isnull=True).exists()
    for s in Sensor.objects.all():
        assert s.jurisdiction.path.startswith(s.street.path)
    assert counts["alarm_rules"] == AlarmRule.objects.count()
    assert AlarmRule.objects.filter(kind="no_data").count() == 6
    assert counts["readings"] == Reading.objects.count() > Sensor.objects.count()
    assert Aggregate.objects.filter(period="m").exists()
    # A gas leak and a hydrant pressure drop are open alarms.
    open_alarms = {a.sensor.code: a for a in Alarm.objects.filter(is_open=True)}
    assert set(open_alarms) == {"CG-0001", "HP-0001"}
    assert open_alarms["CG-0001"].severity == "major"
    assert open_alarms["HP-0001"].peak_value == 0.11
    # Records written in bulk satisfy the services' rules: re-saving one changes nothing.
    s = Sensor.objects.order_by("code").first()
    assert s is not None
    again = services.save_sensor(users.admin, {"name": s.name}, s)
    assert (again.jurisdiction_id, again.street_id) == (s.jurisdiction_id, s.street_id)


def test_demo_is_deterministic(users: Any, district: Any) -> None:
    _places(users, district)
    demo.load_demo(scale=0.05, seed=9)
    first = list(Sensor.objects.order_by("code").values_list("code", "lon", "lat", "kind"))
    Alarm.objects.all().delete()
    Reading.objects.all().delete()
    Aggregate.objects.all().delete()
    AlarmRule.objects.all().delete()
    Sensor.objects.all().delete()
    demo.load_demo(scale=0.05, seed=9)
    second = list(Sensor.objects.order_by("code").values_list("code", "lon", "lat", "kind"))
    assert first == second
