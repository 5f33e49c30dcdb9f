"""The indicators figured from hand-entered figures (`EnteredFigure`), declared here:

- plan-01 deaths in production safety accidents per 100 million yuan of GDP: the year's
  deaths ÷ the year's GDP in 100 million yuan (亿元) — i.e. deaths ÷ (GDP in yuan / 1e8);
  district only.
- plan-04 road traffic deaths per year: the average of the yearly figures entered for the
  plan's years so far (from `CITYGUARD_INDICATORS_PLAN_START_YEAR` to the period's year);
  district only. The traffic police's count, not the incidents register (which records
  only incidents the emergency services handled).
- plan-07 school safety education coverage: schools covered ÷ schools × 100, per street;
  the district's value is a district-level figure when one is entered, else the streets'
  figures added up.

Every one is a yearly figure: a month's value reads the figure of its year.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from . import config
from .registry import Indicator, Period, declare


@dataclass(frozen=True)
class EnteredSpec:
    """How the figures of one entered indicator are entered and checked."""

    code: str
    value_label: Any
    base_label: Any | None  # None: no base (denominator) is entered
    per_street: bool
    whole_value: bool = True  # the value counts things (deaths, schools): a whole number
    value_at_most_base: bool = False


SPECS: dict[str, EnteredSpec] = {}


def _spec(spec: EnteredSpec) -> EnteredSpec:
    SPECS[spec.code] = spec
    return spec


def _figures(code: str, years: Iterable[int]) -> Any:
    from .models import EnteredFigure

    return EnteredFigure.objects.filter(code=code, year__in=list(years), month=0)


# --- plan-01 -----------------------------------------------------------------------------


def deaths_per_100m_gdp(user: Any, street: str | None, period: Period) -> float | None:
    if street:
        return None
    row = _figures("plan-01", [period.year]).filter(street__isnull=True).first()
    if row is None or not row.base:
        return None
    return round(row.value / row.base, 4)


# --- plan-04 -----------------------------------------------------------------------------


def road_deaths_per_year(user: Any, street: str | None, period: Period) -> float | None:
    if street:
        return None
    start = min(config.plan_start_year(), period.year)
    values = list(
        _figures("plan-04", range(start, period.year + 1))
        .filter(street__isnull=True)
        .values_list("value", flat=True)
    )
    if not values:
        return None
    return round(sum(values) / len(values), 2)


# --- plan-07 -----------------------------------------------------------------------------


def _coverage(rows: Iterable[tuple[float, float | None]]) -> float | None:
    covered = schools = 0.0
    for value, base in rows:
        covered += value
        schools += base or 0
    return round(100.0 * covered / schools, 2) if schools else None


def school_education_coverage(user: Any, street: str | None, period: Period) -> float | None:
    qs = _figures("plan-07", [period.year])
    if street:
        return _coverage(qs.filter(street__code=street).values_list("value", "base"))
    district = qs.filter(street__isnull=True).values_list("value", "base")
    if district:
        return _coverage(district)
    return _coverage(qs.values_list("value", "base"))


def school_education_coverage_by_street(user: Any, period: Period) -> dict[str, float | None]:
    rows = (
        _figures("plan-07", [period.year])
        .filter(street__isnull=False)
        .values_list("street__code", "value", "base")
    )
    return {code: _coverage([(value, base)]) for code, value, base in rows}


_spec(
    EnteredSpec(
        code="plan-01",
        value_label=_("Deaths in production safety accidents"),
        base_label=_("GDP (100 million yuan)"),
        per_street=False,
    )
)
_spec(
    EnteredSpec(
        code="plan-04",
        value_label=_("Road traffic deaths in the year"),
        base_label=None,
        per_street=False,
    )
)
_spec(
    EnteredSpec(
        code="plan-07",
        value_label=_("Schools covered by safety education"),
        base_label=_("Primary and secondary schools"),
        per_street=True,
        value_at_most_base=True,
    )
)

declare(
    Indicator(
        code="plan-01",
        name=_("Deaths in production safety accidents per 100 million yuan of GDP"),
        unit=pgettext_lazy("unit", "deaths per 100 million yuan"),
        target=config.plan01_target(),
        comparison="<=",
        binding=True,
        source=_(
            "Entered figures: the year's deaths in production safety accidents ÷ the year's "
            "GDP in 100 million yuan (target: within the city's control figure)"
        ),
        compute=deaths_per_100m_gdp,
        order=1,
        entered=True,
        per_street=False,
    )
)
declare(
    Indicator(
        code="plan-04",
        name=_("Road traffic deaths per year"),
        unit=pgettext_lazy("unit", "deaths"),
        target=13.4,
        comparison="<=",
        binding=True,
        source=_(
            "Entered figures: the average of the yearly road traffic deaths entered for the "
            "plan's years up to this one (traffic police statistics)"
        ),
        compute=road_deaths_per_year,
        order=4,
        entered=True,
        per_street=False,
    )
)
declare(
    Indicator(
        code="plan-07",
        name=_("Safety education coverage of Yangpu primary and secondary schools"),
        unit="%",
        target=100.0,
        comparison=">=",
        binding=True,
        source=_(
            "Entered figures: schools covered by safety education ÷ primary and secondary "
            "schools, per street, for the year"
        ),
        compute=school_education_coverage,
        by_street=school_education_coverage_by_street,
        order=7,
        entered=True,
    )
)
