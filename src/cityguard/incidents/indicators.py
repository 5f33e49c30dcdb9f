"""Indicators the incidents and plans apps contribute. Each takes `(user, street)`:

- `user`: None counts the whole district; a user counts only what they may see.
- `street`: a street's jurisdiction code to count only there (and below), or None.

- `active_incidents`: incidents not closed.
- `incidents_last_year`: incidents that occurred in the last 365 days.
- `serious_incidents_last_year`: of those, level 1–3 (较大 and above).
- `deaths_last_year`: deaths in incidents of the last 365 days.
- `plans_overdue_for_revision`: plans in force past their revision date (plans of the
  street's area only when `street` is given).
- `drills_last_year`: drills held in the last 365 days.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet, Sum
from django.utils import timezone

from cityguard.core.models import Jurisdiction

from .choices import Status
from .models import Incident


def _scoped(qs: QuerySet, user: Any, street: str | None, path_field: str) -> QuerySet:
    if user is not None:
        qs = qs.visible_to(user)  # type: ignore[attr-defined]
    if street:
        node = Jurisdiction.objects.filter(code=street).first()
        if node is None:
            return qs.none()
        qs = qs.filter(**{f"{path_field}__startswith": node.path})
    return qs


def _last_year(user: Any, street: str | None) -> QuerySet:
    since = timezone.now() - dt.timedelta(days=365)
    return _scoped(
        Incident.objects.filter(occurred_at__gte=since), user, street, "jurisdiction__path"
    )


def active_incidents(user: Any = None, street: str | None = None) -> int:
    qs = Incident.objects.exclude(status=Status.CLOSED)
    return int(_scoped(qs, user, street, "jurisdiction__path").count())


def incidents_last_year(user: Any = None, street: str | None = None) -> int:
    return int(_last_year(user, street).count())


def serious_incidents_last_year(user: Any = None, street: str | None = None) -> int:
    return int(_last_year(user, street).filter(level__lte=3).count())


def deaths_last_year(user: Any = None, street: str | None = None) -> int:
    return int(_last_year(user, street).aggregate(n=Sum("deaths"))["n"] or 0)


def plans_overdue_for_revision(user: Any = None, street: str | None = None) -> int:
    from cityguard.plans.models import EmergencyPlan

    qs = EmergencyPlan.objects.filter(is_active=True, next_due__lt=timezone.localdate())
    return int(_scoped(qs, user, street, "jurisdiction__path").count())


def drills_last_year(user: Any = None, street: str | None = None) -> int:
    from cityguard.plans.models import Drill

    since = timezone.localdate() - dt.timedelta(days=365)
    qs = Drill.objects.filter(date__gte=since)
    return int(_scoped(qs, user, street, "plan__jurisdiction__path").count())
