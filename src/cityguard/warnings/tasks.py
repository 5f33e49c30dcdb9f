"""Jobs of the warnings app (huey; inline in tests).

- `publish_message(message_id)`: deliver one CAP message (queued after commit by the
  services);
- every minute: expire the warnings whose expiry has passed (their rule contexts are
  released with them).
"""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from . import services

log = logging.getLogger(__name__)


@db_task()
def publish_message(message_id: int) -> int:
    return services.publish(message_id)


@db_periodic_task(crontab(minute="*"))
def expire_warnings() -> int:
    count = services.expire_due()
    if count:
        log.info("warnings: %d expired", count)
    return count
