"""The registry: declarations, order, periods."""

from __future__ import annotations

import datetime as dt

import pytest

from cityguard.indicators import registry
from cityguard.indicators.registry import Indicator, Period

PLAN = [f"plan-{i:02d}" for i in range(1, 11)]
OWN = ["plan-01", "plan-02", "plan-03", "plan-04", "plan-07", "plan-10"]


def test_own_plan_indicators_are_declared_in_order() -> None:
    codes = [i.code for i in registry.all_indicators()]
    for code in OWN:
        assert code in codes
    own_positions = [codes.index(c) for c in OWN]
    assert own_positions == sorted(own_positions)
    # Plan indicators come before every other indicator.
    last_plan = max(i for i, c in enumerate(codes) if c.startswith("plan-"))
    first_other = min(i for i, c in enumerate(codes) if not c.startswith("plan-"))
    assert last_plan < first_other


def test_all_ten_plan_indicators_are_declared() -> None:
    """plan-05, -06, -08, -09 are declared by the equipment, enforcement and monitoring
    apps; once every app is integrated, all ten are there, once each, in the plan's order."""
    codes = [i.code for i in registry.all_indicators()]
    assert [c for c in codes if c.startswith("plan-")] == PLAN


def test_plan_kinds_follow_the_plan() -> None:
    # Only indicator 8 (qualified enforcement staff) is expected (预期性); the rest binding.
    for code in OWN:
        assert registry.get(code).binding is True
    assert registry.get("plan-04").target == 13.4
    assert registry.get("plan-02").target == 0
    assert registry.get("plan-07").target == 100.0
    assert registry.get("plan-10").target == 100.0
    assert registry.get("plan-01").per_street is False
    assert registry.get("plan-01").entered and registry.get("plan-07").entered


def test_declaring_twice_is_refused() -> None:
    existing = registry.get("plan-02")
    again = Indicator(
        code="plan-02",
        name="x",
        unit="",
        target=0,
        comparison="<=",
        binding=True,
        source="",
        compute=lambda u, s, p: 0,
    )
    with pytest.raises(ValueError):
        registry.declare(again)
    assert registry.declare(existing) is existing  # the same declaration again is harmless
    with pytest.raises(ValueError):
        Indicator(
            code="x",
            name="x",
            unit="",
            target=0,
            comparison="<",
            binding=True,
            source="",
            compute=lambda u, s, p: 0,
        )


def test_on_target() -> None:
    ind = registry.get("plan-04")
    assert ind.on_target(13.4) is True
    assert ind.on_target(13.5) is False
    assert ind.on_target(None) is None
    assert registry.get("plan-07").on_target(99.9) is False


def test_period() -> None:
    p = Period.parse("2025-12")
    assert (p.start, p.end, p.year_start) == (
        dt.date(2025, 12, 1),
        dt.date(2026, 1, 1),
        dt.date(2025, 1, 1),
    )
    assert str(p.previous()) == "2025-11" and str(Period(2025, 1).previous()) == "2024-12"
    for bad in ("2025-13", "2025", "25-01", "abcd-ef", "2025-00", ""):
        with pytest.raises(ValueError):
            Period.parse(bad)
    start, end = p.bounds(annual=True)
    assert start.date() == dt.date(2025, 1, 1) and end.date() == dt.date(2026, 1, 1)
