"""Background jobs of the risk register."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import indicators

log = logging.getLogger(__name__)


@db_periodic_task(crontab(hour="6", minute="30"))
def report_overdue() -> dict[str, int]:
    """Every morning: log how many reassessments are overdue in each street, so the
    operations log shows the backlog the dashboards show. Returns street code → count."""
    by_street: dict[str, int] = {}
    for code in indicators.counts_by_level_per_street(None, None):
        n = indicators.overdue_reassessments(None, code)
        if n:
            by_street[code] = n
    total = sum(by_street.values())
    if total:
        log.warning("risk: %d reassessments overdue (%s)", total, by_street)
    else:
        log.info("risk: no reassessment overdue")
    return by_street
