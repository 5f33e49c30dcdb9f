"""Figures of the permits app for the indicators registry.

- `permits-active`: permits with work in progress or suspended now (live count).
- `permits-overrun`: permits whose window ended in the month and that were not closed
  inside it (expired, or accepted after the window's end) — the ones used or left open
  beyond their validity.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cityguard.core.figures import counts_by_street, per_street
from cityguard.core.models import Jurisdiction
from cityguard.indicators.registry import Indicator, Period, declare

from .models import Permit


def _permits(user: Any, street: str | None) -> QuerySet:
    qs = Permit.objects.all() if user is None else Permit.objects.visible_to(user)
    if street:
        node = Jurisdiction.objects.filter(code=street).first()
        if node is None:
            return qs.none()
        qs = qs.filter(organization__jurisdiction__path__startswith=node.path)
    return qs


def _aware(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def active(user: Any, street: str | None, period: Period) -> float | None:
    return float(_active(_permits(user, street)).count())


def _active(qs: QuerySet) -> QuerySet:
    return qs.filter(state__in=("in_progress", "suspended"))


def _overrun(qs: QuerySet, period: Period) -> QuerySet:
    qs = qs.filter(valid_to__gte=_aware(period.start), valid_to__lt=_aware(period.end))
    return qs.filter(Q(state="expired") | Q(state="closed", closed_at__gt=F("valid_to")))


def overrun(user: Any, street: str | None, period: Period) -> float | None:
    return float(_overrun(_permits(user, street), period).count())


def _by_street(qs: QuerySet) -> dict[str, float | None]:
    found = counts_by_street(qs, "organization__jurisdiction__path")
    return per_street({code: float(n) for code, n in found.items()}, 0.0)


def active_by_street(user: Any, period: Period) -> dict[str, float | None]:
    return _by_street(_active(_permits(user, None)))


def overrun_by_street(user: Any, period: Period) -> dict[str, float | None]:
    return _by_street(_overrun(_permits(user, None), period))


declare(
    Indicator(
        code="permits-active",
        name=_("Special work in progress"),
        unit=pgettext_lazy("unit", "permits"),  # type: ignore[arg-type]  # type: ignore[arg-type]
        target=None,
        comparison=">=",
        binding=False,
        source=_("Work permits: in progress or suspended now"),
        compute=active,
        by_street=active_by_street,
        order=220,
    )
)
declare(
    Indicator(
        code="permits-overrun",
        name=_("Work permits not closed within their window"),
        unit=pgettext_lazy("unit", "permits"),  # type: ignore[arg-type]  # type: ignore[arg-type]
        target=0.0,
        comparison="<=",
        binding=False,
        source=_(
            "Work permits whose window ended in the month: expired, or accepted after the end"
        ),
        compute=overrun,
        by_street=overrun_by_street,
        order=221,
    )
)
