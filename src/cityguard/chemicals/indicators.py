"""Figures of the chemicals app for dashboards and the plan's indicators.

Every function takes `(user_or_None, street_code_or_None)`: with a user, only what that
user may see counts; None counts everything (for system reports). With a street code, only
records in that street (or below it) count; an unknown street code counts nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cityguard.core.figures import counts_by_street, per_street, scoped
from cityguard.indicators.registry import Indicator, Period, declare

from .choices import LicenceStatus, SourceStatus
from .models import Flow, Licence, MajorHazardSource, StockCount, Unit


def major_hazard_sources(user: Any, street: str | None, grade: int | None = None) -> int:
    """Active major hazard sources (of one grade, 1–4, when given)."""
    qs = MajorHazardSource.objects.filter(status=SourceStatus.ACTIVE)
    if grade is not None:
        qs = qs.filter(grade=grade)
    return scoped(qs, user, street, "unit__jurisdiction__path").count()


def chemical_units(user: Any, street: str | None) -> int:
    """Production and storage units in use."""
    qs = Unit.objects.filter(is_active=True)
    return scoped(qs, user, street, "jurisdiction__path").count()


def chemical_enterprises(user: Any, street: str | None) -> int:
    """Organisations with at least one unit in use."""
    qs = Unit.objects.filter(is_active=True)
    return scoped(qs, user, street, "jurisdiction__path").values("organization").distinct().count()


def valid_licences(user: Any, street: str | None, on: dt.date | None = None) -> int:
    """Licences issued and within their validity on `on` (today)."""
    on = on or timezone.localdate()
    qs = Licence.objects.filter(
        status=LicenceStatus.ISSUED, valid_from__lte=on, valid_until__gte=on
    )
    return scoped(qs, user, street, "organization__jurisdiction__path").count()


def cancelled_licences(user: Any, street: str | None, since: dt.date | None = None) -> int:
    """Licences cancelled (since a date, when given) — the plan counts them per period."""
    qs = Licence.objects.filter(status=LicenceStatus.CANCELLED)
    if since is not None:
        qs = qs.filter(status_date__gte=since)
    return scoped(qs, user, street, "organization__jurisdiction__path").count()


def expiring_licences(user: Any, street: str | None, days: int = 90) -> int:
    """Issued licences whose validity ends within `days` days from today (not yet past)."""
    today = timezone.localdate()
    qs = Licence.objects.filter(
        status=LicenceStatus.ISSUED,
        valid_until__gte=today,
        valid_until__lte=today + dt.timedelta(days=days),
    )
    return scoped(qs, user, street, "organization__jurisdiction__path").count()


def flagged_flows(user: Any, street: str | None) -> int:
    """Flows recorded with a warning (a counterparty licence that failed the check …)."""
    qs = Flow.objects.filter(flagged=True)
    return scoped(qs, user, street, "organization__jurisdiction__path").count()


def open_discrepancies(user: Any, street: str | None) -> int:
    """Stock counts that do not reconcile with the ledger and are not yet resolved."""
    qs = StockCount.objects.filter(flagged=True, resolved_at__isnull=True)
    return scoped(qs, user, street, "organization__jurisdiction__path").count()


# --- the indicators this app declares (see cityguard.indicators.registry) ----------------


def _sources(user: Any, street: str | None, period: Period) -> int:
    return major_hazard_sources(user, street)


def _sources_by_street(user: Any, period: Period) -> dict[str, float | None]:
    qs = scoped(
        MajorHazardSource.objects.filter(status=SourceStatus.ACTIVE),
        user,
        None,
        "unit__jurisdiction__path",
    )
    return per_street(counts_by_street(qs, "unit__jurisdiction__path"))


declare(
    Indicator(
        code="chemicals-major-hazard-sources",
        name=_("Major hazard sources"),
        unit=pgettext_lazy("unit", "sources"),
        target=None,
        comparison="<=",
        binding=False,
        source=_("Hazardous chemicals register: active major hazard sources, as of now"),
        compute=_sources,
        by_street=_sources_by_street,
        order=140,
    )
)
