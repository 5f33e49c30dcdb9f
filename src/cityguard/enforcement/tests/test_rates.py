"""The "three 100 %" and plan indicators 6 and 8 on small known datasets."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from cityguard.enforcement import rates, services
from cityguard.enforcement.models import (
    Case,
    CaseEvent,
    Decision,
    Evidence,
    Inspection,
    LegalReview,
    Publication,
)
from cityguard.indicators.registry import Period, get

from .conftest import complex_org, make_officer, same_by_street

pytestmark = pytest.mark.django_db


def _decision(org: Any, n: int, issued: dt.datetime, *, major: bool = False) -> Decision:
    case = Case.objects.create(
        number=f"T-{n}",
        title="t",
        organization=org,
        jurisdiction_id=org.jurisdiction_id,
        filed_at=issued,
        state="decided",
        concluded_at=issued,
    )
    return Decision.objects.create(
        case=case,
        number=f"D-{n}",
        content="c",
        state="issued",
        is_major=major,
        drafted_at=issued,
        issued_at=issued,
    )


def _at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10)))


def test_publicity_rate(users: Any, settings: Any) -> None:
    settings.CITYGUARD_ENFORCEMENT_PUBLISH_DAYS = 7
    monday = dt.date(2025, 3, 3)
    on_time = _decision(users.west_org, 1, _at(monday))
    late = _decision(users.west_org, 2, _at(monday))
    _decision(users.east_org, 3, _at(monday))  # never published
    Publication.objects.create(
        decision=on_time, published_on=monday + dt.timedelta(days=9), channel="website"
    )  # 7th working day
    Publication.objects.create(
        decision=late, published_on=monday + dt.timedelta(days=10), channel="website"
    )
    r = rates.publicity(None, None, dt.date(2025, 3, 1), dt.date(2025, 4, 1))
    assert (r.numerator, r.denominator, r.value) == (1, 3, 33.3)
    west = rates.publicity(None, "310110001", dt.date(2025, 3, 1), dt.date(2025, 4, 1))
    assert (west.numerator, west.denominator) == (1, 2)
    east_user = rates.publicity(users.east_officer, None, dt.date(2025, 3, 1), dt.date(2025, 4, 1))
    assert (east_user.numerator, east_user.denominator) == (0, 1)
    assert rates.publicity(None, None, dt.date(2025, 4, 1), dt.date(2025, 5, 1)).value is None
    assert same_by_street("enforcement-publicity", users.west_officer, Period(2025, 3)) == {
        "310110001": 50.0,
        "310110002": 0.0,
    }


def test_publicity_window_follows_the_working_day_calendar(users: Any, settings: Any) -> None:
    """Issued on Friday 2025-01-24. Spring Festival 2025: 28 Jan–4 Feb off (its weekdays
    listed as holidays), Sunday 26 Jan and Saturday 8 Feb worked. The 7th working day after
    issue is Monday 10 Feb (26 Jan, 27 Jan, 5, 6, 7, 8, 10 Feb), not Tuesday 4 Feb as
    Monday-to-Friday counting would say."""
    from cityguard.core import services as core_services

    settings.CITYGUARD_ENFORCEMENT_PUBLISH_DAYS = 7
    for day in ("2025-01-28", "2025-01-29", "2025-01-30", "2025-01-31", "2025-02-03", "2025-02-04"):
        core_services.save_calendar_day(
            users.admin, {"day": day, "kind": "holiday", "name": "春节"}
        )
    for day in ("2025-01-26", "2025-02-08"):
        core_services.save_calendar_day(users.admin, {"day": day, "kind": "workday"})
    friday = dt.date(2025, 1, 24)
    on_time = _decision(users.west_org, 1, _at(friday))
    late = _decision(users.west_org, 2, _at(friday))
    Publication.objects.create(decision=on_time, published_on=dt.date(2025, 2, 10), channel="web")
    Publication.objects.create(decision=late, published_on=dt.date(2025, 2, 11), channel="web")
    r = rates.publicity(None, None, dt.date(2025, 1, 1), dt.date(2025, 2, 1))
    assert (r.numerator, r.denominator) == (1, 2)


def test_unpublished_decision_inside_its_window_is_not_counted(users: Any) -> None:
    _decision(users.west_org, 1, timezone.now())
    today = timezone.localdate()
    r = rates.publicity(None, None, today, today + dt.timedelta(days=1))
    assert r.denominator == 0


def test_legal_review_rate(users: Any) -> None:
    day = _at(dt.date(2025, 5, 6))
    reviewed = _decision(users.west_org, 1, day, major=True)
    returned = _decision(users.west_org, 2, day, major=True)
    late = _decision(users.west_org, 3, day, major=True)
    _decision(users.west_org, 4, day)  # not major: not counted
    LegalReview.objects.create(
        decision=reviewed,
        reviewer=users.staff,
        opinion="ok",
        outcome="passed",
        reviewed_at=day - dt.timedelta(hours=1),
    )
    LegalReview.objects.create(
        decision=returned,
        reviewer=users.staff,
        opinion="no",
        outcome="returned",
        reviewed_at=day - dt.timedelta(hours=1),
    )
    LegalReview.objects.create(
        decision=late,
        reviewer=users.staff,
        opinion="ok",
        outcome="passed",
        reviewed_at=day + dt.timedelta(hours=1),
    )
    r = rates.legal_review(None, None, dt.date(2025, 5, 1), dt.date(2025, 6, 1))
    assert (r.numerator, r.denominator, r.value) == (1, 3, 33.3)
    assert (
        rates.legal_review(
            users.west_manager, None, dt.date(2025, 5, 1), dt.date(2025, 6, 1)
        ).denominator
        == 3
    )
    assert (
        rates.legal_review(
            users.east_manager, None, dt.date(2025, 5, 1), dt.date(2025, 6, 1)
        ).denominator
        == 0
    )
    _decision(users.east_org, 5, day, major=True)  # no review: east 0 %
    assert same_by_street("enforcement-legal-review", users.west_officer, Period(2025, 5)) == {
        "310110001": 33.3,
        "310110002": 0.0,
    }


def test_recording_rate(users: Any, settings: Any) -> None:
    settings.CITYGUARD_ENFORCEMENT_RECORDED_STEPS = ["filed", "investigation", "decision"]
    day = _at(dt.date(2025, 6, 10))
    full = _decision(users.west_org, 1, day).case
    part = _decision(users.west_org, 2, day).case
    closed = Case.objects.create(
        number="T-3",
        title="t",
        organization=users.west_org,
        jurisdiction_id=users.west_org.jurisdiction_id,
        filed_at=day,
        state="closed",
        concluded_at=day,
    )

    def ev(case: Case, kind: str, evidence: bool = True) -> None:
        e = CaseEvent.objects.create(case=case, kind=kind, at=day)
        if evidence:
            Evidence.objects.create(event=e, content_type="image/png", size=1, original_name="x")

    for k in ("filed", "investigation", "decision"):
        ev(full, k)
    ev(part, "filed")
    ev(part, "investigation", evidence=False)
    ev(part, "decision")
    for k in ("filed", "investigation", "closed"):
        ev(closed, k)
    r = rates.recording(None, None, dt.date(2025, 6, 1), dt.date(2025, 7, 1))
    assert (r.numerator, r.denominator, r.value) == (2, 3, 66.7)
    _decision(users.east_org, 4, day)  # no events: east 0 %
    assert same_by_street("enforcement-recording", users.west_officer, Period(2025, 6)) == {
        "310110001": 66.7,
        "310110002": 0.0,
    }
    Case.objects.filter(number="T-4").delete()
    settings.CITYGUARD_ENFORCEMENT_RECORDED_STEPS = ["filed"]
    assert rates.recording(None, None, dt.date(2025, 6, 1), dt.date(2025, 7, 1)).value == 100.0


def test_plan_08_qualified_staff_ratio(district: Any, users: Any) -> None:
    a = users.admin
    make_officer(a, "w1", district.west, "W1")
    make_officer(a, "w2", district.west, "W2")
    make_officer(a, "w3", district.west, "W3", hours=1)
    make_officer(a, "e1", district.east, "E1", valid_days=-3)
    make_officer(a, "d1", district.root, "D1")
    indicator = get("plan-08")
    assert indicator.target == 75.0 and indicator.comparison == ">=" and not indicator.binding
    assert indicator.order == 8
    period = Period.of(timezone.localdate())
    assert indicator.compute(None, None, period) == 60.0  # 3 of 5
    assert indicator.compute(None, "310110001", period) == 66.7  # 2 of 3
    assert indicator.compute(None, "310110002", period) == 0.0
    assert indicator.compute(users.east_officer, None, period) == 0.0
    assert indicator.compute(users.west_manager, None, period) is None
    assert indicator.on_target(60.0) is False
    assert same_by_street("plan-08", users.west_officer, period) == {
        "310110001": 66.7,
        "310110002": 0.0,
    }


def test_plan_06_commercial_complex_compliance(district: Any, users: Any, officers: Any) -> None:
    a = users.admin
    ok = complex_org(a, "合格商场", 121.51, 31.28, 30)
    bad = complex_org(a, "有隐患商场", 121.512, 31.28, 31)
    fixed = complex_org(a, "复查合格商场", 121.514, 31.28, 32)
    complex_org(a, "未检查商场", 121.55, 31.28, 33)
    today = timezone.localdate()
    two = [officers.w1, officers.w2]

    def inspect(org: Any, day: dt.date, fail: bool, kind: str = "fire_safety") -> Inspection:
        return services.record_inspection(
            a,
            {"organization": org, "inspection_type": kind, "date": day, "officers": two},
            [{"text": "消防设施", "result": "fail" if fail else "pass"}],
            to_hazards=False,
        )

    start = dt.date(today.year, 1, 1)
    inspect(ok, start, fail=False)
    inspect(bad, start, fail=True)
    inspect(bad, start, fail=False, kind="work_safety")  # another type does not count
    first = inspect(fixed, start, fail=True)
    inspect(fixed, today, fail=False)  # the latest passed
    assert not services.inspection_passed(first)
    indicator = get("plan-06")
    assert indicator.binding and indicator.target == 100.0 and indicator.order == 6
    period = Period.of(today)
    assert indicator.compute(None, None, period) == 50.0  # 2 of 4
    assert indicator.compute(None, "310110001", period) == 66.7
    assert indicator.compute(None, "310110002", period) == 0.0
    assert indicator.compute(users.east_officer, None, period) == 0.0
    assert indicator.compute(users.west_manager, None, period) is None
    # resolving the open finding of "bad" makes it compliant
    finding = bad.enforcement_inspections.get(inspection_type="fire_safety").findings.get()
    services.resolve_finding(a, finding)
    assert indicator.compute(None, "310110001", period) == 100.0
    assert same_by_street("plan-06", users.west_officer, period) == {
        "310110001": 100.0,
        "310110002": 0.0,
    }
    # last year's inspections do not count this year
    assert rates.complex_compliance(None, None, dt.date(today.year - 1, 1, 1), start).value == 0.0


def test_three_indicators_are_declared() -> None:
    for code in ("enforcement-publicity", "enforcement-recording", "enforcement-legal-review"):
        ind = get(code)
        assert ind.unit == "%" and ind.target == 100.0 and ind.comparison == ">="


def test_service_flow_gives_full_rates(users: Any, png: bytes) -> None:
    from .conftest import upload

    s = users.west_officer
    case = services.file_case(s, {"organization": users.west_org, "title": "t"}, [upload(png)])
    services.record_step(s, case, "investigation", "现场笔录", [upload(png)])
    services.propose_penalty(
        s,
        case,
        {"kind": "fine", "rule": "wsl-97-3", "circumstance": "serious", "amount": Decimal("90000")},
    )
    decision = services.draft_decision(s, case, "罚款")
    services.review_decision(users.staff, decision, "passed", "同意")
    services.issue_decision(s, decision, [upload(png)])
    services.publish_decision(s, decision, {"channel": "website"})
    today = timezone.localdate()
    out = rates.three_rates(None, None, today, today + dt.timedelta(days=1))
    assert {k: v.value for k, v in out.items()} == {
        "publicity": 100.0,
        "recording": 100.0,
        "legal_review": 100.0,
    }
