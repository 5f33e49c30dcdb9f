"""Choices of the plans app."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PlanKind(models.TextChoices):
    OVERALL = "overall", _("Overall plan")
    SPECIAL = "special", _("Special plan")
    DEPARTMENT = "department", _("Department plan")
    UNIT = "unit", _("Unit plan")
    ON_SITE = "on_site", _("On-site plan")


class DrillKind(models.TextChoices):
    TABLETOP = "tabletop", _("Tabletop")
    FUNCTIONAL = "functional", _("Functional")
    FULL_SCALE = "full_scale", _("Full-scale")


ATTACHMENT_EXTENSIONS = ("pdf", "doc", "docx", "xls", "xlsx", "odt", "jpg", "jpeg", "png", "txt")
ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024
