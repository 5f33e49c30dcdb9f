"""Settings of the warnings app, read at call time from Django settings, else the
environment (JSON-parsed for tables), else the defaults below.

| name                                  | default                          | meaning |
|---------------------------------------|----------------------------------|---------|
| CITYGUARD_CAP_SENDER                  | cityguard@yangpu.example.cn      | CAP `sender`; prefix of every identifier |
| CITYGUARD_WARNING_AUTHORITY           | 上海市杨浦区气象局                  | issuing authority proposed on new warnings |
| CITYGUARD_WARNING_CONTACT_ROLES       | ["principal","safety_manager","duty"] | contact roles that receive warnings |
| CITYGUARD_WARNING_WEBHOOK_URL         | "" (none)                        | a system that receives every warning as JSON |
| CITYGUARD_WARNING_CHAIN               | see CHAIN below                  | type → {sensor kind: tighten}, scaled by colour |
| CITYGUARD_WARNING_CHAIN_SCALE         | see SCALE below                  | colour → factor applied to the tighten amounts |
| CITYGUARD_WARNING_THREATS             | see THREATS below                | type → place kinds / risk domains it threatens |
| CITYGUARD_WARNING_COVERAGE_TARGET     | 95                               | coverage target, % (plan §五(三)2) |
| CITYGUARD_PUBLIC_URL                  | ""                               | absolute base of links in the Atom feed and CAP `web` |
"""

from __future__ import annotations

import json
import os
from typing import Any

from django.conf import settings

CHAIN: dict[str, dict[str, float]] = {
    "rainstorm": {"water_level": 0.2},
    "typhoon": {"water_level": 0.3, "tilt": 1.0},
    "gale": {"tilt": 1.0},
}
# A red warning tightens by the whole amount; milder colours by less.
SCALE: dict[str, float] = {"red": 1.0, "orange": 1.0, "yellow": 1.0, "blue": 0.5}
THREATS: dict[str, dict[str, list[str]]] = {
    "rainstorm": {
        "places": ["underground_space", "confined_space"],
        "domains": ["underground_space", "waterlogging", "flood_typhoon"],
    },
    "typhoon": {
        "places": ["glass_curtain_wall", "billboard", "high_rise", "underground_space"],
        "domains": ["flood_typhoon", "construction", "urban_buildings", "waterlogging"],
        "organizations": ["construction_site"],
    },
    "gale": {
        "places": ["glass_curtain_wall", "billboard", "high_rise"],
        "domains": ["construction", "urban_buildings"],
        "organizations": ["construction_site"],
    },
    "thunder": {"places": ["crowded_place", "high_rise"], "domains": ["hazardous_chemicals"]},
    "heat": {"places": ["crowded_place", "confined_space"], "domains": ["heat", "city_gas"]},
    "cold_wave": {"places": ["crowded_place"], "domains": ["city_gas"]},
    "fog": {"places": ["crowded_place"], "domains": ["road_transport", "transport_operations"]},
    "chemical_release": {
        "places": ["crowded_place"],
        "domains": ["hazardous_chemicals", "explosives", "hazardous_waste"],
    },
}

DEFAULTS: dict[str, Any] = {
    "CITYGUARD_CAP_SENDER": "cityguard@yangpu.example.cn",
    "CITYGUARD_WARNING_AUTHORITY": "上海市杨浦区气象局",
    "CITYGUARD_WARNING_CONTACT_ROLES": ["principal", "safety_manager", "duty"],
    "CITYGUARD_WARNING_WEBHOOK_URL": "",
    "CITYGUARD_WARNING_CHAIN": CHAIN,
    "CITYGUARD_WARNING_CHAIN_SCALE": SCALE,
    "CITYGUARD_WARNING_THREATS": THREATS,
    "CITYGUARD_WARNING_COVERAGE_TARGET": 95.0,
    "CITYGUARD_PUBLIC_URL": "",
}


def get(name: str) -> Any:
    default = DEFAULTS[name]
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name)
    if value is None:
        return default
    if isinstance(default, dict | list) and isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return default
    if isinstance(default, float):
        return float(value)
    return value


def sender() -> str:
    # CAP forbids spaces, commas and "<" / "&" in sender and identifier.
    raw = str(get("CITYGUARD_CAP_SENDER")).strip()
    return "".join(ch for ch in raw if ch not in " ,<&\t\r\n") or DEFAULTS["CITYGUARD_CAP_SENDER"]


def chain_for(kind: str, colour: str) -> dict[str, float]:
    """Sensor kind → tighten amount for a warning of this type and colour."""
    table = get("CITYGUARD_WARNING_CHAIN") or {}
    scale = (get("CITYGUARD_WARNING_CHAIN_SCALE") or {}).get(colour, 1.0)
    return {k: round(float(v) * float(scale), 6) for k, v in (table.get(kind) or {}).items()}


def threats_for(kind: str) -> dict[str, list[str]]:
    table = get("CITYGUARD_WARNING_THREATS") or {}
    entry = table.get(kind) or {}
    return {
        "places": list(entry.get("places", [])),
        "domains": list(entry.get("domains", [])),
        "organizations": list(entry.get("organizations", [])),
    }


def contact_roles() -> list[str]:
    return list(get("CITYGUARD_WARNING_CONTACT_ROLES") or [])


def coverage_target() -> float:
    return float(get("CITYGUARD_WARNING_COVERAGE_TARGET"))
