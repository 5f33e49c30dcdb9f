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
    return float(_permits(user, street).filter(state__in=("in_progress", "suspended")).count())


def overrun(user: Any, street: str | None, period: Period) -> float | None:
    qs = _permits(user, street).filter(
        valid_to__gte=_aware(period.start), valid_to__lt=_aware(period.end)
    )
    late = qs.filter(Q(state="expired") | Q(state="closed", closed_at__gt=F("valid_to")))
    return float(late.count())


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
        order=221,
    )
)
