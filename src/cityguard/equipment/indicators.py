"""Figures and indicators of the special-equipment app.

Figures take `(user_or_None, street_code_or_None)`: None for the user counts the whole
district; a user only what they may see; a street code only that street (an unknown code
counts nothing).

- `overdue_count`: registered units in use past their inspection date or never inspected.
- `due_soon_count`: registered units in use due within the window (config.due_days).
- `unregistered_count`: units recorded as unregistered (or in use without a number).

Indicator plan-05 (约束性, target 100 %): of the units at crowded places and high-rise
buildings (scrapped/cancelled ones left out), the share that are registered — in use with a
registration number — and within their inspection date at the end of the month asked for
(today, for the current month): the inspection in force then is the latest one on or
before that day; it must not have failed and its next due date must not have passed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _

from cityguard.core.choices import PlaceKind
from cityguard.core.figures import per_street, street_of
from cityguard.core.models import Jurisdiction
from cityguard.indicators.registry import Indicator, Period, declare

from . import services
from .choices import EquipmentStatus, InspectionResult
from .models import Equipment, Inspection

PLAN_PLACE_KINDS = (PlaceKind.CROWDED_PLACE, PlaceKind.HIGH_RISE)


def units(user: Any, street: str | None) -> QuerySet:
    qs = Equipment.objects.all() if user is None else Equipment.objects.visible_to(user)
    if street:
        node = Jurisdiction.objects.filter(code=street).first()
        if node is None:
            return qs.none()
        qs = qs.filter(jurisdiction__path__startswith=node.path)
    return qs


def overdue_count(user: Any = None, street: str | None = None) -> int:
    return int(services.overdue(units(user, street)).count())


def due_soon_count(user: Any = None, street: str | None = None, days: int | None = None) -> int:
    return int(services.due_soon(units(user, street), days).count())


def unregistered_count(user: Any = None, street: str | None = None) -> int:
    return int(services.unregistered(units(user, street)).count())


def as_of(period: Period, today: dt.date | None = None) -> dt.date:
    """The last day of the month, or today for the current (or a future) month."""
    today = today or services.today()
    return min(period.end - dt.timedelta(days=1), today)


def _plan_units(user: Any, street: str | None) -> QuerySet:
    return (
        units(user, street)
        .filter(place__kind__in=PLAN_PLACE_KINDS)
        .exclude(status=EquipmentStatus.SCRAPPED)
    )


def _rates(base: QuerySet, day: dt.date, by_street: bool) -> dict[str | None, float | None]:
    """plan-05 in % keyed by street code (`by_street`; units above street level left out)
    or under the single key None; a key with no unit is absent."""
    registered = Q(status=EquipmentStatus.IN_USE, registration_no__isnull=False) & ~Q(
        registration_no=""
    )

    def key(path: str | None) -> str | None:
        return street_of(path) if by_street else None

    # A unit whose latest inspection is on or before the day has it in force then: its
    # denormalised next due date and result answer (always so for the current month, as
    # no inspection may lie in the future). Only units inspected after the day need the
    # inspection in force then, looked up by a correlated subquery. One query counts all
    # three (per jurisdiction, summed per street).
    rows = (
        base.order_by()
        .values_list("jurisdiction__path")
        .annotate(
            total=Count("pk"),
            good=Count(
                "pk",
                filter=registered
                & Q(last_inspection_on__lte=day, next_inspection_due__gte=day)
                & ~Q(last_result=InspectionResult.FAIL),
            ),
            later=Count("pk", filter=registered & Q(last_inspection_on__gt=day)),
        )
    )
    totals: dict[str | None, int] = {}
    good: dict[str | None, int] = {}
    later = 0
    for path, n_total, n_good, n_later in rows:
        k = key(path)
        if by_street and k is None:
            continue
        totals[k] = totals.get(k, 0) + n_total
        good[k] = good.get(k, 0) + n_good
        later += n_later
    if later:
        latest = Inspection.objects.filter(
            equipment=OuterRef("pk"), inspected_on__lte=day
        ).order_by("-inspected_on", "-id")
        extra = (
            base.filter(registered, last_inspection_on__gt=day)
            .annotate(
                due=Subquery(latest.values("next_due")[:1]),
                result=Subquery(latest.values("result")[:1]),
            )
            .filter(due__gte=day)
            .exclude(result=InspectionResult.FAIL)
            .order_by()
            .values_list("jurisdiction__path")
            .annotate(n=Count("pk"))
        )
        for path, n in extra:
            k = key(path)
            if k in totals:
                good[k] = good.get(k, 0) + n
    return {k: round(100.0 * good.get(k, 0) / n, 1) for k, n in totals.items() if n}


def registration_and_inspection_rate(
    user: Any, street: str | None, period: Period, today: dt.date | None = None
) -> float | None:
    """plan-05 in %; None when no unit stands at a crowded place or high-rise."""
    return _rates(_plan_units(user, street), as_of(period, today), False).get(None)


def registration_and_inspection_by_street(
    user: Any, period: Period, today: dt.date | None = None
) -> dict[str, float | None]:
    """plan-05 for every street at once (None where no unit stands)."""
    found = _rates(_plan_units(user, None), as_of(period, today), True)
    return per_street({k: v for k, v in found.items() if k}, None)


FIGURES = {
    "overdue_count": overdue_count,
    "due_soon_count": due_soon_count,
    "unregistered_count": unregistered_count,
}

declare(
    Indicator(
        code="plan-05",
        name=_(
            "Special equipment registration and inspection rate (crowded places and high-rises)"
        ),
        unit="%",
        target=100.0,
        comparison=">=",
        binding=True,
        source=_(
            "Special equipment registry: units at crowded places and high-rise buildings that "
            "are registered and within their inspection date ÷ all such units (scrapped ones "
            "left out), at the end of the month"
        ),
        compute=registration_and_inspection_rate,
        by_street=registration_and_inspection_by_street,
        order=5,
    )
)
