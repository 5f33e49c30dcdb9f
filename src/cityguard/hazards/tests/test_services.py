"""The hazard services: reporting, the lifecycle with its guards, plans, photos, refusals
that change nothing, and what closing a major hazard sets off."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cityguard.hazards import services
from cityguard.hazards.models import Hazard, HazardEvent, LookBackDue, Photo

from .helpers import png_upload, walk


def _snapshot(hazard: Hazard) -> tuple[Any, ...]:
    hazard.refresh_from_db()
    return (
        hazard.state,
        hazard.deadline,
        hazard.responsible_person,
        hazard.closed_at,
        HazardEvent.objects.filter(hazard=hazard).count(),
        Photo.objects.filter(hazard=hazard).count(),
    )


def test_report_derives_location_street_and_records_the_first_event(
    users: Any, district: Any, report: Any
) -> None:
    hazard = report(description="三楼安全出口被货物堵塞")
    assert hazard.state == "reported" and hazard.is_open
    assert (hazard.lon, hazard.lat) == (users.west_org.lon, users.west_org.lat)
    assert hazard.jurisdiction == district.west_community
    assert hazard.street == district.west
    assert hazard.domain.code == "fire"
    assert hazard.reference == f"YH{hazard.pk:06d}"
    events = list(hazard.events.all())
    assert [e.kind for e in events] == ["report"]
    assert events[0].actor == users.west_officer


def test_report_refuses_bad_input_and_stores_nothing(users: Any, report: Any) -> None:
    cases = [
        ({"domain": "volcanoes"}, "domain"),
        ({"deadline": timezone.localdate() - timedelta(days=1)}, "deadline"),
        ({"title": "  "}, "title"),
        ({"severity": "apocalyptic"}, "severity"),
        ({"organization": None, "lon": 100.0, "lat": 20.0}, "lon"),
        ({"organization": None}, "jurisdiction"),
    ]
    for fields, field in cases:
        with pytest.raises(ValidationError) as exc:
            report(**fields)
        assert field in exc.value.message_dict, (fields, exc.value.message_dict)
    assert Hazard.objects.count() == 0
    assert HazardEvent.objects.count() == 0


def test_report_photo_checks(users: Any, report: Any, settings: Any) -> None:
    fake = SimpleUploadedFile("x.jpg", b"GIF89a not a jpeg at all", content_type="image/jpeg")
    with pytest.raises(ValidationError) as exc:
        services.report_hazard(
            users.west_officer,
            {
                "title": "t",
                "source": "street_inspection",
                "domain": "fire",
                "organization": users.west_org,
            },
            [fake],
        )
    assert "JPEG, PNG or WebP" in str(exc.value.message_dict["photos"])
    settings.CITYGUARD_HAZARD_PHOTO_MAX_BYTES = 10
    with pytest.raises(ValidationError) as exc:
        services.report_hazard(
            users.west_officer,
            {
                "title": "t",
                "source": "street_inspection",
                "domain": "fire",
                "organization": users.west_org,
            },
            [png_upload()],
        )
    assert "larger than" in str(exc.value.message_dict["photos"])
    assert Hazard.objects.count() == 0 and Photo.objects.count() == 0


def test_who_may_report(users: Any, report: Any) -> None:
    with pytest.raises(PermissionDenied):
        report(actor=users.viewer)
    with pytest.raises(PermissionDenied):
        report(actor=users.api_client)
    # A street officer only in their own street.
    with pytest.raises(PermissionDenied):
        report(actor=users.east_officer)
    # An enterprise manager: self-inspection, own organisation only.
    with pytest.raises(ValidationError) as exc:
        report(actor=users.west_manager, source="district_inspection")
    assert "source" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        report(actor=users.west_manager, source="self_inspection", organization=users.east_org)
    own = report(actor=users.west_manager, source="self_inspection", organization=None)
    assert own.organization == users.west_org and own.source == "self_inspection"
    assert report(actor=users.staff).pk


def test_full_lifecycle_with_photos_and_on_time_closure(users: Any, report: Any) -> None:
    hazard = report()
    hazard = services.transition(
        users.west_officer,
        hazard,
        "assign",
        comment="限期整改",
        data={
            "responsible_unit": users.west_org,
            "responsible_person": "李四",
            "responsible_phone": "13800000000",
        },
    )
    assert hazard.state == "assigned" and hazard.responsible_person == "李四"
    hazard = services.transition(users.west_manager, hazard, "start")
    hazard = services.transition(
        users.west_manager, hazard, "submit", comment="已清理通道", photos=[png_upload()]
    )
    assert hazard.state == "verifying"
    hazard = services.transition(users.west_officer, hazard, "verify", comment="复查合格")
    assert hazard.state == "closed" and not hazard.is_open
    assert hazard.closed_by == users.west_officer and hazard.closed_on_time is True
    kinds = list(hazard.events.values_list("kind", "from_state", "to_state"))
    assert kinds == [
        ("report", "", "reported"),
        ("assign", "reported", "assigned"),
        ("start", "assigned", "rectifying"),
        ("submit", "rectifying", "verifying"),
        ("verify", "verifying", "closed"),
    ]
    submit = hazard.events.get(kind="submit")
    assert submit.comment == "已清理通道" and submit.photos.count() == 1
    photo = submit.photos.get()
    assert photo.content_type == "image/png" and (photo.width, photo.height) == (3, 2)
    assert hazard.events.get(kind="assign").data["responsible_person"] == "李四"


def test_illegal_and_forbidden_transitions_change_nothing(users: Any, report: Any) -> None:
    hazard = report()
    before = _snapshot(hazard)
    with pytest.raises(ValidationError) as exc:
        services.transition(users.west_officer, hazard, "verify")
    assert "cannot be" in str(exc.value.message_dict["action"])
    with pytest.raises(ValidationError):
        services.transition(users.west_officer, hazard, "explode")
    with pytest.raises(PermissionDenied):
        services.transition(users.west_manager, hazard, "assign", data={"responsible_person": "x"})
    with pytest.raises(PermissionDenied):
        services.transition(users.east_officer, hazard, "assign", data={"responsible_person": "x"})
    with pytest.raises(PermissionDenied):
        services.transition(users.viewer, hazard, "assign")
    with pytest.raises(ValidationError) as exc:
        services.transition(users.west_officer, hazard, "assign")
    assert "responsible_unit" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.transition(
            users.west_officer,
            hazard,
            "assign",
            data={"responsible_person": "x", "deadline": timezone.localdate() - timedelta(days=3)},
        )
    assert "deadline" in exc.value.message_dict
    assert _snapshot(hazard) == before


def test_reject_needs_a_reason_and_returns_to_rectifying(users: Any, report: Any) -> None:
    hazard = walk(report(), users, "assign", "start", "submit")
    with pytest.raises(ValidationError) as exc:
        services.transition(users.west_officer, hazard, "reject", comment="")
    assert "comment" in exc.value.message_dict
    hazard = services.transition(users.west_officer, hazard, "reject", comment="未整改到位")
    assert hazard.state == "rectifying"
    # Enterprises cannot verify their own work.
    hazard = services.transition(users.west_manager, hazard, "submit", comment="again")
    with pytest.raises(PermissionDenied):
        services.transition(users.west_manager, hazard, "verify")


def test_major_hazard_needs_a_plan_before_rectifying(
    users: Any, report: Any, settings: Any
) -> None:
    hazard = walk(
        report(severity="major", deadline=timezone.localdate() + timedelta(days=60)),
        users,
        "assign",
    )
    with pytest.raises(ValidationError) as exc:
        services.transition(users.west_manager, hazard, "start")
    assert "rectification plan" in str(exc.value.message_dict["action"])
    today = timezone.localdate()
    with pytest.raises(ValidationError) as exc:
        services.save_plan(
            users.west_manager,
            hazard,
            {
                "measures": "更换喷淋系统",
                "responsible_person": "王五",
                "target_date": today + timedelta(days=90),
            },
            [{"title": "采购", "due": today + timedelta(days=10)}],
        )
    assert "target_date" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.save_plan(
            users.west_manager,
            hazard,
            {
                "measures": "更换喷淋系统",
                "responsible_person": "王五",
                "target_date": today + timedelta(days=50),
            },
            [],
        )
    assert "milestones" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.save_plan(
            users.west_manager,
            hazard,
            {
                "measures": "m",
                "responsible_person": "p",
                "target_date": today + timedelta(days=50),
                "supervisor": users.west_officer,
            },
            [{"title": "采购", "due": today + timedelta(days=10)}],
        )
    assert "supervisor" in exc.value.message_dict
    plan = services.save_plan(
        users.west_manager,
        hazard,
        {
            "measures": "更换喷淋系统",
            "responsible_person": "王五",
            "target_date": today + timedelta(days=50),
            "supervisor": users.staff,
        },
        [
            {"title": "采购", "due": today + timedelta(days=10)},
            {"title": "安装调试", "due": today + timedelta(days=40)},
        ],
    )
    assert plan.milestones.count() == 2 and plan.supervisor == users.staff
    hazard = services.transition(users.west_manager, hazard, "start")
    assert hazard.state == "rectifying"
    milestone = plan.milestones.first()
    services.complete_milestone(users.west_manager, milestone)
    with pytest.raises(ValidationError):
        services.complete_milestone(users.west_manager, milestone)
    assert set(hazard.events.values_list("kind", flat=True)) >= {"plan", "milestone", "start"}


def test_closing_a_major_hazard_starts_look_back_and_feeds_the_register(
    users: Any, report: Any
) -> None:
    from cityguard.risk.models import RiskPoint

    today = timezone.localdate()
    hazard = walk(report(severity="major", deadline=today + timedelta(days=60)), users, "assign")
    services.save_plan(
        users.staff,
        hazard,
        {"measures": "m", "responsible_person": "p", "target_date": today + timedelta(days=30)},
        [{"title": "t", "due": today + timedelta(days=20)}],
    )
    hazard = walk(hazard, users, "start", "submit", "verify")
    due = LookBackDue.objects.get(hazard=hazard)
    assert due.organization == users.west_org and due.reason == "major_hazard"
    assert due.domain == hazard.domain and due.source_date == today
    assert due.due_by == services.add_months(today, 12)
    point = RiskPoint.objects.get(origin_id=hazard.pk)
    assert point.level == "large" and point.domain.code == "fire"
    assert point.organization == users.west_org


def test_general_hazard_closure_does_not_start_look_back(users: Any, report: Any) -> None:
    walk(report(), users, "assign", "start", "submit", "verify")
    assert not LookBackDue.objects.exists()


def test_notes_and_photos_on_the_timeline(users: Any, report: Any) -> None:
    hazard = report()
    with pytest.raises(ValidationError):
        services.add_note(users.west_officer, hazard, "")
    services.add_note(users.west_officer, hazard, "", [png_upload(), png_upload("b.png")])
    services.add_note(users.west_manager, hazard, "收到")
    with pytest.raises(PermissionDenied):
        services.add_note(users.east_officer, hazard, "不是我的")
    assert list(hazard.events.values_list("kind", flat=True)) == ["report", "photo", "comment"]
    assert hazard.photos.count() == 2


def test_add_months_keeps_the_day_or_takes_the_last() -> None:
    from datetime import date

    assert services.add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert services.add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert services.add_months(date(2024, 11, 15), 3) == date(2025, 2, 15)
