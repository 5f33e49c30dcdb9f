"""Settings of the hazards app, each read from Django settings, else the environment,
else the default below. None needs to be set; they are read at call time so tests can
override them with pytest-django's `settings` fixture.

| name                                 | default | meaning                                              |
|--------------------------------------|---------|------------------------------------------------------|
| CITYGUARD_HAZARD_PHOTO_MAX_BYTES     | 8 MiB   | largest photo accepted (hazards and tips)            |
| CITYGUARD_HAZARD_PHOTOS_PER_UPLOAD   | 6       | most photos in one upload                            |
| CITYGUARD_HAZARD_DEADLINE_GENERAL    | 30      | days to rectify a general hazard when none is given |
| CITYGUARD_HAZARD_DEADLINE_MAJOR      | 90      | days to rectify a major hazard when none is given   |
| CITYGUARD_HAZARD_REGISTER_LEVEL      | large   | risk level a closed major hazard is registered at   |
| CITYGUARD_LOOKBACK_MONTHS            | 12      | look-back window after an accident or closure       |
| CITYGUARD_LOOKBACK_SAMPLE_RATE       | 0.25    | share of due units sampled by each weekly run       |
| CITYGUARD_LOOKBACK_FORCE_DAYS        | 30      | a unit this close to its window's end is always taken |
| CITYGUARD_TIP_LIMIT                  | 5       | tips (and refused spam attempts) per address …      |
| CITYGUARD_TIP_WINDOW_SECONDS         | 3600    | … per this many seconds                              |
| CITYGUARD_TIP_MIN_SECONDS            | 3       | a form sent sooner after it was served is refused   |
| CITYGUARD_TIP_MAX_AGE_SECONDS        | 7200    | a form older than this must be reloaded             |
| CITYGUARD_TIP_PROXY_HOPS             | 0       | trusted reverse proxies in front (X-Forwarded-For)  |
| CITYGUARD_TIP_REWARD_GENERAL         | 200     | reward (yuan) proposed for a true tip, general       |
| CITYGUARD_TIP_REWARD_MAJOR           | 2000    | … for a major hazard                                 |
"""

from __future__ import annotations

import os
from decimal import Decimal
from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    "CITYGUARD_HAZARD_PHOTO_MAX_BYTES": 8 * 1024 * 1024,
    "CITYGUARD_HAZARD_PHOTOS_PER_UPLOAD": 6,
    "CITYGUARD_HAZARD_DEADLINE_GENERAL": 30,
    "CITYGUARD_HAZARD_DEADLINE_MAJOR": 90,
    "CITYGUARD_HAZARD_REGISTER_LEVEL": "large",
    "CITYGUARD_LOOKBACK_MONTHS": 12,
    "CITYGUARD_LOOKBACK_SAMPLE_RATE": 0.25,
    "CITYGUARD_LOOKBACK_FORCE_DAYS": 30,
    "CITYGUARD_TIP_LIMIT": 5,
    "CITYGUARD_TIP_WINDOW_SECONDS": 3600,
    "CITYGUARD_TIP_MIN_SECONDS": 3,
    "CITYGUARD_TIP_MAX_AGE_SECONDS": 7200,
    "CITYGUARD_TIP_PROXY_HOPS": 0,
    "CITYGUARD_TIP_REWARD_GENERAL": "200",
    "CITYGUARD_TIP_REWARD_MAJOR": "2000",
}


def get(name: str) -> Any:
    """The setting's value, converted to the type of its default."""
    default = DEFAULTS[name]
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name)
    if value is None:
        return default
    if isinstance(default, bool):
        return str(value).strip().lower() in {"1", "true", "yes", "on"}
    if isinstance(default, int):
        return int(value)
    if isinstance(default, float):
        return float(value)
    return value


def photo_max_bytes() -> int:
    return int(get("CITYGUARD_HAZARD_PHOTO_MAX_BYTES"))


def reward_amount(severity: str) -> Decimal:
    key = "CITYGUARD_TIP_REWARD_MAJOR" if severity == "major" else "CITYGUARD_TIP_REWARD_GENERAL"
    return Decimal(str(get(key)))
