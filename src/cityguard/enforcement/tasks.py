"""Periodic jobs of the enforcement app (huey; run inline in tests)."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import services

log = logging.getLogger(__name__)


@db_periodic_task(crontab(hour="6", minute="40"))
def overdue_order_reminders() -> dict[str, int]:
    """Every morning: remind the handlers of orders past their deadline, not re-checked."""
    result = services.remind_overdue_orders()
    log.info("enforcement: overdue order reminders %s", result)
    return result
