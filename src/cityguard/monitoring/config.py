"""Configurable values of the monitoring app, read from settings (any `CITYGUARD_*`
environment variable becomes a setting, JSON-parsed), with defaults:

- `CITYGUARD_MONITORING_MAX_FUTURE_S` (300): a reading more than this many seconds ahead
  of the server clock is refused.
- `CITYGUARD_MONITORING_MAX_BATCH` (50000): most readings in one HTTP batch (more: 413).
- `CITYGUARD_MQTT_MAX_PAYLOAD` (262144): largest MQTT payload taken, in bytes.
- `CITYGUARD_MONITORING_EVENT_KEEP_S` (3600): live-push events older than this are pruned.
- `CITYGUARD_MONITORING_CACHE_CHECK_S` (1.0): how often, at most, a process checks whether
  sensors, rules or contexts changed (its cache of them is rebuilt when they did).
- `CITYGUARD_MONITORING_NO_DATA_FACTOR` (3.0): the factor of a no-data rule that gives none.
- `CITYGUARD_ALARM_WEBHOOK_URL` (""): every opened or escalated alarm is also POSTed here.
- `CITYGUARD_MONITORING_VALUES_CAP` (500): most sensors in one live "values" event.
"""

from __future__ import annotations

from django.conf import settings


def _get(name: str, default: float) -> float:
    value = getattr(settings, name, None)
    if value is None or value == "":
        return default
    return float(value)


def max_future_s() -> float:
    return _get("CITYGUARD_MONITORING_MAX_FUTURE_S", 300.0)


def max_batch() -> int:
    return int(_get("CITYGUARD_MONITORING_MAX_BATCH", 50_000))


def max_payload() -> int:
    return int(_get("CITYGUARD_MQTT_MAX_PAYLOAD", 262_144))


def event_keep_s() -> float:
    return _get("CITYGUARD_MONITORING_EVENT_KEEP_S", 3600.0)


def cache_check_s() -> float:
    return _get("CITYGUARD_MONITORING_CACHE_CHECK_S", 1.0)


def no_data_factor() -> float:
    return _get("CITYGUARD_MONITORING_NO_DATA_FACTOR", 3.0)


def values_cap() -> int:
    return int(_get("CITYGUARD_MONITORING_VALUES_CAP", 500))


def alarm_webhook_url() -> str:
    return str(getattr(settings, "CITYGUARD_ALARM_WEBHOOK_URL", "") or "")


# Raw payloads kept with a dead letter are cut to this many characters.
DEAD_LETTER_PAYLOAD_CHARS = 65_536
