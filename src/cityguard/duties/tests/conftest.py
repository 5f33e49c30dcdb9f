from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest

from cityguard import testing
from cityguard.core.choices import Role


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def dw(users: Any, district: Any) -> SimpleNamespace:
    """A department with its own user, and the two streets."""
    dept = testing.make_organization(
        users.admin, "测试区应急管理局", 121.52, 31.28, kind="department"
    )
    other = testing.make_organization(
        users.admin, "测试区消防救援支队", 121.54, 31.28, kind="department"
    )
    return SimpleNamespace(
        dept=dept,
        other=other,
        dept_user=testing.make_user("deptuser", Role.ENTERPRISE_MANAGER, organization=dept),
        west=district.west,
        east=district.east,
    )


def legal(unit: Any, kind: str = "power", **extra: Any) -> dict[str, Any]:
    from cityguard.core.models import Organization

    org = unit if isinstance(unit, Organization) else None
    data = {
        "kind": kind,
        "organization": org,
        "street": None if org else unit,
        "title": "安全生产行政检查",
        "content": "对生产经营单位执行安全生产法律法规情况进行监督检查",
        "legal_basis": "中华人民共和国安全生产法",
        "legal_article": "第六十五条",
        "responsible_post": "执法大队",
    }
    data.update(extra)
    return data


def task(unit: Any, owner: Any, due: dt.date, **extra: Any) -> dict[str, Any]:
    data = legal(unit, "task", legal_basis="", legal_article="", title="开展有限空间专项检查")
    data.update({"owner_user": owner, "due_date": due})
    data.update(extra)
    return data


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
