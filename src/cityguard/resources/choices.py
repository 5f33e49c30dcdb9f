"""Choice classes of the resources app."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class MaterialCategory(models.TextChoices):
    SHELTER = "shelter", _("Shelter and bedding")
    RESCUE = "rescue", _("Rescue equipment")
    FLOOD = "flood", _("Flood control")
    POWER = "power", _("Power and lighting")
    PROTECTION = "protection", _("Personal protection")
    FOOD = "food", _("Food and water")
    MEDICAL = "medical", _("Medical supplies")
    OTHER = "other", _("Other")


class ReserveLevel(models.TextChoices):
    CITY = "city", _("City")
    DISTRICT = "district", _("District")
    STREET = "street", _("Street / town")
    COMMUNITY = "community", _("Community / village")
    HOUSEHOLD = "household", _("Household")


class ReserveMode(models.TextChoices):
    PHYSICAL = "physical", _("Physical reserve")
    AGREEMENT = "agreement", _("Agreement reserve")
    CAPACITY = "capacity", _("Production capacity reserve")


class MovementKind(models.TextChoices):
    IN = "in", _("Stock in")
    OUT = "out", _("Stock out")
    TRANSFER_OUT = "transfer_out", _("Transfer out")
    TRANSFER_IN = "transfer_in", _("Transfer in")
    ISSUE = "issue", _("Issued to an incident")
    DONATION = "donation", _("Donation received")
    ADJUST_IN = "adjust_in", _("Stocktake surplus")
    ADJUST_OUT = "adjust_out", _("Stocktake shortfall")


INBOUND = {MovementKind.IN, MovementKind.TRANSFER_IN, MovementKind.DONATION, MovementKind.ADJUST_IN}


class TeamKind(models.TextChoices):
    FIRE = "fire", _("Fire and rescue")
    PROFESSIONAL = "professional", _("Professional")
    ENTERPRISE = "enterprise", _("Enterprise")
    VOLUNTEER = "volunteer", _("Social volunteers")


TEAM_COLOURS: dict[str, str] = {
    TeamKind.FIRE: "#c62828",
    TeamKind.PROFESSIONAL: "#1565c0",
    TeamKind.ENTERPRISE: "#6a1b9a",
    TeamKind.VOLUNTEER: "#2e7d32",
}


class TeamStatus(models.TextChoices):
    AVAILABLE = "available", _("Available")
    DISPATCHED = "dispatched", _("Dispatched")
    UNAVAILABLE = "unavailable", _("Unavailable")


class ShelterStatus(models.TextChoices):
    STANDBY = "standby", _("Standby")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class ShelterKind(models.TextChoices):
    INDOOR = "indoor", _("Indoor")
    OUTDOOR = "outdoor", _("Outdoor")


class StationKind(models.TextChoices):
    STANDARD_1 = "standard_1", _("Standard station, class 1")
    STANDARD_2 = "standard_2", _("Standard station, class 2")
    SMALL = "small", _("Small station")


class NearestKind(models.TextChoices):
    TEAM = "team", _("Teams")
    WAREHOUSE = "warehouse", _("Warehouses")
    SHELTER = "shelter", _("Shelters")
    FIRE_STATION = "fire_station", _("Fire stations")
