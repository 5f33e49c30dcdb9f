"""Choices of the warnings app: warning types and colours, lifecycle states, events,
delivery statuses; and the tables that map a type and colour onto CAP 1.2."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from cityguard.core.choices import ColouredChoices


class WarningType(models.TextChoices):
    RAINSTORM = "rainstorm", _("Rainstorm")
    TYPHOON = "typhoon", _("Typhoon")
    HEAT = "heat", _("Heat")
    COLD_WAVE = "cold_wave", _("Cold wave")
    FOG = "fog", _("Fog")
    THUNDER = "thunder", _("Thunder and lightning")
    GALE = "gale", _("Gale")
    CHEMICAL_RELEASE = "chemical_release", _("Hazardous-chemical release")
    OTHER = "other", _("Other")


class WarningColour(ColouredChoices):
    BLUE = "blue", _("Blue")
    YELLOW = "yellow", _("Yellow")
    ORANGE = "orange", _("Orange")
    RED = "red", _("Red")


WarningColour.COLOURS = {  # type: ignore[attr-defined]
    "blue": "#1565c0",
    "yellow": "#f9a825",
    "orange": "#ef6c00",
    "red": "#c62828",
}

# Higher is more serious: the map colours a street by its most serious active warning.
COLOUR_RANK: dict[str, int] = {"blue": 1, "yellow": 2, "orange": 3, "red": 4}

ALL_COLOURS = ("blue", "yellow", "orange", "red")
THREE_COLOURS = ("yellow", "orange", "red")

# The colours each type may be issued in (China Meteorological Administration practice:
# heat, fog and thunder have no blue signal).
ALLOWED_COLOURS: dict[str, tuple[str, ...]] = {
    "rainstorm": ALL_COLOURS,
    "typhoon": ALL_COLOURS,
    "heat": THREE_COLOURS,
    "cold_wave": ALL_COLOURS,
    "fog": THREE_COLOURS,
    "thunder": THREE_COLOURS,
    "gale": ALL_COLOURS,
    "chemical_release": ALL_COLOURS,
    "other": ALL_COLOURS,
}


class WarningState(ColouredChoices):
    DRAFT = "draft", _("Draft")
    ISSUED = "issued", _("Issued")
    UPDATED = "updated", _("Updated")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Expired")


WarningState.COLOURS = {  # type: ignore[attr-defined]
    "draft": "#757575",
    "issued": "#c62828",
    "updated": "#ef6c00",
    "cancelled": "#455a64",
    "expired": "#90a4ae",
}

ACTIVE_STATES = ("issued", "updated")


class Origin(models.TextChoices):
    LOCAL = "local", _("Issued here")
    IMPORTED = "imported", _("Imported CAP")


class EventKind(models.TextChoices):
    CREATED = "created", _("Draft created")
    EDITED = "edited", _("Draft edited")
    ISSUED = "issued", _("Issued")
    UPDATED = "updated", _("Updated")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Expired")
    IMPORTED = "imported", _("Imported")
    PUBLISHED = "published", _("Published")


class MsgType(models.TextChoices):
    ALERT = "Alert", _("Alert")
    UPDATE = "Update", _("Update")
    CANCEL = "Cancel", _("Cancel")


class DeliveryStatus(ColouredChoices):
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


DeliveryStatus.COLOURS = {  # type: ignore[attr-defined]
    "queued": "#757575",
    "sent": "#2e7d32",
    "failed": "#c62828",
}


class Audience(models.TextChoices):
    CONTACT = "contact", _("Contact in the area")
    PUBLIC = "public", _("The public")
    SYSTEM = "system", _("Connected system")


# --- CAP 1.2 mapping ------------------------------------------------------------------------

# colour → (urgency, severity, certainty)
CAP_GRADING: dict[str, tuple[str, str, str]] = {
    "red": ("Immediate", "Extreme", "Likely"),
    "orange": ("Expected", "Severe", "Likely"),
    "yellow": ("Expected", "Moderate", "Likely"),
    "blue": ("Future", "Minor", "Possible"),
}
SEVERITY_COLOUR: dict[str, str] = {
    "Extreme": "red",
    "Severe": "orange",
    "Moderate": "yellow",
    "Minor": "blue",
}

# type → CAP categories
CAP_CATEGORIES: dict[str, tuple[str, ...]] = {
    "rainstorm": ("Met",),
    "typhoon": ("Met",),
    "heat": ("Met",),
    "cold_wave": ("Met",),
    "fog": ("Met",),
    "thunder": ("Met",),
    "gale": ("Met",),
    "chemical_release": ("Env", "Safety"),
    "other": ("Other",),
}

# type → event-type code of China's national early-warning release system (11B.. are the
# meteorological warning signals; 12.. accidents). Carried as eventCode with the value
# name EVENT_CODE_NAME; an imported CAP document naming one of these is read back as the type.
EVENT_CODE_NAME = "CN-EW-EventType"
COLOUR_CODE_NAME = "CN-EW-Colour"
EVENT_CODES: dict[str, str] = {
    "typhoon": "11B01",
    "rainstorm": "11B03",
    "cold_wave": "11B05",
    "gale": "11B06",
    "heat": "11B09",
    "thunder": "11B14",
    "fog": "11B17",
    "chemical_release": "12B03",
    "other": "99Z99",
}
# Geocode value name for a street's code (county-below divisions, GB/T 10114 on GB/T 2260).
GEOCODE_NAME = "GB/T 10114"
# Other geocode names an imported document may use for our street codes.
GEOCODE_NAMES = {"GB/T 10114", "GB/T 2260", "GB/T2260", "CN-ADMIN-CODE"}

# Words in an imported event or headline that name a type (Chinese and English).
EVENT_WORDS: dict[str, tuple[str, ...]] = {
    "rainstorm": ("暴雨", "rainstorm", "heavy rain"),
    "typhoon": ("台风", "typhoon"),
    "heat": ("高温", "heat"),
    "cold_wave": ("寒潮", "cold wave"),
    "fog": ("大雾", "雾", "fog"),
    "thunder": ("雷电", "雷暴", "thunder", "lightning"),
    "gale": ("大风", "gale", "high wind"),
    "chemical_release": ("危险化学品", "化学品泄漏", "chemical", "hazmat"),
}
