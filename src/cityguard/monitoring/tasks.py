"""Background jobs of the monitoring app (huey; run inline in tests).

- every minute: the no-data check (offline alarms for silent sensors);
- every ten minutes: prune live-push events older than CITYGUARD_MONITORING_EVENT_KEEP_S.

Alarm notifications are queued after commit by `notify.deliver` (imported here so the
consumer knows the job).
"""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import events, notify, pipeline

log = logging.getLogger(__name__)

__all__ = ["no_data_check", "notify", "prune_events"]


@db_periodic_task(crontab(minute="*"))
def no_data_check() -> dict[str, int]:
    result = pipeline.check_no_data()
    if result["opened"] or result["offline"]:
        log.info("monitoring: no-data check %s", result)
    return result


@db_periodic_task(crontab(minute="*/10"))
def prune_events() -> int:
    deleted = events.prune()
    if deleted:
        log.info("monitoring: %d old events pruned", deleted)
    return deleted
