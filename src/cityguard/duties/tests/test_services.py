"""Duty lists: legal basis, versions (publish freezes; edits go to the next draft), tasks
with evidence, completion-rate arithmetic, scoping."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from cityguard.duties import services
from cityguard.duties.models import DutyItem, Evidence, ListVersion

from .conftest import legal, same_by_street, task

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_legal_basis_required_for_the_three_lists(users, dw):
    for kind in ("responsibility", "power", "supervision"):
        with translation.override("en"), pytest.raises(ValidationError) as exc:
            services.save_item(users.staff, legal(dw.dept, kind, legal_basis=""))
        assert "legal basis" in " ".join(exc.value.messages)
    item = services.save_item(users.staff, task(dw.west, users.west_officer, timezone.localdate()))
    assert item.status == "open" and item.version is None
    assert not DutyItem.objects.filter(kind="power").exists()


def test_unit_must_be_department_or_street(users, dw, district):
    with pytest.raises(ValidationError):
        services.save_item(users.staff, legal(users.west_org))  # an enterprise
    with pytest.raises(ValidationError):
        services.save_item(users.staff, legal(district.root))  # the district
    with pytest.raises(ValidationError):
        services.save_item(users.staff, legal(dw.dept, street=dw.west))  # both


def test_task_needs_owner_and_due_date(users, dw):
    with pytest.raises(ValidationError) as exc:
        services.save_item(users.staff, task(dw.west, None, None))
    assert {"owner", "due_date"} <= set(exc.value.message_dict)
    with pytest.raises(ValidationError):
        services.save_item(users.staff, legal(dw.dept, due_date=timezone.localdate()))


def test_publish_freezes_and_next_draft_copies(users, dw):
    a = services.save_item(users.staff, legal(dw.dept))
    services.save_item(users.staff, legal(dw.dept, title="行政处罚"))
    draft = a.version
    assert draft.number == 1 and draft.state == "draft"
    services.publish(users.staff, draft)
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        services.save_item(users.staff, {"title": "改"}, instance=a)
    assert "frozen" in " ".join(exc.value.messages)
    with pytest.raises(ValidationError):
        services.publish(users.staff, draft)
    with pytest.raises(ValidationError):
        services.delete_item(users.staff, a)
    nxt = services.open_draft(users.staff, dw.dept, None, "power")
    assert nxt.number == 2 and nxt.items.count() == 2
    copy = nxt.items.get(origin=a)
    services.save_item(users.staff, {"title": "安全生产行政检查（修订）"}, instance=copy)
    # A new item also lands in the open draft, the published version is untouched.
    services.save_item(users.staff, legal(dw.dept, title="行政强制"))
    a.refresh_from_db()
    assert a.title == "安全生产行政检查" and draft.items.count() == 2 and nxt.items.count() == 3
    assert services.open_draft(users.staff, dw.dept, None, "power") == nxt
    services.publish(users.staff, nxt)
    assert services.latest_published(dw.dept, None, "power") == nxt
    assert copy.history.count() == 2


def test_completion_with_evidence_and_limits(users, dw, settings):
    item = services.save_item(users.staff, task(dw.west, users.west_officer, timezone.localdate()))
    with pytest.raises(ValidationError):
        services.complete_task(users.west_officer, item, "")
    settings.CITYGUARD_DUTY_EVIDENCE_MAX_BYTES = 100
    big = SimpleUploadedFile("big.pdf", PDF + b"x" * 200)
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        services.complete_task(users.west_officer, item, "done", [big])
    assert "larger than" in " ".join(exc.value.messages)
    settings.CITYGUARD_DUTY_EVIDENCE_MAX_BYTES = 10_000
    exe = SimpleUploadedFile("report.pdf", b"MZ\x90\x00not a pdf")
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        services.complete_task(users.west_officer, item, "done", [exe])
    assert "only these file types" in " ".join(exc.value.messages)
    settings.CITYGUARD_DUTY_EVIDENCE_PER_UPLOAD = 1
    two = [SimpleUploadedFile("a.pdf", PDF), SimpleUploadedFile("b.pdf", PDF)]
    with pytest.raises(ValidationError):
        services.complete_task(users.west_officer, item, "done", two)
    item.refresh_from_db()
    assert item.status == "open" and not Evidence.objects.exists()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w/>")
    services.complete_task(
        users.west_officer,
        item,
        "检查记录见附件",
        [SimpleUploadedFile("记录.docx", buf.getvalue())],
    )
    item.refresh_from_db()
    assert item.status == "done" and item.completed_by == users.west_officer
    assert item.evidence.get().content_type.endswith("wordprocessingml.document")
    with pytest.raises(PermissionDenied):
        services.verify_task(users.west_officer, item)
    services.verify_task(users.staff, item)
    item.refresh_from_db()
    assert item.verified and item.verified_by == users.staff


def test_rate_arithmetic(users, dw):
    assert services.rate(0, 0) is None
    assert services.rate(3, 4) == 75.0
    today = timezone.localdate()
    start = today.replace(day=1)
    end = (start + dt.timedelta(days=32)).replace(day=1)
    base = start if today.day > 1 else today
    # due before today: one on time, one late, one overdue
    t1 = services.save_item(users.staff, task(dw.west, users.west_officer, base))
    t2 = services.save_item(users.staff, task(dw.west, users.west_officer, base))
    services.save_item(users.staff, task(dw.west, users.west_officer, base))
    services.complete_task(users.west_officer, t1, "ok")
    services.complete_task(users.west_officer, t2, "ok")
    on_time_at = timezone.make_aware(dt.datetime.combine(base, dt.time(10)))
    DutyItem.objects.filter(pk=t1.pk).update(completed_at=on_time_at)
    DutyItem.objects.filter(pk=t2.pk).update(completed_at=on_time_at + dt.timedelta(days=1))
    # due later this month: not counted yet
    services.save_item(users.staff, task(dw.west, users.west_officer, end - dt.timedelta(days=1)))
    # another unit
    services.save_item(users.staff, task(dw.east, users.east_officer, base))
    qs = DutyItem.objects.filter(street=dw.west)
    due, on_time, late, overdue = services.counts(qs, start, end, today=base + dt.timedelta(days=1))
    assert (due, on_time, late, overdue) == (3, 1, 1, 1)
    rows = {r.key: r for r in services.rates(users.admin, start, end)}
    from cityguard.indicators.registry import Period, get

    p = Period.of(today)
    if base < today:
        assert rows[f"street-{dw.west.code}"].value == pytest.approx(33.3)
        assert get("duty-task-completion").compute(None, dw.west.code, p) == pytest.approx(33.3)
        assert get("duty-task-completion").compute(None, dw.east.code, p) == 0.0
        assert get("duty-task-completion").compute(users.east_officer, dw.west.code, p) is None
        assert same_by_street("duty-task-completion", users.west_officer, p) == {
            dw.west.code: pytest.approx(33.3),
            dw.east.code: 0.0,
        }


def test_scoping(users, dw):
    d = services.save_item(users.staff, legal(dw.dept))
    w = services.save_item(users.staff, legal(dw.west))
    e = services.save_item(users.staff, legal(dw.east))
    o = services.save_item(users.staff, legal(dw.other))
    vis = lambda u: set(DutyItem.objects.visible_to(u).values_list("pk", flat=True))  # noqa: E731
    assert vis(users.staff) == vis(users.viewer) == {d.pk, w.pk, e.pk, o.pk}
    assert vis(users.admin) == vis(users.api_client) == {d.pk, w.pk, e.pk, o.pk}
    assert vis(users.west_officer) == {w.pk}
    assert vis(users.east_officer) == {e.pk}
    assert vis(dw.dept_user) == {d.pk}
    assert vis(users.west_manager) == set()
    services.save_item(users.west_officer, legal(dw.west, title="街道监管事项"))
    services.save_item(dw.dept_user, legal(dw.dept, title="部门事项"))
    with pytest.raises(PermissionDenied):
        services.save_item(users.api_client, legal(dw.west))
    for who, unit in (
        (users.west_officer, dw.east),
        (dw.dept_user, dw.other),
        (users.viewer, dw.west),
        (users.west_manager, dw.dept),
    ):
        with pytest.raises(PermissionDenied):
            services.save_item(who, legal(unit))
    with pytest.raises(PermissionDenied):
        services.publish(users.west_officer, e.version)
    assert ListVersion.objects.filter(state="published").count() == 0
