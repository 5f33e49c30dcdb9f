"""Figures of the hazards app that the indicators (and dashboards) use.

Each function takes `(user_or_None, street_code_or_None)` — None for the user means the
whole district without scoping (the indicators' own computation); a user narrows to what
they may see; a street code narrows to that street (an unknown code counts nothing) —
and optionally `domain=` a risk domain code. All return plain numbers:

- `open_major_hazards`: major hazards not yet closed.
- `on_time_rectification_rate`: of the hazards closed in the last 12 months, the share
  closed on or before their deadline, 0.0–1.0; None when none was closed.
- `overdue_count`: open hazards whose deadline has passed (today in Asia/Shanghai).
- `recurrence_count`: hazards reported in the last 12 months that were found again at a
  unit inside its look-back window, in the same domain.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from .choices import Severity
from .models import OPEN, Hazard

WINDOW_DAYS = 365


def hazards(user: Any, street: str | None, domain: str | None = None) -> QuerySet[Hazard]:
    qs = Hazard.objects.all() if user is None else Hazard.objects.visible_to(user)
    if street:
        qs = qs.filter(street__code=street)
    if domain:
        qs = qs.filter(domain__code=domain)
    return qs


def open_major_hazards(user: Any, street: str | None = None, *, domain: str | None = None) -> int:
    return hazards(user, street, domain).filter(OPEN, severity=Severity.MAJOR).count()


def on_time_rectification_rate(
    user: Any, street: str | None = None, *, domain: str | None = None
) -> float | None:
    since = timezone.now() - timedelta(days=WINDOW_DAYS)
    closed = hazards(user, street, domain).filter(is_open=False, closed_at__gte=since)
    total = closed.count()
    if not total:
        return None
    return closed.filter(closed_on_time=True).count() / total


def overdue_count(user: Any, street: str | None = None, *, domain: str | None = None) -> int:
    return hazards(user, street, domain).overdue().count()  # type: ignore[attr-defined]


def recurrence_count(user: Any, street: str | None = None, *, domain: str | None = None) -> int:
    since = timezone.now() - timedelta(days=WINDOW_DAYS)
    return hazards(user, street, domain).filter(is_recurrence=True, reported_at__gte=since).count()


FIGURES = {
    "open_major_hazards": open_major_hazards,
    "on_time_rectification_rate": on_time_rectification_rate,
    "overdue_count": overdue_count,
    "recurrence_count": recurrence_count,
}
