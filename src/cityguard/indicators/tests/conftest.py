"""Fixtures of the indicators tests: a known small dataset across the two test streets."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone

from cityguard.indicators import services
from cityguard.indicators.registry import Period

WEST, EAST = "310110001", "310110002"


@pytest.fixture
def now_period() -> Period:
    return services.current_period()


@pytest.fixture
def figure(users: SimpleNamespace) -> Any:
    """figure(code, value, base=None, year=this year, street=None, actor=staff) → saved."""

    def make(code: str, value: float, base: float | None = None, **kw: Any) -> Any:
        data = {
            "code": code,
            "year": kw.pop("year", timezone.localdate().year),
            "value": value,
            "base": base,
            "source": kw.pop("source", "区统计局年报"),
            **kw,
        }
        return services.save_figure(kw.pop("actor", users.staff), data)

    return make


def incident(actor: Any, lon: float, when: dt.datetime, **fields: Any) -> Any:
    from cityguard.incidents import services as incidents

    return incidents.create_incident(
        actor,
        {
            "title": fields.pop("title", "事故"),
            "source": "phone",
            "type": fields.pop("type", "accident"),
            "subtype": fields.pop("subtype", "fire"),
            "lon": lon,
            "lat": 31.27,
            "occurred_at": when,
            **fields,
        },
    )


@pytest.fixture
def incidents(users: SimpleNamespace) -> SimpleNamespace:
    """This year: a major fire (12 deaths) in the west, a major explosion (11 deaths) in the
    east, a small fire in the east; last year: a major fire in the west."""
    now = timezone.now()
    year_start = dt.datetime(now.year, 1, 1, 12, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    return SimpleNamespace(
        west_fire=incident(users.admin, 121.51, year_start, deaths=12),
        east_blast=incident(users.admin, 121.55, year_start, subtype="explosion", deaths=11),
        east_small=incident(users.admin, 121.55, year_start, deaths=1),
        old_fire=incident(
            users.admin, 121.51, year_start - dt.timedelta(days=30), deaths=20, title="旧"
        ),
    )
