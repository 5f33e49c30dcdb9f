"""The indicators declared in the domain apps' indicators.py, on small known datasets."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from cityguard import testing
from cityguard.core import figures
from cityguard.core.models import Jurisdiction
from cityguard.indicators import registry, services
from cityguard.indicators.registry import Period

from .conftest import EAST, WEST

pytestmark = pytest.mark.django_db


def value(code, street=None, user=None, period=None):
    return registry.get(code).compute(user, street, period or services.current_period())


def test_major_accidents_and_fires(users, incidents) -> None:
    now = services.current_period()
    assert incidents.west_fire.level == 2 and incidents.east_small.level == 4
    assert value("plan-02") == 2  # the major fire and the major explosion (accidents)
    assert value("plan-03") == 1  # the major fire; the small one is not major
    assert value("plan-02", WEST) == 1 and value("plan-02", EAST) == 1
    assert value("plan-03", EAST) == 0
    assert value("plan-02", user=users.east_officer) == 1
    assert value("plan-02", "nope") == 0
    last_year = Period(now.year - 1, 12)
    assert value("plan-02", period=last_year) == 1  # the old fire only
    assert value("plan-03", period=last_year) == 1
    assert registry.get("plan-02").on_target(2) is False
    assert registry.get("plan-02").by_street(None, now) == {WEST: 1, EAST: 1}
    assert registry.get("plan-03").by_street(None, now) == {WEST: 1, EAST: 0}
    assert value("incidents-active") == 4


def test_plans_overdue_for_revision(users, district) -> None:
    from cityguard.plans import services as plans

    today = timezone.localdate()
    plans.save_plan(
        users.admin,
        {
            "title": "过期预案",
            "kind": "unit",
            "jurisdiction": district.west,
            "revision_months": 12,
            "last_revised": today - dt.timedelta(days=800),
        },
    )
    plans.save_plan(
        users.admin,
        {"title": "新预案", "kind": "unit", "jurisdiction": district.east, "last_revised": today},
    )
    assert value("plans-overdue-revision") == 1
    assert registry.get("plans-overdue-revision").by_street(None, services.current_period()) == {
        WEST: 1,
        EAST: 0,
    }


def test_park_risk_assessment_rate(users) -> None:
    from cityguard.risk import services as risk
    from cityguard.risk.models import Domain

    fire = Domain.objects.get(code="fire")
    assert value("plan-10") is None
    parks = [
        testing.make_organization(users.admin, f"园区{i}", lon, 31.28, kind="park")
        for i, lon in enumerate((121.51, 121.52, 121.55))
    ]
    point = risk.save_risk_point(
        users.admin, {"name": "园区风险", "domain": fire, "organization": parks[0]}
    )
    risk.add_assessment(users.admin, point, method="lec", values={"l": 1, "e": 1, "c": 1})
    assert value("plan-10") == round(100 / 3, 2)
    assert value("plan-10", WEST) == 50.0
    assert value("plan-10", EAST) == 0.0
    assert registry.get("plan-10").by_street(None, services.current_period()) == {
        WEST: 50.0,
        EAST: 0.0,
    }


def test_hazard_indicators(users) -> None:
    from cityguard.hazards import services as hazards

    def report(org, severity, days):
        return hazards.report_hazard(
            users.admin,
            {
                "title": "隐患",
                "source": "street_inspection",
                "domain": "fire",
                "severity": severity,
                "organization": org,
                "deadline": timezone.localdate() + dt.timedelta(days=days),
            },
        )

    report(users.west_org, "major", 10)
    report(users.east_org, "major", 10)
    report(users.east_org, "general", 10)
    assert value("hazards-open-major") == 2
    assert value("hazards-open-major", WEST) == 1
    assert value("hazards-open-major", user=users.west_officer) == 1
    assert value("hazards-on-time-rectification") is None  # nothing closed yet
    assert value("hazards-overdue") == 0
    by_street = registry.get("hazards-open-major").by_street(None, services.current_period())
    assert by_street == {WEST: 1, EAST: 1}


def test_shelter_places_per_1000(users) -> None:
    from cityguard.resources import services as resources

    resources.save_shelter(
        users.admin, {"name": "西区避难场所", "capacity": 500, "lon": 121.52, "lat": 31.30}
    )
    assert value("resources-shelter-places", WEST) is None  # population unknown
    Jurisdiction.objects.filter(code=WEST).update(population=10_000)
    Jurisdiction.objects.filter(code=EAST).update(population=20_000)
    assert value("resources-shelter-places", WEST) == 50.0
    assert registry.get("resources-shelter-places").by_street(None, services.current_period()) == {
        WEST: 50.0,
        EAST: 0.0,
    }


def test_every_grouped_computation_agrees_with_the_per_street_one(users, incidents, figure) -> None:
    """For every indicator that has `by_street`, its answer equals `compute` per street."""
    figure("plan-07", 9, 10, street=WEST)
    period = services.current_period()
    for ind in registry.all_indicators():
        if ind.by_street is None or not ind.per_street:
            continue
        grouped = ind.by_street(None, period)
        for code in (WEST, EAST):
            one = ind.compute(None, code, period)
            assert grouped.get(code) == one, (ind.code, code, grouped, one)


def test_shared_scoping_helper(users, incidents) -> None:
    from cityguard.incidents.models import Incident

    qs = Incident.objects.all()
    assert figures.scoped(qs, None, None, "jurisdiction__path").count() == 4
    assert figures.scoped(qs, None, WEST, "jurisdiction__path").count() == 2
    assert figures.scoped(qs, None, "nope", "jurisdiction__path").count() == 0
    assert figures.scoped(qs, users.east_officer, None, "jurisdiction__path").count() == 2
    assert figures.counts_by_street(qs, "jurisdiction__path") == {WEST: 2, EAST: 2}
    assert figures.sums_by_street(qs, "jurisdiction__path", "deaths") == {WEST: 32, EAST: 12}
    assert figures.street_of("/310110/") is None and figures.street_of("/310110/x/y/") == "x"
    assert figures.per_street({WEST: 3}) == {WEST: 3, EAST: 0}
