"""The demo figures: deterministic, plausible, loadable twice."""

from __future__ import annotations

import pytest
from django.utils import timezone

from cityguard.indicators import config, demo, registry, services
from cityguard.indicators.models import EnteredFigure, IndicatorSnapshot

pytestmark = pytest.mark.django_db


def test_load_demo_twice(district) -> None:
    years = timezone.localdate().year - config.plan_start_year() + 1
    first = demo.load_demo(scale=1, seed=3)
    assert first["entered_figures"] == years * (2 + 2)  # plan-01, plan-04, plan-07 × 2 streets
    values = sorted(
        EnteredFigure.objects.values_list("code", "year", "street__code", "value", "base"), key=str
    )
    assert IndicatorSnapshot.objects.count() == first["snapshots"] > 0
    again = demo.load_demo(scale=1, seed=3)
    assert again == first
    assert (
        sorted(
            EnteredFigure.objects.values_list("code", "year", "street__code", "value", "base"),
            key=str,
        )
        == values
    )
    period = services.current_period()
    for code in ("plan-01", "plan-04", "plan-07"):
        assert registry.get(code).compute(None, None, period) is not None
    assert all(f.source for f in EnteredFigure.objects.all())
