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
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cityguard.core.figures import counts_by_street, per_street, scoped
from cityguard.indicators.registry import Indicator, Period, declare

from .choices import IncidentType, Level, Status, Subtype
from .models import Incident


def _last_year(user: Any, street: str | None) -> QuerySet:
    since = timezone.now() - dt.timedelta(days=365)
    return scoped(
        Incident.objects.filter(occurred_at__gte=since), user, street, "jurisdiction__path"
    )


def active_incidents(user: Any = None, street: str | None = None) -> int:
    qs = Incident.objects.exclude(status=Status.CLOSED)
    return int(scoped(qs, user, street, "jurisdiction__path").count())


def incidents_last_year(user: Any = None, street: str | None = None) -> int:
    return int(_last_year(user, street).count())


def serious_incidents_last_year(user: Any = None, street: str | None = None) -> int:
    return int(_last_year(user, street).filter(level__lte=3).count())


def deaths_last_year(user: Any = None, street: str | None = None) -> int:
    return int(_last_year(user, street).aggregate(n=Sum("deaths"))["n"] or 0)


def plans_overdue_for_revision(user: Any = None, street: str | None = None) -> int:
    from cityguard.plans.models import EmergencyPlan

    qs = EmergencyPlan.objects.filter(is_active=True, next_due__lt=timezone.localdate())
    return int(scoped(qs, user, street, "jurisdiction__path").count())


def drills_last_year(user: Any = None, street: str | None = None) -> int:
    from cityguard.plans.models import Drill

    since = timezone.localdate() - dt.timedelta(days=365)
    qs = Drill.objects.filter(date__gte=since)
    return int(scoped(qs, user, street, "plan__jurisdiction__path").count())


# --- the indicators this app declares (see cityguard.indicators.registry) ----------------

MAJOR_LEVELS = (Level.EXTRAORDINARY, Level.SERIOUS)  # 特别重大 and 重大


def _major(user: Any, street: str | None, period: Period, **kinds: Any) -> QuerySet:
    """Incidents graded major or above that occurred in the period's calendar year up to the
    end of its month."""
    start, end = period.bounds(annual=True)
    qs = Incident.objects.filter(
        occurred_at__gte=start, occurred_at__lt=end, level__in=MAJOR_LEVELS, **kinds
    )
    return scoped(qs, user, street, "jurisdiction__path")


def major_accidents(user: Any, street: str | None, period: Period) -> int:
    """The plan's indicator 2: production safety accidents (incident class "accident")
    graded major (重大) or extraordinarily serious (特别重大) this calendar year."""
    return int(_major(user, street, period, type=IncidentType.ACCIDENT).count())


def major_accidents_by_street(user: Any, period: Period) -> dict[str, float | None]:
    qs = _major(user, None, period, type=IncidentType.ACCIDENT)
    return per_street(counts_by_street(qs, "jurisdiction__path"))


def major_fires(user: Any, street: str | None, period: Period) -> int:
    """The plan's indicator 3: fires graded major or above this calendar year."""
    return int(_major(user, street, period, subtype=Subtype.FIRE).count())


def major_fires_by_street(user: Any, period: Period) -> dict[str, float | None]:
    qs = _major(user, None, period, subtype=Subtype.FIRE)
    return per_street(counts_by_street(qs, "jurisdiction__path"))


def _plans_overdue(user: Any, street: str | None, period: Period) -> int:
    return plans_overdue_for_revision(user, street)


def _plans_overdue_by_street(user: Any, period: Period) -> dict[str, float | None]:
    from cityguard.plans.models import EmergencyPlan

    qs = EmergencyPlan.objects.filter(is_active=True, next_due__lt=timezone.localdate())
    return per_street(
        counts_by_street(scoped(qs, user, None, "jurisdiction__path"), "jurisdiction__path")
    )


def _active(user: Any, street: str | None, period: Period) -> int:
    return active_incidents(user, street)


def _active_by_street(user: Any, period: Period) -> dict[str, float | None]:
    qs = scoped(Incident.objects.exclude(status=Status.CLOSED), user, None, "jurisdiction__path")
    return per_street(counts_by_street(qs, "jurisdiction__path"))


declare(
    Indicator(
        code="plan-02",
        name=_("Major and extraordinarily serious production safety accidents"),
        unit=pgettext_lazy("unit", "accidents"),
        target=0,
        comparison="<=",
        binding=True,
        source=_(
            "Incidents register: accidents graded serious (major) or extraordinarily serious "
            "in the calendar year up to the end of the month"
        ),
        compute=major_accidents,
        by_street=major_accidents_by_street,
        order=2,
    )
)
declare(
    Indicator(
        code="plan-03",
        name=_("Major and extraordinarily serious fires"),
        unit=pgettext_lazy("unit", "fires"),
        target=0,
        comparison="<=",
        binding=True,
        source=_(
            "Incidents register: fires graded serious (major) or extraordinarily serious in "
            "the calendar year up to the end of the month"
        ),
        compute=major_fires,
        by_street=major_fires_by_street,
        order=3,
    )
)
declare(
    Indicator(
        code="incidents-active",
        name=_("Incidents not closed"),
        unit=pgettext_lazy("unit", "incidents"),
        target=None,
        comparison="<=",
        binding=False,
        source=_("Incidents register: incidents reported or in response, as of now"),
        compute=_active,
        by_street=_active_by_street,
        order=210,
    )
)
declare(
    Indicator(
        code="plans-overdue-revision",
        name=_("Emergency plans overdue for revision"),
        unit=pgettext_lazy("unit", "plans"),
        target=0,
        comparison="<=",
        binding=False,
        source=_("Emergency plans in force whose revision date has passed, as of today"),
        compute=_plans_overdue,
        by_street=_plans_overdue_by_street,
        order=220,
    )
)
