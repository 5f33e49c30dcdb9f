"""Choices of the hazards app: one label (and colour where shown) each."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cityguard.core.choices import ColouredChoices

from . import lifecycle as lc


class HazardState(ColouredChoices):
    REPORTED = lc.REPORTED, _("Reported")
    ASSIGNED = lc.ASSIGNED, _("Assigned")
    RECTIFYING = lc.RECTIFYING, _("Rectifying")
    VERIFYING = lc.VERIFYING, _("Awaiting verification")
    CLOSED = lc.CLOSED, _("Closed")


HazardState.COLOURS = {  # type: ignore[attr-defined]
    lc.REPORTED: "#8e24aa",
    lc.ASSIGNED: "#1e88e5",
    lc.RECTIFYING: "#fb8c00",
    lc.VERIFYING: "#00897b",
    lc.CLOSED: "#78909c",
}


class Action(models.TextChoices):
    """What moves a hazard along its lifecycle (see `lifecycle.TABLE`)."""

    ASSIGN = lc.ASSIGN, _("Assign")
    START = lc.START, _("Start rectification")
    SUBMIT = lc.SUBMIT, _("Submit for verification")
    VERIFY = lc.VERIFY, _("Verify and close")
    REJECT = lc.REJECT, _("Reject")


class EventKind(models.TextChoices):
    """An entry of a hazard's timeline: the lifecycle's actions and what happens beside."""

    REPORT = "report", _("Reported")
    ASSIGN = lc.ASSIGN, _("Assigned")
    START = lc.START, _("Rectification started")
    SUBMIT = lc.SUBMIT, _("Submitted for verification")
    VERIFY = lc.VERIFY, _("Verified and closed")
    REJECT = lc.REJECT, _("Rejected back to rectification")
    ESCALATE = "escalate", _("Overdue: escalated to the district")
    PLAN = "plan", _("Rectification plan saved")
    MILESTONE = "milestone", _("Milestone done")
    PHOTO = "photo", _("Photos added")
    COMMENT = "comment", _("Comment")
    RECURRENCE = "recurrence", _("Marked as a recurrence")


class Severity(ColouredChoices):
    GENERAL = "general", pgettext_lazy("hazard", "General hazard")
    MAJOR = "major", pgettext_lazy("hazard", "Major hazard")


Severity.COLOURS = {"general": "#f9a825", "major": "#d32f2f"}  # type: ignore[attr-defined]


class Source(models.TextChoices):
    SELF_INSPECTION = "self_inspection", _("Self-inspection")
    DISTRICT_INSPECTION = "district_inspection", _("District inspection")
    STREET_INSPECTION = "street_inspection", _("Street inspection")
    ENFORCEMENT = "enforcement", _("Enforcement")
    PUBLIC_TIP = "public_tip", _("Public tip")
    SENSOR_ALARM = "sensor_alarm", _("Sensor alarm")


class InspectionKind(models.TextChoices):
    SELF = "self", _("Self-inspection")
    STREET = "street", _("Street inspection")
    DISTRICT = "district", _("District inspection")


# The hazard source each kind of inspection reports under.
INSPECTION_SOURCE: dict[str, str] = {
    InspectionKind.SELF: Source.SELF_INSPECTION,
    InspectionKind.STREET: Source.STREET_INSPECTION,
    InspectionKind.DISTRICT: Source.DISTRICT_INSPECTION,
}


class InspectionState(models.TextChoices):
    PLANNED = "planned", _("Planned")
    DONE = "done", _("Done")


class Outcome(models.TextChoices):
    PASS = "pass", _("Pass")
    FAIL = "fail", _("Fail")
    NOT_APPLICABLE = "na", _("Not applicable")


class TipStatus(ColouredChoices):
    RECEIVED = "received", _("Received, awaiting review")
    ACCEPTED = "accepted", _("Accepted as a hazard")
    DISMISSED = "dismissed", _("Dismissed")


TipStatus.COLOURS = {  # type: ignore[attr-defined]
    "received": "#8e24aa",
    "accepted": "#1e88e5",
    "dismissed": "#78909c",
}


class RewardStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    APPROVED = "approved", _("Approved")
    PAID = "paid", _("Paid")
    DECLINED = "declined", _("Declined")


class LookBackReason(models.TextChoices):
    ACCIDENT = "accident", _("Accident")
    MAJOR_HAZARD = "major_hazard", _("Major hazard closed")


class LookBackStatus(ColouredChoices):
    PENDING = "pending", _("Due, not yet sampled")
    SAMPLED = "sampled", _("Inspection scheduled")
    DONE = "done", _("Re-inspected")
    MISSED = "missed", _("Window passed without re-inspection")


LookBackStatus.COLOURS = {  # type: ignore[attr-defined]
    "pending": "#8e24aa",
    "sampled": "#1e88e5",
    "done": "#2e7d32",
    "missed": "#d32f2f",
}
