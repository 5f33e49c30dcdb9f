"""Lifecycle, events and bad input of warnings."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cityguard.warnings import services
from cityguard.warnings.models import CapMessage, Warning

from .conftest import warning_data


def _errors(exc: pytest.ExceptionInfo) -> dict[str, list[str]]:
    return exc.value.message_dict  # type: ignore[no-any-return]


def test_lifecycle_records_every_transition(
    issued: Any, users: Any, django_capture_on_commit_callbacks: Any
) -> None:
    warning = issued()
    assert warning.state == "issued" and warning.version == 1 and warning.issued_at
    with django_capture_on_commit_callbacks(execute=True):
        services.update(
            users.staff, warning, {"colour": "orange", "headline": "暴雨橙色预警"}, note="雨势加强"
        )
    warning.refresh_from_db()
    assert warning.state == "updated" and warning.version == 2
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel(users.staff, warning, "雨已停")
    warning.refresh_from_db()
    assert warning.state == "cancelled" and warning.ended_at
    kinds = list(warning.events.values_list("kind", flat=True))
    assert [k for k in kinds if k != "published"] == ["created", "issued", "updated", "cancelled"]
    assert kinds.count("published") == 3
    update = warning.events.get(kind="updated")
    assert update.actor == users.staff and update.note == "雨势加强"
    assert update.changes["colour"] == ["yellow", "orange"]
    assert update.from_state == "issued" and update.to_state == "updated"
    # The kept history names who changed the record.
    assert {h.history_user for h in warning.history.all()} == {users.staff}
    # An ended warning cannot change any more.
    with pytest.raises(ValidationError):
        services.update(users.staff, warning, {"colour": "red"})
    with pytest.raises(ValidationError):
        services.cancel(users.staff, warning, "again")


def test_expiry_before_effective_is_refused(draft: Any) -> None:
    now = timezone.now()
    with pytest.raises(ValidationError) as exc:
        draft(effective=now, expires=now - timedelta(hours=1))
    assert _errors(exc)["expires"] == ["The expiry must be after the effective time."]
    assert not Warning.objects.exists()


def test_colour_not_allowed_for_type_is_refused(draft: Any) -> None:
    for kind in ("heat", "fog", "thunder"):
        with pytest.raises(ValidationError) as exc:
            draft(kind=kind, colour="blue")
        assert "has no Blue level" in _errors(exc)["colour"][0]
    assert draft(kind="cold_wave", colour="blue").colour == "blue"
    assert Warning.objects.count() == 1


def test_polygon_not_closed_or_outside_is_refused(draft: Any) -> None:
    open_ring = {
        "type": "Polygon",
        "coordinates": [[[121.51, 31.27], [121.52, 31.27], [121.52, 31.28], [121.51, 31.28]]],
    }
    with pytest.raises(ValidationError) as exc:
        draft(streets=[], polygon=open_ring)
    assert _errors(exc)["polygon"]
    outside = {
        "type": "Polygon",
        "coordinates": [[[121.70, 31.27], [121.72, 31.27], [121.72, 31.29], [121.70, 31.27]]],
    }
    with pytest.raises(ValidationError) as exc:
        draft(streets=[], polygon=outside)
    assert _errors(exc)["polygon"] == ["The polygon lies outside the district."]
    with pytest.raises(ValidationError) as exc:
        draft(streets=["999"])
    assert "999 is not the code of a street." in _errors(exc)["streets"]
    with pytest.raises(ValidationError) as exc:
        draft(streets=[])
    assert _errors(exc)["streets"] == ["Choose the streets or draw the area."]
    assert not Warning.objects.exists()


def test_only_district_staff_issue(draft: Any, users: Any, district: Any) -> None:
    for who in (users.west_officer, users.west_manager, users.viewer, users.api_client):
        with pytest.raises(PermissionDenied):
            services.save_draft(who, warning_data(district))
    warning = draft()
    for who in (users.west_officer, users.viewer):
        with pytest.raises(PermissionDenied):
            services.issue(who, warning)
    assert Warning.objects.get().state == "draft"
    assert not CapMessage.objects.exists()


def test_only_drafts_edit_and_delete(issued: Any, draft: Any, users: Any) -> None:
    warning = issued()
    with pytest.raises(ValidationError):
        services.save_draft(users.staff, {"headline": "x"}, instance=warning)
    with pytest.raises(ValidationError):
        services.delete_draft(users.staff, warning)
    with pytest.raises(ValidationError):
        services.issue(users.staff, warning)
    other = draft()
    services.delete_draft(users.staff, other)
    assert not Warning.objects.filter(pk=other.pk).exists()


def test_expiry_job_expires_only_what_is_due(issued: Any) -> None:
    warning = issued()
    assert services.expire_due() == 0
    assert services.expire_due(now=warning.expires) == 1
    warning.refresh_from_db()
    assert warning.state == "expired" and warning.ended_at == warning.expires
    assert not Warning.objects.active().exists()
