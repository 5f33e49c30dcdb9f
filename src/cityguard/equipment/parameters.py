"""Kind-specific technical parameters of a unit ("parameters online", plan §五(二)).

Each kind has its known parameters (key, label, type, unit); a unit stores them as a JSON
object. Known keys are checked by type and range; other keys are kept as short text, so
a registry can carry what its archive holds. `check(kind, value)` returns the cleaned
object or raises ValueError with a message in the user's language.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

MAX_KEYS = 30
MAX_KEY = 40
MAX_TEXT = 200


@dataclass(frozen=True)
class Param:
    key: str
    label: Any
    kind: str  # "number" or "text"
    unit: str = ""
    maximum: float = 1e9


FLOORS = Param("floors", gettext_lazy("Floors served"), "number", "", 500)
LOAD_KG = Param("rated_load_kg", gettext_lazy("Rated load"), "number", "kg", 100_000)
SPEED = Param("rated_speed_ms", gettext_lazy("Rated speed"), "number", "m/s", 50)
PRESSURE = Param("design_pressure_mpa", gettext_lazy("Design pressure"), "number", "MPa", 1000)
MEDIUM = Param("medium", gettext_lazy("Medium"), "text")

PARAMETERS: dict[str, tuple[Param, ...]] = {
    "elevator": (
        Param("elevator_type", gettext_lazy("Elevator type"), "text"),
        LOAD_KG,
        SPEED,
        FLOORS,
    ),
    "boiler": (
        Param(
            "rated_capacity_th",
            gettext_lazy("Rated evaporation / capacity"),
            "number",
            "t/h",
            10_000,
        ),
        Param("rated_pressure_mpa", gettext_lazy("Rated pressure"), "number", "MPa", 100),
        Param("fuel", gettext_lazy("Fuel"), "text"),
        MEDIUM,
    ),
    "pressure_vessel": (
        PRESSURE,
        Param("volume_m3", gettext_lazy("Volume"), "number", "m³", 1_000_000),
        MEDIUM,
        Param("vessel_class", gettext_lazy("Vessel class (I/II/III)"), "text"),
        Param("safety_grade", gettext_lazy("Safety grade (1–5)"), "number", "", 5),
    ),
    "pressure_piping": (
        PRESSURE,
        Param("length_m", gettext_lazy("Length"), "number", "m", 1_000_000),
        Param("nominal_diameter_mm", gettext_lazy("Nominal diameter"), "number", "mm", 10_000),
        MEDIUM,
        Param("piping_class", gettext_lazy("Piping class (GA/GB/GC/GD)"), "text"),
    ),
    "lifting": (
        Param("crane_type", gettext_lazy("Crane type"), "text"),
        Param("rated_lifting_t", gettext_lazy("Rated lifting capacity"), "number", "t", 100_000),
        Param("span_m", gettext_lazy("Span"), "number", "m", 1000),
        Param("lifting_height_m", gettext_lazy("Lifting height"), "number", "m", 1000),
    ),
    "site_vehicle": (
        Param("vehicle_type", gettext_lazy("Vehicle type"), "text"),
        Param("rated_load_t", gettext_lazy("Rated load"), "number", "t", 1000),
        Param("power", gettext_lazy("Power source"), "text"),
    ),
    "ropeway": (
        Param("length_m", gettext_lazy("Length"), "number", "m", 100_000),
        Param("capacity_ph", gettext_lazy("Capacity"), "number", "p/h", 100_000),
        SPEED,
    ),
    "amusement_ride": (
        Param("ride_grade", gettext_lazy("Ride grade (A/B/C)"), "text"),
        Param("max_speed_kmh", gettext_lazy("Maximum speed"), "number", "km/h", 500),
        Param("passengers", gettext_lazy("Passengers per ride"), "number", "", 10_000),
    ),
    "filling_station": (
        MEDIUM,
        Param(
            "cylinders_per_day", gettext_lazy("Cylinders filled per day"), "number", "", 1_000_000
        ),
    ),
    "other": (),
}


def known(kind: str) -> tuple[Param, ...]:
    return PARAMETERS.get(kind, ())


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip().replace(",", ""))
        except ValueError:
            return None
    return None


def check(kind: str, value: Any) -> dict[str, Any]:
    """The cleaned parameters of a unit of `kind`; ValueError with the reason."""
    if value in (None, ""):
        return {}
    if not isinstance(value, dict):
        raise ValueError(_("Parameters must be an object of names and values."))
    if len(value) > MAX_KEYS:
        raise ValueError(_("At most %(n)s parameters.") % {"n": MAX_KEYS})
    spec = {p.key: p for p in known(kind)}
    out: dict[str, Any] = {}
    for raw_key, raw in value.items():
        key = str(raw_key).strip()
        if not key or len(key) > MAX_KEY or "\x00" in key:
            raise ValueError(
                _("A parameter name must have 1 to %(n)s characters.") % {"n": MAX_KEY}
            )
        if raw in (None, ""):
            continue
        param = spec.get(key)
        if param is not None and param.kind == "number":
            number = _number(raw)
            if number is None or not math.isfinite(number):
                raise ValueError(_("%(name)s must be a number.") % {"name": param.label})
            if number < 0 or number > param.maximum:
                raise ValueError(
                    _("%(name)s must lie between 0 and %(max)s.")
                    % {"name": param.label, "max": f"{param.maximum:g}"}
                )
            out[key] = int(number) if number.is_integer() else number
            continue
        if isinstance(raw, dict | list):
            raise ValueError(_("The parameter %(name)s must be a single value.") % {"name": key})
        if isinstance(raw, bool):
            out[key] = raw
            continue
        if isinstance(raw, int | float):
            if not math.isfinite(raw):
                raise ValueError(_("%(name)s must be a number.") % {"name": key})
            out[key] = raw
            continue
        text = str(raw).strip()
        if len(text) > MAX_TEXT or "\x00" in text:
            raise ValueError(
                _("The parameter %(name)s is longer than %(n)s characters.")
                % {"name": key, "n": MAX_TEXT}
            )
        out[key] = text
    return out


def rows(kind: str, value: dict[str, Any]) -> list[tuple[str, str, Any, str]]:
    """(key, label, value, unit) for a detail page: known parameters first, in order."""
    spec = known(kind)
    out = [(p.key, str(p.label), value[p.key], p.unit) for p in spec if p.key in value]
    keys = {p.key for p in spec}
    out += [(k, k, v, "") for k, v in value.items() if k not in keys]
    return out


def to_text(value: dict[str, Any]) -> str:
    """Parameters as the edit form's lines: `name = value`."""
    return "\n".join(f"{k} = {v}" for k, v in (value or {}).items())


def from_text(text: str) -> dict[str, Any]:
    """The edit form's `name = value` lines (or `name: value`) as an object."""
    out: dict[str, Any] = {}
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        sep = "=" if "=" in line else (":" if ":" in line else ("：" if "：" in line else ""))
        if not sep:
            raise ValueError(_("Line %(n)s: write “name = value”.") % {"n": number})
        key, _sep, val = line.partition(sep)
        out[key.strip()] = val.strip()
    return out
