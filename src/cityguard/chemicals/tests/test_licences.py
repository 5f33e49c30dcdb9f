"""Licences: status changes, expiry reminders (periodic job), the public register."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from cityguard.chemicals import licensing, tasks
from cityguard.chemicals.choices import LicenceStatus, ReminderKind
from cityguard.chemicals.models import Licence, LicenceReminder

pytestmark = pytest.mark.django_db


def make_licence(actor: Any, org: Any, number: str, days_left: int = 400, **extra: Any) -> Licence:
    today = timezone.localdate()
    data = {
        "organization": org,
        "number": number,
        "scope": "汽油、柴油、液化石油气",
        "issued_on": today - dt.timedelta(days=700),
        "valid_from": today - dt.timedelta(days=700),
        "valid_until": today + dt.timedelta(days=days_left),
        **extra,
    }
    return licensing.save_licence(actor, data)


def test_licence_status_changes_need_reason_and_follow_the_rules(users: SimpleNamespace) -> None:
    lic = make_licence(users.admin, users.west_org, "沪杨危化经字〔2023〕000101")
    assert lic.number == "沪杨危化经字〔2023〕000101"
    with pytest.raises(ValidationError) as err:
        licensing.change_status(users.admin, lic, LicenceStatus.SUSPENDED)
    assert "reason" in err.value.message_dict
    lic = licensing.change_status(users.admin, lic, LicenceStatus.SUSPENDED, "整改期间暂扣")
    assert lic.status == LicenceStatus.SUSPENDED and lic.status_date == timezone.localdate()
    lic = licensing.change_status(users.admin, lic, LicenceStatus.ISSUED)
    lic = licensing.change_status(users.admin, lic, LicenceStatus.CANCELLED, "企业申请注销")
    with pytest.raises(ValidationError):
        licensing.change_status(users.admin, lic, LicenceStatus.ISSUED)
    with pytest.raises(ValidationError):
        licensing.change_status(
            users.admin, lic, LicenceStatus.REVOKED, "x", timezone.localdate() + dt.timedelta(1)
        )
    assert lic.history.count() == 4  # created, suspended, reinstated, cancelled


def test_licences_are_written_by_the_authority_within_its_reach(users: SimpleNamespace) -> None:
    with pytest.raises(PermissionDenied):
        make_licence(users.west_manager, users.west_org, "A-1")
    with pytest.raises(PermissionDenied):
        make_licence(users.east_officer, users.west_org, "A-2")
    make_licence(users.west_officer, users.west_org, "A-3")
    with pytest.raises(ValidationError) as err:
        make_licence(users.admin, users.east_org, "a-3")  # same number, other case
    assert "number" in err.value.message_dict
    assert list(
        Licence.objects.visible_to(users.west_manager).values_list("number", flat=True)
    ) == ["A-3"]
    assert not Licence.objects.visible_to(users.east_manager).exists()


def test_expiry_reminders_are_raised_once_by_the_periodic_job(
    settings: Any, users: SimpleNamespace
) -> None:
    settings.CITYGUARD_LICENCE_REMINDER_DAYS = 60
    soon = make_licence(users.admin, users.west_org, "S-1", days_left=30)
    late = make_licence(users.admin, users.west_org, "S-2", days_left=-1)
    make_licence(users.admin, users.east_org, "S-3", days_left=61)
    first = tasks.licence_reminders.call_local()
    assert first == {"expiring": 1, "expired": 1, "resolved": 0}
    assert tasks.licence_reminders.call_local() == {"expiring": 0, "expired": 0, "resolved": 0}
    assert LicenceReminder.objects.get(kind=ReminderKind.EXPIRING).licence == soon
    assert LicenceReminder.objects.get(kind=ReminderKind.EXPIRED).licence == late
    # Renewed: the old reminder is resolved, and the job raises none for the new date.
    licensing.save_licence(
        users.admin, {"valid_until": soon.valid_until + dt.timedelta(days=1000)}, soon
    )
    assert tasks.licence_reminders.call_local()["resolved"] == 1
    assert not LicenceReminder.objects.filter(licence=soon, resolved_at__isnull=True).exists()
    # Cancelling resolves the expired one.
    licensing.change_status(users.admin, late, LicenceStatus.CANCELLED, "过期未延续")
    assert not LicenceReminder.objects.filter(resolved_at__isnull=True).exists()


def test_public_register_of_cancelled_licences_needs_no_sign_in(
    client: Client, users: SimpleNamespace
) -> None:
    gone = make_licence(users.admin, users.west_org, "C-1")
    licensing.change_status(users.admin, gone, LicenceStatus.CANCELLED, "企业申请注销")
    make_licence(users.admin, users.east_org, "C-2")
    r = client.get("/api/v1/chemicals/licences/cancelled")
    assert r.status_code == 200
    items = r.json()["items"]
    assert [i["number"] for i in items] == ["C-1"]
    assert items[0]["reason"] == "企业申请注销" and items[0]["holder"] == users.west_org.name
    page = client.get("/chemicals/licences/cancelled/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "C-1" in text and "企业申请注销" in text and "C-2" not in text


def test_counterparty_check(users: SimpleNamespace) -> None:
    from cityguard.chemicals.models import Chemical

    petrol = Chemical.objects.get(key="t1-66")
    today = timezone.localdate()
    check = licensing.check_counterparty(
        petrol, today, organization_id=users.east_org.pk, licence_number="", required=True
    )
    assert not check.ok and "no valid licence" in check.message
    lic = make_licence(users.admin, users.east_org, "P-1")
    check = licensing.check_counterparty(
        petrol, today, organization_id=users.east_org.pk, licence_number="", required=True
    )
    assert check.ok and check.licence == lic
    lic.chemicals.set([Chemical.objects.get(key="diesel")])
    check = licensing.check_counterparty(
        petrol, today, organization_id=None, licence_number="p-1", required=True
    )
    assert not check.ok and "does not cover" in check.message
    expired = make_licence(users.admin, users.west_org, "P-2", days_left=-3)
    check = licensing.check_counterparty(
        petrol, today, organization_id=None, licence_number=expired.number, required=False
    )
    assert not check.ok and "expired" in check.message
    # A buyer without any licence is not checked (an end user) …
    assert licensing.check_counterparty(
        petrol, today, organization_id=None, licence_number="", required=False
    ).ok


def test_licence_particulars_are_corrected_on_the_edit_page(
    users: SimpleNamespace, client: Client
) -> None:
    lic = make_licence(users.admin, users.west_org, "A-10")
    client.force_login(users.west_officer)
    page = client.get(f"/chemicals/licences/{lic.pk}/")
    assert f"/chemicals/licences/{lic.pk}/edit/".encode() in page.content
    form = client.get(f"/chemicals/licences/{lic.pk}/edit/")
    assert form.status_code == 200 and b"A-10" in form.content
    data = {
        "organization": users.west_org.pk,
        "number": "A-10B",
        "kind": lic.kind,
        "scope": "柴油",
        "authority": "杨浦区应急管理局",
        "issued_on": lic.issued_on.isoformat(),
        "valid_from": lic.valid_from.isoformat(),
        "valid_until": (lic.valid_from - dt.timedelta(days=1)).isoformat(),
    }
    refused = client.post(f"/chemicals/licences/{lic.pk}/edit/", data)
    assert refused.status_code == 200
    lic.refresh_from_db()
    assert lic.number == "A-10" and lic.scope != "柴油"  # nothing half-written
    data["valid_until"] = (lic.valid_from + dt.timedelta(days=1000)).isoformat()
    done = client.post(f"/chemicals/licences/{lic.pk}/edit/", data)
    assert done.status_code == 302
    lic.refresh_from_db()
    assert (lic.number, lic.scope) == ("A-10B", "柴油")
    assert lic.history.first().history_user == users.west_officer
    # Outside one's street: not found; an enterprise manager: no edit link, refused.
    client.force_login(users.east_officer)
    assert client.get(f"/chemicals/licences/{lic.pk}/edit/").status_code == 404
    client.force_login(users.west_manager)
    assert client.get(f"/chemicals/licences/{lic.pk}/edit/").status_code == 403


def test_licence_patch_over_the_api(users: SimpleNamespace, api_as: Any) -> None:
    lic = make_licence(users.admin, users.west_org, "A-20")
    officer = api_as(users.west_officer, "/chemicals")
    ok = officer.patch(f"/licences/{lic.pk}", {"scope": "液化石油气", "authority": "区应急局"})
    assert ok.status_code == 200, ok.content
    assert ok.json()["scope"] == "液化石油气"
    bad = officer.patch(f"/licences/{lic.pk}", {"valid_until": "2000-01-01"})
    assert bad.status_code in (400, 422) and "detail" in bad.json()
    assert officer.patch(f"/licences/{lic.pk}", {"number": None}).status_code in (400, 422)
    assert (
        api_as(users.east_officer, "/chemicals")
        .patch(f"/licences/{lic.pk}", {"scope": "x"})
        .status_code
        == 404
    )
    assert (
        api_as(users.west_manager, "/chemicals")
        .patch(f"/licences/{lic.pk}", {"scope": "x"})
        .status_code
        == 403
    )
    lic.refresh_from_db()
    assert lic.scope == "液化石油气"
