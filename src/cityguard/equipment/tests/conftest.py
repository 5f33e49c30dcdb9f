"""Fixtures of the special-equipment tests: a high-rise in the west street and a crowded
place in the east street, each belonging to the street's enterprise."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest

from cityguard.core import services as core_services
from cityguard.equipment import services


@pytest.fixture
def places(users: SimpleNamespace) -> SimpleNamespace:
    admin = users.admin
    west_tower = core_services.save_place(
        admin,
        {"name": "西区大厦", "kind": "high_rise", "organization": users.west_org,
         "lon": 121.515, "lat": 31.275, "floors": 30},
    )  # fmt: skip
    east_mall = core_services.save_place(
        admin,
        {"name": "东区商场", "kind": "crowded_place", "organization": users.east_org,
         "lon": 121.545, "lat": 31.275},
    )  # fmt: skip
    west_plant = core_services.save_place(
        admin,
        {"name": "西区厂房", "kind": "other", "organization": users.west_org,
         "lon": 121.51, "lat": 31.27},
    )  # fmt: skip
    return SimpleNamespace(west_tower=west_tower, east_mall=east_mall, west_plant=west_plant)


def unit(actor: Any, org: Any, name: str, number: str | None = None, **extra: Any) -> Any:
    data = {
        "name": name,
        "kind": "elevator",
        "registration_no": number,
        "status": "in_use" if number else "unregistered",
        "organization": org,
        **extra,
    }
    return services.save_equipment(actor, data)


def inspect(actor: Any, eq: Any, days_ago: int, result: str = "pass", **extra: Any) -> Any:
    return services.record_inspection(
        actor,
        eq,
        inspected_on=services.today() - dt.timedelta(days=days_ago),
        result=result,
        **extra,
    )


@pytest.fixture
def units(users: SimpleNamespace, places: SimpleNamespace) -> SimpleNamespace:
    """Four elevators at the plan's places: west ok, west overdue, east ok, east unregistered."""
    admin = users.admin
    west_ok = unit(admin, users.west_org, "西区1号梯", "梯11沪YP0001(19)", place=places.west_tower)
    inspect(admin, west_ok, 100)
    west_late = unit(
        admin, users.west_org, "西区2号梯", "梯11沪YP0002(19)", place=places.west_tower
    )
    inspect(admin, west_late, 400)
    east_ok = unit(admin, users.east_org, "东区1号梯", "梯11沪YP0003(19)", place=places.east_mall)
    inspect(admin, east_ok, 30)
    east_unreg = unit(admin, users.east_org, "东区2号梯", None, place=places.east_mall)
    return SimpleNamespace(
        west_ok=west_ok, west_late=west_late, east_ok=east_ok, east_unreg=east_unreg
    )


def same_by_street(code: str, officer: Any, period: Any) -> dict[str, Any]:
    """Assert that the indicator's `by_street` gives exactly what `compute` gives street by
    street, for the whole district (user None) and for `officer`; the district's values."""
    from cityguard.core.figures import street_codes
    from cityguard.indicators.registry import get

    indicator = get(code)
    assert indicator.by_street is not None
    out: dict[str, Any] = {}
    for user in (None, officer):
        expected = {c: indicator.compute(user, c, period) for c in street_codes()}
        assert indicator.by_street(user, period) == expected
        out = out or expected
    return out
