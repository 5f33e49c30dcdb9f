"""Figures and the indicator of the warnings app.

"warning-coverage" (plan §五(三)2, target ≥ 95 %, expected): of the recipients in the
areas of the warnings issued in the period (the month asked for), the share reached by
at least one channel. A recipient counts once per warning whatever the channels; failed
deliveries do not count. Per street: the recipients in that street.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cityguard.indicators.registry import Indicator, Period, declare

from .models import Delivery, Warning


def _bounds(period: Period) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(period.start, time.min), tz)
    end = timezone.make_aware(datetime.combine(period.end, time.min), tz)
    return start, end


def coverage_percent(user: Any, street: str | None, period: Period) -> float | None:
    from .services import coverage_of

    start, end = _bounds(period)
    warnings = Warning.objects.all() if user is None else Warning.objects.visible_to(user)
    warnings = warnings.filter(issued_at__gte=start, issued_at__lt=end)
    deliveries = Delivery.objects.filter(warning__in=warnings.values("pk"))
    if street:
        deliveries = deliveries.filter(street__code=street)
    return coverage_of(deliveries).percent


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
        order=40,
    )
)
