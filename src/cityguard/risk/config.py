"""The risk register's configurable values, with defaults that settings may override.

- `settings.CITYGUARD_RISK_BANDS`: `{"lec": {"major": 320, "large": 160, "general": 70},
  "matrix": {"major": 20, "large": 15, "general": 9}}` (any part may be left out).
- `settings.CITYGUARD_RISK_REASSESS_MONTHS`: months until a point of each level is due for
  reassessment, `{"major": 3, "large": 6, "general": 12, "low": 24}`.
"""

from __future__ import annotations

import calendar
import datetime as dt

from django.conf import settings

from . import scoring

DEFAULT_REASSESS_MONTHS: dict[str, int] = {
    scoring.MAJOR: 3,
    scoring.LARGE: 6,
    scoring.GENERAL: 12,
    scoring.LOW: 24,
}


def bands() -> scoring.Bands:
    return scoring.Bands.from_mapping(getattr(settings, "CITYGUARD_RISK_BANDS", None))


def reassess_months() -> dict[str, int]:
    given = getattr(settings, "CITYGUARD_RISK_REASSESS_MONTHS", None) or {}
    return {
        level: int(given.get(level, months)) for level, months in DEFAULT_REASSESS_MONTHS.items()
    }


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, or the month's last day when it has no such day."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def next_due(assessed_on: dt.date, level: str) -> dt.date:
    return add_months(assessed_on, reassess_months()[level])
