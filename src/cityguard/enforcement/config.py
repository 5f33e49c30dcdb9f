"""Settings of the enforcement app, each read from Django settings, else the environment,
else the default below. They are read at call time, so tests may override them.

| name                                        | default | meaning                                                          |
|---------------------------------------------|---------|------------------------------------------------------------------|
| CITYGUARD_ENFORCEMENT_MIN_TRAINING_HOURS    | 40      | training hours an officer needs (with a valid certificate) to count as qualified |
| CITYGUARD_ENFORCEMENT_MAJOR_FINE            | 50000   | a decision with fines totalling at least this (yuan) is major     |
| CITYGUARD_ENFORCEMENT_MAJOR_PENALTIES       | ["suspension", "licence_revocation", "closure"] | penalty kinds that make a decision major |
| CITYGUARD_ENFORCEMENT_PUBLISH_DAYS          | 7       | working days (Mon–Fri, corrected by the working-day calendar) after issue within which a decision must be published |
| CITYGUARD_ENFORCEMENT_PUBLIC_DAYS           | 365     | days a published decision stays on the public page               |
| CITYGUARD_ENFORCEMENT_RECORDED_STEPS        | ["filed", "investigation", "decision"] | steps of a concluded case that need an event with evidence |
| CITYGUARD_ENFORCEMENT_OFFICERS_PER_TARGET   | 2       | officers drawn per target (at least 2)                            |
"""

from __future__ import annotations

import json
import os
from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    "CITYGUARD_ENFORCEMENT_MIN_TRAINING_HOURS": 40.0,
    "CITYGUARD_ENFORCEMENT_MAJOR_FINE": 50000.0,
    "CITYGUARD_ENFORCEMENT_MAJOR_PENALTIES": ["suspension", "licence_revocation", "closure"],
    "CITYGUARD_ENFORCEMENT_PUBLISH_DAYS": 7,
    "CITYGUARD_ENFORCEMENT_PUBLIC_DAYS": 365,
    "CITYGUARD_ENFORCEMENT_RECORDED_STEPS": ["filed", "investigation", "decision"],
    "CITYGUARD_ENFORCEMENT_OFFICERS_PER_TARGET": 2,
}


def get(name: str) -> Any:
    """The setting's value, converted to the type of its default."""
    default = DEFAULTS[name]
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name)
    if value is None:
        return default
    if isinstance(default, list):
        if isinstance(value, str):
            value = json.loads(value)
        return [str(v) for v in value]
    return type(default)(value)


def min_training_hours() -> float:
    return float(get("CITYGUARD_ENFORCEMENT_MIN_TRAINING_HOURS"))


def major_fine() -> float:
    return float(get("CITYGUARD_ENFORCEMENT_MAJOR_FINE"))


def major_penalties() -> set[str]:
    return set(get("CITYGUARD_ENFORCEMENT_MAJOR_PENALTIES"))


def publish_days() -> int:
    return int(get("CITYGUARD_ENFORCEMENT_PUBLISH_DAYS"))


def public_days() -> int:
    return int(get("CITYGUARD_ENFORCEMENT_PUBLIC_DAYS"))


def recorded_steps() -> list[str]:
    return list(get("CITYGUARD_ENFORCEMENT_RECORDED_STEPS"))


def officers_per_target() -> int:
    return max(2, int(get("CITYGUARD_ENFORCEMENT_OFFICERS_PER_TARGET")))
