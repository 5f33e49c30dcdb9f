"""Periodic jobs of the permits app: expire permits whose window has ended; suspend hot work
that has not had its gas analysed today."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import services


@db_periodic_task(crontab(minute="*/10"))
def expire_permits() -> int:
    return services.expire_due()


@db_periodic_task(crontab(minute="*/10"))
def daily_gas_analysis() -> int:
    return services.suspend_for_daily_analysis()
