"""Choice classes of the special-equipment app (特种设备)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from cityguard.core.choices import ColouredChoices


class EquipmentKind(ColouredChoices):
    """The kinds of special equipment of the Special Equipment Safety Law (TSG catalogue)."""

    ELEVATOR = "elevator", _("Elevator")
    BOILER = "boiler", _("Boiler")
    PRESSURE_VESSEL = "pressure_vessel", _("Pressure vessel")
    PRESSURE_PIPING = "pressure_piping", _("Pressure piping")
    LIFTING = "lifting", _("Lifting machinery")
    SITE_VEHICLE = "site_vehicle", _("Site (in-plant) motor vehicle")
    ROPEWAY = "ropeway", _("Passenger ropeway")
    AMUSEMENT_RIDE = "amusement_ride", _("Large amusement ride")
    FILLING_STATION = "filling_station", _("Gas cylinder filling station")
    OTHER = "other", _("Other special equipment")


EquipmentKind.COLOURS = {  # type: ignore[attr-defined]
    "elevator": "#3949ab",
    "boiler": "#c62828",
    "pressure_vessel": "#6a1b9a",
    "pressure_piping": "#00838f",
    "lifting": "#ef6c00",
    "site_vehicle": "#5d4037",
    "ropeway": "#2e7d32",
    "amusement_ride": "#d81b60",
    "filling_station": "#f9a825",
    "other": "#607d8b",
}


class EquipmentStatus(models.TextChoices):
    IN_USE = "in_use", _("In use")
    IDLE = "idle", _("Registered, not in use")
    STOPPED = "stopped", _("Stopped")
    SCRAPPED = "scrapped", _("Scrapped / cancelled")
    UNREGISTERED = "unregistered", _("Unregistered")


class InspectionResult(ColouredChoices):
    PASS = "pass", _("Pass")
    CONDITIONAL = "conditional", _("Pass with conditions")
    FAIL = "fail", _("Fail")


InspectionResult.COLOURS = {  # type: ignore[attr-defined]
    "pass": "#2e7d32",
    "conditional": "#f9a825",
    "fail": "#c62828",
}


class InspectionState(ColouredChoices):
    """Where a unit stands against its periodic statutory inspection today."""

    OK = "ok", _("In date")
    DUE_SOON = "due_soon", _("Due soon")
    OVERDUE = "overdue", _("Overdue")
    UNREGISTERED = "unregistered", _("Unregistered")
    OUT_OF_USE = "out_of_use", _("Not in use")


InspectionState.COLOURS = {  # type: ignore[attr-defined]
    "ok": "#2e7d32",
    "due_soon": "#f9a825",
    "overdue": "#c62828",
    "unregistered": "#6a1b9a",
    "out_of_use": "#9e9e9e",
}


class ReminderKind(models.TextChoices):
    DUE_SOON = "due_soon", _("Inspection due soon")
    OVERDUE = "overdue", _("Inspection overdue")
