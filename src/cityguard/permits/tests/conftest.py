from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone

from cityguard import testing
from cityguard.core import services as core_services
from cityguard.core.choices import Role
from cityguard.permits import services


@pytest.fixture
def pw(users: Any) -> SimpleNamespace:
    """A second and third manager of west_org, and confined spaces in both organisations."""
    west_space = core_services.save_place(
        users.admin,
        {"name": "西区化工污水池", "kind": "confined_space", "organization": users.west_org},
    )
    east_space = core_services.save_place(
        users.admin,
        {"name": "东区物流化粪池", "kind": "confined_space", "organization": users.east_org},
    )
    hall = core_services.save_place(
        users.admin,
        {"name": "西区化工办公楼", "kind": "high_rise", "organization": users.west_org},
    )
    return SimpleNamespace(
        m2=testing.make_user("westmgr2", Role.ENTERPRISE_MANAGER, organization=users.west_org),
        m3=testing.make_user("westmgr3", Role.ENTERPRISE_MANAGER, organization=users.west_org),
        m4=testing.make_user("westmgr4", Role.ENTERPRISE_MANAGER, organization=users.west_org),
        m5=testing.make_user("westmgr5", Role.ENTERPRISE_MANAGER, organization=users.west_org),
        west_space=west_space,
        east_space=east_space,
        hall=hall,
    )


def data(org: Any, kind: str = "hot_work", grade: str = "2", **extra: Any) -> dict[str, Any]:
    from cityguard.permits import rules

    now = timezone.now()
    base = {
        "organization": org,
        "kind": kind,
        "grade": grade,
        "location": "1号罐区",
        "content": "管道焊接",
        "guardian": "王监护",
        "workers": "张三\n李四",
        "hazards": "可燃气体",
        "measures": [c for c, _l in rules.measures(kind)],
        "valid_from": now - dt.timedelta(minutes=5),
        "valid_to": now + dt.timedelta(hours=4),
    }
    base.update(extra)
    return base


def gas(actor: Any, permit: Any, minutes_ago: float = 5, **values: Any) -> Any:
    reading = {
        "analysed_at": timezone.now() - dt.timedelta(minutes=minutes_ago),
        "analyst": "赵分析",
        "o2_pct": 20.8,
        "combustible_pct": 0.1,
        "lel_pct": 5.0,
    }
    reading.update(values)
    return services.record_gas_test(actor, permit, reading)


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
