"""Choices of the incidents app: the national incident classes and a small subtype taxonomy."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Source(models.TextChoices):
    PHONE = "phone", _("Phone call")
    APP = "app", _("App report")
    SENSOR_ALARM = "sensor_alarm", _("Sensor alarm")
    TIP = "tip", _("Tip")


class IncidentType(models.TextChoices):
    """The four national classes of public emergencies."""

    NATURAL_DISASTER = "natural_disaster", _("Natural disaster")
    ACCIDENT = "accident", pgettext_lazy("incident type", "Accident")
    PUBLIC_HEALTH = "public_health", _("Public health")
    SOCIAL_SECURITY = "social_security", _("Social security")


class Subtype(models.TextChoices):
    # natural disasters
    FLOOD = "flood", _("Flood")
    TYPHOON = "typhoon", _("Typhoon")
    RAINSTORM = "rainstorm", _("Rainstorm")
    EARTHQUAKE = "earthquake", _("Earthquake")
    GEOLOGICAL = "geological", _("Geological hazard")
    HEAT_WAVE = "heat_wave", _("Heat wave")
    # accidents
    FIRE = "fire", _("Fire")
    EXPLOSION = "explosion", _("Explosion")
    HAZARDOUS_CHEMICAL_RELEASE = "hazardous_chemical_release", _("Hazardous chemical release")
    TRAFFIC = "traffic", _("Traffic accident")
    CONSTRUCTION = "construction", _("Construction accident")
    GAS = "gas", _("Gas accident")
    SPECIAL_EQUIPMENT = "special_equipment", _("Special equipment accident")
    UTILITY = "utility", _("Utility failure")
    # public health
    INFECTIOUS_DISEASE = "infectious_disease", _("Infectious disease")
    FOOD_POISONING = "food_poisoning", _("Food poisoning")
    OCCUPATIONAL_POISONING = "occupational_poisoning", _("Occupational poisoning")
    # social security
    CROWD = "crowd", _("Crowd incident")
    TERRORISM = "terrorism", _("Terrorist attack")
    OTHER = "other", _("Other")


SUBTYPES: dict[str, tuple[str, ...]] = {
    IncidentType.NATURAL_DISASTER: (
        Subtype.FLOOD,
        Subtype.TYPHOON,
        Subtype.RAINSTORM,
        Subtype.EARTHQUAKE,
        Subtype.GEOLOGICAL,
        Subtype.HEAT_WAVE,
        Subtype.OTHER,
    ),
    IncidentType.ACCIDENT: (
        Subtype.FIRE,
        Subtype.EXPLOSION,
        Subtype.HAZARDOUS_CHEMICAL_RELEASE,
        Subtype.TRAFFIC,
        Subtype.CONSTRUCTION,
        Subtype.GAS,
        Subtype.SPECIAL_EQUIPMENT,
        Subtype.UTILITY,
        Subtype.OTHER,
    ),
    IncidentType.PUBLIC_HEALTH: (
        Subtype.INFECTIOUS_DISEASE,
        Subtype.FOOD_POISONING,
        Subtype.OCCUPATIONAL_POISONING,
        Subtype.OTHER,
    ),
    IncidentType.SOCIAL_SECURITY: (Subtype.CROWD, Subtype.TERRORISM, Subtype.OTHER),
}


def type_of_subtype(subtype: str) -> str | None:
    """The class a subtype belongs to; None for "other" (in every class) or an unknown code."""
    found = [t for t, subs in SUBTYPES.items() if subtype in subs]
    return found[0] if len(found) == 1 else None


class Status(models.TextChoices):
    REPORTED = "reported", _("Reported")
    RESPONDING = "responding", _("Responding")
    CLOSED = "closed", pgettext_lazy("incident status", "Closed")


class Level(models.IntegerChoices):
    """Decree 493 grades; 1 is the most severe. Response levels I–IV follow them."""

    EXTRAORDINARY = 1, _("Extraordinarily serious")
    SERIOUS = 2, _("Serious")
    RELATIVELY_SERIOUS = 3, _("Relatively serious")
    GENERAL = 4, _("General")


LEVEL_HEX = {1: "#d32f2f", 2: "#f57c00", 3: "#fbc02d", 4: "#1e88e5"}


class ResponseLevel(models.IntegerChoices):
    I = 1, _("Level I")  # noqa: E741
    II = 2, _("Level II")
    III = 3, _("Level III")
    IV = 4, _("Level IV")


class EventKind(models.TextChoices):
    REPORTED = "reported", _("Reported")
    UPDATED = "updated", _("Details updated")
    FIGURES = "figures", _("Casualties and loss updated")
    LEVEL = "level", _("Level changed")
    ACTIVATED = "activated", _("Response activated")
    TASK = "task", _("Task")
    DISPATCH = "dispatch", _("Dispatch")
    THREAT_ZONE = "threat_zone", _("Threat zone computed")
    NOTE = "note", _("Note")
    CLOSED = "closed", _("Closed")
    REOPENED = "reopened", _("Reopened")
    LESSONS = "lessons", _("Lessons recorded")


class TaskStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("task status", "Open")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")


TASK_NEXT = {TaskStatus.OPEN: TaskStatus.IN_PROGRESS, TaskStatus.IN_PROGRESS: TaskStatus.DONE}


class DispatchKind(models.TextChoices):
    TEAM = "team", _("Team")
    MATERIAL = "material", _("Materials")


class DispatchStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    DISPATCHED = "dispatched", _("Dispatched")
    ARRIVED = "arrived", _("Arrived")
    RETURNED = "returned", _("Returned")


DISPATCH_NEXT = {
    DispatchStatus.REQUESTED: DispatchStatus.DISPATCHED,
    DispatchStatus.DISPATCHED: DispatchStatus.ARRIVED,
    DispatchStatus.ARRIVED: DispatchStatus.RETURNED,
}
