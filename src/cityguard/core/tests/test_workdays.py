"""The working-day calendar: counting, the administrators' page and API, bad input."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from cityguard.core import services, workdays
from cityguard.core.models import CalendarDay

pytestmark = pytest.mark.django_db

D = dt.date


def test_monday_to_friday_without_a_calendar() -> None:
    cal = workdays.WorkingCalendar(set(), set())
    assert cal.add(D(2025, 3, 7), 1) == D(2025, 3, 10)  # Friday → Monday
    assert cal.add(D(2025, 3, 3), 7) == D(2025, 3, 12)
    assert cal.add(D(2025, 3, 3), 0) == D(2025, 3, 3)
    assert workdays.add_working_days(D(2025, 3, 3), 7) == D(2025, 3, 12)


def test_holidays_and_adjusted_working_days(users: SimpleNamespace) -> None:
    # National Day 2025: 1–8 October off, Sunday 28 Sep and Saturday 11 Oct worked.
    for day in range(1, 9):
        if D(2025, 10, day).weekday() < 5:
            services.save_calendar_day(
                users.admin, {"day": D(2025, 10, day), "kind": "holiday", "name": "国庆节"}
            )
    services.save_calendar_day(users.admin, {"day": "2025-09-28", "kind": "workday"})
    services.save_calendar_day(users.admin, {"day": "2025-10-11", "kind": "workday"})
    assert workdays.is_working_day(D(2025, 9, 28)) and not workdays.is_working_day(D(2025, 10, 1))
    assert workdays.add_working_days(D(2025, 9, 26), 1) == D(2025, 9, 28)
    assert workdays.add_working_days(D(2025, 9, 26), 3) == D(2025, 9, 30)
    assert workdays.add_working_days(D(2025, 9, 26), 4) == D(2025, 10, 9)
    assert workdays.add_working_days(D(2025, 9, 26), 6) == D(2025, 10, 11)
    cal = workdays.WorkingCalendar.covering(D(2025, 9, 1), D(2025, 9, 30), 7)
    assert cal.add(D(2025, 9, 30), 7) == D(2025, 10, 16)


def test_only_administrators_change_the_calendar(users: SimpleNamespace) -> None:
    for who in (users.staff, users.west_officer, users.west_manager, users.viewer):
        with pytest.raises(PermissionDenied):
            services.save_calendar_day(who, {"day": "2025-05-01", "kind": "holiday"})
    services.save_calendar_day(users.admin, {"day": "2025-05-01", "kind": "holiday"})
    with pytest.raises(PermissionDenied):
        services.delete_calendar_day(users.staff, D(2025, 5, 1))
    assert CalendarDay.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"day": "2025-05-03", "kind": "holiday"}, "day"),  # a Saturday is a rest day already
        ({"day": "2025-05-06", "kind": "workday"}, "day"),  # a Tuesday works already
        ({"day": "2025-13-01", "kind": "holiday"}, "day"),
        ({"day": "2025-05-05", "kind": "party"}, "kind"),
        ({"day": "2025-05-05", "kind": "holiday", "name": "x" * 61}, "name"),
        ({"day": "2025-05-05", "kind": "holiday", "colour": "red"}, "colour"),
    ],
)
def test_bad_days_are_refused(users: SimpleNamespace, data: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as exc:
        services.save_calendar_day(users.admin, data)
    assert field in exc.value.message_dict
    assert not CalendarDay.objects.exists()


def test_a_listed_day_is_changed_and_its_history_kept(users: SimpleNamespace) -> None:
    services.save_calendar_day(users.admin, {"day": "2025-05-05", "kind": "holiday"})
    services.save_calendar_day(
        users.admin, {"day": "2025-05-05", "kind": "holiday", "name": "劳动节"}
    )
    day = CalendarDay.objects.get()
    assert day.name == "劳动节"
    assert [h.history_type for h in day.history.order_by("history_id")] == ["+", "~"]
    assert day.history.first().history_user == users.admin


def test_api(users: SimpleNamespace, api_as: Any) -> None:
    admin = api_as(users.admin, "")
    r = admin.post("/calendar", {"day": "2026-01-02", "kind": "holiday", "name": "元旦"})
    assert r.status_code == 201, r.content
    body = r.json()
    assert (body["day"], body["kind"], body["name"]) == ("2026-01-02", "holiday", "元旦")
    assert body["kind_label"] == "Public holiday (rest day)"
    assert admin.post("/calendar", {"day": "2026-01-04", "kind": "workday"}).status_code == 201
    assert admin.post("/calendar", {"day": "2026-01-03", "kind": "holiday"}).status_code == 422
    listed = api_as(users.west_officer, "").get("/calendar?year=2026").json()
    assert [d["day"] for d in listed["items"]] == ["2026-01-02", "2026-01-04"]
    assert api_as(users.west_officer, "").get("/calendar?year=2025").json()["count"] == 0
    staff = api_as(users.staff, "")
    assert staff.post("/calendar", {"day": "2026-01-05", "kind": "holiday"}).status_code == 403
    assert staff.delete("/calendar/2026-01-02").status_code == 403
    assert admin.delete("/calendar/2026-01-02").status_code == 204
    assert admin.delete("/calendar/2026-01-02").status_code == 404
    assert CalendarDay.objects.count() == 1


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_page(users: SimpleNamespace, language: str) -> None:
    viewer = Client(HTTP_ACCEPT_LANGUAGE=language)
    viewer.force_login(users.viewer)
    services.save_calendar_day(
        users.admin, {"day": "2026-02-16", "kind": "holiday", "name": "春节"}
    )
    html = viewer.get("/calendar/?year=2026").content.decode()
    assert "2026-02-16" in html and "春节" in html and 'name="kind"' not in html
    assert ("工作日调整表" if language == "zh-hans" else "Working-day calendar") in html
    assert viewer.post("/calendar/", {"day": "2026-02-17", "kind": "holiday"}).status_code == 403
    admin = Client(HTTP_ACCEPT_LANGUAGE=language)
    admin.force_login(users.admin)
    assert 'name="kind"' in admin.get("/calendar/").content.decode()
    r = admin.post("/calendar/?year=2026", {"day": "2026-02-17", "kind": "holiday", "name": "春节"})
    assert r.status_code == 302 and r["Location"].endswith("?year=2026")
    bad = admin.post("/calendar/", {"day": "2026-02-14", "kind": "holiday"})
    assert bad.status_code == 200 and CalendarDay.objects.count() == 2
    admin.post("/calendar/?year=2026", {"delete": "2026-02-16"})
    assert list(CalendarDay.objects.values_list("day", flat=True)) == [D(2026, 2, 17)]
