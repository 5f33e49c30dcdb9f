"""Choices of the duties app."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from cityguard.core.choices import ColouredChoices


class ListKind(models.TextChoices):
    RESPONSIBILITY = "responsibility", _("Responsibility list")
    POWER = "power", _("Power list")
    SUPERVISION = "supervision", _("Supervision list")
    TASK = "task", _("Task list")


# Lists whose items must cite their legal basis, and that are versioned and published.
LEGAL_KINDS = ("responsibility", "power", "supervision")
# Lists that are public by law (no login).
PUBLIC_KINDS = ("power", "responsibility")


class TaskStatus(ColouredChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")


TaskStatus.COLOURS = {  # type: ignore[attr-defined]
    "open": "#f9a825",
    "in_progress": "#1565c0",
    "done": "#2e7d32",
}
OVERDUE_COLOUR = "#c62828"


class VersionState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
