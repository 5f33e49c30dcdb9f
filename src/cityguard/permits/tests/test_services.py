"""Permits: application checks, statutory approval order, gas analysis, window, closure."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from cityguard.permits import services
from cityguard.permits.models import Permit, PermitEvent

from .conftest import data, gas, same_by_street

pytestmark = pytest.mark.django_db


def messages(exc: pytest.ExceptionInfo) -> str:
    return " ".join(exc.value.messages)


def approve_all(permit, signers):
    for position, who in enumerate(signers, start=1):
        services.approve_step(who, permit, position)


def test_apply_lays_out_the_chain(users, pw):
    p = services.apply(users.west_manager, data(users.west_org, grade="1"))
    assert p.number.startswith("ZY") and p.state == "applied"
    assert [a.code for a in p.approvals.all()] == ["guardian", "issuer", "unit_head", "safety_dept"]
    assert p.history.first().history_user == users.west_manager
    assert PermitEvent.objects.filter(permit=p, kind="applied").count() == 1


def test_max_duration_per_kind_and_grade(users, pw, settings):
    now = timezone.now()
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        services.apply(
            users.west_manager,
            data(users.west_org, grade="1", valid_to=now + dt.timedelta(hours=9)),
        )
    assert "at most 8 hours" in messages(exc)
    services.apply(
        users.west_manager, data(users.west_org, grade="2", valid_to=now + dt.timedelta(hours=70))
    )
    settings.CITYGUARD_PERMIT_MAX_HOURS = {"hot_work:2": 48}
    with pytest.raises(ValidationError):
        services.apply(
            users.west_manager,
            data(users.west_org, grade="2", valid_to=now + dt.timedelta(hours=70)),
        )
    assert Permit.objects.count() == 1


def test_bad_input_refused(users, pw):
    org = users.west_org
    with pytest.raises(ValidationError) as exc:
        services.apply(users.west_manager, data(org, grade=""))
    assert "grade" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.apply(users.west_manager, data(org, measures=["isolated"]))
    assert "measures" in exc.value.message_dict
    now = timezone.now()
    with pytest.raises(ValidationError) as exc:
        services.apply(
            users.west_manager, data(org, valid_from=now, valid_to=now - dt.timedelta(hours=1))
        )
    assert "valid_to" in exc.value.message_dict
    assert not Permit.objects.exists()


def test_confined_space_place_kind_and_organisation(users, pw):
    org = users.west_org
    with translation.override("en"):
        with pytest.raises(ValidationError) as exc:
            services.apply(users.west_manager, data(org, "confined_space", "", place=None))
        assert "place" in exc.value.message_dict
        with pytest.raises(ValidationError) as exc:
            services.apply(users.west_manager, data(org, "confined_space", "", place=pw.hall))
        assert "not a confined space" in messages(exc)
        with pytest.raises(ValidationError) as exc:
            services.apply(users.west_manager, data(org, "confined_space", "", place=pw.east_space))
        assert "does not belong" in messages(exc)
    p = services.apply(
        users.west_manager, data(org, "confined_space", "", place=pw.west_space, location="")
    )
    assert p.place == pw.west_space and p.location == pw.west_space.name


def test_only_own_managers_apply_and_sign(users, pw):
    for who in (users.admin, users.staff, users.west_officer, users.viewer, users.east_manager):
        with pytest.raises(PermissionDenied):
            services.apply(who, data(users.west_org))
    p = services.apply(users.west_manager, data(users.west_org))
    for who in (users.admin, users.east_manager, users.viewer):
        with pytest.raises(PermissionDenied):
            services.approve_step(who, p, 1)


def test_out_of_order_refused_with_reason(users, pw):
    p = services.apply(users.west_manager, data(users.west_org, grade="2"))
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        services.approve_step(pw.m2, p, 2)
    assert "cannot be signed before step 1" in messages(exc)
    assert not p.approvals.filter(signed_at__isnull=False).exists()
    services.approve_step(pw.m2, p, 1)
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        services.approve_step(pw.m2, p, 2)
    assert "two steps" in messages(exc)
    with pytest.raises(ValidationError):
        services.approve_step(pw.m3, p, 1)  # already signed
    services.approve_step(pw.m3, p, 2)
    gas(users.west_manager, p)
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        services.approve_step(users.west_manager, p, 3)
    assert "applicant" in messages(exc)
    services.approve_step(pw.m4, p, 3)
    p.refresh_from_db()
    assert p.state == "approved" and p.approved_at


def test_gas_test_blocks_approval_when_missing_failing_or_stale(users, pw):
    p = services.apply(users.west_manager, data(users.west_org, grade="2"))
    services.approve_step(pw.m2, p, 1)
    services.approve_step(pw.m3, p, 2)
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        services.approve_step(pw.m4, p, 3)
    assert "gas analysis is required" in messages(exc)
    gas(users.west_manager, p, minutes_ago=45)
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        services.approve_step(pw.m4, p, 3)
    assert "more than 30 minutes old" in messages(exc)
    gas(users.west_manager, p, combustible_pct=0.3, lel_pct=3.0)
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        services.approve_step(pw.m4, p, 3)
    assert "fails" in messages(exc)
    gas(users.west_manager, p, combustible_pct=0.3, lel_pct=4.5)
    services.approve_step(pw.m4, p, 3)


def test_confined_space_oxygen(users, pw):
    p = services.apply(
        users.west_manager, data(users.west_org, "confined_space", "", place=pw.west_space)
    )
    services.approve_step(pw.m2, p, 1)
    services.approve_step(pw.m3, p, 2)
    test = gas(users.west_manager, p, o2_pct=18.9)
    assert not test.passed and test.failures == ["o2_low"]
    with pytest.raises(ValidationError):
        services.approve_step(pw.m4, p, 3)
    with pytest.raises(ValidationError):
        gas(users.west_manager, p, minutes_ago=-10)  # in the future
    gas(users.west_manager, p, o2_pct=20.5)
    services.approve_step(pw.m4, p, 3)


def test_temporary_power_in_a_hazardous_area_needs_a_gas_analysis(users, pw):  # 10.1
    signers = [pw.m2, pw.m3, pw.m4, pw.m5]
    plain = services.apply(users.west_manager, data(users.west_org, "temporary_power", ""))
    assert not plain.needs_gas_test
    approve_all(plain, signers)  # no analysis asked for
    plain.refresh_from_db()
    assert plain.state == "approved"
    p = services.apply(
        users.west_manager,
        data(users.west_org, "temporary_power", "", hazardous_area=True),
    )
    assert p.needs_gas_test and "gas_test" in services.actions_for(users.west_manager, p)
    for position, who in enumerate(signers[:3], start=1):
        services.approve_step(who, p, position)
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        services.approve_step(pw.m5, p, 4)
    assert "gas analysis is required" in messages(exc)
    test = gas(users.west_manager, p, o2_pct=None, combustible_pct=0.6, lel_pct=5.0)
    assert test.failures == ["combustible_high"]
    with pytest.raises(ValidationError):
        services.approve_step(pw.m5, p, 4)
    gas(users.west_manager, p, o2_pct=None, combustible_pct=0.1, lel_pct=5.0)
    services.approve_step(pw.m5, p, 4)
    p.refresh_from_db()
    assert p.state == "approved"
    assert p.history.first().hazardous_area is True


def test_hot_work_on_oxygen_equipment_caps_oxygen(users, pw):  # 5.2.7
    p = services.apply(users.west_manager, data(users.west_org, grade="2"))
    services.approve_step(pw.m2, p, 1)
    services.approve_step(pw.m3, p, 2)
    test = gas(users.west_manager, p, o2_pct=24.0, enriched=True)
    assert not test.passed and test.failures == ["o2_high_equipment"]
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        services.approve_step(pw.m4, p, 3)
    assert "above 23.5 %" in messages(exc)
    gas(users.west_manager, p, o2_pct=23.0, enriched=True)
    services.approve_step(pw.m4, p, 3)


def _approved(users, pw, **extra):
    p = services.apply(users.west_manager, data(users.west_org, grade="2", **extra))
    gas(users.west_manager, p)
    approve_all(p, [pw.m2, pw.m3, pw.m4])
    p.refresh_from_db()
    return p


def test_start_only_when_approved_and_inside_window(users, pw):
    p = services.apply(users.west_manager, data(users.west_org, grade="2"))
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        services.start(users.west_manager, p)
    assert "not fully approved" in messages(exc)
    now = timezone.now()
    later = _approved(users, pw)
    Permit.objects.filter(pk=later.pk).update(valid_from=now + dt.timedelta(hours=1))
    later.refresh_from_db()
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        services.start(users.west_manager, later)
    assert "cannot be used outside its window" in messages(exc)
    Permit.objects.filter(pk=later.pk).update(
        valid_from=now - dt.timedelta(hours=3), valid_to=now - dt.timedelta(minutes=1)
    )
    later.refresh_from_db()
    with pytest.raises(ValidationError):
        services.start(users.west_manager, later)
    later.refresh_from_db()
    assert later.state == "approved"


def test_expired_permit_cannot_start(users, pw):
    p = _approved(users, pw)
    Permit.objects.filter(pk=p.pk).update(valid_to=timezone.now() - dt.timedelta(minutes=1))
    from cityguard.permits.tasks import expire_permits

    expire_permits.call_local()
    p.refresh_from_db()
    assert p.state == "expired"
    with pytest.raises(ValidationError):
        services.start(users.west_manager, p)


def test_full_lifecycle(users, pw):
    p = _approved(users, pw)
    services.start(users.west_manager, p)
    services.suspend(users.west_manager, p, "风力过大")
    with pytest.raises(ValidationError):
        services.close(users.west_manager, p, site_cleared=False)
    gas(users.west_manager, p, minutes_ago=1)
    services.resume(users.west_manager, p)
    services.close(users.west_manager, p, site_cleared=True, note="现场已清理")
    p.refresh_from_db()
    assert p.state == "closed" and p.closed_by == users.west_manager
    kinds = list(p.events.values_list("kind", flat=True))
    assert kinds[0] == "applied" and kinds[-1] == "closed" and "suspended" in kinds
    with pytest.raises(ValidationError):
        services.cancel(users.west_manager, p, "x")


def test_cancel_needs_reason(users, pw):
    p = services.apply(users.west_manager, data(users.west_org))
    with pytest.raises(ValidationError):
        services.cancel(users.west_manager, p, " ")
    services.cancel(users.west_manager, p, "计划变更")
    p.refresh_from_db()
    assert p.state == "cancelled"


def test_scoping(users, pw):
    p = services.apply(users.west_manager, data(users.west_org))
    e = services.apply(users.east_manager, data(users.east_org))
    vis = lambda u: set(Permit.objects.visible_to(u).values_list("pk", flat=True))  # noqa: E731
    everyone = {p.pk, e.pk}
    assert vis(users.admin) == vis(users.staff) == vis(users.viewer) == everyone
    assert vis(users.api_client) == everyone
    assert vis(users.west_officer) == vis(users.west_manager) == {p.pk}
    assert vis(users.east_officer) == vis(users.east_manager) == {e.pk}


def test_indicators(users, pw):
    from cityguard.indicators.registry import Period, get

    p = _approved(users, pw)
    services.start(users.west_manager, p)
    period = Period.of(timezone.localdate())
    assert get("permits-active").compute(None, None, period) == 1
    assert get("permits-active").compute(users.east_officer, None, period) == 0
    assert same_by_street("permits-active", users.west_officer, period) == {
        "310110001": 1.0,
        "310110002": 0.0,
    }
    Permit.objects.filter(pk=p.pk).update(valid_to=timezone.now() - dt.timedelta(minutes=1))
    services.expire_due()
    assert get("permits-overrun").compute(None, None, period) == 1
    assert get("permits-overrun").compute(None, "310110002", period) == 0
    assert same_by_street("permits-overrun", users.west_officer, period) == {
        "310110001": 1.0,
        "310110002": 0.0,
    }


def test_hot_work_in_progress_is_suspended_each_new_day_until_gas_is_analysed(users, pw):
    from cityguard.permits.tasks import daily_gas_analysis

    p = _approved(users, pw)
    services.start(users.west_manager, p)
    analysed = p.gas_tests.latest("analysed_at").analysed_at
    # The same day as the analysis: work goes on.
    assert services.suspend_for_daily_analysis(analysed) == 0
    next_day = timezone.localtime(analysed).replace(hour=0, minute=1) + dt.timedelta(days=1)
    assert services.suspend_for_daily_analysis(next_day) == 1
    p.refresh_from_db()
    assert p.state == "suspended"
    event = p.events.order_by("-at", "-id").first()
    assert event.kind == "suspended" and event.actor is None and "5.3.1" in event.note
    assert "每" in event.note  # written in the platform's language
    # Nothing more to suspend; resuming needs a fresh analysis, which today's job accepts.
    assert services.suspend_for_daily_analysis(next_day) == 0
    gas(users.west_manager, p, minutes_ago=1)
    services.resume(users.west_manager, p)
    assert daily_gas_analysis.call_local() == 0
    p.refresh_from_db()
    assert p.state == "in_progress"
