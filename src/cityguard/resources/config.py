"""Configurable values of the resources app, with defaults that settings may override.

- `settings.CITYGUARD_RESOURCES_SPEED_KMH`: average travel speed per resource kind, km/h,
  `{"team": 30, "fire_station": 35, "warehouse": 25, "shelter": 20}` (any may be left out).
- `settings.CITYGUARD_RESOURCES_DETOUR`: road distance ÷ straight-line distance (1.4): the
  estimated travel time is distance × detour ÷ speed.
- `settings.CITYGUARD_RESOURCES_ROTATION_DAYS`: lots expiring within this many days raise a
  rotation alert (30).
- `settings.CITYGUARD_RESOURCES_STATION_KM2`: the largest service area of a standard fire
  station, km² (7, the urban fire-station construction standard).
"""

from __future__ import annotations

from django.conf import settings

DEFAULT_SPEED_KMH: dict[str, float] = {
    "team": 30.0,
    "fire_station": 35.0,
    "warehouse": 25.0,
    "shelter": 20.0,
}
DEFAULT_DETOUR = 1.4
DEFAULT_ROTATION_DAYS = 30
DEFAULT_STATION_KM2 = 7.0


def speed_kmh(kind: str) -> float:
    given = getattr(settings, "CITYGUARD_RESOURCES_SPEED_KMH", None) or {}
    return float(given.get(kind, DEFAULT_SPEED_KMH.get(kind, 30.0)))


def detour() -> float:
    return float(getattr(settings, "CITYGUARD_RESOURCES_DETOUR", DEFAULT_DETOUR))


def rotation_days() -> int:
    return int(getattr(settings, "CITYGUARD_RESOURCES_ROTATION_DAYS", DEFAULT_ROTATION_DAYS))


def station_km2() -> float:
    return float(getattr(settings, "CITYGUARD_RESOURCES_STATION_KM2", DEFAULT_STATION_KM2))


def travel_minutes(distance_m: float, kind: str) -> float:
    """Estimated travel time: straight-line distance × detour factor ÷ speed."""
    return distance_m * detour() / (speed_kmh(kind) * 1000.0 / 60.0)
