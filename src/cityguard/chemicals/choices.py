"""Choices of the chemicals app, with their display labels and colours."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from cityguard.core.choices import ColouredChoices


class PhysicalState(models.TextChoices):
    GAS = "gas", _("Gas")
    LIQUID = "liquid", _("Liquid")
    SOLID = "solid", _("Solid")


class UnitKind(models.TextChoices):
    PRODUCTION = "production", _("Production unit")
    STORAGE = "storage", _("Storage unit")


class PopulationSource(models.TextChoices):
    ENTERED = "entered", _("Entered")
    ESTIMATED = "estimated", _("Estimated from population data")
    UNKNOWN = "unknown", _("Unknown")


class Grade(ColouredChoices):
    """Major hazard grade of GB 18218-2018 Table 6 (stored as text "1"…"4")."""

    ONE = "1", _("Grade 1")
    TWO = "2", _("Grade 2")
    THREE = "3", _("Grade 3")
    FOUR = "4", _("Grade 4")


Grade.COLOURS = {  # type: ignore[attr-defined]
    "1": "#d32f2f",
    "2": "#f57c00",
    "3": "#fbc02d",
    "4": "#1e88e5",
}
NOT_MAJOR_COLOUR = "#78909c"


def grade_colour(grade: int | None) -> str:
    return Grade.colour_of(str(grade)) if grade else NOT_MAJOR_COLOUR


def grade_label(grade: int | None) -> str:
    return str(Grade(str(grade)).label) if grade else str(_("Not a major hazard"))


class Trigger(models.TextChoices):
    """Why an identification was computed (kept in its snapshot)."""

    INVENTORY = "inventory", _("Inventory changed")
    UNIT = "unit", _("Unit changed")
    CATALOGUE = "catalogue", _("Catalogue changed")
    POPULATION = "population", _("Population data changed")
    IMPORT = "import", _("Inventory import")
    MANUAL = "manual", _("Recomputed on request")
    DEMO = "demo", _("Demo data")


class SourceStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    RETIRED = "retired", _("No longer a major hazard")


class LicenceStatus(ColouredChoices):
    ISSUED = "issued", _("Issued")
    SUSPENDED = "suspended", _("Suspended")
    REVOKED = "revoked", _("Revoked")
    CANCELLED = "cancelled", _("Cancelled")


LicenceStatus.COLOURS = {  # type: ignore[attr-defined]
    "issued": "#2e7d32",
    "suspended": "#f57c00",
    "revoked": "#c62828",
    "cancelled": "#616161",
}


class LicenceKind(models.TextChoices):
    WITH_STORAGE = "with_storage", _("Trading with storage")
    WITHOUT_STORAGE = "without_storage", _("Trading without storage")


class ReminderKind(models.TextChoices):
    EXPIRING = "expiring", _("Expires soon")
    EXPIRED = "expired", _("Expired")


class FlowKind(models.TextChoices):
    PURCHASE = "purchase", _("Purchase")
    SALE = "sale", _("Sale")
    USE = "use", _("Use")
    TRANSFER = "transfer", _("Transfer")
    TRANSPORT = "transport", _("Transport")
    DISPOSAL = "disposal", _("Disposal")


class Direction(models.TextChoices):
    IN = "in", _("In")
    OUT = "out", _("Out")
    NONE = "none", _("No change of stock")


# A kind's direction of stock; transfer names its own (in or out).
KIND_DIRECTION: dict[str, str | None] = {
    FlowKind.PURCHASE: Direction.IN,
    FlowKind.SALE: Direction.OUT,
    FlowKind.USE: Direction.OUT,
    FlowKind.DISPOSAL: Direction.OUT,
    FlowKind.TRANSPORT: Direction.NONE,
    FlowKind.TRANSFER: None,
}


class QuantityUnit(models.TextChoices):
    TONNE = "t", _("t")
    KILOGRAM = "kg", _("kg")
    LITRE = "L", _("L")
    CUBIC_METRE = "m3", _("m³")


class FilingStatus(models.TextChoices):
    FILED = "filed", _("Filed")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Withdrawn")


class BlacklistKind(models.TextChoices):
    VEHICLE = "vehicle", _("Vehicle")
    DRIVER = "driver", _("Driver")
    CARRIER = "carrier", _("Carrier")
