"""Counts of hazards for the dashboard's charts and `GET /api/v1/hazards/stats`: by state,
domain, street and month, over whatever (already scoped) queryset is given."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from cityguard.core.choices import Level
from cityguard.core.models import Jurisdiction

from . import lifecycle
from .choices import HazardState, Severity
from .models import OPEN, Hazard

MONTHS = 12


def month_starts(today: date, months: int = MONTHS) -> list[date]:
    """The first days of the last `months` months, oldest first, this month last."""
    out = []
    year, month = today.year, today.month
    for _i in range(months):
        out.append(date(year, month, 1))
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return out[::-1]


def by_state(qs: QuerySet[Hazard]) -> list[dict[str, Any]]:
    counts = dict(qs.order_by().values_list("state").annotate(n=Count("id")))  # type: ignore[arg-type]
    return [
        {
            "key": s,
            "label": str(HazardState(s).label),
            "count": counts.get(s, 0),
            "colour": HazardState.colour_of(s),
        }
        for s in lifecycle.STATES
    ]


def by_domain(qs: QuerySet[Hazard]) -> list[dict[str, Any]]:
    from cityguard.risk.models import Domain

    counts = dict(qs.order_by().values_list("domain_id").annotate(n=Count("id")))  # type: ignore[arg-type]
    domains = Domain.objects.filter(pk__in=list(counts))
    rows = [
        {"key": d.code, "label": d.name, "count": counts[d.pk], "colour": "#1565c0"}
        for d in domains
    ]
    return sorted(rows, key=lambda r: -r["count"])


def by_street(qs: QuerySet[Hazard]) -> list[dict[str, Any]]:
    counts = dict(qs.order_by().values_list("street_id").annotate(n=Count("id")))  # type: ignore[arg-type]
    streets = {j.pk: j for j in Jurisdiction.objects.filter(pk__in=[k for k in counts if k])}
    rows = [
        {"key": streets[k].code, "label": streets[k].name, "count": n, "colour": "#1565c0"}
        for k, n in counts.items()
        if k in streets
    ]
    if counts.get(None):
        rows.append(
            {"key": "", "label": _("District level"), "count": counts[None], "colour": "#90a4ae"}
        )
    return sorted(rows, key=lambda r: -r["count"])


def by_month(qs: QuerySet[Hazard], today: date | None = None) -> list[dict[str, Any]]:
    """Hazards reported per month over the last twelve months (local time)."""
    today = today or timezone.localdate()
    starts = month_starts(today)
    tz = timezone.get_current_timezone()
    since = timezone.make_aware(datetime.combine(starts[0], time.min), tz)
    rows = (
        qs.filter(reported_at__gte=since)
        .order_by()
        .annotate(month=TruncMonth("reported_at", tzinfo=tz))
        .values_list("month")
        .annotate(n=Count("id"))
    )
    counts: dict[date, int] = {}
    for month, n in rows:
        key = month.date() if isinstance(month, datetime) else month
        counts[key] = counts.get(key, 0) + n
    return [
        {
            "key": m.strftime("%Y-%m"),
            "label": m.strftime("%Y-%m"),
            "count": counts.get(m, 0),
            "colour": "#1565c0",
        }
        for m in starts
    ]


def summary(qs: QuerySet[Hazard], today: date | None = None) -> dict[str, Any]:
    today = today or timezone.localdate()
    since = timezone.now() - timedelta(days=365)
    closed = qs.filter(is_open=False, closed_at__gte=since)
    n_closed = closed.count()
    return {
        "total": qs.count(),
        "open": qs.filter(OPEN).count(),
        "open_major": qs.filter(OPEN, severity=Severity.MAJOR).count(),
        "overdue": qs.filter(OPEN, deadline__lt=today).count(),
        "escalated": qs.filter(OPEN, escalated_at__isnull=False).count(),
        "recurrences": qs.filter(is_recurrence=True, reported_at__gte=since).count(),
        "on_time_rate": (closed.filter(closed_on_time=True).count() / n_closed)
        if n_closed
        else None,
    }


def street_table(qs: QuerySet[Hazard], today: date | None = None) -> list[dict[str, Any]]:
    """One row per street: open, open major, overdue, escalated, closed on time (12 months)."""
    today = today or timezone.localdate()
    since = timezone.now() - timedelta(days=365)

    def per_street(q: QuerySet[Hazard]) -> dict[Any, int]:
        return dict(q.order_by().values_list("street_id").annotate(n=Count("id")))  # type: ignore[arg-type]

    open_ = per_street(qs.filter(OPEN))
    major = per_street(qs.filter(OPEN, severity=Severity.MAJOR))
    overdue = per_street(qs.filter(OPEN, deadline__lt=today))
    escalated = per_street(qs.filter(OPEN, escalated_at__isnull=False))
    closed = per_street(qs.filter(is_open=False, closed_at__gte=since))
    on_time = per_street(qs.filter(is_open=False, closed_at__gte=since, closed_on_time=True))
    ids = set(open_) | set(closed)
    streets = Jurisdiction.objects.filter(
        pk__in=[i for i in ids if i], level=Level.STREET
    ).order_by("path")
    rows = []
    for s in streets:
        n_closed = closed.get(s.pk, 0)
        rows.append(
            {
                "street": s,
                "open": open_.get(s.pk, 0),
                "major": major.get(s.pk, 0),
                "overdue": overdue.get(s.pk, 0),
                "escalated": escalated.get(s.pk, 0),
                "closed": n_closed,
                "on_time_rate": (on_time.get(s.pk, 0) / n_closed) if n_closed else None,
            }
        )
    return rows
