"""Periodic jobs of the special-equipment app (huey; run inline in tests)."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import services

log = logging.getLogger(__name__)


@db_periodic_task(crontab(hour="6", minute="20"))
def inspection_reminders() -> dict[str, int]:
    """Every morning: raise (and e-mail) reminders for units whose periodic inspection
    falls due within the window or is overdue; resolve those inspected since."""
    result = services.raise_reminders()
    log.info("equipment: inspection reminders %s", result)
    return result
