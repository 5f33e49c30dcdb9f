"""Services of the register: assessments set the current level, history is kept, reach holds."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.utils import timezone

from cityguard.risk import config, services
from cityguard.risk.models import AppendOnly, Assessment, ControlMeasure, RiskPoint

from .conftest import assess_lec


def test_new_point_takes_the_organisation_location(points: SimpleNamespace, users) -> None:
    assert (points.west.lon, points.west.lat) == (users.west_org.lon, users.west_org.lat)
    assert points.west.jurisdiction.code == "310110001001"
    assert points.west.level == "" and points.west.level_rank == 0


def test_assessment_sets_the_current_level_and_keeps_history(users, points) -> None:
    a1 = assess_lec(users.admin, points.west, 6, 3, 15)
    point = RiskPoint.objects.get(pk=points.west.pk)
    assert (point.level, point.score, point.method, point.level_rank) == ("large", 270, "lec", 3)
    assert point.control_tier == "street"  # defaulted from the level
    assert point.next_due == config.next_due(timezone.localdate(a1.assessed_at), "large")
    services.add_assessment(
        users.admin, point, method="matrix", values={"likelihood": 1, "severity": 2}
    )
    point.refresh_from_db()
    assert (point.level, point.score, point.method) == ("low", 2, "matrix")
    assert list(point.assessments.values_list("level", flat=True)) == ["low", "large"]
    # The level's changes are in the point's history.
    levels = list(point.history.order_by("history_id").values_list("level", flat=True))
    assert levels == ["", "large", "low"]
    # … and the record's history, as pages and the API read it, names the change.
    from cityguard.core.history import history_of

    newest = history_of(point)[0]
    assert {c.field: (c.old, c.new) for c in newest.changes}["level"] == ("large", "low")


def test_a_back_dated_assessment_does_not_replace_a_newer_one(users, points) -> None:
    assess_lec(users.admin, points.west, 3, 3, 40)  # major, now
    assess_lec(
        users.admin, points.west, 1, 1, 1, assessed_at=timezone.now() - dt.timedelta(days=30)
    )
    points.west.refresh_from_db()
    assert points.west.level == "major"
    assert points.west.assessments.count() == 2


def test_assessments_are_append_only(users, points) -> None:
    a = assess_lec(users.admin, points.west, 6, 3, 15)
    a.notes = "changed"
    with pytest.raises(AppendOnly):
        a.save()
    with pytest.raises(AppendOnly):
        a.delete()
    assert Assessment.objects.get(pk=a.pk).notes == ""


def test_assessment_refuses_bad_input(users, points) -> None:
    with pytest.raises(ValidationError) as exc:
        assess_lec(users.admin, points.west, 6, 3, 16)
    assert "c" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.add_assessment(users.admin, points.west, method="origin", values={})
    assert "method" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        assess_lec(
            users.admin, points.west, 6, 3, 15, assessed_at=timezone.now() + dt.timedelta(days=2)
        )
    assert "assessed_at" in exc.value.message_dict
    assert Assessment.objects.count() == 0


def test_street_officer_cannot_see_or_change_another_streets_points(users, points) -> None:
    assert list(RiskPoint.objects.visible_to(users.west_officer)) == [points.west]
    assert list(RiskPoint.objects.visible_to(users.east_officer)) == [points.east]
    with pytest.raises(PermissionDenied):
        assess_lec(users.west_officer, points.east, 6, 3, 15)
    with pytest.raises(PermissionDenied):
        services.save_risk_point(users.west_officer, {"name": "x"}, points.east)
    with pytest.raises(PermissionDenied):
        services.save_control_measure(
            users.west_officer, points.east, {"description": "x", "tier": "unit"}
        )
    # Nor move their own point into the other street.
    with pytest.raises(PermissionDenied):
        services.save_risk_point(users.west_officer, {"lon": 121.55, "lat": 31.27}, points.west)
    assess_lec(users.west_officer, points.west, 6, 3, 15)
    assert Assessment.objects.visible_to(users.east_officer).count() == 0
    assert Assessment.objects.visible_to(users.west_officer).count() == 1


def test_enterprise_manager_and_viewer(users, points) -> None:
    assert list(RiskPoint.objects.visible_to(users.west_manager)) == [points.west]
    assess_lec(users.west_manager, points.west, 1, 1, 1)
    with pytest.raises(PermissionDenied):
        assess_lec(users.east_manager, points.west, 1, 1, 1)
    with pytest.raises(PermissionDenied):
        assess_lec(users.viewer, points.west, 1, 1, 1)
    with pytest.raises(PermissionDenied):
        services.save_risk_point(
            users.west_manager, {"name": "x", "domain": points.fire, "lon": 121.51, "lat": 31.27}
        )


def test_control_measures_have_history(users, points) -> None:
    m = services.save_control_measure(
        users.admin,
        points.west,
        {"description": "双人作业", "tier": "post", "responsible_person": "李四"},
    )
    m2 = services.save_control_measure(
        users.admin, points.west, {"description": "检测", "tier": "unit"}
    )
    assert (m.order, m2.order) == (0, 1)
    services.save_control_measure(users.admin, points.west, {"tier": "unit"}, m)
    mid = m.pk
    services.delete_control_measure(users.admin, m)
    assert ControlMeasure.objects.count() == 1
    assert [
        h.history_type for h in ControlMeasure.history.filter(id=mid).order_by("history_id")
    ] == ["+", "~", "-"]
    with pytest.raises(ValidationError):
        services.save_control_measure(users.admin, points.west, {"description": "", "tier": "unit"})
    with pytest.raises(ValidationError):
        services.save_control_measure(
            users.admin, points.west, {"description": "x", "tier": "city"}
        )


def test_place_must_belong_to_the_organisation(users, points) -> None:
    from cityguard.core import services as core

    place = core.save_place(
        users.admin, {"name": "罐区", "kind": "other", "organization": users.east_org}
    )
    with pytest.raises(ValidationError) as exc:
        services.save_risk_point(users.admin, {"place": place}, points.west)
    assert "place" in exc.value.message_dict
    p = services.save_risk_point(
        users.admin, {"name": "罐区风险", "domain": points.fire, "place": place}
    )
    assert p.organization_id == users.east_org.pk


def test_overdue_computation(users, points) -> None:
    start = timezone.now() - dt.timedelta(days=100)
    assess_lec(users.admin, points.west, 3, 3, 40, assessed_at=start)  # major: 3 months
    assess_lec(users.admin, points.east, 3, 3, 40)  # major, just now
    points.west.refresh_from_db()
    due = points.west.next_due
    assert due == config.add_months(timezone.localdate(start), 3)
    qs = RiskPoint.objects.all()
    assert list(services.overdue(qs, today=due)) == []  # due today is not yet overdue
    assert list(services.overdue(qs, today=due + dt.timedelta(days=1))) == [points.west]
    services.save_risk_point(users.admin, {"is_active": False}, points.west)
    assert list(services.overdue(qs, today=due + dt.timedelta(days=1))) == []


def test_add_months_clamps_to_the_month_end() -> None:
    assert config.add_months(dt.date(2024, 11, 30), 3) == dt.date(2025, 2, 28)
    assert config.add_months(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)
    assert config.add_months(dt.date(2024, 5, 15), 24) == dt.date(2026, 5, 15)


@override_settings(
    CITYGUARD_RISK_BANDS={"lec": {"major": 250}},
    CITYGUARD_RISK_REASSESS_MONTHS={"large": 1},
)
def test_settings_override_bands_and_intervals(users, points) -> None:
    a = assess_lec(users.admin, points.west, 6, 3, 15)  # 270 > 250
    assert a.level == "major"
    assert config.reassess_months() == {"major": 3, "large": 1, "general": 12, "low": 24}
