"""Options of the indicators app, read from settings (`CITYGUARD_<NAME>`, any
CITYGUARD_* environment variable becomes a setting):

- `CITYGUARD_INDICATORS_PLAN01_TARGET`: the control figure the city issues for deaths in
  production safety accidents per 100 million yuan of GDP (the plan's target for
  indicator 1 is "within the city's control figure"); None (default): no target, the
  indicator shows its value without a verdict.
- `CITYGUARD_INDICATORS_PLAN_START_YEAR`: first year of the five-year plan (2021); the
  average of road deaths per year (indicator 4) counts the years from it.
- `CITYGUARD_INDICATORS_TREND_MONTHS`: months shown in a trend (12).
"""

from __future__ import annotations

from django.conf import settings


def plan01_target() -> float | None:
    value = getattr(settings, "CITYGUARD_INDICATORS_PLAN01_TARGET", None)
    if value is None or value == "":
        return None
    return float(value)


def plan_start_year() -> int:
    return int(getattr(settings, "CITYGUARD_INDICATORS_PLAN_START_YEAR", 2021))


def trend_months() -> int:
    return max(1, min(60, int(getattr(settings, "CITYGUARD_INDICATORS_TREND_MONTHS", 12))))
