"""The periodic jobs: overdue escalation (once, however often it runs), look-back dues
from accidents and closed major hazards, sampling, recurrences."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from cityguard import testing
from cityguard.hazards import services, tasks
from cityguard.hazards.models import Hazard, HazardEvent, Inspection, LookBackDue

from .helpers import walk


def _overdue(hazard: Hazard, days: int = 3) -> Hazard:
    # Deadlines in the past cannot be entered; age the record instead.
    Hazard.objects.filter(pk=hazard.pk).update(deadline=timezone.localdate() - timedelta(days=days))
    hazard.refresh_from_db()
    return hazard


def test_escalation_escalates_once(users: Any, report: Any) -> None:
    late = _overdue(report(title="late"), days=4)
    late_rectifying = _overdue(walk(report(title="late too"), users, "assign", "start"), days=1)
    on_time = report(title="fine")
    closed_late = _overdue(walk(report(title="done"), users, "assign", "start", "submit", "verify"))

    assert services.escalate_overdue() == 2
    assert services.escalate_overdue() == 0
    # Through the huey job too (it runs inline in tests), still nothing new.
    tasks.escalate_overdue_hazards.call_local()
    for hazard in (late, late_rectifying, on_time, closed_late):
        hazard.refresh_from_db()
    assert late.escalated_at is not None and late_rectifying.escalated_at is not None
    assert on_time.escalated_at is None and closed_late.escalated_at is None
    events = HazardEvent.objects.filter(kind="escalate")
    assert sorted(events.values_list("hazard_id", flat=True)) == sorted(
        [late.pk, late_rectifying.pk]
    )
    event = events.get(hazard=late)
    assert event.data["days_overdue"] == 4 and event.data["to"] == "district"
    assert event.actor is None and event.from_state == event.to_state == "reported"
    # The state does not change: escalation is supervision, not a transition.
    assert late.state == "reported" and late_rectifying.state == "rectifying"


def test_escalated_hazards_show_on_the_district_overdue_board(users: Any, report: Any) -> None:
    late = _overdue(report(title="逾期未整改"))
    report(title="未逾期")
    services.escalate_overdue()
    web = Client()
    web.force_login(users.staff)
    page = web.get("/hazards/overdue/?escalated=1", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "逾期未整改" in page and "未逾期" not in page and "Escalated" in page
    assert late.reference in web.get("/hazards/mine/").content.decode()
    detail = web.get(f"/hazards/{late.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "escalated to the district" in detail


def test_escalation_in_batches(users: Any, report: Any) -> None:
    hazards = [_overdue(report(title=f"h{i}")) for i in range(7)]
    assert services.escalate_overdue(batch=3) == 7
    assert (
        Hazard.objects.filter(pk__in=[h.pk for h in hazards], escalated_at__isnull=True).count()
        == 0
    )
    assert HazardEvent.objects.filter(kind="escalate").count() == 7


# --- look-back ---------------------------------------------------------------------------------


def test_mark_accident_is_idempotent_and_checked(users: Any) -> None:
    day = timezone.localdate() - timedelta(days=10)
    due = services.mark_accident(users.staff, users.west_org, day, domain="fire")
    again = services.mark_accident(actor=None, organization=users.west_org, date=day)
    assert due.pk == again.pk and LookBackDue.objects.count() == 1
    assert due.due_by == services.add_months(day, 12) and due.reason == "accident"
    with pytest.raises(PermissionDenied):
        services.mark_accident(users.east_officer, users.west_org, day)
    with pytest.raises(PermissionDenied):
        services.mark_accident(users.west_manager, users.west_org, day)
    with pytest.raises(ValidationError):
        services.mark_accident(
            users.staff, users.west_org, timezone.localdate() + timedelta(days=1)
        )
    with pytest.raises(ValidationError):
        services.mark_accident(users.staff, users.west_org, day, domain="no-such-domain")


def test_recurrence_in_the_same_domain_within_the_window(users: Any, report: Any) -> None:
    services.mark_accident(
        users.staff, users.west_org, timezone.localdate() - timedelta(days=30), domain="fire"
    )
    again = report(title="又发现消防通道堵塞")
    other_domain = report(title="燃气软管", domain="city_gas")
    elsewhere = report(actor=users.east_officer, organization=users.east_org, title="东区")
    assert again.is_recurrence and again.lookback is not None
    assert not other_domain.is_recurrence and not elsewhere.is_recurrence
    assert list(again.events.values_list("kind", flat=True)) == ["report", "recurrence"]
    # Outside the window it is not a recurrence.
    LookBackDue.objects.update(due_by=timezone.localdate() - timedelta(days=1))
    assert not report(title="一年后").is_recurrence


def _dues(orgs: list[Any], today: date, days_left: list[int]) -> list[LookBackDue]:
    out = []
    for org, left in zip(orgs, days_left, strict=True):
        out.append(
            LookBackDue.objects.create(
                organization=org,
                reason="major_hazard",
                source_date=today - timedelta(days=365 - left),
                due_by=today + timedelta(days=left),
            )
        )
    return out


def test_sampling_takes_a_share_plus_every_unit_near_its_deadline(
    users: Any, district: Any
) -> None:
    today = timezone.localdate()
    orgs = [
        testing.make_organization(users.admin, f"企业{i}", 121.501 + i * 0.001, 31.27)
        for i in range(12)
    ]
    days_left = [200] * 10 + [20, 5]  # the last two are within 30 days of their deadline
    dues = _dues(orgs, today, days_left)
    expired = LookBackDue.objects.create(
        organization=users.west_org,
        reason="accident",
        source_date=today - timedelta(days=400),
        due_by=today - timedelta(days=35),
    )
    created = services.sample_lookbacks(today=today, rate=0.25, rng=random.Random(7))
    # ceil(0.25 × 10) = 3 drawn, plus the 2 forced ones.
    assert len(created) == 5
    sampled = {i.lookback_id for i in created}
    assert {dues[10].pk, dues[11].pk} <= sampled
    assert all(i.unannounced and i.kind == "district" and i.state == "planned" for i in created)
    assert all(i.planned_for <= i.lookback.due_by for i in created)
    expired.refresh_from_db()
    assert expired.status == "missed"
    # Sampled units are not drawn again; the rest are, run after run.
    again = services.sample_lookbacks(today=today, rate=0.25, rng=random.Random(7))
    assert len(again) == 2 and not ({i.lookback_id for i in again} & sampled)
    assert LookBackDue.objects.filter(status="sampled").count() == 7
    # Same seed, same draw.
    LookBackDue.objects.filter(pk__in=[d.pk for d in dues]).update(
        status="pending", sampled_at=None
    )
    Inspection.objects.all().delete()
    first = {
        i.lookback_id
        for i in services.sample_lookbacks(today=today, rate=0.25, rng=random.Random(7))
    }
    assert first == sampled


def test_sampling_rate_is_configurable_and_uses_the_domain_checklist(
    users: Any, settings: Any
) -> None:
    from cityguard.risk.models import Domain

    today = timezone.localdate()
    due = LookBackDue.objects.create(
        organization=users.west_org,
        reason="accident",
        domain=Domain.objects.get(code="confined_space"),
        source_date=today - timedelta(days=10),
        due_by=today + timedelta(days=300),
    )
    settings.CITYGUARD_LOOKBACK_SAMPLE_RATE = 0
    assert services.sample_lookbacks(today=today) == []
    settings.CITYGUARD_LOOKBACK_SAMPLE_RATE = 1
    assert tasks.sample_lookback_units.call_local() == 1
    inspection = Inspection.objects.get(lookback=due)
    assert inspection.template is not None and inspection.template.code == "confined-space"


def test_closing_the_lookback_inspection_completes_the_due(users: Any, report: Any) -> None:
    today = timezone.localdate()
    hazard = walk(report(severity="major", deadline=today + timedelta(days=60)), users, "assign")
    services.save_plan(
        users.staff,
        hazard,
        {"measures": "m", "responsible_person": "p", "target_date": today + timedelta(days=30)},
        [{"title": "t", "due": today + timedelta(days=20)}],
    )
    walk(hazard, users, "start", "submit", "verify")
    (inspection,) = services.sample_lookbacks(today=today, rate=1.0, rng=random.Random(1))
    assert inspection.template is not None and inspection.template.domain.code == "fire"
    items = list(inspection.template.items.all())
    results = [{"item": i, "outcome": "pass"} for i in items]
    results[1] = {"item": items[1], "outcome": "fail", "note": "应急照明不亮"}
    (found,) = services.record_inspection(users.staff, inspection, results)
    assert found.is_recurrence and found.lookback == inspection.lookback
    assert found.source == "district_inspection"
    inspection.lookback.refresh_from_db()
    assert inspection.lookback.status == "done"
