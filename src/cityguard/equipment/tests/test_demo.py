"""The demo loader: deterministic, every kind of place and organisation served, some units
off target so the due lists and plan-05 have something to show."""

from __future__ import annotations

import pytest

from cityguard.core import services as core_services
from cityguard.equipment import demo, indicators, services
from cityguard.equipment.models import Equipment, Inspection
from cityguard.indicators.registry import Period

pytestmark = pytest.mark.django_db


@pytest.fixture
def sites(users, places):
    admin = users.admin
    for i in range(25):
        core_services.save_place(
            admin,
            {"name": f"高层{i}", "kind": "high_rise", "organization": users.west_org,
             "lon": 121.505 + i * 0.002, "lat": 31.30, "floors": 20},
        )  # fmt: skip
    core_services.save_organization(
        admin, {"name": "示例工地", "kind": "construction_site", "lon": 121.54, "lat": 31.30}
    )


def _snapshot():
    return list(
        Equipment.objects.order_by("pk").values_list(
            "name", "kind", "status", "registration_no", "next_inspection_due", "place__name"
        )
    )


def test_demo_is_deterministic_and_mixed(users, sites):
    counts = demo.load_demo(scale=1, seed=7)
    assert counts["equipment"] == Equipment.objects.count() > 60
    assert counts["inspections"] == Inspection.objects.count()
    assert counts["elevator"] > 50 and counts["lifting"] >= 1
    first = _snapshot()
    Equipment.objects.all().delete()
    demo.load_demo(scale=1, seed=7)
    assert _snapshot() == first
    qs = Equipment.objects.all()
    assert services.overdue(qs).exists() and services.unregistered(qs).exists()
    rate = indicators.registration_and_inspection_rate(None, None, Period.of(services.today()))
    assert rate is not None and 50 < rate < 100
    # Every unit obeys the registry's rules: numbers where registered, dates that follow.
    for eq in qs.exclude(status="unregistered"):
        assert eq.registration_no
        latest = eq.inspections.order_by("-inspected_on", "-id").first()
        assert (latest.next_due if latest else None) == eq.next_inspection_due
    assert not qs.filter(status="unregistered", registration_no__isnull=False).exists()
    services.raise_reminders()
