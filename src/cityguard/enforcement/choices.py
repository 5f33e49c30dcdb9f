"""Choices of the enforcement app: one label (and colour where shown) each."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from cityguard.core.choices import ColouredChoices


class InspectionType(models.TextChoices):
    WORK_SAFETY = "work_safety", _("Work safety")
    FIRE_SAFETY = "fire_safety", _("Fire safety")
    HAZARDOUS_CHEMICALS = "hazardous_chemicals", _("Hazardous chemicals")
    SPECIAL_EQUIPMENT = "special_equipment", _("Special equipment")
    OTHER = "other", _("Other")


# The risk domain a finding of each inspection type is reported in as a hazard.
TYPE_DOMAIN = {
    "work_safety": "urban_buildings",
    "fire_safety": "fire",
    "hazardous_chemicals": "hazardous_chemicals",
    "special_equipment": "special_equipment",
    "other": "urban_buildings",
}


class PlanStatus(ColouredChoices):
    DRAFT = "draft", _("Draft")
    DRAWN = "drawn", _("Drawn")
    PUBLISHED = "published", _("Published")


PlanStatus.COLOURS = {"draft": "#78909c", "drawn": "#1e88e5", "published": "#2e7d32"}  # type: ignore[attr-defined]


class ItemResult(ColouredChoices):
    PASS = "pass", _("Passed")
    FAIL = "fail", _("Failed")
    NOT_APPLICABLE = "na", _("Not applicable")


ItemResult.COLOURS = {"pass": "#2e7d32", "fail": "#c62828", "na": "#78909c"}  # type: ignore[attr-defined]


class FindingSeverity(models.TextChoices):
    GENERAL = "general", _("General")
    MAJOR = "major", _("Major")


class CaseState(ColouredChoices):
    OPEN = "open", _("Under investigation")
    DECIDED = "decided", _("Decision issued")
    CLOSED = "closed", _("Closed")


CaseState.COLOURS = {"open": "#fb8c00", "decided": "#1e88e5", "closed": "#78909c"}  # type: ignore[attr-defined]


class EventKind(models.TextChoices):
    """A step of a case, recorded with who, when, what and its evidence."""

    FILED = "filed", _("Case filed")
    INVESTIGATION = "investigation", _("Investigation and evidence")
    ORDER = "order", _("Order issued")
    RECHECK = "recheck", _("Re-check")
    PENALTY = "penalty", _("Penalty proposed")
    DRAFTED = "drafted", _("Decision drafted")
    LEGAL_REVIEW = "legal_review", _("Legal review")
    DECISION = "decision", _("Decision issued")
    PUBLICATION = "publication", _("Decision published")
    CLOSED = "closed", _("Case closed")
    NOTE = "note", _("Note")


class OrderKind(models.TextChoices):
    RECTIFY = "rectify", _("Order to rectify within a time limit")
    RECTIFY_NOW = "rectify_now", _("Order to rectify immediately")
    SUSPEND = "suspend", _("Order to suspend production or business")
    STOP_USE = "stop_use", _("Order to stop using equipment or premises")
    EVACUATE = "evacuate", _("Order to evacuate personnel")


# Orders that halt the business: a decision containing one is major.
SUSPENDING_ORDERS = {"suspend"}


class RecheckResult(ColouredChoices):
    PENDING = "pending", _("Pending")
    PASSED = "passed", _("Rectified")
    FAILED = "failed", _("Not rectified")


RecheckResult.COLOURS = {"pending": "#fb8c00", "passed": "#2e7d32", "failed": "#c62828"}  # type: ignore[attr-defined]


class PenaltyKind(models.TextChoices):
    WARNING = "warning", _("Warning")
    FINE = "fine", _("Fine")
    CONFISCATION = "confiscation", _("Confiscation of illegal gains")
    SUSPENSION = "suspension", _("Suspension of production or business")
    LICENCE_REVOCATION = "licence_revocation", _("Revocation of licence")
    CLOSURE = "closure", _("Closure")


class Circumstance(models.TextChoices):
    MINOR = "minor", _("Minor")
    GENERAL = "general", _("General")
    SERIOUS = "serious", _("Serious")


class ReviewOutcome(ColouredChoices):
    PASSED = "passed", _("Passed")
    RETURNED = "returned", _("Returned")


ReviewOutcome.COLOURS = {"passed": "#2e7d32", "returned": "#c62828"}  # type: ignore[attr-defined]


class DecisionState(ColouredChoices):
    DRAFT = "draft", _("Draft")
    ISSUED = "issued", _("Issued")


DecisionState.COLOURS = {"draft": "#78909c", "issued": "#1e88e5"}  # type: ignore[attr-defined]


class Channel(models.TextChoices):
    WEBSITE = "website", _("Government website")
    CREDIT = "credit", _("Credit information platform")
    NOTICE_BOARD = "notice_board", _("Notice board")
    OTHER = "other", _("Other")
