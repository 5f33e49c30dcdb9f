"""Fixtures of the risk tests: a few risk points on both sides of the street boundary."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from cityguard.risk import services
from cityguard.risk.models import Domain


@pytest.fixture
def points(users: SimpleNamespace) -> SimpleNamespace:
    """west: a chemicals point of west_org; east: a fire point of east_org; both unassessed."""
    fire = Domain.objects.get(code="fire")
    chem = Domain.objects.get(code="hazardous_chemicals")
    west = services.save_risk_point(
        users.admin,
        {"name": "西区储罐区", "domain": chem, "organization": users.west_org},
    )
    east = services.save_risk_point(
        users.admin,
        {"name": "东区仓库", "domain": fire, "organization": users.east_org},
    )
    return SimpleNamespace(west=west, east=east, fire=fire, chem=chem)


def assess_lec(actor: Any, point: Any, l: float, e: float, c: float, **kw: Any) -> Any:  # noqa: E741
    return services.add_assessment(actor, point, method="lec", values={"l": l, "e": e, "c": c}, **kw)
