"""Indicator plan-05 and the figures, on a small known dataset."""

from __future__ import annotations

import datetime as dt

import pytest

from cityguard.equipment import indicators, services
from cityguard.equipment.models import Equipment
from cityguard.indicators import registry
from cityguard.indicators.registry import Period

from .conftest import inspect, same_by_street, unit

pytestmark = pytest.mark.django_db


def this_month() -> Period:
    return Period.of(services.today())


def test_declared_once_with_the_plan_attributes():
    ind = registry.get("plan-05")
    assert ind.order == 5 and ind.unit == "%" and ind.target == 100.0
    assert ind.comparison == ">=" and ind.binding is True
    assert ind.compute is indicators.registration_and_inspection_rate
    assert ind.on_target(100.0) and not ind.on_target(99.9)


def test_four_units_one_overdue_one_unregistered_gives_fifty(users, units):
    rate = indicators.registration_and_inspection_rate(None, None, this_month())
    assert rate == 50.0


def test_units_elsewhere_and_scrapped_ones_do_not_count(users, units, places):
    other = unit(users.admin, users.west_org, "厂房行车", "起11沪YP0300(19)",
                 kind="lifting", place=places.west_plant)  # fmt: skip
    no_place = unit(users.admin, users.west_org, "无场所", "梯11沪YP0301(19)")
    inspect(users.admin, other, 800)
    inspect(users.admin, no_place, 900)
    services.save_equipment(users.admin, {"status": "scrapped"}, units.east_unreg)
    # 3 units left at the plan's places: west ok, west overdue, east ok.
    assert indicators.registration_and_inspection_rate(None, None, this_month()) == 66.7


def test_stopped_unit_is_not_compliant(users, units):
    services.save_equipment(users.admin, {"status": "stopped"}, units.east_ok)
    assert indicators.registration_and_inspection_rate(None, None, this_month()) == 25.0


def test_street_filter(users, units, district):
    period = this_month()
    assert indicators.registration_and_inspection_rate(None, district.west.code, period) == 50.0
    assert indicators.registration_and_inspection_rate(None, district.east.code, period) == 50.0
    assert indicators.registration_and_inspection_rate(None, "nonexistent", period) is None
    assert same_by_street("plan-05", users.west_officer, period) == {
        district.west.code: 50.0,
        district.east.code: 50.0,
    }


def test_user_scoping(users, units, places):
    period = this_month()
    services.save_equipment(
        users.admin, {"status": "in_use", "registration_no": "梯11沪YP0302(19)"}, units.east_unreg
    )
    inspect(users.admin, units.east_unreg, 3)
    assert indicators.registration_and_inspection_rate(users.east_manager, None, period) == 100.0
    assert indicators.registration_and_inspection_rate(users.west_officer, None, period) == 50.0
    assert indicators.registration_and_inspection_rate(users.admin, None, period) == 75.0


def test_nothing_to_count_is_none(district):
    assert indicators.registration_and_inspection_rate(None, None, this_month()) is None


def test_as_of_the_end_of_a_past_month(users, places):
    """An inspection in force at the month's end counts, whatever has happened since."""
    today = services.today()
    eq = unit(users.admin, users.west_org, "梯", "梯11沪YP0303(19)", place=places.west_tower)
    # Inspected 14 months ago (due 2 months ago), and again last week.
    services.record_inspection(
        users.admin, eq, inspected_on=services.add_months(today, -14), result="pass"
    )
    inspect(users.admin, eq, 7)
    now = Period.of(today)
    assert indicators.registration_and_inspection_rate(None, None, now) == 100.0
    month_ago = Period.of(services.add_months(today, -1) - dt.timedelta(days=10))
    # At the end of that month the old inspection had lapsed and the new one was not made.
    assert indicators.registration_and_inspection_rate(None, None, month_ago) == 0.0
    # The inspection in force at a past month's end, looked up per street too.
    assert same_by_street("plan-05", users.west_officer, month_ago)["310110001"] == 0.0
    assert same_by_street("plan-05", users.west_officer, now)["310110001"] == 100.0
    before = Period.of(services.add_months(today, -6))
    assert indicators.registration_and_inspection_rate(None, None, before) == 100.0


def test_as_of_is_today_in_the_current_month():
    today = dt.date(2026, 5, 10)
    assert indicators.as_of(Period(2026, 5), today) == today
    assert indicators.as_of(Period(2026, 4), today) == dt.date(2026, 4, 30)
    assert indicators.as_of(Period(2025, 12), today) == dt.date(2025, 12, 31)


def test_figures(users, units, district):
    assert indicators.overdue_count(None, None) == 1
    assert indicators.unregistered_count(None, None) == 1
    assert indicators.due_soon_count(None, None) == 0
    eq = Equipment.objects.get(pk=units.east_ok.pk)
    services.record_inspection(
        users.admin, eq, inspected_on=services.today(), result="pass",
        next_due=services.today() + dt.timedelta(days=10),
    )  # fmt: skip
    assert indicators.due_soon_count(None, None) == 1
    assert indicators.due_soon_count(None, None, days=5) == 0
    assert indicators.due_soon_count(None, district.west.code) == 0
    assert indicators.overdue_count(users.east_officer, None) == 0
    assert indicators.overdue_count(users.west_officer, None) == 1
