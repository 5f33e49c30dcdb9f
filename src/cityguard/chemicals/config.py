"""The chemicals app's configurable values: each a Django setting (or environment
variable of the same name) with the default given here.

- `CITYGUARD_MAJOR_HAZARD_LEVELS`: risk register level of each major hazard grade,
  default `{1: "major", 2: "large", 3: "general", 4: "low"}` (red, orange, yellow, blue).
- `CITYGUARD_UNKNOWN_POPULATION`: the population assumed within 500 m when a unit has
  none entered and none can be estimated; default 100, the cautious choice (α = 2).
- `CITYGUARD_CHEMICALS_LICENCE_CHECK`: "block" (default) refuses a flow whose counterparty
  lacks a valid licence; "warn" records it with a warning and flags it for supervision.
- `CITYGUARD_LICENCE_REMINDER_DAYS`: a licence expiring within this many days gets a
  reminder, default 90.
- `CITYGUARD_STOCK_TOLERANCE_T` / `CITYGUARD_STOCK_TOLERANCE_SHARE`: a stock count whose
  difference from the ledger exceeds both an absolute (t, default 0.001) and a relative
  (share of the expected stock, default 0.005) tolerance is flagged.
"""

from __future__ import annotations

import json
import os
from typing import Any

from django.conf import settings

DEFAULT_GRADE_LEVELS: dict[int, str] = {1: "major", 2: "large", 3: "general", 4: "low"}
LEVELS = ("major", "large", "general", "low")


def _get(name: str, default: Any) -> Any:
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name)
    return default if value is None or value == "" else value


def grade_levels() -> dict[int, str]:
    given = _get("CITYGUARD_MAJOR_HAZARD_LEVELS", {})
    if isinstance(given, str):
        given = json.loads(given)
    out = dict(DEFAULT_GRADE_LEVELS)
    for grade, level in dict(given).items():
        if level not in LEVELS:
            raise ValueError(f"CITYGUARD_MAJOR_HAZARD_LEVELS: unknown level {level!r}")
        out[int(grade)] = level
    return out


def unknown_population() -> float:
    return float(_get("CITYGUARD_UNKNOWN_POPULATION", 100))


def licence_check_mode() -> str:
    mode = str(_get("CITYGUARD_CHEMICALS_LICENCE_CHECK", "block")).strip().lower()
    return mode if mode in {"block", "warn"} else "block"


def reminder_days() -> int:
    return int(_get("CITYGUARD_LICENCE_REMINDER_DAYS", 90))


def stock_tolerance() -> tuple[float, float]:
    return (
        float(_get("CITYGUARD_STOCK_TOLERANCE_T", 0.001)),
        float(_get("CITYGUARD_STOCK_TOLERANCE_SHARE", 0.005)),
    )
