"""Grading of production-safety accidents per State Council Decree 493, Art. 3.

Pure: no Django. Any one criterion sets the grade, the most severe one wins; "以上"
includes the bound and "以下" excludes it, so 30 deaths is level 1 and 29 is level 2.
"""

from __future__ import annotations

from dataclasses import dataclass
from numbers import Integral
from typing import Any

LEVELS = (1, 2, 3, 4)
NAMES_ZH = {1: "特别重大", 2: "重大", 3: "较大", 4: "一般"}
NAMES_EN = {1: "Extraordinarily serious", 2: "Serious", 3: "Relatively serious", 4: "General"}

# (level, deaths ≥, serious injuries ≥, direct loss ≥ CNY), most severe first.
THRESHOLDS: tuple[tuple[int, int, int, int], ...] = (
    (1, 30, 100, 100_000_000),
    (2, 10, 50, 50_000_000),
    (3, 3, 10, 10_000_000),
)
CRITERIA = ("deaths", "serious_injuries", "direct_loss_cny")


class GradeError(ValueError):
    """A figure that is not a non-negative whole number."""

    def __init__(self, field: str, value: Any) -> None:
        super().__init__(f"{field} must be a non-negative integer, not {value!r}")
        self.field = field
        self.value = value


@dataclass(frozen=True)
class Grade:
    level: int
    criterion: str  # which figure decided: one of CRITERIA, or "" for level 4

    @property
    def name_zh(self) -> str:
        return NAMES_ZH[self.level]

    @property
    def name_en(self) -> str:
        return NAMES_EN[self.level]

    def as_dict(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "name_zh": self.name_zh,
            "name_en": self.name_en,
            "criterion": self.criterion,
        }


def _figure(field: str, value: Any) -> int:
    # bool is an int subclass, but True deaths is not a figure.
    if isinstance(value, bool) or not isinstance(value, Integral):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        else:
            raise GradeError(field, value)
    if value < 0:
        raise GradeError(field, value)
    return int(value)


def grade(deaths: Any = 0, serious_injuries: Any = 0, direct_loss_cny: Any = 0) -> Grade:
    """The accident level (1 most severe … 4) and the criterion that set it."""
    figures = (
        _figure("deaths", deaths),
        _figure("serious_injuries", serious_injuries),
        _figure("direct_loss_cny", direct_loss_cny),
    )
    for level, *bounds in THRESHOLDS:
        for name, value, bound in zip(CRITERIA, figures, bounds, strict=True):
            if value >= bound:
                return Grade(level, name)
    return Grade(4, "")


def roman(level: int | None) -> str:
    """Response level I–IV for 1–4."""
    return {1: "I", 2: "II", 3: "III", 4: "IV"}.get(level or 0, "")
