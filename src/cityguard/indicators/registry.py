"""The indicator registry: every indicator is declared once, by the app that owns its data.

A domain app declares its indicators in its own `indicators.py`:

    from cityguard.indicators.registry import Indicator, declare

    declare(Indicator(
        code="plan-05",
        name=_("Special equipment registration and inspection rate"),
        unit="%",
        target=100.0,
        comparison=">=",
        binding=True,
        source=_("Equipment registry: registered and in-date units ÷ all units in crowded places and high-rises"),
        compute=registration_and_inspection_rate,
        order=5,
    ))

`compute(user, street, period)` returns the value (None when there is nothing to count):
`user` None counts the whole district, a user only what they may see; `street` a street's
jurisdiction code or None; `period` the month asked for (annual indicators count the
calendar year up to the end of that month). The indicators app imports every app's
`indicators.py` at start-up, so declarations are complete once Django is ready.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Period:
    """One calendar month."""

    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Period:
        """'YYYY-MM' → Period; ValueError on anything else."""
        try:
            year_s, month_s = text.split("-")
            period = cls(int(year_s), int(month_s))
        except (ValueError, AttributeError):
            raise ValueError(text) from None
        if len(year_s) != 4 or not 1 <= period.month <= 12:
            raise ValueError(text)
        return period

    @classmethod
    def of(cls, day: dt.date) -> Period:
        return cls(day.year, day.month)

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def end(self) -> dt.date:
        """The first day after the month."""
        if self.month == 12:
            return dt.date(self.year + 1, 1, 1)
        return dt.date(self.year, self.month + 1, 1)

    @property
    def year_start(self) -> dt.date:
        return dt.date(self.year, 1, 1)

    def bounds(self, annual: bool = False) -> tuple[dt.datetime, dt.datetime]:
        """Aware datetimes (current time zone) from the month's start — or the year's,
        when `annual` — to the first moment after the month."""
        from django.utils import timezone

        start = self.year_start if annual else self.start
        return (
            timezone.make_aware(dt.datetime.combine(start, dt.time.min)),
            timezone.make_aware(dt.datetime.combine(self.end, dt.time.min)),
        )

    def previous(self) -> Period:
        return Period(self.year - 1, 12) if self.month == 1 else Period(self.year, self.month - 1)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


Compute = Callable[[Any, "str | None", Period], "float | None"]
# Optional: every street's value in one go, street code → value (streets missing from the
# answer have no value). An app supplies it where one grouped query beats a query per street.
ComputeByStreet = Callable[[Any, Period], "dict[str, float | None]"]

COMPARISONS = ("<=", ">=", "==")


@dataclass(frozen=True)
class Indicator:
    code: str
    name: Any  # a lazy English msgid; name_zh is its Chinese translation
    unit: Any  # "%" or a lazy msgid (pgettext_lazy("unit", …))
    target: float | None
    comparison: str  # how the value must stand to the target: "<=", ">=" or "=="
    binding: bool  # 约束性 (binding) or 预期性 (expected)
    source: Any  # how it is computed, for people (lazy msgid)
    compute: Compute
    order: int = 100
    entered: bool = False  # a figure entered by hand through a form, with its source
    per_street: bool = True  # False where the figure exists only for the district
    by_street: ComputeByStreet | None = None  # every street at once (see ComputeByStreet)

    def __post_init__(self) -> None:
        if self.comparison not in COMPARISONS:
            raise ValueError(f"{self.code}: comparison must be one of {COMPARISONS}")

    def on_target(self, value: float | None) -> bool | None:
        if value is None or self.target is None:
            return None
        if self.comparison == "<=":
            return value <= self.target + 1e-9
        if self.comparison == ">=":
            return value >= self.target - 1e-9
        return abs(value - self.target) <= 1e-9


_REGISTRY: dict[str, Indicator] = {}


def declare(indicator: Indicator) -> Indicator:
    """Register an indicator; declaring the same code twice is a programming error."""
    existing = _REGISTRY.get(indicator.code)
    if existing is not None and existing.compute is not indicator.compute:
        raise ValueError(f"indicator {indicator.code} is declared twice")
    _REGISTRY[indicator.code] = indicator
    return indicator


def get(code: str) -> Indicator:
    return _REGISTRY[code]


def find(code: str) -> Indicator | None:
    return _REGISTRY.get(code)


def all_indicators() -> list[Indicator]:
    return sorted(_REGISTRY.values(), key=lambda i: (i.order, i.code))
