"""Choices of the risk register and the domain taxonomy's seed.

The domain codes below are stable: other apps (hazards, chemicals, equipment …) pass them to
`risk.services.register_origin`. Names may be edited in the Domain table; codes may not.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from cityguard.core.choices import ColouredChoices

from . import scoring


class RiskLevel(ColouredChoices):
    """The four-colour grading, highest first."""

    MAJOR = scoring.MAJOR, _("Major")
    LARGE = scoring.LARGE, _("Large")
    GENERAL = scoring.GENERAL, _("General")
    LOW = scoring.LOW, _("Low")


# Display colours of the four levels (the plan's red / orange / yellow / blue).
LEVEL_HEX: dict[str, str] = {
    scoring.MAJOR: "#d32f2f",
    scoring.LARGE: "#f57c00",
    scoring.GENERAL: "#fbc02d",
    scoring.LOW: "#1e88e5",
}
UNASSESSED_HEX = "#9e9e9e"
RiskLevel.COLOURS = LEVEL_HEX  # type: ignore[attr-defined]

COLOUR_LABELS = {
    "red": _("red"),
    "orange": _("orange"),
    "yellow": _("yellow"),
    "blue": _("blue"),
}


def level_label(level: str) -> str:
    """ "Major (red)", or "Not assessed" for a point without an assessment."""
    if not level:
        return str(_("Not assessed"))
    return str(_("%(level)s (%(colour)s)")) % {
        "level": RiskLevel(level).label,
        "colour": COLOUR_LABELS[scoring.COLOURS[level]],
    }


class AssessmentMethod(models.TextChoices):
    LEC = scoring.LEC, _("LEC (D = L × E × C)")
    MATRIX = scoring.MATRIX, _("Risk matrix (R = L × S)")
    ORIGIN = "origin", _("Fixed by its origin")


class ControlTier(models.TextChoices):
    """Who controls a risk: 分级管控 from the district down to the post."""

    DISTRICT = "district", _("District")
    STREET = "street", _("Street / town")
    UNIT = "unit", _("Unit")
    POST = "post", _("Post")


# The tier a level is controlled at by default (重大→区, 较大→街镇, 一般→单位, 低→岗位).
DEFAULT_TIER: dict[str, str] = {
    scoring.MAJOR: ControlTier.DISTRICT,
    scoring.LARGE: ControlTier.STREET,
    scoring.GENERAL: ControlTier.UNIT,
    scoring.LOW: ControlTier.POST,
}


class DomainCategory(models.TextChoices):
    SAFETY = "safety", _("Production and city safety")
    NATURAL = "natural", _("Natural hazard")


# (code, name_zh, name_en, category): the plan's thirteen domains (五(二)), then natural
# hazards. Seeded by migration 0002; the table is the taxonomy from then on.
DOMAINS: tuple[tuple[str, str, str, str], ...] = (
    ("special_equipment", "特种设备", "Special equipment", "safety"),
    ("hazardous_chemicals", "危险化学品", "Hazardous chemicals", "safety"),
    ("fire", "消防安全", "Fire safety", "safety"),
    ("road_transport", "道路运输安全", "Road transport", "safety"),
    ("transport_operations", "交通运输安全", "Transport operations", "safety"),
    ("urban_buildings", "城市建筑设施安全", "Urban buildings and facilities", "safety"),
    ("parks", "产业园区安全", "Industrial parks", "safety"),
    ("hazardous_waste", "危险废物与粉尘安全", "Hazardous waste and dust", "safety"),
    ("explosives", "危爆物品安全", "Explosives and dangerous goods", "safety"),
    ("city_gas", "城市燃气安全", "City gas", "safety"),
    ("underground_space", "地下空间安全", "Underground space", "safety"),
    ("construction", "建筑施工安全", "Construction", "safety"),
    ("confined_space", "有限空间安全", "Confined spaces", "safety"),
    ("flood_typhoon", "防汛防台", "Flood and typhoon", "natural"),
    ("waterlogging", "积水内涝", "Waterlogging", "natural"),
    ("earthquake", "地震", "Earthquake", "natural"),
    ("heat", "高温", "Heat", "natural"),
)
DOMAIN_CODES: tuple[str, ...] = tuple(d[0] for d in DOMAINS)


# What each scale value means (Graham–Kinney for LEC; the district's 5 × 5 matrix).
LEC_L_LABELS: dict[float, Any] = {
    10: _("Fully expected"),
    6: _("Quite possible"),
    3: _("Possible but unusual"),
    1: _("Unlikely, quite unexpected"),
    0.5: _("Very unlikely but conceivable"),
    0.2: _("Extremely unlikely"),
    0.1: _("Practically impossible"),
}
LEC_E_LABELS: dict[float, Any] = {
    10: _("Continuous exposure"),
    6: _("Daily, in working hours"),
    3: _("Weekly or occasionally"),
    2: _("Monthly"),
    1: _("A few times a year"),
    0.5: _("Very rarely"),
}
LEC_C_LABELS: dict[float, Any] = {
    100: _("Catastrophe, many deaths"),
    40: _("Disaster, several deaths"),
    15: _("Very serious, one death"),
    7: _("Serious injury"),
    3: _("Disabling injury"),
    1: _("Noticeable, needs first aid"),
}
MATRIX_LIKELIHOOD_LABELS: dict[float, Any] = {
    1: _("Very unlikely"),
    2: _("Unlikely"),
    3: _("Possible"),
    4: _("Likely"),
    5: _("Almost certain"),
}
MATRIX_SEVERITY_LABELS: dict[float, Any] = {
    1: _("Negligible harm"),
    2: _("Minor harm"),
    3: _("Moderate harm"),
    4: _("Severe harm"),
    5: _("Catastrophic harm"),
}
