"""Periodic job of the permits app: expire permits whose window has ended."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import services


@db_periodic_task(crontab(minute="*/10"))
def expire_permits() -> int:
    return services.expire_due()
