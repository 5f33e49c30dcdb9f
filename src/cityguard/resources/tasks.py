"""Background jobs of the resources app."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import services

log = logging.getLogger(__name__)


@db_periodic_task(crontab(hour="6", minute="10"))
def rotation_alerts() -> dict[str, int]:
    """Every morning: open a rotation alert for each lot that expires within the window
    (config.rotation_days) and resolve those rotated out or emptied."""
    result = services.raise_rotation_alerts()
    log.info("resources: rotation alerts %s", result)
    return result
