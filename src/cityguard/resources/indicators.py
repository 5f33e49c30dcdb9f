"""Indicators the resources app contributes. Each takes `(user, street)`:

- `user`: None counts the whole district; a user counts only what they may see.
- `street`: a street's jurisdiction code to count only there (and below), or None.

- `shelter_free_places`: free places in shelters that are not closed.
- `shelter_places_per_1000`: shelter capacity per 1,000 residents (jurisdiction population);
  None when the population is unknown.
- `available_teams` / `available_team_members`: active teams ready to be dispatched.
- `expiring_lots`: lots with stock that expire within the rotation window (or have).
- `ledger_mismatches`: warehouse × material lines whose ledger does not add up.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet, Sum
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cityguard.core.choices import Level
from cityguard.core.figures import per_street, scoped, sums_by_street
from cityguard.core.models import Jurisdiction
from cityguard.indicators.registry import Indicator, Period, declare

from . import services
from .choices import TeamStatus
from .models import Shelter, StockLot, Team, Warehouse


def shelter_free_places(user: Any = None, street: str | None = None) -> int:
    return services.free_capacity_total(
        scoped(Shelter.objects.all(), user, street, "jurisdiction__path")
    )


def shelter_places_per_1000(user: Any = None, street: str | None = None) -> float | None:
    qs = scoped(Shelter.objects.exclude(status="closed"), user, street, "jurisdiction__path")
    capacity = qs.aggregate(c=Sum("capacity"))["c"] or 0
    if street:
        node = Jurisdiction.objects.filter(code=street).first()
    else:
        node = Jurisdiction.objects.filter(parent__isnull=True).order_by("path").first()
    population = node.population if node is not None else None
    if not population:
        return None
    return round(capacity / population * 1000, 2)


def _teams(user: Any, street: str | None) -> QuerySet:
    return scoped(
        Team.objects.filter(is_active=True, status=TeamStatus.AVAILABLE),
        user,
        street,
        "jurisdiction__path",
    )


def available_teams(user: Any = None, street: str | None = None) -> int:
    return int(_teams(user, street).count())


def available_team_members(user: Any = None, street: str | None = None) -> int:
    return int(_teams(user, street).aggregate(n=Sum("headcount"))["n"] or 0)


def expiring_lots(user: Any = None, street: str | None = None) -> int:
    qs = scoped(StockLot.objects.all(), user, street, "warehouse__jurisdiction__path")
    return int(services.expiring_lots(qs).count())


def ledger_mismatches(user: Any = None, street: str | None = None) -> int:
    whs = scoped(Warehouse.objects.all(), user, street, "jurisdiction__path")
    return sum(1 for line in services.reconcile(whs) if not line.ok)


# --- the indicators this app declares (see cityguard.indicators.registry) ----------------


def _shelter_places(user: Any, street: str | None, period: Period) -> float | None:
    return shelter_places_per_1000(user, street)


def _shelter_places_by_street(user: Any, period: Period) -> dict[str, float | None]:
    qs = scoped(Shelter.objects.exclude(status="closed"), user, None, "jurisdiction__path")
    capacity = sums_by_street(qs, "jurisdiction__path", "capacity")
    population = dict(
        Jurisdiction.objects.filter(level=Level.STREET).values_list("code", "population")
    )
    found = {
        code: round(capacity.get(code, 0) / people * 1000, 2)
        for code, people in population.items()
        if people
    }
    return per_street(found, None)


declare(
    Indicator(
        code="resources-shelter-places",
        name=_("Shelter places per 1,000 residents"),
        unit=pgettext_lazy("unit", "places per 1,000"),
        target=None,
        comparison=">=",
        binding=False,
        source=_(
            "Emergency resources: capacity of shelters not closed ÷ resident population × 1,000"
        ),
        compute=_shelter_places,
        by_street=_shelter_places_by_street,
        order=150,
    )
)
