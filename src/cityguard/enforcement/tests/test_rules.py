"""The enforcement rules: officers, inspections, penalties against the discretion table,
major decisions and legal review, publication, and who may do what."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from cityguard.enforcement import services
from cityguard.enforcement.choices import CaseState, EventKind
from cityguard.enforcement.models import Case, CaseEvent, Decision, LegalReview, Publication
from cityguard.hazards.models import Hazard

from .conftest import upload

pytestmark = pytest.mark.django_db
TODAY = dt.date.today


def _inspect(actor: Any, org: Any, officers: list[Any], **extra: Any) -> Any:
    data = {
        "organization": org,
        "inspection_type": "fire_safety",
        "date": timezone.localdate(),
        "officers": officers,
        **extra,
    }
    return services.record_inspection(
        actor,
        data,
        extra.pop("items", [{"text": "疏散通道", "result": "pass"}]),
    )


def _case(actor: Any, org: Any) -> Case:
    return services.file_case(actor, {"organization": org, "title": "未消除事故隐患"})


def test_qualified_needs_valid_certificate_and_training(officers: Any, settings: Any) -> None:
    today = timezone.localdate()
    assert officers.w1.qualified(today)
    assert not officers.expired.qualified(today)
    assert not officers.untrained.qualified(today)
    assert not officers.nocert.qualified(today)
    settings.CITYGUARD_ENFORCEMENT_MIN_TRAINING_HOURS = 5
    assert officers.untrained.qualified(today)


def test_certificate_number_is_unique(officers: Any, users: Any, district: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        services.save_officer(
            users.admin, {"name": "重号", "jurisdiction": district.west, "certificate_no": "W001"}
        )
    assert "certificate_no" in exc.value.message_dict


def test_inspection_date_in_the_future_is_refused(officers: Any, users: Any) -> None:
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        _inspect(users.west_officer, users.west_org, [officers.w1, officers.w2], date=tomorrow)
    assert exc.value.message_dict["date"] == ["The inspection date cannot be in the future."]
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        _inspect(users.west_officer, users.west_org, [officers.w1, officers.w2], date=tomorrow)
    assert "未来" in exc.value.message_dict["date"][0]


def test_inspection_needs_two_officers_with_valid_certificates(officers: Any, users: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        _inspect(users.west_officer, users.west_org, [officers.w1])
    assert "officers" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        _inspect(users.west_officer, users.west_org, [officers.w1, officers.expired])
    assert "过期证" in exc.value.message_dict["officers"][0]
    # the same officer twice counts once
    with pytest.raises(ValidationError):
        _inspect(users.west_officer, users.west_org, [officers.w1, officers.w1])


def test_failed_items_and_findings_become_linked_hazards(
    officers: Any, users: Any, png: bytes
) -> None:
    inspection = services.record_inspection(
        users.west_officer,
        {
            "organization": users.west_org,
            "inspection_type": "fire_safety",
            "date": timezone.localdate(),
            "officers": [officers.w1, officers.w2],
            "unannounced": True,
        },
        [
            {"text": "灭火器", "result": "fail", "note": "过期"},
            {"text": "安全出口", "result": "pass"},
        ],
        [{"description": "消防通道堆放杂物", "severity": "major"}],
        [upload(png)],
    )
    findings = list(inspection.findings.order_by("id"))
    assert len(findings) == 2
    assert all(f.hazard_id for f in findings)
    hazards = Hazard.objects.filter(enforcement_findings__inspection=inspection)
    assert hazards.count() == 2
    assert set(hazards.values_list("source", flat=True)) == {"enforcement"}
    assert set(hazards.values_list("domain__code", flat=True)) == {"fire"}
    assert hazards.filter(severity="major").count() == 1
    assert inspection.evidence.count() == 1
    assert inspection.unannounced
    assert not services.inspection_passed(inspection)
    # Each finding's history: recorded, then linked to its hazard, both by the officer.
    for f in findings:
        kept = list(f.history.order_by("history_date").values_list("hazard_id", "history_user"))
        assert kept == [(None, users.west_officer.pk), (f.hazard_id, users.west_officer.pk)]


def test_bad_photo_is_refused_and_nothing_saved(officers: Any, users: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        services.record_inspection(
            users.west_officer,
            {
                "organization": users.west_org,
                "inspection_type": "fire_safety",
                "date": timezone.localdate(),
                "officers": [officers.w1, officers.w2],
            },
            [{"text": "x", "result": "fail"}],
            photos=[upload(b"not an image", "x.png")],
        )
    assert "photos" in exc.value.message_dict
    assert not Hazard.objects.exists()


def test_penalty_above_the_legal_maximum_is_refused(officers: Any, users: Any) -> None:
    case = _case(users.west_officer, users.west_org)
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        services.propose_penalty(
            users.west_officer,
            case,
            {"kind": "fine", "rule": "wsl-102", "circumstance": "serious", "amount": "60000"},
        )
    msg = exc.value.message_dict["amount"][0]
    assert "above the legal maximum of 50,000.00 yuan" in msg
    assert "第一百零二条" in msg
    assert not case.penalties.exists()


def test_penalty_above_the_band_is_refused_and_below_needs_a_reason(users: Any) -> None:
    case = _case(users.west_officer, users.west_org)
    with pytest.raises(ValidationError) as exc:
        services.propose_penalty(
            users.west_officer,
            case,
            {"kind": "fine", "rule": "wsl-102", "circumstance": "minor", "amount": "20000"},
        )
    assert "amount" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.propose_penalty(
            users.west_officer,
            case,
            {"kind": "fine", "rule": "wsl-102", "circumstance": "general", "amount": "5000"},
        )
    assert "mitigation_reason" in exc.value.message_dict
    p = services.propose_penalty(
        users.west_officer,
        case,
        {
            "kind": "fine",
            "rule": "wsl-102",
            "circumstance": "general",
            "amount": "5000",
            "mitigation_reason": "主动消除违法行为危害后果",
        },
    )
    assert p.amount == Decimal("5000.00")
    assert case.events.filter(kind=EventKind.PENALTY).count() == 1


def test_fine_needs_rule_and_circumstance(users: Any) -> None:
    case = _case(users.west_officer, users.west_org)
    with pytest.raises(ValidationError) as exc:
        services.propose_penalty(users.west_officer, case, {"kind": "fine", "amount": "100"})
    assert "rule" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.propose_penalty(
            users.west_officer,
            case,
            {"kind": "fine", "rule": "nope", "circumstance": "minor", "amount": 1},
        )
    assert "rule" in exc.value.message_dict


def _major_case(users: Any) -> Decision:
    case = _case(users.west_officer, users.west_org)
    services.propose_penalty(
        users.west_officer,
        case,
        {"kind": "fine", "rule": "wsl-97-3", "circumstance": "serious", "amount": "80000"},
    )
    return services.draft_decision(users.west_officer, case, "罚款八万元")


def test_major_decision_cannot_be_issued_without_legal_review(users: Any) -> None:
    decision = _major_case(users)
    assert decision.is_major and decision.major_reasons == ["fine"]
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        services.issue_decision(users.west_officer, decision)
    assert "legal review" in exc.value.message_dict["decision"][0]
    decision.refresh_from_db()
    assert decision.state == "draft"
    services.review_decision(users.staff, decision, "returned", "事实不清")
    with pytest.raises(ValidationError):
        services.issue_decision(users.west_officer, decision)
    services.review_decision(users.staff, decision, "passed", "事实清楚，证据确凿")
    services.issue_decision(users.west_officer, decision)
    decision.refresh_from_db()
    assert decision.state == "issued"
    assert decision.case.state == CaseState.DECIDED
    kinds = list(decision.case.events.values_list("kind", flat=True))
    assert kinds == ["filed", "penalty", "drafted", "legal_review", "legal_review", "decision"]


def test_review_is_stale_after_a_new_penalty(users: Any) -> None:
    decision = _major_case(users)
    services.review_decision(users.staff, decision, "passed", "同意")
    services.propose_penalty(users.west_officer, decision.case, {"kind": "warning"})
    with pytest.raises(ValidationError):
        services.issue_decision(users.west_officer, decision)


def test_suspension_makes_a_decision_major(users: Any, settings: Any) -> None:
    case = _case(users.west_officer, users.west_org)
    services.propose_penalty(users.west_officer, case, {"kind": "suspension"})
    decision = services.draft_decision(users.west_officer, case, "责令停产停业整顿")
    assert decision.is_major and decision.major_reasons == ["suspension"]
    case2 = _case(users.west_officer, users.west_org)
    services.propose_penalty(
        users.west_officer,
        case2,
        {"kind": "fine", "rule": "wsl-102", "circumstance": "minor", "amount": "10000"},
    )
    minor = services.draft_decision(users.west_officer, case2, "罚款一万元")
    assert not minor.is_major
    services.issue_decision(users.west_officer, minor)  # no review needed
    settings.CITYGUARD_ENFORCEMENT_MAJOR_FINE = 5000
    case3 = _case(users.west_officer, users.west_org)
    services.propose_penalty(
        users.west_officer,
        case3,
        {"kind": "fine", "rule": "wsl-102", "circumstance": "minor", "amount": "10000"},
    )
    assert services.draft_decision(users.west_officer, case3, "x").is_major


def test_reviewer_is_district_staff_and_not_the_drafter(users: Any) -> None:
    decision = _major_case(users)
    with pytest.raises(PermissionDenied):
        services.review_decision(users.west_officer, decision, "passed", "同意")
    case = _case(users.staff, users.west_org)
    services.propose_penalty(users.staff, case, {"kind": "suspension"})
    own = services.draft_decision(users.staff, case, "停产")
    with pytest.raises(ValidationError) as exc:
        services.review_decision(users.staff, own, "passed", "同意")
    assert "reviewer" in exc.value.message_dict
    assert not LegalReview.objects.filter(decision=own).exists()


def test_publication_is_recorded(users: Any) -> None:
    decision = _major_case(users)
    with pytest.raises(ValidationError):
        services.publish_decision(users.west_officer, decision, {"channel": "website"})
    services.review_decision(users.staff, decision, "passed", "同意")
    services.issue_decision(users.west_officer, decision)
    pub = services.publish_decision(
        users.west_officer, decision, {"channel": "website", "reference": "https://example.org/1"}
    )
    assert Publication.objects.get() == pub
    event = CaseEvent.objects.get(kind=EventKind.PUBLICATION)
    assert event.actor == users.west_officer
    assert event.data["publication"] == pub.pk
    with pytest.raises(ValidationError):
        services.publish_decision(
            users.west_officer,
            decision,
            {"channel": "website", "published_on": timezone.localdate() + dt.timedelta(days=2)},
        )


def test_order_and_recheck(users: Any) -> None:
    case = _case(users.west_officer, users.west_org)
    with pytest.raises(ValidationError) as exc:
        services.issue_order(users.west_officer, case, {"kind": "rectify", "content": "限期整改"})
    assert "deadline" in exc.value.message_dict
    order = services.issue_order(
        users.west_officer,
        case,
        {
            "kind": "rectify",
            "content": "限期整改",
            "deadline": timezone.localdate() + dt.timedelta(days=10),
        },
    )
    services.recheck_order(users.west_officer, order, "passed", "已整改")
    order.refresh_from_db()
    assert order.recheck_result == "passed"
    with pytest.raises(ValidationError):
        services.recheck_order(users.west_officer, order, "failed")
    suspend = services.issue_order(users.west_officer, case, {"kind": "suspend", "content": "暂停"})
    assert suspend.pk
    services.propose_penalty(users.west_officer, case, {"kind": "warning"})
    assert services.draft_decision(users.west_officer, case, "警告").major_reasons == ["suspend"]


def test_close_without_decision_needs_a_reason(users: Any) -> None:
    case = _case(users.west_officer, users.west_org)
    with pytest.raises(ValidationError):
        services.close_case(users.west_officer, case, "")
    services.close_case(users.west_officer, case, "不存在违法事实")
    case.refresh_from_db()
    assert case.state == "closed" and case.concluded_at


def test_roles_and_reach(officers: Any, users: Any) -> None:
    case = _case(users.east_officer, users.east_org)
    for user in (users.west_officer, users.east_manager, users.viewer, users.api_client):
        with pytest.raises(PermissionDenied):
            services.propose_penalty(user, case, {"kind": "warning"})
        with pytest.raises(PermissionDenied):
            services.record_step(user, case, "note", "x")
    with pytest.raises(PermissionDenied):
        _case(users.west_officer, users.east_org)
    with pytest.raises(PermissionDenied):
        _inspect(users.west_officer, users.east_org, [officers.w1, officers.w2])
    with pytest.raises(PermissionDenied):
        _inspect(users.east_manager, users.east_org, [officers.e1, officers.e2])
    with pytest.raises(PermissionDenied):
        services.save_officer(users.west_officer, {"name": "x"}, officers.e1)
    services.propose_penalty(users.staff, case, {"kind": "warning"})
    assert Case.objects.visible_to(users.west_officer).count() == 0
    assert Case.objects.visible_to(users.east_manager).count() == 1
    assert Case.objects.visible_to(users.west_manager).count() == 0


def test_case_events_record_who_when_and_evidence(users: Any, png: bytes) -> None:
    case = services.file_case(
        users.west_officer, {"organization": users.west_org, "title": "t"}, [upload(png)]
    )
    services.record_step(
        users.west_officer, case, "investigation", "询问笔录", [upload(png, "b.png")]
    )
    events = list(case.events.order_by("id"))
    assert [e.kind for e in events] == ["filed", "investigation"]
    assert all(e.actor == users.west_officer and e.at for e in events)
    assert [e.evidence.count() for e in events] == [1, 1]
    with pytest.raises(ValidationError):
        services.record_step(users.west_officer, case, "filed", "x")
    pdf = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
    services.record_step(users.west_officer, case, "note", "文书", [upload(pdf, "a.pdf")])
    assert case.events.last().evidence.get().content_type == "application/pdf"


def test_orders_past_their_deadline_are_reminded_once_per_deadline(users: Any) -> None:
    from django.core import mail

    from cityguard.enforcement import tasks

    users.west_officer.email = "west.officer@example.invalid"
    users.west_officer.save()
    case = _case(users.west_officer, users.west_org)
    today = timezone.localdate()
    deadline = today + dt.timedelta(days=10)
    order = services.issue_order(
        users.west_officer, case, {"kind": "rectify", "content": "限期整改", "deadline": deadline}
    )
    done = services.issue_order(
        users.west_officer, case, {"kind": "rectify", "content": "已整改", "deadline": deadline}
    )
    services.recheck_order(users.west_officer, done, "passed")
    mail.outbox.clear()
    # Not yet past the deadline: nothing.
    assert services.remind_overdue_orders(on=deadline)["orders"] == 0
    later = deadline + dt.timedelta(days=3)
    # The e-mail is written in the platform's language (Chinese), whatever the caller's.
    with translation.override("en"):
        result = services.remind_overdue_orders(on=later)
    assert result == {"orders": 1, "emails": 1, "failures": 0}
    assert mail.outbox[0].to == ["west.officer@example.invalid"]
    assert mail.outbox[0].subject == f"责令事项逾期未复查：案件 {case.number}"
    assert "已逾期 3 天" in mail.outbox[0].body and deadline.isoformat() in mail.outbox[0].body
    order.refresh_from_db()
    assert order.reminded_for == deadline
    assert order.history.first().reminded_for == deadline  # kept in its history
    # Twice a day, or the next day: nothing more for the same deadline.
    assert services.remind_overdue_orders(on=later)["orders"] == 0
    # The daily task runs the same job for today, when the deadline still lies ahead.
    assert tasks.overdue_order_reminders.call_local() == {"orders": 0, "emails": 0, "failures": 0}
    # The order re-checked: never again.
    services.recheck_order(users.west_officer, order, "failed", on=today)
    assert services.remind_overdue_orders(on=later + dt.timedelta(days=30))["orders"] == 0
    assert len(mail.outbox) == 1
