"""Retention: readings, minute and hour aggregates and dead letters older than their
configured periods go; younger ones stay."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone

from cityguard import testing
from cityguard.monitoring import retention
from cityguard.monitoring.models import Aggregate, DeadLetter, Reading

from .test_pages import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(district: testing.District, users: SimpleNamespace) -> SimpleNamespace:
    return build_world(district, users)


DAY = 86_400_000


def _ms(when: dt.datetime) -> int:
    return int(when.timestamp() * 1000)


def test_prune_cuts_each_kind_of_data_at_its_own_age(world: SimpleNamespace, settings: Any) -> None:
    settings.CITYGUARD_MONITORING_RAW_DAYS = 10
    settings.CITYGUARD_MONITORING_MINUTE_DAYS = 20
    settings.CITYGUARD_MONITORING_HOUR_DAYS = 40
    settings.CITYGUARD_MONITORING_DEAD_LETTER_DAYS = 5
    now = timezone.now()
    base = _ms(now)
    Reading.objects.all().delete()
    Aggregate.objects.all().delete()
    for sensor in (world.west, world.east):
        Reading.objects.bulk_create(
            [Reading(sensor=sensor, ts=base - d * DAY - 1, value=d) for d in (1, 9, 10, 11, 30)]
        )
        Aggregate.objects.bulk_create(
            [Aggregate(sensor=sensor, period="m", start=base - d * DAY - 1, count=1, vmin=0,
                       vmax=0, vsum=0) for d in (5, 19, 21)]
            + [Aggregate(sensor=sensor, period="h", start=base - d * DAY - 1, count=1, vmin=0,
                         vmax=0, vsum=0) for d in (21, 39, 41, 400)]
        )  # fmt: skip
    old = DeadLetter.objects.create(source="http", reason="old")
    DeadLetter.objects.filter(pk=old.pk).update(received_at=now - dt.timedelta(days=6))
    DeadLetter.objects.create(source="http", reason="new")

    result = retention.prune(now)

    assert result == {
        "readings": 2 * 3,
        "minute_aggregates": 2 * 1,
        "hour_aggregates": 2 * 2,
        "dead_letters": 1,
    }
    assert sorted(Reading.objects.filter(sensor=world.west).values_list("value", flat=True)) == [
        1,
        9,
    ]
    minute = Aggregate.objects.filter(sensor=world.east, period="m")
    assert sorted((base - s) // DAY for s in minute.values_list("start", flat=True)) == [5, 19]
    hour = Aggregate.objects.filter(sensor=world.east, period="h")
    assert sorted((base - s) // DAY for s in hour.values_list("start", flat=True)) == [21, 39]
    assert list(DeadLetter.objects.values_list("reason", flat=True)) == ["new"]
    # Nothing left to prune: a second run deletes nothing.
    assert set(retention.prune(now).values()) == {0}


def test_prune_deletes_in_chunks(world: SimpleNamespace, monkeypatch: Any) -> None:
    from cityguard.monitoring import services
    from cityguard.monitoring.models import Sensor

    monkeypatch.setattr(retention, "CHUNK", 3)
    calls: list[dict[int, int]] = []
    real = services.readings_deleted
    monkeypatch.setattr(services, "readings_deleted", lambda c: (calls.append(c), real(c)))
    base = _ms(timezone.now())
    Reading.objects.all().delete()
    # Two sensors reading at the same times: a chunk never splits one time between them.
    Reading.objects.bulk_create(
        [
            Reading(sensor=s, ts=base - 100 * DAY - i, value=i)
            for i in range(10)
            for s in (world.west, world.east)
        ]
        + [Reading(sensor=world.west, ts=base - DAY, value=99)]
    )
    Sensor.objects.filter(pk=world.west.pk).update(reading_count=11)
    Sensor.objects.filter(pk=world.east.pk).update(reading_count=10)
    assert retention.prune()["readings"] == 20
    assert list(Reading.objects.values_list("value", flat=True)) == [99]
    # Oldest first, several transactions, each counting what it deleted per sensor.
    assert len(calls) >= 5
    assert all(c[world.west.pk] == c[world.east.pk] for c in calls)
    assert sum(c[world.west.pk] for c in calls) == 10
    world.west.refresh_from_db()
    world.east.refresh_from_db()
    assert (world.west.reading_count, world.east.reading_count) == (1, 0)


def test_defaults_and_bad_settings(settings: Any) -> None:
    assert retention.days("RAW_DAYS") == 30
    assert retention.days("MINUTE_DAYS") == 90
    assert retention.days("HOUR_DAYS") == 1825
    assert retention.days("DEAD_LETTER_DAYS") == 30
    settings.CITYGUARD_MONITORING_RAW_DAYS = "nonsense"
    assert retention.days("RAW_DAYS") == 30
    settings.CITYGUARD_MONITORING_RAW_DAYS = -5
    assert retention.days("RAW_DAYS") == 1


def test_the_nightly_task_runs_prune(world: SimpleNamespace) -> None:
    base = _ms(timezone.now())
    Reading.objects.create(sensor=world.west, ts=base - 400 * DAY, value=1)
    result = retention.prune_monitoring.call_local()
    assert result["readings"] == 1


def test_prune_keeps_the_stored_readings_counter_true(world: SimpleNamespace) -> None:
    from cityguard.monitoring import pipeline
    from cityguard.monitoring.models import Sensor

    now = timezone.now()
    base = _ms(now)
    Reading.objects.all().delete()
    Sensor.objects.update(reading_count=0)
    items = [
        {"sensor": world.west.code, "ts": base - d * DAY, "value": 0.1} for d in (1, 2, 40, 41, 42)
    ]
    assert pipeline.ingest(items, source="http").accepted == 5
    world.west.refresh_from_db()
    assert world.west.reading_count == 5
    assert retention.prune(now)["readings"] == 3
    world.west.refresh_from_db()
    assert world.west.reading_count == Reading.objects.filter(sensor=world.west).count() == 2
