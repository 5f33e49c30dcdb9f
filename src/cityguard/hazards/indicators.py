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

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cityguard.core.choices import Level
from cityguard.core.figures import per_street
from cityguard.core.models import Jurisdiction
from cityguard.indicators.registry import Indicator, Period, declare

from . import lifecycle
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
    # state = closed ⇔ not open; as an equality it uses the (state, closed_at) indexes.
    closed = hazards(user, street, domain).filter(state=lifecycle.CLOSED, closed_at__gte=since)
    counts = closed.aggregate(n=Count("pk"), on_time=Count("pk", filter=Q(closed_on_time=True)))
    if not counts["n"]:
        return None
    return float(counts["on_time"] / counts["n"])


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


# --- the indicators this app declares (see cityguard.indicators.registry) ----------------


def _street_codes() -> dict[int, str]:
    return dict(Jurisdiction.objects.filter(level=Level.STREET).values_list("pk", "code"))


def _by_street(qs: QuerySet) -> dict[str, float | None]:
    # Grouped by the indexed street column, without a join; ids → codes in one small query.
    rows = qs.order_by().values_list("street_id").annotate(n=Count("pk"))
    codes = _street_codes()
    return per_street({codes[sid]: int(n) for sid, n in rows if sid in codes})


def _open_major(user: Any, street: str | None, period: Period) -> int:
    return open_major_hazards(user, street)


def _open_major_by_street(user: Any, period: Period) -> dict[str, float | None]:
    return _by_street(hazards(user, None).filter(OPEN, severity=Severity.MAJOR))


def _on_time(user: Any, street: str | None, period: Period) -> float | None:
    rate = on_time_rectification_rate(user, street)
    return None if rate is None else round(100.0 * rate, 2)


def _on_time_by_street(user: Any, period: Period) -> dict[str, float | None]:
    since = timezone.now() - timedelta(days=WINDOW_DAYS)
    rows = (
        hazards(user, None)
        .filter(state=lifecycle.CLOSED, closed_at__gte=since)
        .order_by()
        .values_list("street_id")
        .annotate(n=Count("pk"), on_time=Count("pk", filter=Q(closed_on_time=True)))
    )
    codes = _street_codes()
    found = {
        codes[sid]: round(100.0 * on_time / n, 2) for sid, n, on_time in rows if sid in codes and n
    }
    return per_street(found, None)


def _overdue(user: Any, street: str | None, period: Period) -> int:
    return overdue_count(user, street)


def _overdue_by_street(user: Any, period: Period) -> dict[str, float | None]:
    return _by_street(hazards(user, None).overdue())  # type: ignore[attr-defined]


declare(
    Indicator(
        code="hazards-open-major",
        name=_("Open major hazards"),
        unit=pgettext_lazy("unit", "hazards"),
        target=0,
        comparison="<=",
        binding=False,
        source=_("Hazard register: major hazards not yet closed, as of now"),
        compute=_open_major,
        by_street=_open_major_by_street,
        order=110,
    )
)
declare(
    Indicator(
        code="hazards-on-time-rectification",
        name=_("On-time rectification rate"),
        unit="%",
        target=100.0,
        comparison=">=",
        binding=False,
        source=_(
            "Hazard register: hazards closed on or before their deadline ÷ hazards closed, "
            "over the last 12 months"
        ),
        compute=_on_time,
        by_street=_on_time_by_street,
        order=120,
    )
)
declare(
    Indicator(
        code="hazards-overdue",
        name=_("Overdue hazards"),
        unit=pgettext_lazy("unit", "hazards"),
        target=0,
        comparison="<=",
        binding=False,
        source=_("Hazard register: open hazards past their rectification deadline, as of today"),
        compute=_overdue,
        by_street=_overdue_by_street,
        order=130,
    )
)
