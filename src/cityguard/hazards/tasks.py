"""Periodic jobs of the hazards app (huey; run inline in tests).

- every hour, at minute 5: escalate overdue hazards to the district (once each) and
  forget old tip attempts;
- every Monday at 02:30: sample units due for look-back and schedule their inspections.
"""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import antispam, services

log = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="5"))
def escalate_overdue_hazards() -> int:
    escalated = services.escalate_overdue()
    purged = antispam.purge()
    if escalated or purged:
        log.info(
            "hazards: %d escalated to the district, %d old tip attempts purged", escalated, purged
        )
    return escalated


@db_periodic_task(crontab(day_of_week="1", hour="2", minute="30"))
def sample_lookback_units() -> int:
    created = services.sample_lookbacks()
    if created:
        log.info("hazards: %d look-back inspections scheduled", len(created))
    return len(created)
