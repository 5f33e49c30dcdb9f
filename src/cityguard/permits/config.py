"""Settings of the permits app, each read from Django settings (any CITYGUARD_* environment
variable becomes one, JSON-parsed), else the default below.

| name                                  | default | meaning                                                   |
|---------------------------------------|---------|-----------------------------------------------------------|
| CITYGUARD_PERMIT_MAX_HOURS            | {}      | overrides of the longest validity, e.g. {"hot_work:2": 48} |
| CITYGUARD_PERMIT_GAS_MAX_AGE_MINUTES  | 30      | a gas analysis older than this blocks approval and start   |
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from . import rules

DEFAULTS: dict[str, Any] = {
    "CITYGUARD_PERMIT_MAX_HOURS": {},
    "CITYGUARD_PERMIT_GAS_MAX_AGE_MINUTES": 30,
}


def get(name: str) -> Any:
    value = getattr(settings, name, None)
    return DEFAULTS[name] if value is None else value


def max_hours(kind: str, grade: str) -> float:
    table = get("CITYGUARD_PERMIT_MAX_HOURS") or {}
    return rules.max_hours(kind, grade, {k: float(v) for k, v in dict(table).items()})


def gas_max_age_minutes() -> int:
    return int(get("CITYGUARD_PERMIT_GAS_MAX_AGE_MINUTES"))
