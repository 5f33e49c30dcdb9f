"""Data of the plans app: emergency plans with response levels and action checklists, drills.

A plan stands in a jurisdiction (the district for the overall plan, a street for a street's
plan) and may belong to an organisation. Everyone sees the plans of their own area and of
the areas above it: a street officer works under the district's overall plan.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cityguard.core.models import ScopedQuerySet
from cityguard.incidents.choices import Level, ResponseLevel

from .choices import DrillKind, PlanKind


class PlanQuerySet(ScopedQuerySet):
    def visible_to(self, user: Any) -> Any:
        from cityguard.core.access import _jurisdiction_prefix, reach, scope_queryset

        own = scope_queryset(self, user)
        r = reach(user)
        if r.path is None or not r.authenticated or r.role is None:
            return own
        # Plans of the areas above the user's (the district's overall plan) apply to them too.
        codes = [c for c in r.path.split("/") if c]
        above = ["/" + "/".join(codes[:i]) + "/" for i in range(1, len(codes))]
        prefix = _jurisdiction_prefix(self.model)
        return self.filter(Q(pk__in=own.values("pk")) | Q(**{f"{prefix}__in": above}))


PlanManager = models.Manager.from_queryset(PlanQuerySet)


class EmergencyPlan(models.Model):
    title = models.CharField(_("title"), max_length=200)
    code = models.CharField(_("document number"), max_length=60, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=PlanKind.choices)
    jurisdiction = models.ForeignKey(
        "core.Jurisdiction",
        verbose_name=_("jurisdiction"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    organization = models.ForeignKey(
        "core.Organization",
        verbose_name=_("owner organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="emergency_plans",
    )
    department = models.CharField(_("owner department"), max_length=120, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    incident_types = models.JSONField(_("incident types covered"), default=list, blank=True)
    subtypes = models.JSONField(
        _("subtypes covered"),
        default=list,
        blank=True,
        help_text=_("Empty: every subtype of the types covered."),
    )
    min_level = models.PositiveSmallIntegerField(
        _("most severe level covered"), choices=Level.choices, default=Level.EXTRAORDINARY
    )
    max_level = models.PositiveSmallIntegerField(
        _("least severe level covered"), choices=Level.choices, default=Level.GENERAL
    )
    revision_months = models.PositiveSmallIntegerField(_("revision cycle (months)"), default=36)
    last_revised = models.DateField(_("last revised"), null=True, blank=True)
    next_due = models.DateField(_("revision due"), null=True, blank=True, db_index=True)
    is_active = models.BooleanField(_("in force"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = PlanManager()
    scope_jurisdiction_field: ClassVar[str] = "jurisdiction"
    scope_organization_field: ClassVar[str | None] = "organization"

    class Meta:
        ordering = ["kind", "title", "id"]
        verbose_name = _("emergency plan")
        verbose_name_plural = _("emergency plans")

    def __str__(self) -> str:
        return self.title

    def covers(self, incident_type: str, subtype: str, level: int) -> bool:
        types = self.incident_types or []
        if types and incident_type not in types:
            return False
        if self.subtypes and subtype not in self.subtypes:
            return False
        return self.min_level <= level <= self.max_level


def attachment_path(instance: PlanAttachment, filename: str) -> str:
    return f"plans/{instance.plan_id}/{filename}"


class PlanAttachment(models.Model):
    plan = models.ForeignKey(EmergencyPlan, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=255)
    name = models.CharField(_("name"), max_length=200)
    size = models.PositiveIntegerField(_("size (bytes)"), default=0)
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = PlanManager()
    scope_jurisdiction_field: ClassVar[str] = "plan__jurisdiction"
    scope_organization_field: ClassVar[str | None] = "plan__organization"

    class Meta:
        ordering = ["plan", "name", "id"]
        verbose_name = _("plan attachment")
        verbose_name_plural = _("plan attachments")

    def __str__(self) -> str:
        return self.name


class PlanResponseLevel(models.Model):
    """One response level (I–IV) of a plan, with what triggers it."""

    plan = models.ForeignKey(
        EmergencyPlan, on_delete=models.CASCADE, related_name="response_levels"
    )
    level = models.PositiveSmallIntegerField(_("response level"), choices=ResponseLevel.choices)
    trigger = models.TextField(_("trigger"), blank=True)

    class Meta:
        ordering = ["plan", "level"]
        verbose_name = _("response level")
        verbose_name_plural = _("response levels")
        constraints = [
            models.UniqueConstraint(fields=["plan", "level"], name="plan_response_level_once")
        ]

    def __str__(self) -> str:
        return f"{self.plan_id} {self.get_level_display()}"


class ActionItem(models.Model):
    response_level = models.ForeignKey(
        PlanResponseLevel, on_delete=models.CASCADE, related_name="actions"
    )
    text = models.TextField(_("action"))
    responsible_role = models.CharField(_("responsible role"), max_length=120, blank=True)
    responsible_unit = models.ForeignKey(
        "core.Organization",
        verbose_name=_("responsible unit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["response_level", "order", "id"]
        verbose_name = _("action item")
        verbose_name_plural = _("action items")

    def __str__(self) -> str:
        return self.text[:60]


class Drill(models.Model):
    plan = models.ForeignKey(
        EmergencyPlan, verbose_name=_("plan"), on_delete=models.PROTECT, related_name="drills"
    )
    date = models.DateField(_("date"), db_index=True)
    kind = models.CharField(_("type"), max_length=16, choices=DrillKind.choices)
    title = models.CharField(_("title"), max_length=200, blank=True)
    participants = models.TextField(_("participants"), blank=True)
    participant_count = models.PositiveIntegerField(_("number of participants"), default=0)
    evaluation = models.TextField(_("evaluation"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = PlanManager()
    scope_jurisdiction_field: ClassVar[str] = "plan__jurisdiction"
    scope_organization_field: ClassVar[str | None] = "plan__organization"

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("drill")
        verbose_name_plural = _("drills")

    def __str__(self) -> str:
        return self.title or f"{self.plan} {self.date}"


class DrillProblem(models.Model):
    """A problem a drill found; it may become a hazard on the hazard register."""

    drill = models.ForeignKey(Drill, on_delete=models.CASCADE, related_name="problems")
    text = models.TextField(_("problem"))
    hazard = models.ForeignKey(
        "hazards.Hazard",
        verbose_name=_("hazard"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["drill", "id"]
        verbose_name = _("drill problem")
        verbose_name_plural = _("drill problems")

    def __str__(self) -> str:
        return self.text[:60]
