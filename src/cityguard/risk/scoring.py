"""Risk scoring by LEC (D = L × E × C) and the 5 × 5 matrix (R = L × S): pure Python + numpy.

No Django here, so the functions run in a notebook, in a benchmark over a million rows and
in the API alike. Band edges are a local choice (see the reference README); `Bands` holds
them and the default is the district's:

- LEC:    D > 320 major (red); 160 < D ≤ 320 large (orange); 70 < D ≤ 160 general (yellow);
          D ≤ 70 low (blue). Edges belong to the lower level.
- matrix: R ≥ 20 major; 15 ≤ R < 20 large; 9 ≤ R < 15 general; R < 9 low. Edges belong to
          the higher level.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

# Graham–Kinney scales, highest first.
LEC_L: tuple[float, ...] = (10, 6, 3, 1, 0.5, 0.2, 0.1)
LEC_E: tuple[float, ...] = (10, 6, 3, 2, 1, 0.5)
LEC_C: tuple[float, ...] = (100, 40, 15, 7, 3, 1)
MATRIX_SCALE: tuple[int, ...] = (1, 2, 3, 4, 5)

LEC = "lec"
MATRIX = "matrix"
METHODS = (LEC, MATRIX)

MAJOR, LARGE, GENERAL, LOW = "major", "large", "general", "low"
LEVELS: tuple[str, ...] = (MAJOR, LARGE, GENERAL, LOW)
"""Highest first."""
COLOURS: dict[str, str] = {MAJOR: "red", LARGE: "orange", GENERAL: "yellow", LOW: "blue"}
RANK: dict[str, int] = {MAJOR: 4, LARGE: 3, GENERAL: 2, LOW: 1}
"""0 stands for "not assessed"; a higher rank is a higher risk."""
LEVEL_OF_RANK: dict[int, str] = {v: k for k, v in RANK.items()}

# D is a product of scale values such as 0.2 × 0.5; rounding keeps a product that lands on
# an edge from falling either side of it by a floating-point hair.
_DIGITS = 6


@dataclass(frozen=True)
class Bands:
    """Lower edges of major, large and general for each method.

    LEC compares strictly (D > edge), the matrix inclusively (R ≥ edge).
    """

    lec_major: float = 320
    lec_large: float = 160
    lec_general: float = 70
    matrix_major: float = 20
    matrix_large: float = 15
    matrix_general: float = 9

    @classmethod
    def from_mapping(cls, value: Mapping[str, Any] | None) -> Bands:
        """From `{"lec": {"major": 320, "large": 160, "general": 70}, "matrix": {...}}`;
        missing entries keep their defaults. Raises ValueError when the edges do not
        descend (major > large > general)."""
        if not value:
            return cls()
        base = cls()
        fields: dict[str, float] = {}
        for method in METHODS:
            given = value.get(method) or {}
            for level in (MAJOR, LARGE, GENERAL):
                key = f"{method}_{level}"
                fields[key] = float(given.get(level, getattr(base, key)))
        bands = cls(**fields)
        bands.check()
        return bands

    def check(self) -> None:
        for method in METHODS:
            major, large, general = (
                getattr(self, f"{method}_{lv}") for lv in (MAJOR, LARGE, GENERAL)
            )
            if not (major > large > general) or not all(
                map(math.isfinite, (major, large, general))
            ):
                raise ValueError(f"{method} band edges must descend: major > large > general")

    def as_dict(self) -> dict[str, dict[str, float]]:
        return {
            method: {lv: getattr(self, f"{method}_{lv}") for lv in (MAJOR, LARGE, GENERAL)}
            for method in METHODS
        }


DEFAULT_BANDS = Bands()


@dataclass(frozen=True)
class Score:
    method: str
    score: float
    level: str

    @property
    def colour(self) -> str:
        return COLOURS[self.level]

    def as_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "score": self.score,
            "level": self.level,
            "colour": self.colour,
        }


class ScoreError(ValueError):
    """An input that is not on its scale. `field` names it; `allowed` lists what is."""

    def __init__(self, field: str, allowed: tuple[float, ...] | None, message: str = "") -> None:
        self.field = field
        self.allowed = allowed
        super().__init__(message or f"{field} must be one of {format_allowed(allowed or ())}")


def format_allowed(values: tuple[float, ...]) -> str:
    return ", ".join(_fmt(v) for v in values)


def _fmt(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else str(v)


def _on_scale(field: str, value: Any, scale: tuple[float, ...]) -> float:
    if value is None or isinstance(value, bool):
        raise ScoreError(field, scale)
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise ScoreError(field, scale) from None
    for allowed in scale:
        if math.isclose(x, allowed, rel_tol=0, abs_tol=1e-9):
            return float(allowed)
    raise ScoreError(field, scale)


def lec_level(d: float, bands: Bands = DEFAULT_BANDS) -> str:
    d = round(d, _DIGITS)
    if d > bands.lec_major:
        return MAJOR
    if d > bands.lec_large:
        return LARGE
    if d > bands.lec_general:
        return GENERAL
    return LOW


def matrix_level(r: float, bands: Bands = DEFAULT_BANDS) -> str:
    r = round(r, _DIGITS)
    if r >= bands.matrix_major:
        return MAJOR
    if r >= bands.matrix_large:
        return LARGE
    if r >= bands.matrix_general:
        return GENERAL
    return LOW


def lec(l: Any, e: Any, c: Any, bands: Bands = DEFAULT_BANDS) -> Score:  # noqa: E741
    """D = L × E × C with each factor on its Graham–Kinney scale."""
    lv = _on_scale("l", l, LEC_L)
    ev = _on_scale("e", e, LEC_E)
    cv = _on_scale("c", c, LEC_C)
    d = round(lv * ev * cv, _DIGITS)
    return Score(LEC, d, lec_level(d, bands))


def matrix(likelihood: Any, severity: Any, bands: Bands = DEFAULT_BANDS) -> Score:
    """R = likelihood × severity, each a whole number 1–5."""
    lk = _on_scale("likelihood", likelihood, tuple(float(v) for v in MATRIX_SCALE))
    sv = _on_scale("severity", severity, tuple(float(v) for v in MATRIX_SCALE))
    r = lk * sv
    return Score(MATRIX, r, matrix_level(r, bands))


def score(method: str, values: Mapping[str, Any], bands: Bands = DEFAULT_BANDS) -> Score:
    """Dispatch on `method` ("lec" with l, e, c; "matrix" with likelihood, severity)."""
    if method == LEC:
        return lec(values.get("l"), values.get("e"), values.get("c"), bands)
    if method == MATRIX:
        return matrix(values.get("likelihood"), values.get("severity"), bands)
    raise ScoreError("method", None, f"method must be one of {', '.join(METHODS)}")


# --- vectorised --------------------------------------------------------------------------

_RANKS_DESC = np.array([RANK[MAJOR], RANK[LARGE], RANK[GENERAL], RANK[LOW]], dtype=np.int8)


def lec_ranks(
    l: np.ndarray,  # noqa: E741
    e: np.ndarray,
    c: np.ndarray,
    bands: Bands = DEFAULT_BANDS,
) -> tuple[np.ndarray, np.ndarray]:
    """D and the level rank (4 major … 1 low) of many LEC assessments at once.

    Inputs are assumed on scale (validate with `valid_lec` first)."""
    d = np.round(np.asarray(l, dtype=np.float64) * e * c, _DIGITS)
    # Strict ">" edges: a value equal to an edge falls into the band below.
    edges = np.array([bands.lec_general, bands.lec_large, bands.lec_major])
    idx = np.searchsorted(edges, d, side="left")  # 0 low … 3 major
    return d, (idx + 1).astype(np.int8)


def matrix_ranks(
    likelihood: np.ndarray, severity: np.ndarray, bands: Bands = DEFAULT_BANDS
) -> tuple[np.ndarray, np.ndarray]:
    """R and the level rank of many matrix assessments at once (inclusive edges)."""
    r = np.asarray(likelihood, dtype=np.float64) * severity
    edges = np.array([bands.matrix_general, bands.matrix_large, bands.matrix_major])
    idx = np.searchsorted(edges, r, side="right")
    return r, (idx + 1).astype(np.int8)


def valid_lec(l: np.ndarray, e: np.ndarray, c: np.ndarray) -> np.ndarray:  # noqa: E741
    """A boolean mask of rows whose three factors are all on their scales."""
    return (
        np.isin(np.asarray(l, dtype=np.float64), LEC_L)
        & np.isin(np.asarray(e, dtype=np.float64), LEC_E)
        & np.isin(np.asarray(c, dtype=np.float64), LEC_C)
    )


def levels_of_ranks(ranks: np.ndarray) -> np.ndarray:
    """Rank codes to level names (object array), for output."""
    names = np.array(["", LOW, GENERAL, LARGE, MAJOR], dtype=object)
    return names[np.asarray(ranks, dtype=np.int64)]
