"""Data of the risk app: the domain taxonomy, risk points, control measures, assessments.

A RiskPoint carries its current level, score and due date copied from its latest
assessment, so lists, the map and the overdue check read one row. Only
`risk.services` writes them, together with the assessment that sets them.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cityguard.core.models import Located, ScopedManager

from .choices import (
    LEVEL_HEX,
    UNASSESSED_HEX,
    AssessmentMethod,
    ControlTier,
    DomainCategory,
    RiskLevel,
)


class Domain(models.Model):
    """A field of risk (special equipment, hazardous chemicals, fire …, flood and typhoon …).

    `code` is what other apps and the API use; it does not change once seeded."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_zh = models.CharField(_("Chinese name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100)
    category = models.CharField(
        _("category"), max_length=16, choices=DomainCategory.choices, default=DomainCategory.SAFETY
    )
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("risk domain")
        verbose_name_plural = _("risk domains")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """The name in the current language."""
        lang = get_language() or ""
        if lang.startswith("en"):
            return self.name_en or self.name_zh
        return self.name_zh or self.name_en


class RiskPoint(Located):
    """A located source of risk (风险点): a unit or place, in one domain, with its current
    level from the latest assessment."""

    name = models.CharField(_("name"), max_length=200, db_index=True)
    domain = models.ForeignKey(
        Domain, verbose_name=_("domain"), on_delete=models.PROTECT, related_name="risk_points"
    )
    organization = models.ForeignKey(
        "core.Organization",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="risk_points",
    )
    place = models.ForeignKey(
        "core.Place",
        verbose_name=_("place"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="risk_points",
    )
    address = models.CharField(_("address"), max_length=255, blank=True)
    description = models.TextField(_("description"), blank=True)
    control_tier = models.CharField(
        _("control tier"), max_length=16, choices=ControlTier.choices, blank=True
    )
    responsible_person = models.CharField(_("responsible person"), max_length=100, blank=True)
    responsible_phone = models.CharField(_("responsible person's phone"), max_length=40, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    # Current state, from the latest assessment (services keep these in step). Editable in
    # the model's sense only so that their changes show in the kept history; no form or
    # service takes them as input.
    level = models.CharField(_("risk level"), max_length=16, choices=RiskLevel.choices, blank=True)
    level_rank = models.PositiveSmallIntegerField(default=0, editable=False, db_index=True)
    score = models.FloatField(_("score"), null=True, blank=True)
    method = models.CharField(
        _("assessment method"),
        max_length=16,
        choices=AssessmentMethod.choices,
        blank=True,
    )
    assessed_at = models.DateTimeField(_("assessed"), null=True, blank=True)
    next_due = models.DateField(_("reassessment due"), null=True, blank=True)

    # What this point stands for when another app feeds the register (a major hazard
    # source, a closed major hazard …); empty for points entered here.
    origin_type = models.ForeignKey(
        ContentType,
        verbose_name=_("origin type"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    origin_id = models.PositiveBigIntegerField(_("origin ID"), null=True, blank=True)
    origin = GenericForeignKey("origin_type", "origin_id")

    history = HistoricalRecords(excluded_fields=["level_rank", "updated_at"])

    objects = ScopedManager()
    scope_organization_field: ClassVar[str | None] = "organization"

    class Meta:
        ordering = ["-level_rank", "name", "id"]
        verbose_name = _("risk point")
        verbose_name_plural = _("risk points")
        indexes = [
            models.Index(fields=["lon", "lat"]),
            models.Index(fields=["is_active", "next_due"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["origin_type", "origin_id"],
                condition=models.Q(origin_type__isnull=False),
                name="risk_point_one_per_origin",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def colour(self) -> str:
        return LEVEL_HEX.get(self.level, UNASSESSED_HEX)


class ControlMeasure(models.Model):
    """One control measure of a risk point, at a tier, with the person responsible."""

    risk_point = models.ForeignKey(
        RiskPoint, verbose_name=_("risk point"), on_delete=models.CASCADE, related_name="measures"
    )
    description = models.TextField(_("measure"))
    tier = models.CharField(_("control tier"), max_length=16, choices=ControlTier.choices)
    responsible_person = models.CharField(_("responsible person"), max_length=100, blank=True)
    responsible_phone = models.CharField(_("phone"), max_length=40, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = ScopedManager()
    scope_jurisdiction_field: ClassVar[str] = "risk_point__jurisdiction"
    scope_organization_field: ClassVar[str | None] = "risk_point__organization"

    class Meta:
        ordering = ["risk_point", "order", "id"]
        verbose_name = _("control measure")
        verbose_name_plural = _("control measures")

    def __str__(self) -> str:
        return self.description[:60]


class AppendOnly(Exception):
    """An assessment was about to be changed or deleted; a new one supersedes it instead."""


class Assessment(models.Model):
    """One scoring of a risk point. Append-only: the latest one is the current level."""

    risk_point = models.ForeignKey(
        RiskPoint,
        verbose_name=_("risk point"),
        on_delete=models.CASCADE,
        related_name="assessments",
    )
    method = models.CharField(_("method"), max_length=16, choices=AssessmentMethod.choices)
    l = models.FloatField("L", null=True, blank=True)  # noqa: E741
    e = models.FloatField("E", null=True, blank=True)
    c = models.FloatField("C", null=True, blank=True)
    likelihood = models.PositiveSmallIntegerField(_("likelihood"), null=True, blank=True)
    severity = models.PositiveSmallIntegerField(_("severity"), null=True, blank=True)
    score = models.FloatField(_("score"), null=True, blank=True)
    level = models.CharField(_("risk level"), max_length=16, choices=RiskLevel.choices)
    assessed_at = models.DateTimeField(_("assessed"), db_index=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    assessor = models.CharField(_("assessor"), max_length=100, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    next_due = models.DateField(_("reassessment due"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ScopedManager()
    scope_jurisdiction_field: ClassVar[str] = "risk_point__jurisdiction"
    scope_organization_field: ClassVar[str | None] = "risk_point__organization"

    class Meta:
        ordering = ["-assessed_at", "-id"]
        verbose_name = _("risk assessment")
        verbose_name_plural = _("risk assessments")
        indexes = [models.Index(fields=["risk_point", "-assessed_at", "-id"])]

    def __str__(self) -> str:
        return f"{self.risk_point_id} {self.method} {self.level}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnly("an assessment is never changed; record a new one")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise AppendOnly("an assessment is never deleted; record a new one")

    @property
    def colour(self) -> str:
        return LEVEL_HEX.get(self.level, UNASSESSED_HEX)

    @property
    def inputs(self) -> str:
        """ "L 6 × E 3 × C 15" / "L 4 × S 5" / ""."""
        if self.method == AssessmentMethod.LEC:
            return f"L {_num(self.l)} × E {_num(self.e)} × C {_num(self.c)}"
        if self.method == AssessmentMethod.MATRIX:
            return f"L {self.likelihood} × S {self.severity}"
        return ""


def _num(v: float | None) -> str:
    if v is None:
        return "—"
    return str(int(v)) if float(v).is_integer() else str(v)
