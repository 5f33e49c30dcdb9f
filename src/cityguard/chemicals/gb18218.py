"""GB 18218-2018 — identification of major hazard installations for hazardous chemicals.

Pure computation, no Django: the tables of the standard as constants, one unit assessed
by `assess`, many units at once by `assess_batch` (numpy; the path a catalogue change
takes to recompute the whole district).

The standard, as applied here:

- Q (threshold, t) of a substance: its Table 1 quantity when it has a Table 1 row; else the
  lowest Table 2 quantity among its hazard categories (clause 4.1.2). A substance with
  neither is not a major-hazard substance and does not count (its ratio is 0).
- S = Σ q/Q over the unit, q being the design maximum quantity; the unit is a major hazard
  installation when S ≥ 1, equality included (formula 1).
- R = α · Σ β·q/Q (formula 2). β is the Table 3 value of the named toxic gases, else the
  Table 4 value of the substance's category. **A choice of ours:** for a substance with
  several categories the standard names no rule, so the largest β among them is taken (the
  cautious reading: the most severe consequence decides). A substance with no category
  and no Table 3 entry takes β = 1, Table 4's value for "every other category".
- α from Table 5 by the resident population within 500 m outside the site boundary.
- Grade from Table 6: 1 for R ≥ 100, 2 for 50 ≤ R < 100, 3 for 10 ≤ R < 50, 4 below.

Sums are compared after rounding to 9 decimals so that a sum that is exactly 1 (or 10, 50,
100) on paper stays so in binary floating point (0.3 + 0.7 = 0.9999999999999999).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

STANDARD = "GB 18218-2018"

# Table 2: symbol → (threshold Q in t, description).
TABLE2: dict[str, tuple[float, str]] = {
    "J1": (5, "acute toxicity category 1, gas"),
    "J2": (50, "acute toxicity category 1, solid or liquid"),
    "J3": (50, "acute toxicity category 2 or 3, gas"),
    "J4": (50, "acute toxicity category 2 or 3, inhalation, liquid boiling at ≤ 35 °C"),
    "J5": (500, "acute toxicity category 2, liquid (not J4) or solid"),
    "W1.1": (1, "unstable explosives and explosives of division 1.1"),
    "W1.2": (10, "explosives of divisions 1.2, 1.3, 1.5 and 1.6"),
    "W1.3": (50, "explosives of division 1.4"),
    "W2": (10, "flammable gas, category 1 or 2"),
    "W3": (150, "aerosols, category 1 or 2 (net quantity)"),
    "W4": (50, "oxidising gas, category 1"),
    "W5.1": (10, "flammable liquid category 1, or category 2–3 kept above its boiling point"),
    "W5.2": (50, "flammable liquid category 2–3 under special process conditions"),
    "W5.3": (1000, "other flammable liquid, category 2"),
    "W5.4": (5000, "other flammable liquid, category 3"),
    "W6.1": (10, "self-reactive substances and mixtures, types A and B"),
    "W6.2": (50, "self-reactive substances and mixtures, types C to E"),
    "W7.1": (10, "organic peroxides, types A and B"),
    "W7.2": (50, "organic peroxides, types C to F"),
    "W8": (50, "pyrophoric liquid or solid, category 1"),
    "W9.1": (50, "oxidising solid or liquid, category 1"),
    "W9.2": (200, "oxidising solid or liquid, category 2 or 3"),
    "W10": (200, "flammable solid, category 1"),
    "W11": (200, "substances emitting flammable gas in contact with water, category 1 or 2"),
}
CATEGORIES: tuple[str, ...] = tuple(TABLE2)

# Table 3: β of the named toxic gases, keyed by the standard's Chinese name.
TABLE3: dict[str, float] = {
    "一氧化碳": 2,
    "二氧化硫": 2,
    "氨": 2,
    "环氧乙烷": 2,
    "氯化氢": 3,
    "溴甲烷": 3,
    "氯": 4,
    "硫化氢": 5,
    "氟化氢": 5,
    "二氧化氮": 10,
    "氰化氢": 10,
    "碳酰氯": 20,
    "磷化氢": 20,
    "异氰酸甲酯": 20,
}

# Table 4: β by category; every category not listed takes 1.
TABLE4: dict[str, float] = {
    "J1": 4,
    "J3": 2,
    "J4": 2,
    "W1.1": 2,
    "W1.2": 2,
    "W1.3": 2,
    "W2": 1.5,
    "W5.1": 1.5,
    "W6.1": 1.5,
    "W7.1": 1.5,
}
DEFAULT_BETA = 1.0

# Table 5: (lowest population of the band, α), highest band first.
TABLE5: tuple[tuple[int, float], ...] = ((100, 2.0), (50, 1.5), (30, 1.2), (1, 1.0), (0, 0.5))
# Table 6: (lowest R of the grade, grade), highest grade first.
TABLE6: tuple[tuple[float, int], ...] = ((100, 1), (50, 2), (10, 3))
LOWEST_GRADE = 4

DECIMALS = 9


class AssessmentError(ValueError):
    """An input the standard cannot be applied to; `index` is the item's position."""

    def __init__(self, message: str, index: int | None = None) -> None:
        super().__init__(message)
        self.index = index


# --- the tables as functions -------------------------------------------------------------


def check_categories(categories: Iterable[str]) -> tuple[str, ...]:
    """The categories, upper-cased, deduplicated, in Table 2 order; unknown ones refused."""
    wanted = {str(c).strip().upper() for c in categories}
    unknown = sorted(wanted - set(TABLE2))
    if unknown:
        raise AssessmentError(f"unknown Table 2 category: {', '.join(unknown)}")
    return tuple(c for c in CATEGORIES if c in wanted)


def threshold(table1_t: float | None, categories: Sequence[str]) -> tuple[float | None, str]:
    """(Q in t, where it came from: "table1", "table2" or "none")."""
    if table1_t is not None:
        return float(table1_t), "table1"
    qs = [TABLE2[c][0] for c in categories if c in TABLE2]
    if not qs:
        return None, "none"
    return float(min(qs)), "table2"


def beta(table3_beta: float | None, categories: Sequence[str]) -> tuple[float, str]:
    """(β, where it came from: "table3", "table4" or "default"); see the module docstring
    for the choice made for several categories."""
    if table3_beta is not None:
        return float(table3_beta), "table3"
    if categories:
        return float(max(TABLE4.get(c, DEFAULT_BETA) for c in categories)), "table4"
    return DEFAULT_BETA, "default"


def alpha(population: int | float) -> float:
    """α of Table 5 for the resident population within 500 m outside the site."""
    if isinstance(population, bool) or not isinstance(population, int | float):
        raise AssessmentError("the exposed population must be a number")
    if not math.isfinite(population) or population < 0:
        raise AssessmentError("the exposed population must be zero or more")
    people = math.floor(population)  # 29.6 estimated people are not yet 30
    for lowest, value in TABLE5:
        if people >= lowest:
            return value
    raise AssertionError(population)  # pragma: no cover


def grade(r: float) -> int:
    """Grade of Table 6 (1 highest … 4)."""
    r = round(r, DECIMALS)
    for lowest, g in TABLE6:
        if r >= lowest:
            return g
    return LOWEST_GRADE


def check_quantity(quantity: Any, index: int | None = None) -> float:
    if isinstance(quantity, bool) or not isinstance(quantity, int | float):
        raise AssessmentError("the quantity must be a number", index)
    value = float(quantity)
    if not math.isfinite(value) or value < 0:
        raise AssessmentError("the quantity must be a finite number, zero or more", index)
    return value


# --- one unit ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """One substance of a unit: its design maximum quantity and what the tables need."""

    name: str
    quantity_t: float
    table1_t: float | None = None
    table3_beta: float | None = None
    categories: tuple[str, ...] = ()


@dataclass(frozen=True)
class ItemResult:
    name: str
    quantity_t: float
    threshold_t: float | None
    threshold_source: str
    beta: float
    beta_source: str
    categories: tuple[str, ...]
    ratio: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "chemical": self.name,
            "quantity_t": self.quantity_t,
            "threshold_t": self.threshold_t,
            "threshold_source": self.threshold_source,
            "beta": self.beta,
            "beta_source": self.beta_source,
            "categories": list(self.categories),
            "ratio": round(self.ratio, DECIMALS),
        }


@dataclass(frozen=True)
class Result:
    s: float
    is_major: bool
    population: int | float | None
    alpha: float | None
    r: float | None
    grade: int | None
    items: tuple[ItemResult, ...] = field(default_factory=tuple)

    def as_dict(self) -> dict[str, Any]:
        return {
            "s": round(self.s, 6),
            "is_major": self.is_major,
            "population": self.population,
            "alpha": self.alpha,
            "r": None if self.r is None else round(self.r, 6),
            "grade": self.grade,
            "items": [i.as_dict() for i in self.items],
        }


def assess(items: Sequence[Item], population: int | float | None) -> Result:
    """Identify and grade one unit. `population` may be None when it is unknown; the unit
    is then identified (S) but, if it is major, not graded (R and grade stay None)."""
    results = []
    s = 0.0
    weighted = 0.0
    for index, item in enumerate(items):
        q = check_quantity(item.quantity_t, index)
        try:
            cats = check_categories(item.categories)
        except AssessmentError as err:
            raise AssessmentError(str(err), index)
        big_q, q_source = threshold(item.table1_t, cats)
        if big_q is not None and not big_q > 0:
            raise AssessmentError("a threshold must be above zero", index)
        b, b_source = beta(item.table3_beta, cats)
        ratio = q / big_q if big_q else 0.0
        s += ratio
        weighted += b * ratio
        results.append(ItemResult(item.name, q, big_q, q_source, b, b_source, cats, ratio))
    s = round(s, DECIMALS)
    major = s >= 1
    a = r = g = None
    if major and population is not None:
        a = alpha(population)
        r = round(a * weighted, DECIMALS)
        g = grade(r)
    return Result(s, major, population, a, r, g, tuple(results))


# --- many units --------------------------------------------------------------------------


@dataclass(frozen=True)
class Batch:
    s: np.ndarray  # float, per unit
    is_major: np.ndarray  # bool
    alpha: np.ndarray  # float, NaN where not major or population unknown
    r: np.ndarray  # float, NaN likewise
    grade: np.ndarray  # int8, 0 where not graded


ALPHA_EDGES = np.array([1, 30, 50, 100], dtype=float)
ALPHA_VALUES = np.array([0.5, 1.0, 1.2, 1.5, 2.0])
GRADE_EDGES = np.array([10, 50, 100], dtype=float)
GRADE_VALUES = np.array([4, 3, 2, 1], dtype=np.int8)


def alpha_array(population: np.ndarray) -> np.ndarray:
    """Table 5 over an array of populations (NaN stays NaN)."""
    people = np.floor(np.asarray(population, dtype=float))
    out = ALPHA_VALUES[np.searchsorted(ALPHA_EDGES, np.nan_to_num(people), side="right")]
    return np.where(np.isnan(people), np.nan, out)


def grade_array(r: np.ndarray) -> np.ndarray:
    """Table 6 over an array of R values; 0 where R is NaN."""
    rr = np.round(np.asarray(r, dtype=float), DECIMALS)
    out = GRADE_VALUES[np.searchsorted(GRADE_EDGES, np.nan_to_num(rr), side="right")]
    return np.where(np.isnan(rr), 0, out).astype(np.int8)


def assess_batch(
    unit: np.ndarray,
    quantity_t: np.ndarray,
    threshold_t: np.ndarray,
    beta: np.ndarray,
    population: np.ndarray,
) -> Batch:
    """Every unit at once. Items are flat arrays: `unit` is each item's unit index
    (0 … n−1), `threshold_t` its Q (NaN: not a major-hazard substance, ratio 0) and
    `beta` its β, both resolved beforehand by `threshold` and `beta`. `population` has
    one value per unit (NaN: unknown). Same arithmetic as `assess`."""
    n = len(population)
    unit = np.asarray(unit, dtype=np.intp)
    q = np.asarray(quantity_t, dtype=float)
    big_q = np.asarray(threshold_t, dtype=float)
    if q.size and (not np.all(np.isfinite(q)) or q.min() < 0):
        raise AssessmentError("every quantity must be a finite number, zero or more")
    counted = np.isfinite(big_q)
    ratio = np.divide(q, big_q, out=np.zeros_like(q), where=counted)
    s = np.round(np.bincount(unit, weights=ratio, minlength=n), DECIMALS)
    weighted = np.bincount(unit, weights=ratio * np.asarray(beta, dtype=float), minlength=n)
    major = s >= 1
    a = np.where(major, alpha_array(population), np.nan)
    r = np.round(a * weighted, DECIMALS)
    return Batch(s=s, is_major=major, alpha=a, r=r, grade=grade_array(r))


def assess_loop(
    unit: Sequence[int],
    quantity_t: Sequence[float],
    threshold_t: Sequence[float],
    beta: Sequence[float],
    population: Sequence[float],
) -> list[tuple[float, bool, float | None, int | None]]:
    """The same as `assess_batch` in plain Python, item by item: the floor the benchmark
    measures the vectorised path against, and a cross-check in the tests."""
    n = len(population)
    s = [0.0] * n
    w = [0.0] * n
    for u, q, big_q, b in zip(unit, quantity_t, threshold_t, beta, strict=True):
        if big_q == big_q:  # not NaN
            ratio = q / big_q
            s[u] += ratio
            w[u] += b * ratio
    out: list[tuple[float, bool, float | None, int | None]] = []
    for i in range(n):
        total = round(s[i], DECIMALS)
        if total >= 1 and population[i] == population[i]:
            r = round(alpha(population[i]) * w[i], DECIMALS)
            out.append((total, True, r, grade(r)))
        else:
            out.append((total, total >= 1, None, None))
    return out
