"""Choices of the permits app."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from cityguard.core.choices import ColouredChoices

from . import rules


class WorkKind(models.TextChoices):
    HOT_WORK = rules.HOT_WORK, _("Hot work")
    CONFINED_SPACE = rules.CONFINED_SPACE, _("Confined-space entry")
    BLIND_PLATE = rules.BLIND_PLATE, _("Blind plate insertion or removal")
    HEIGHT = rules.HEIGHT, _("Work at height")
    LIFTING = rules.LIFTING, _("Lifting")
    TEMPORARY_POWER = rules.TEMPORARY_POWER, _("Temporary power")
    EXCAVATION = rules.EXCAVATION, _("Excavation")
    ROAD_BREAKING = rules.ROAD_BREAKING, _("Road breaking")


class PermitState(ColouredChoices):
    APPLIED = "applied", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    IN_PROGRESS = "in_progress", _("Work in progress")
    SUSPENDED = "suspended", _("Suspended")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Expired")


PermitState.COLOURS = {  # type: ignore[attr-defined]
    "applied": "#f9a825",
    "approved": "#1565c0",
    "in_progress": "#2e7d32",
    "suspended": "#ef6c00",
    "closed": "#546e7a",
    "cancelled": "#9e9e9e",
    "expired": "#c62828",
}

LIVE_STATES = ("applied", "approved", "in_progress", "suspended")


class EventKind(models.TextChoices):
    APPLIED = "applied", _("Applied")
    GAS_TEST = "gas_test", _("Gas analysis recorded")
    STEP_APPROVED = "step_approved", _("Approval step signed")
    APPROVED = "approved", _("Fully approved")
    STARTED = "started", _("Work started")
    SUSPENDED = "suspended", _("Work suspended")
    RESUMED = "resumed", _("Work resumed")
    CLOSED = "closed", _("Closed after acceptance")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Expired")
