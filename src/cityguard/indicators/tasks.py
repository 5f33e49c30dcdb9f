"""Background jobs of the indicators app: the monthly snapshots.

Every night the current month's values are stored (so the month's last run, on its last
day, is its final value); on the 1st the month just ended is stored once more, so a
figure entered late on its last day still counts.
"""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import services

log = logging.getLogger(__name__)


@db_periodic_task(crontab(hour="23", minute="50"))
def snapshot_current_month() -> dict[str, int]:
    result = services.snapshot()
    log.info("indicators: snapshot of %s: %s", services.current_period(), result)
    return result


@db_periodic_task(crontab(day="1", hour="0", minute="20"))
def snapshot_month_end() -> dict[str, int]:
    period = services.current_period().previous()
    result = services.snapshot(period)
    log.info("indicators: month-end snapshot of %s: %s", period, result)
    return result
