"""Choice classes shared by models, pages, map and API: one label and colour each."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ColouredChoices(models.TextChoices):
    """TextChoices whose members may carry a display colour (see `colour_of`)."""

    @classmethod
    def colour_of(cls, value: str) -> str:
        return getattr(cls, "COLOURS", {}).get(value, "#607d8b")


class Level(models.TextChoices):
    DISTRICT = "district", _("District")
    STREET = "street", _("Street / town")
    COMMUNITY = "community", _("Community / village")
    GRID = "grid", _("Grid cell")


LEVEL_DEPTH: dict[str, int] = {
    Level.DISTRICT: 0,
    Level.STREET: 1,
    Level.COMMUNITY: 2,
    Level.GRID: 3,
}


class OrganizationKind(ColouredChoices):
    ENTERPRISE = "enterprise", _("Enterprise")
    DEPARTMENT = "department", _("Government department")
    STREET_OFFICE = "street_office", _("Street office")
    SCHOOL = "school", _("School")
    HOSPITAL = "hospital", _("Hospital")
    PARK = "park", _("Park")
    COMMERCIAL_COMPLEX = "commercial_complex", _("Commercial complex")
    CONSTRUCTION_SITE = "construction_site", _("Construction site")
    SOCIAL = "social", _("Social organisation")
    OTHER = "other", _("Other")


OrganizationKind.COLOURS = {  # type: ignore[attr-defined]
    "enterprise": "#1565c0",
    "department": "#6a1b9a",
    "street_office": "#4a148c",
    "school": "#2e7d32",
    "hospital": "#c62828",
    "park": "#00838f",
    "commercial_complex": "#ef6c00",
    "construction_site": "#8d6e63",
    "social": "#5d4037",
    "other": "#546e7a",
}


class PlaceKind(ColouredChoices):
    CROWDED_PLACE = "crowded_place", _("Crowded place")
    HIGH_RISE = "high_rise", _("High-rise building")
    COMMERCIAL_COMPLEX = "commercial_complex", _("Commercial complex")
    UNDERGROUND_SPACE = "underground_space", _("Underground space")
    CONFINED_SPACE = "confined_space", _("Confined space")
    GLASS_CURTAIN_WALL = "glass_curtain_wall", _("Glass-curtain-wall building")
    BILLBOARD = "billboard", _("Billboard / hoarding")
    OTHER = "other", _("Other")


PlaceKind.COLOURS = {  # type: ignore[attr-defined]
    "crowded_place": "#d81b60",
    "high_rise": "#3949ab",
    "commercial_complex": "#fb8c00",
    "underground_space": "#455a64",
    "confined_space": "#6d4c41",
    "glass_curtain_wall": "#00acc1",
    "billboard": "#7cb342",
    "other": "#757575",
}


class ContactRole(models.TextChoices):
    PRINCIPAL = "principal", _("Principal responsible person")
    SAFETY_MANAGER = "safety_manager", _("Safety manager")
    DUTY = "duty", _("Duty contact")
    TECHNICAL = "technical", _("Technical responsible person")
    OPERATIONAL = "operational", _("Operational responsible person")
    OTHER = "other", _("Other")


class Role(models.TextChoices):
    DISTRICT_ADMIN = "district_admin", _("District administrator")
    DISTRICT_STAFF = "district_staff", _("District staff")
    STREET_OFFICER = "street_officer", _("Street officer")
    ENTERPRISE_MANAGER = "enterprise_manager", _("Enterprise safety manager")
    VIEWER = "viewer", _("Viewer")
    API_CLIENT = "api_client", _("API client")


class DayKind(models.TextChoices):
    """An exception to the Monday–Friday working week in the working-day calendar."""

    HOLIDAY = "holiday", _("Public holiday (rest day)")
    WORKDAY = "workday", _("Adjusted working day")
