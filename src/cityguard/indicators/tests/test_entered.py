"""Figures entered by hand: validation, access, history, and the indicators they make."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from cityguard.indicators import registry, services
from cityguard.indicators.models import EnteredFigure
from cityguard.indicators.registry import Period

from .conftest import EAST, WEST

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year


def errors_of(exc: pytest.ExceptionInfo) -> dict:
    return exc.value.message_dict


def test_source_is_required(users, figure) -> None:
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        figure("plan-01", 3, 2000, source="  ")
    assert "source" in errors_of(exc)
    assert not EnteredFigure.objects.exists()


@pytest.mark.parametrize(
    "code,value,base,field",
    [
        ("plan-01", -1, 2000, "value"),
        ("plan-01", 3, None, "base"),
        ("plan-01", 3, 0, "base"),
        ("plan-01", 2.5, 2000, "value"),
        ("plan-04", 12, 5, "base"),
        ("plan-07", 31, 30, "value"),
        ("plan-07", 3, -4, "base"),
        ("plan-99", 1, None, "code"),
        ("plan-02", 1, None, "code"),  # computed from the register, not entered
    ],
)
def test_bad_values_are_refused(figure, code, value, base, field) -> None:
    with pytest.raises(ValidationError) as exc:
        figure(code, value, base)
    assert field in errors_of(exc)
    assert not EnteredFigure.objects.exists()


@pytest.mark.parametrize(
    "year,month,field",
    [(YEAR + 1, 0, "year"), (1990, 0, "year"), (YEAR, 5, "month"), ("x", 0, "year")],
)
def test_bad_periods_are_refused(figure, year, month, field) -> None:
    with pytest.raises(ValidationError) as exc:
        figure("plan-04", 12, year=year, month=month)
    assert field in errors_of(exc)


def test_district_only_figure_refuses_a_street(figure) -> None:
    with pytest.raises(ValidationError) as exc:
        figure("plan-01", 3, 2000, street=WEST)
    assert "street" in errors_of(exc)
    with pytest.raises(ValidationError) as exc:
        figure("plan-07", 3, 4, street="999")
    assert "street" in errors_of(exc)


def test_who_may_enter(users, figure) -> None:
    figure("plan-01", 3, 2000, actor=users.admin)
    figure("plan-07", 10, 12, street=WEST, actor=users.west_officer)  # own street
    with pytest.raises(PermissionDenied):
        figure("plan-07", 10, 12, street=EAST, actor=users.west_officer)
    with pytest.raises(PermissionDenied):
        figure("plan-07", 10, 12, actor=users.west_officer)  # the district's figure
    with pytest.raises(PermissionDenied):
        figure("plan-04", 10, actor=users.west_officer)  # a district-only figure
    for actor in (users.viewer, users.west_manager, users.api_client):
        with pytest.raises(PermissionDenied):
            figure("plan-07", 1, 2, street=WEST, actor=actor)
    assert EnteredFigure.objects.count() == 2
    assert services.may_enter(users.staff) and services.may_enter(users.west_officer)
    assert not services.may_enter(users.viewer)


def test_entering_again_changes_the_figure_and_keeps_history(users, figure) -> None:
    first = figure("plan-01", 3, 2000)
    second = figure("plan-01", 4, 2000, source="区应急局快报", actor=users.admin)
    assert first.pk == second.pk and EnteredFigure.objects.count() == 1
    second.refresh_from_db()
    assert second.value == 4 and second.entered_by == users.admin
    history = list(second.history.order_by("history_date"))
    assert [h.value for h in history] == [3, 4]
    assert history[-1].history_user == users.admin


def test_plan_01_deaths_per_100m_gdp(figure, now_period) -> None:
    ind = registry.get("plan-01")
    assert ind.compute(None, None, now_period) is None
    figure("plan-01", 3, 2400)  # 3 deaths, GDP 2,400 × 100 million yuan
    assert ind.compute(None, None, now_period) == 0.0013  # 3 / 2400 = 0.00125 → 4 places
    assert ind.compute(None, None, Period(now_period.year - 1, 6)) is None
    assert services.evaluate(ind, None, WEST, now_period).value is None  # district only


def test_plan_01_target_from_settings(settings) -> None:
    from cityguard.indicators import config

    assert config.plan01_target() is None
    settings.CITYGUARD_INDICATORS_PLAN01_TARGET = "0.02"
    assert config.plan01_target() == 0.02


def test_plan_04_average_over_the_plan_years(figure, now_period, settings) -> None:
    ind = registry.get("plan-04")
    settings.CITYGUARD_INDICATORS_PLAN_START_YEAR = YEAR - 2
    figure("plan-04", 14, year=YEAR - 2)
    figure("plan-04", 11, year=YEAR - 1)
    figure("plan-04", 99, year=YEAR - 3)  # before the plan: not counted
    assert ind.compute(None, None, Period(YEAR - 1, 12)) == 12.5
    figure("plan-04", 17, year=YEAR)
    value = ind.compute(None, None, now_period)
    assert value == 14.0
    assert ind.on_target(value) is False
    assert ind.compute(None, None, Period(YEAR - 2, 3)) == 14.0


def test_plan_07_per_street_and_district(figure, now_period) -> None:
    ind = registry.get("plan-07")
    figure("plan-07", 9, 10, street=WEST)
    figure("plan-07", 20, 20, street=EAST)
    assert ind.compute(None, WEST, now_period) == 90.0
    assert ind.compute(None, EAST, now_period) == 100.0
    assert ind.compute(None, None, now_period) == round(100 * 29 / 30, 2)
    assert ind.by_street(None, now_period) == {WEST: 90.0, EAST: 100.0}
    figure("plan-07", 49, 50)  # a district figure overrides the sum of the streets
    assert ind.compute(None, None, now_period) == 98.0
