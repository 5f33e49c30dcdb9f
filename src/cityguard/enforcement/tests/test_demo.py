"""The demo: officers about 80 % qualified, a drawn plan with inspections, cases with one
major decision reviewed and published, plan-06 below 100 %."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from cityguard import testing
from cityguard.core.choices import Role
from cityguard.enforcement import demo, rates
from cityguard.enforcement.models import Decision, InspectionPlan, Officer

from .conftest import complex_org

pytestmark = pytest.mark.django_db


def test_demo(district: Any, users: Any) -> None:
    testing.make_user("demo-staff", Role.DISTRICT_STAFF)
    testing.make_user("demo-street", Role.STREET_OFFICER, jurisdiction=district.west)
    for n in range(5):
        complex_org(users.admin, f"商场{n}", 121.505 + n * 0.01, 31.30, 50 + n)
    counts = demo.load_demo(scale=0.1, seed=3)
    assert counts["enforcement_officers"] == Officer.objects.count() == 12
    assert counts["enforcement_qualified"] / counts["enforcement_officers"] >= 0.75
    plan = InspectionPlan.objects.get(inspection_type="fire_safety")
    assert plan.status == "published" and plan.seed is not None
    assert plan.targets.count() == 4  # 80 % of 5
    today = timezone.localdate()
    value = rates.complex_compliance(None, None, today.replace(month=1, day=1), today).value
    assert value is not None and value < 100.0
    major = Decision.objects.get(is_major=True)
    assert major.state == "issued" and major.reviews.filter(outcome="passed").exists()
    assert major.publications.exists()
    assert counts["enforcement_decisions"] >= 1
    assert demo.load_demo(scale=0.1, seed=3)["enforcement_officers"] == 12  # adds on top


def test_bench_runs_on_the_loaded_data(district: Any, users: Any, officers: Any) -> None:
    from cityguard.enforcement import bench
    from cityguard.indicators.registry import Period, get

    out = bench.main(["--repeat", "1"])
    assert out["areas"] == 3 and out["indicators"] == 5
    assert out["district"]["plan-08"] == get("plan-08").compute(
        None, None, Period.of(timezone.localdate())
    )
    assert out["rows_counted"] >= Officer.objects.count()


def test_inspection_goes_ahead_only_with_two_officers_valid_that_day(officers: Any) -> None:
    import datetime as dt
    from types import SimpleNamespace

    today = timezone.localdate()

    def target(*people: Any) -> Any:
        return SimpleNamespace(officers=SimpleNamespace(all=lambda: list(people)))

    two = demo._present(target(officers.w1, officers.w2), today)
    assert two == [officers.w1, officers.w2]
    # The certificate expired yesterday: valid for an inspection two days ago, not today.
    assert demo._present(target(officers.w1, officers.expired), today) is None
    got = demo._present(target(officers.w1, officers.expired), today - dt.timedelta(days=2))
    assert got == [officers.w1, officers.expired]
    assert demo._present(target(officers.w1, officers.nocert), today) is None
