"""Indicators the risk register contributes. Each takes `(user, street)`:

- `user`: None counts the whole district; a user counts only what they may see.
- `street`: a street's jurisdiction code to count only there (and below), or None.

Only active risk points count. "Current" means assessed and not past its reassessment date.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cityguard.core.choices import OrganizationKind
from cityguard.core.figures import counts_by_street, per_street, scoped
from cityguard.core.models import Organization
from cityguard.indicators.registry import Indicator, Period, declare

from . import scoring, services
from .models import RiskPoint

LEVEL_KEYS = (*scoring.LEVELS, "unassessed")


def active_points(user: Any = None, street: str | None = None) -> QuerySet:
    return scoped(RiskPoint.objects.filter(is_active=True), user, street, "jurisdiction__path")


def counts_by_level(user: Any = None, street: str | None = None) -> dict[str, int]:
    """Active risk points by level: {"major", "large", "general", "low", "unassessed"} → n."""
    rows = active_points(user, street).order_by().values_list("level").annotate(n=Count("id"))
    found = {(level or "unassessed"): n for level, n in rows}
    return {key: found.get(key, 0) for key in LEVEL_KEYS}


def counts_by_level_per_street(
    user: Any = None, street: str | None = None
) -> dict[str, dict[str, int]]:
    """Street code → counts by level (as `counts_by_level`), for streets with any point."""
    out: dict[str, dict[str, int]] = {}
    rows = (
        active_points(user, street)
        .order_by()
        .values_list("jurisdiction__path", "level")
        .annotate(n=Count("id"))
    )
    for path, level, n in rows:
        code = services.street_of_path(path)
        if code is None:
            continue
        counts = out.setdefault(code, dict.fromkeys(LEVEL_KEYS, 0))
        counts[level or "unassessed"] += n
    return out


def overdue_reassessments(
    user: Any = None, street: str | None = None, today: dt.date | None = None
) -> int:
    """Active risk points past their reassessment date."""
    return services.overdue(active_points(user, street), today).count()


def park_risk_assessment_rate(
    user: Any = None, street: str | None = None, today: dt.date | None = None
) -> float | None:
    """The plan's indicator 10 (园区安全风险评估率), in per cent (0–100).

    The share of active park organisations (`Organization.kind == "park"`) with at least one
    active risk point of their own whose assessment is current (assessed, and its
    reassessment date not passed). None when there are no parks to measure."""
    today = today or timezone.localdate()
    parks = scoped(
        Organization.objects.filter(kind=OrganizationKind.PARK, is_active=True),
        user,
        street,
        "jurisdiction__path",
    )
    total = parks.count()
    if not total:
        return None
    assessed = (
        parks.filter(
            risk_points__is_active=True,
            risk_points__level_rank__gt=0,
            risk_points__next_due__gte=today,
        )
        .distinct()
        .count()
    )
    return round(100.0 * assessed / total, 2)


# --- the indicators this app declares (see cityguard.indicators.registry) ----------------


def _parks(user: Any, street: str | None) -> QuerySet:
    return scoped(
        Organization.objects.filter(kind=OrganizationKind.PARK, is_active=True),
        user,
        street,
        "jurisdiction__path",
    )


def _park_rate(user: Any, street: str | None, period: Period) -> float | None:
    return park_risk_assessment_rate(user, street)


def _park_rate_by_street(user: Any, period: Period) -> dict[str, float | None]:
    today = timezone.localdate()
    parks = _parks(user, None)
    total = counts_by_street(parks, "jurisdiction__path")
    assessed = counts_by_street(
        Organization.objects.filter(
            pk__in=parks.filter(
                risk_points__is_active=True,
                risk_points__level_rank__gt=0,
                risk_points__next_due__gte=today,
            ).values("pk")
        ),
        "jurisdiction__path",
    )
    return per_street(
        {code: round(100.0 * assessed.get(code, 0) / n, 2) for code, n in total.items() if n},
        None,
    )


def _overdue(user: Any, street: str | None, period: Period) -> int:
    return overdue_reassessments(user, street)


def _overdue_by_street(user: Any, period: Period) -> dict[str, float | None]:
    qs = services.overdue(active_points(user, None))
    return per_street(counts_by_street(qs, "jurisdiction__path"))


declare(
    Indicator(
        code="plan-10",
        name=_("Park risk assessment rate"),
        unit="%",
        target=100.0,
        comparison=">=",
        binding=True,
        source=_(
            "Risk register: parks with a current assessment of at least one of their risk "
            "points ÷ all active parks, as of today"
        ),
        compute=_park_rate,
        by_street=_park_rate_by_street,
        order=10,
    )
)
declare(
    Indicator(
        code="risk-overdue-reassessments",
        name=_("Overdue reassessments"),
        unit=pgettext_lazy("unit", "risk points"),
        target=0,
        comparison="<=",
        binding=False,
        source=_("Risk register: active risk points past their reassessment date, as of today"),
        compute=_overdue,
        by_street=_overdue_by_street,
        order=230,
    )
)
