"""Names, CAS numbers and quantities: pure helpers with no Django import.

- `key(text)`: how names are compared: NFKC (full-width letters, digits and brackets become
  their ASCII forms), every space removed, case folded. "氯 气", "Ｃｈｌｏｒｉｎｅ" and
  "chlorine" all find what they should.
- `base_name(name)`: a Chinese name without its parenthesised qualifier: "甲醛（含量>90%）"
  → "甲醛", so that a plain name finds every grade of a substance.
- `normalise_cas` / `cas_is_valid`: CAS Registry Numbers with their check digit.
- `to_tonnes`: t, kg, L and m³ (the last two with a density) into tonnes; any other unit
  of measure is refused.
"""

from __future__ import annotations

import math
import re
import unicodedata
from typing import Any

_SPACE = re.compile(r"\s+")
_CAS = re.compile(r"^(\d{2,7})-(\d{2})-(\d)$")
_QUALIFIER = re.compile(r"[(\[［【][^)\]］】]*[)\]］】]")


def key(text: str) -> str:
    return _SPACE.sub("", unicodedata.normalize("NFKC", text or "")).casefold()


def base_name(name: str) -> str:
    """The name without bracketed qualifiers (after NFKC, so full-width brackets count)."""
    plain = unicodedata.normalize("NFKC", name or "")
    stripped = _QUALIFIER.sub("", plain).strip()
    return stripped or plain.strip()


def cas_check_digit(body: str) -> int:
    digits = body.replace("-", "")
    return sum(int(d) * (i + 1) for i, d in enumerate(reversed(digits))) % 10


def cas_is_valid(text: str) -> bool:
    m = _CAS.match(text)
    if m is None:
        return False
    return cas_check_digit(m.group(1) + m.group(2)) == int(m.group(3))


def normalise_cas(text: str) -> str | None:
    """The hyphenated CAS number in `text` ("7782-50-5", "７７８２－５０－５", "7782505"),
    or None when it is not a CAS number with a correct check digit."""
    plain = key(text).replace("—", "-").replace("–", "-").replace("－", "-")
    if plain.isdigit() and 5 <= len(plain) <= 10:
        plain = f"{plain[:-3]}-{plain[-3:-1]}-{plain[-1]}"
    return plain if cas_is_valid(plain) else None


# --- quantities --------------------------------------------------------------------------

UNITS: dict[str, str] = {
    "t": "t",
    "吨": "t",
    "tonne": "t",
    "tonnes": "t",
    "kg": "kg",
    "千克": "kg",
    "公斤": "kg",
    "l": "L",
    "升": "L",
    "公升": "L",
    "litre": "L",
    "liter": "L",
    "m3": "m3",
    "立方米": "m3",
    "方": "m3",
}
UNIT_CODES: tuple[str, ...] = ("t", "kg", "L", "m3")
NEEDS_DENSITY = {"L", "m3"}


class QuantityError(ValueError):
    """`code`: number, negative, unit, density."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def unit_code(text: str) -> str:
    """The unit of measure's code (t, kg, L, m3) or QuantityError."""
    found = UNITS.get(key(text))
    if found is None:
        raise QuantityError("unit", f"unknown unit of measure: {text!r}")
    return found


def number(value: Any) -> float:
    if isinstance(value, bool):
        raise QuantityError("number", "not a number")
    if isinstance(value, str):
        value = key(value).replace(",", "")
    try:
        out = float(value)
    except (TypeError, ValueError):
        raise QuantityError("number", "not a number")
    if not math.isfinite(out):
        raise QuantityError("number", "not a finite number")
    return out


def to_tonnes(quantity: Any, unit: str, density_t_m3: float | None = None) -> float:
    """The quantity in tonnes. Density in t/m³ (numerically kg/L) for L and m³."""
    q = number(quantity)
    if q < 0:
        raise QuantityError("negative", "a quantity cannot be negative")
    code = unit_code(unit)
    if code == "t":
        return q
    if code == "kg":
        return q / 1000
    if density_t_m3 is None:
        raise QuantityError("density", "a volume needs the density to be converted")
    d = number(density_t_m3)
    if not d > 0:
        raise QuantityError("density", "the density must be above zero")
    return q * d / 1000 if code == "L" else q * d
