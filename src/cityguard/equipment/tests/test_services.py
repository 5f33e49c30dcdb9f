"""Rules of the registry and of inspections: validation, refusals, follow-the-latest."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from cityguard.equipment import config, parameters, services
from cityguard.equipment.models import Equipment, Inspection

from .conftest import inspect, unit

pytestmark = pytest.mark.django_db


def test_location_and_jurisdiction_follow_the_place(users, places, district):
    eq = unit(users.admin, users.west_org, "梯", "梯11沪YP0100(19)", place=places.west_tower)
    assert (eq.lon, eq.lat) == (places.west_tower.lon, places.west_tower.lat)
    assert eq.jurisdiction.path.startswith(district.west.path)


def test_location_from_the_user_unit_without_a_place(users, district):
    eq = unit(users.admin, users.east_org, "梯", "梯11沪YP0101(19)")
    assert eq.jurisdiction.path.startswith(district.east.path)


def test_registration_number_normalised_and_checked(users):
    eq = unit(users.admin, users.west_org, "梯", " 梯11沪yp0102（19） ")
    assert eq.registration_no == "梯11沪YP0102(19)"
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        unit(users.admin, users.west_org, "另一台", "梯11沪YP0102(19)")
    assert exc.value.message_dict["registration_no"] == [
        "The registration number 梯11沪YP0102(19) is already recorded for another unit."
    ]
    with pytest.raises(ValidationError) as exc:
        unit(users.admin, users.west_org, "坏号", "ab c!")
    assert "registration_no" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        unit(users.admin, users.west_org, "无数字", "梯沪YPAB")
    assert "registration_no" in exc.value.message_dict
    assert Equipment.objects.count() == 1


def test_status_and_number_must_agree(users):
    with pytest.raises(ValidationError) as exc:
        services.save_equipment(
            users.admin,
            {"name": "x", "kind": "boiler", "status": "in_use", "organization": users.west_org},
        )
    assert "registration_no" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.save_equipment(
            users.admin,
            {"name": "x", "kind": "boiler", "status": "unregistered",
             "registration_no": "锅11沪YP0001(19)", "organization": users.west_org},
        )  # fmt: skip
    assert "status" in exc.value.message_dict


def test_parameters_are_checked_by_kind(users):
    eq = unit(
        users.admin, users.west_org, "梯", "梯11沪YP0103(19)",
        parameters={"rated_load_kg": "1000", "floors": 18, "colour": "银色"},
    )  # fmt: skip
    assert eq.parameters == {"rated_load_kg": 1000, "floors": 18, "colour": "银色"}
    with pytest.raises(ValidationError) as exc:
        services.save_equipment(users.admin, {"parameters": {"rated_load_kg": "heavy"}}, eq)
    assert "parameters" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.save_equipment(users.admin, {"parameters": {"rated_load_kg": -5}}, eq)
    with pytest.raises(ValidationError):
        services.save_equipment(users.admin, {"parameters": ["not", "an", "object"]}, eq)
    eq.refresh_from_db()
    assert eq.parameters["rated_load_kg"] == 1000
    rows = parameters.rows("elevator", eq.parameters)
    assert rows[0][0] == "rated_load_kg" and rows[-1][0] == "colour"
    assert parameters.from_text("a = 1\nb: x") == {"a": "1", "b": "x"}
    with pytest.raises(ValueError):
        parameters.from_text("no separator")


def test_future_dates_refused(users):
    future = services.today() + dt.timedelta(days=3)
    with pytest.raises(ValidationError) as exc:
        unit(users.admin, users.west_org, "梯", "梯11沪YP0104(19)", installed_on=future)
    assert "installed_on" in exc.value.message_dict


def test_future_inspection_date_refused_with_the_reason(users):
    eq = unit(users.admin, users.west_org, "梯", "梯11沪YP0105(19)")
    future = services.today() + dt.timedelta(days=1)
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        services.record_inspection(users.admin, eq, inspected_on=future, result="pass")
    assert "lies in the future" in exc.value.message_dict["inspected_on"][0]
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        services.record_inspection(users.admin, eq, inspected_on=future, result="pass")
    assert "未来" in exc.value.message_dict["inspected_on"][0]
    assert not Inspection.objects.exists()
    eq.refresh_from_db()
    assert eq.next_inspection_due is None


def test_next_due_before_the_inspection_refused(users):
    eq = unit(users.admin, users.west_org, "梯", "梯11沪YP0106(19)")
    day = services.today() - dt.timedelta(days=10)
    with pytest.raises(ValidationError) as exc:
        services.record_inspection(
            users.admin, eq, inspected_on=day, result="pass", next_due=day - dt.timedelta(days=1)
        )
    assert "next_due" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.record_inspection(users.admin, eq, inspected_on=day, result="pass", next_due=day)
    assert not Inspection.objects.exists()


def test_default_interval_per_kind_and_unit_override(users):
    day = services.today() - dt.timedelta(days=10)
    lift = unit(users.admin, users.west_org, "梯", "梯11沪YP0107(19)")
    services.record_inspection(users.admin, lift, inspected_on=day, result="pass")
    assert lift.next_inspection_due == services.add_months(day, 12)
    vessel = unit(users.admin, users.west_org, "罐", "容11沪YP0001(19)", kind="pressure_vessel")
    services.record_inspection(users.admin, vessel, inspected_on=day, result="pass")
    assert vessel.next_inspection_due == services.add_months(day, 36)
    crane = unit(
        users.admin, users.west_org, "塔吊", "起11沪YP0001(19)", kind="lifting", interval_months=12
    )
    services.record_inspection(users.admin, crane, inspected_on=day, result="conditional")
    assert crane.next_inspection_due == services.add_months(day, 12)
    failed = unit(users.admin, users.west_org, "锅炉", "锅11沪YP0001(19)", kind="boiler")
    services.record_inspection(users.admin, failed, inspected_on=day, result="fail")
    assert failed.next_inspection_due == day  # inspect again before use: overdue now
    assert services.overdue(Equipment.objects.all()).filter(pk=failed.pk).exists()


def test_configured_interval(users, settings):
    settings.CITYGUARD_EQUIPMENT_INTERVAL_MONTHS = {"elevator": 6}
    assert config.interval_months("elevator") == 6
    assert config.interval_months("boiler") == 12
    eq = unit(users.admin, users.west_org, "梯", "梯11沪YP0108(19)")
    day = services.today() - dt.timedelta(days=1)
    services.record_inspection(users.admin, eq, inspected_on=day, result="pass")
    assert eq.next_inspection_due == services.add_months(day, 6)


def test_equipment_follows_its_latest_inspection(users):
    eq = unit(users.admin, users.west_org, "梯", "梯11沪YP0109(19)")
    inspect(users.admin, eq, 20)
    due = eq.next_inspection_due
    inspect(users.admin, eq, 400)  # an older report entered later does not move the date
    eq.refresh_from_db()
    assert eq.next_inspection_due == due
    assert eq.last_inspection_on == services.today() - dt.timedelta(days=20)
    assert eq.inspections.count() == 2


def test_scrapped_units_are_not_inspected(users):
    eq = unit(users.admin, users.west_org, "梯", "梯11沪YP0110(19)")
    services.save_equipment(users.admin, {"status": "scrapped"}, eq)
    with pytest.raises(ValidationError) as exc:
        inspect(users.admin, eq, 1)
    assert "equipment" in exc.value.message_dict


def test_history_names_the_acting_user(users):
    eq = unit(users.west_manager, users.west_org, "梯", "梯11沪YP0111(19)")
    services.save_equipment(users.west_manager, {"model_name": "TKJ1000"}, eq)
    inspect(users.west_manager, eq, 5)
    rows = list(eq.history.order_by("history_date"))
    assert len(rows) == 3
    assert {r.history_user for r in rows} == {users.west_manager}
    assert rows[-1].next_inspection_due == eq.next_inspection_due


def test_add_months_clamps_to_month_end():
    assert services.add_months(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)
    assert services.add_months(dt.date(2024, 11, 15), 14) == dt.date(2026, 1, 15)
    assert services.add_months(dt.date(2024, 3, 15), -3) == dt.date(2023, 12, 15)
