"""Figures and the indicator of the warnings app.

"warning-coverage" (plan §五(三)2, target ≥ 95 %, expected): of the recipients in the
areas of the warnings issued in the period (the month asked for), the share reached by
at least one channel. A recipient counts once per warning whatever the channels; failed
deliveries do not count. Per street: the recipients in that street.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cityguard.core.figures import per_street
from cityguard.indicators.registry import Indicator, Period, declare

from .models import Delivery, Warning


def _bounds(period: Period) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(period.start, time.min), tz)
    end = timezone.make_aware(datetime.combine(period.end, time.min), tz)
    return start, end


def _deliveries(user: Any, period: Period) -> Any:
    start, end = _bounds(period)
    warnings = Warning.objects.all() if user is None else Warning.objects.visible_to(user)
    warnings = warnings.filter(issued_at__gte=start, issued_at__lt=end)
    return Delivery.objects.filter(warning__in=warnings.values("pk"))


def _counted(deliveries: Any, *group: str) -> Any:
    """Per `group` and warning: the distinct recipients (contacts) and those reached by a
    sent delivery — how `services.coverage_of` counts them, in one grouped query."""
    from .choices import Audience, DeliveryStatus

    return (
        deliveries.filter(audience=Audience.CONTACT)
        .order_by()
        .values_list(*group, "warning_id")
        .annotate(
            total=Count("recipient_key", distinct=True),
            reached=Count("recipient_key", distinct=True, filter=Q(status=DeliveryStatus.SENT)),
        )
    )


def _percent(total: int, reached: int) -> float | None:
    return round(100.0 * reached / total, 1) if total else None


def coverage_by_street(user: Any, period: Period) -> dict[str, float | None]:
    """Every street's coverage from one grouped query (a street's recipients are those
    whose delivery rows name that street)."""
    totals: dict[str, list[int]] = {}
    for code, _warning, total, reached in _counted(
        _deliveries(user, period).filter(street__isnull=False), "street__code"
    ):
        entry = totals.setdefault(code, [0, 0])
        entry[0] += total
        entry[1] += reached
    return per_street({code: _percent(t, r) for code, (t, r) in totals.items()}, None)


def coverage_percent(user: Any, street: str | None, period: Period) -> float | None:
    deliveries = _deliveries(user, period)
    if street:
        deliveries = deliveries.filter(street__code=street)
    rows = list(_counted(deliveries))
    return _percent(sum(r[1] for r in rows), sum(r[2] for r in rows))


def active_warnings(user: Any, street: str | None = None) -> int:
    qs = Warning.objects.all() if user is None else Warning.objects.visible_to(user)
    qs = qs.active()
    if street:
        qs = qs.filter(streets__code=street)
    return qs.distinct().count()


FIGURES = {"active_warnings": active_warnings, "coverage_percent": coverage_percent}

declare(
    Indicator(
        code="warning-coverage",
        name=_("Warning public coverage"),
        unit="%",
        target=95.0,
        comparison=">=",
        binding=False,
        source=_(
            "Warnings: recipients reached by at least one channel ÷ recipients in the warned "
            "areas, over the warnings issued in the period"
        ),
        compute=coverage_percent,
        by_street=coverage_by_street,
        order=40,
    )
)
