"""The snapshot job and the trend it feeds."""

from __future__ import annotations

import pytest

from cityguard.indicators import registry, services, tasks
from cityguard.indicators.models import IndicatorSnapshot

from .conftest import EAST, WEST

pytestmark = pytest.mark.django_db


def test_snapshot_is_idempotent(users, incidents, now_period) -> None:
    first = services.snapshot()
    n = IndicatorSnapshot.objects.count()
    inds = registry.all_indicators()
    per_street = sum(1 for i in inds if i.per_street)
    assert n == first["period_rows"] == len(inds) + 2 * per_street
    row = IndicatorSnapshot.objects.get(code="plan-03", period=str(now_period), street=WEST)
    assert (row.value, row.on_target, row.target) == (1.0, False, 0.0)
    assert (
        IndicatorSnapshot.objects.get(code="plan-02", period=str(now_period), street="").value == 2
    )
    assert not IndicatorSnapshot.objects.filter(code="plan-01", street=WEST).exists()
    services.snapshot()
    assert IndicatorSnapshot.objects.count() == n


def test_jobs_store_this_month_and_the_last(users, incidents, now_period) -> None:
    tasks.snapshot_current_month.call_local()
    tasks.snapshot_month_end.call_local()
    periods = set(IndicatorSnapshot.objects.values_list("period", flat=True))
    assert periods == {str(now_period), str(now_period.previous())}


def test_trend_and_past_months_read_snapshots(users, incidents, now_period) -> None:
    past = now_period.previous()
    IndicatorSnapshot.objects.create(
        code="hazards-open-major",
        period=str(past),
        street="",
        value=7,
        computed_at="2025-01-01T00:00Z",
    )
    IndicatorSnapshot.objects.create(
        code="hazards-open-major",
        period=str(past),
        street=EAST,
        value=3,
        computed_at="2025-01-01T00:00Z",
    )
    ind = registry.get("hazards-open-major")
    points = services.trend(None, None, [ind])[ind.code]
    assert points[-2] == {"period": str(past), "value": 7.0, "on_target": False}
    assert points[-1]["value"] == 0  # this month: live
    assert points[0]["value"] is None  # no snapshot then
    value = services.compute(users.admin, None, past, [ind])[0]
    assert value.value == 7
    # A street officer reads their own street's snapshots, not the district's.
    east = services.trend(users.east_officer, EAST, [ind])[ind.code]
    assert east[-2]["value"] == 3
    assert services.trend(users.east_manager, None, [ind])[ind.code][-2]["value"] is None
    _nodes, table = services.breakdown(users.admin, past, [ind])
    assert table[ind.code][EAST].value == 3
