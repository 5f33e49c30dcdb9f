"""Configurable values of the special-equipment app, with defaults settings may override.

- `settings.CITYGUARD_EQUIPMENT_INTERVAL_MONTHS`: the periodic statutory inspection
  interval per kind, in months (any kind may be left out). Defaults follow the TSG rules:
  elevators 12 (TSG T7001: once a year), boilers 12 (TSG 11: the annual external
  inspection; the internal one every 2 years is recorded as its own inspection),
  pressure vessels 36 (TSG 21: 3–6 years by safety grade; 3 years is the cautious
  default), pressure piping 36 (TSG D7005: 3–6 years by grade), lifting machinery 24
  (TSG Q7015: every 2 years; tower cranes, hoists and mobile cranes yearly — set the
  unit's own interval to 12), site vehicles 12 (TSG N7001), passenger ropeways and large
  amusement rides 12 (TSG S7001, TSG Y7002), gas cylinder filling stations 12.
  A unit's own `interval_months` overrides its kind's (grade-dependent vessels, tower cranes).
- `settings.CITYGUARD_EQUIPMENT_DUE_DAYS`: "due soon" means due within this many days (30).
- `settings.CITYGUARD_EQUIPMENT_REMINDER_ROLES`: contact roles e-mailed by the daily
  reminder job (["safety_manager"]).
"""

from __future__ import annotations

from django.conf import settings

DEFAULT_INTERVAL_MONTHS: dict[str, int] = {
    "elevator": 12,
    "boiler": 12,
    "pressure_vessel": 36,
    "pressure_piping": 36,
    "lifting": 24,
    "site_vehicle": 12,
    "ropeway": 12,
    "amusement_ride": 12,
    "filling_station": 12,
    "other": 12,
}
DEFAULT_DUE_DAYS = 30
DEFAULT_REMINDER_ROLES = ["safety_manager"]


def interval_months(kind: str) -> int:
    given = getattr(settings, "CITYGUARD_EQUIPMENT_INTERVAL_MONTHS", None) or {}
    return int(given.get(kind, DEFAULT_INTERVAL_MONTHS.get(kind, 12)))


def intervals() -> dict[str, int]:
    return {kind: interval_months(kind) for kind in DEFAULT_INTERVAL_MONTHS}


def due_days() -> int:
    return int(getattr(settings, "CITYGUARD_EQUIPMENT_DUE_DAYS", DEFAULT_DUE_DAYS))


def reminder_roles() -> list[str]:
    roles = getattr(settings, "CITYGUARD_EQUIPMENT_REMINDER_ROLES", None)
    return list(roles) if roles else list(DEFAULT_REMINDER_ROLES)
