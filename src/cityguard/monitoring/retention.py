"""Retention of monitoring data, pruned every night.

- raw readings: CITYGUARD_MONITORING_RAW_DAYS (30) days;
- minute aggregates: CITYGUARD_MONITORING_MINUTE_DAYS (90) days;
- hour aggregates: CITYGUARD_MONITORING_HOUR_DAYS (1825) days;
- dead letters: CITYGUARD_MONITORING_DEAD_LETTER_DAYS (30) days.

Readings are deleted oldest first, a chunk of their (ts, sensor) key at a time; aggregates
sensor by sensor through their (sensor, period, start) unique index: a night's pruning
never scans the whole table nor holds one long write lock, so ingestion goes on in between.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import services
from .choices import Period
from .models import Aggregate, DeadLetter, Reading, Sensor

log = logging.getLogger(__name__)

CHUNK = 5000
DAY_MS = 86_400_000
DEFAULTS = {"RAW_DAYS": 30, "MINUTE_DAYS": 90, "HOUR_DAYS": 1825, "DEAD_LETTER_DAYS": 30}


def days(name: str) -> float:
    """A retention period in days from settings (CITYGUARD_MONITORING_<name>); at least
    one day, whatever the setting says."""
    value: Any = getattr(settings, f"CITYGUARD_MONITORING_{name}", None)
    try:
        number = float(value) if value not in (None, "") else float(DEFAULTS[name])
    except (TypeError, ValueError):
        number = float(DEFAULTS[name])
    return max(1.0, number)


def _delete_chunks(qs: Any, model: Any, on_deleted: Callable[[int], None] | None = None) -> int:
    """Delete the rows of `qs` a chunk at a time, each chunk in its own transaction
    (`on_deleted(n)` runs inside it, to keep counters in step with the deletion)."""
    total = 0
    while True:
        ids = list(qs.values_list("id", flat=True)[:CHUNK])
        if not ids:
            return total
        with transaction.atomic():
            deleted, _detail = model.objects.filter(id__in=ids).delete()
            if on_deleted is not None:
                on_deleted(deleted)
        total += deleted
        if len(ids) < CHUNK:
            return total


def _prune_readings(cut: int) -> int:
    """Delete readings older than `cut` (ms), oldest first, CHUNK at a time; each chunk's
    transaction also lowers the sensors' reading counters by what went."""
    total = 0
    while True:
        with transaction.atomic():
            # The chunk ends at the time of its CHUNK-th reading (all readings at that same
            # time go too, so a chunk may be a little larger).
            nth = (
                Reading.objects.filter(ts__lt=cut)
                .order_by("ts")
                .values_list("ts", flat=True)[CHUNK : CHUNK + 1]
            )
            last = list(nth)
            upto = min(cut, last[0] + 1) if last else cut
            doomed = Reading.objects.filter(ts__lt=upto)
            per_sensor = dict(
                doomed.order_by()
                .values("sensor_id")
                .annotate(n=Count("*"))
                .values_list("sensor_id", "n")
            )
            if not per_sensor:
                return total
            deleted, _detail = doomed.delete()
            services.readings_deleted(per_sensor)
        total += deleted
        if not last:
            return total


def prune(now: dt.datetime | None = None) -> dict[str, int]:
    """Delete what has outlived its retention; returns how many rows of each went."""
    now = now or timezone.now()
    now_ms = int(now.timestamp() * 1000)
    raw_cut = now_ms - int(days("RAW_DAYS") * DAY_MS)
    minute_cut = now_ms - int(days("MINUTE_DAYS") * DAY_MS)
    hour_cut = now_ms - int(days("HOUR_DAYS") * DAY_MS)
    result = {"readings": 0, "minute_aggregates": 0, "hour_aggregates": 0, "dead_letters": 0}
    result["readings"] = _prune_readings(raw_cut)
    for sensor_id in Sensor.objects.order_by("id").values_list("id", flat=True).iterator():
        result["minute_aggregates"] += _delete_chunks(
            Aggregate.objects.filter(
                sensor_id=sensor_id, period=Period.MINUTE, start__lt=minute_cut
            ).order_by("start"),
            Aggregate,
        )
        result["hour_aggregates"] += _delete_chunks(
            Aggregate.objects.filter(
                sensor_id=sensor_id, period=Period.HOUR, start__lt=hour_cut
            ).order_by("start"),
            Aggregate,
        )
    dead_cut = now - dt.timedelta(days=days("DEAD_LETTER_DAYS"))
    result["dead_letters"] = _delete_chunks(
        DeadLetter.objects.filter(received_at__lt=dead_cut).order_by("received_at"), DeadLetter
    )
    return result


@db_periodic_task(crontab(hour="3", minute="25"))
def prune_monitoring() -> dict[str, int]:
    """Every night: drop readings, aggregates and dead letters past their retention."""
    result = prune()
    log.info("monitoring: retention %s", result)
    return result


# The sensor import adds its route to the monitoring API router, which must happen before
# `cityguard.api` mounts the routers; this module is imported when the app is ready.
from . import imports as _imports  # noqa: E402,F401
