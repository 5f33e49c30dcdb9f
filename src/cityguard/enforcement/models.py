"""Data of the enforcement app: officers, "double random" inspection plans, inspections on
site with items, findings and evidence, cases with their orders, penalties, decision,
legal review and publication, and the discretion table penalties are checked against.

Every step of a case is an append-only `CaseEvent` (who, when, what, evidence): the full
record the "three 100 %" measure. Only `enforcement.services` writes these models.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cityguard.core.models import ScopedManager

from . import config
from .choices import (
    CaseState,
    Channel,
    Circumstance,
    DecisionState,
    EventKind,
    FindingSeverity,
    InspectionType,
    ItemResult,
    OrderKind,
    PenaltyKind,
    PlanStatus,
    RecheckResult,
    ReviewOutcome,
)

MONEY: dict[str, Any] = {"max_digits": 14, "decimal_places": 2}
USER = settings.AUTH_USER_MODEL


class Officer(models.Model):
    """An enforcement officer (执法人员) with their certificate (执法证) and training."""

    name = models.CharField(_("name"), max_length=100, db_index=True)
    user = models.OneToOneField(
        USER,
        verbose_name=_("user account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="enforcement_officer",
    )
    jurisdiction = models.ForeignKey(
        "core.Jurisdiction",
        verbose_name=_("district or street"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    department = models.CharField(_("department"), max_length=100, blank=True)
    certificate_no = models.CharField(
        _("enforcement certificate number"), max_length=40, blank=True
    )
    issuing_body = models.CharField(_("issuing body"), max_length=100, blank=True)
    valid_until = models.DateField(_("certificate valid until"), null=True, blank=True)
    training_hours = models.DecimalField(
        _("training hours"),
        max_digits=7,
        decimal_places=1,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0))],
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    is_active = models.BooleanField(_("in service"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    history = HistoricalRecords()

    objects = ScopedManager()
    scope_jurisdiction_field: ClassVar[str] = "jurisdiction"
    scope_organization_field: ClassVar[str | None] = None

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("enforcement officer")
        verbose_name_plural = _("enforcement officers")
        constraints = [
            models.UniqueConstraint(
                fields=["certificate_no"],
                condition=~models.Q(certificate_no=""),
                name="enforcement_officer_certificate_unique",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def certificate_valid(self, on: dt.date) -> bool:
        return bool(self.certificate_no) and self.valid_until is not None and self.valid_until >= on

    def qualified(self, on: dt.date) -> bool:
        """A valid certificate on `on` and at least the configured training hours."""
        return self.certificate_valid(on) and float(self.training_hours) >= (
            config.min_training_hours()
        )


def qualified_q(on: dt.date, prefix: str = "") -> models.Q:
    """The officers who are qualified on `on`, as a Q (see `Officer.qualified`)."""
    return (
        models.Q(**{f"{prefix}valid_until__gte": on})
        & ~models.Q(**{f"{prefix}certificate_no": ""})
        & models.Q(**{f"{prefix}training_hours__gte": Decimal(str(config.min_training_hours()))})
    )


class InspectionPlan(models.Model):
    """A "double random" plan: targets drawn from a pool, officers drawn per target."""

    title = models.CharField(_("title"), max_length=200)
    jurisdiction = models.ForeignKey(
        "core.Jurisdiction", verbose_name=_("area"), on_delete=models.PROTECT, related_name="+"
    )
    inspection_type = models.CharField(
        _("inspection type"), max_length=32, choices=InspectionType.choices
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    kinds = models.JSONField(_("organisation kinds"), default=list, blank=True)
    risk_levels = models.JSONField(_("risk levels"), default=list, blank=True)
    target_count = models.PositiveIntegerField(_("targets to draw"))
    officers_per_target = models.PositiveIntegerField(_("officers per target"), default=2)
    status = models.CharField(
        _("status"), max_length=16, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    seed = models.BigIntegerField(_("random seed"), null=True, blank=True)
    pool = models.JSONField(_("target pool (ids)"), default=list, blank=True)
    officer_pool = models.JSONField(_("officer pool (ids)"), default=list, blank=True)
    drawn_at = models.DateTimeField(_("drawn"), null=True, blank=True)
    drawn_by = models.ForeignKey(
        USER,
        verbose_name=_("drawn by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    created_by = models.ForeignKey(
        USER,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    history = HistoricalRecords()

    objects = ScopedManager()
    scope_jurisdiction_field: ClassVar[str] = "jurisdiction"
    scope_organization_field: ClassVar[str | None] = None

    class Meta:
        ordering = ["-period_start", "-id"]
        verbose_name = _("inspection plan")
        verbose_name_plural = _("inspection plans")

    def __str__(self) -> str:
        return self.title


class PlanTarget(models.Model):
    """One drawn target of a plan and the officers drawn to inspect it."""

    plan = models.ForeignKey(
        InspectionPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="targets"
    )
    position = models.PositiveIntegerField(_("position"))
    organization = models.ForeignKey(
        "core.Organization",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    officers = models.ManyToManyField(Officer, verbose_name=_("officers"), related_name="+")

    objects = ScopedManager()
    scope_jurisdiction_field: ClassVar[str] = "plan__jurisdiction"
    scope_organization_field: ClassVar[str | None] = None

    class Meta:
        ordering = ["plan", "position"]
        verbose_name = _("drawn target")
        verbose_name_plural = _("drawn targets")
        constraints = [
            models.UniqueConstraint(fields=["plan", "organization"], name="enforcement_target_once")
        ]

    def __str__(self) -> str:
        return f"{self.plan_id}#{self.position}"


class Inspection(models.Model):
    """An enforcement inspection on site (现场检查)."""

    organization = models.ForeignKey(
        "core.Organization",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="enforcement_inspections",
    )
    jurisdiction = models.ForeignKey(
        "core.Jurisdiction",
        verbose_name=_("jurisdiction"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    target = models.ForeignKey(
        PlanTarget,
        verbose_name=_("plan target"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inspections",
    )
    inspection_type = models.CharField(
        _("inspection type"), max_length=32, choices=InspectionType.choices
    )
    date = models.DateField(_("date"), db_index=True)
    unannounced = models.BooleanField(_("unannounced (four-no-two-straight)"), default=False)
    officers = models.ManyToManyField(
        Officer, verbose_name=_("officers present"), related_name="inspections"
    )
    summary = models.TextField(_("summary"), blank=True)
    created_by = models.ForeignKey(
        USER,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    history = HistoricalRecords()

    objects = ScopedManager()
    scope_jurisdiction_field: ClassVar[str] = "jurisdiction"
    scope_organization_field: ClassVar[str | None] = "organization"

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("enforcement inspection")
        verbose_name_plural = _("enforcement inspections")
        indexes = [models.Index(fields=["organization", "inspection_type", "date"])]

    def __str__(self) -> str:
        return f"{self.organization} {self.date}"


class InspectionItem(models.Model):
    inspection = models.ForeignKey(
        Inspection, verbose_name=_("inspection"), on_delete=models.CASCADE, related_name="items"
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    text = models.CharField(_("item checked"), max_length=300)
    result = models.CharField(_("result"), max_length=8, choices=ItemResult.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["inspection", "position", "id"]
        verbose_name = _("item checked")
        verbose_name_plural = _("items checked")

    def __str__(self) -> str:
        return self.text


class Finding(models.Model):
    """A problem found on site; it becomes a hazard (linked) to be rectified."""

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("inspection"), on_delete=models.CASCADE, related_name="findings"
    )
    description = models.CharField(_("finding"), max_length=500)
    severity = models.CharField(
        _("severity"),
        max_length=16,
        choices=FindingSeverity.choices,
        default=FindingSeverity.GENERAL,
    )
    hazard = models.ForeignKey(
        "hazards.Hazard",
        verbose_name=_("hazard"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="enforcement_findings",
    )
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["inspection", "id"]
        verbose_name = _("finding")
        verbose_name_plural = _("findings")

    def __str__(self) -> str:
        return self.description

    @property
    def is_open(self) -> bool:
        if self.hazard_id is not None:
            return bool(self.hazard.is_open)  # type: ignore[union-attr]
        return self.resolved_at is None


def open_finding_q(prefix: str = "") -> models.Q:
    """Findings still open: their hazard is open, or they have none and are not resolved."""
    return models.Q(**{f"{prefix}hazard__is_open": True}) | models.Q(
        **{f"{prefix}hazard__isnull": True, f"{prefix}resolved_at__isnull": True}
    )


class DiscretionRule(models.Model):
    """A violation type of the discretion table (处罚裁量基准) with its legal basis and the
    legal maximum fine; its bands give the range per circumstance."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    violation = models.CharField(_("violation"), max_length=300)
    violation_en = models.CharField(_("violation (English)"), max_length=300, blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=300)
    legal_min = models.DecimalField(_("legal minimum fine"), default=Decimal(0), **MONEY)
    legal_max = models.DecimalField(_("legal maximum fine"), **MONEY)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("discretion rule")
        verbose_name_plural = _("discretion rules")

    def __str__(self) -> str:
        return f"{self.code} {self.label}"

    @property
    def label(self) -> str:
        if (get_language() or "").startswith("en") and self.violation_en:
            return self.violation_en
        return self.violation


class DiscretionBand(models.Model):
    rule = models.ForeignKey(
        DiscretionRule, verbose_name=_("rule"), on_delete=models.CASCADE, related_name="bands"
    )
    circumstance = models.CharField(_("circumstance"), max_length=16, choices=Circumstance.choices)
    min_amount = models.DecimalField(_("minimum"), **MONEY)
    max_amount = models.DecimalField(_("maximum"), **MONEY)
    history = HistoricalRecords()

    class Meta:
        ordering = ["rule", "min_amount"]
        verbose_name = _("discretion band")
        verbose_name_plural = _("discretion bands")
        constraints = [
            models.UniqueConstraint(fields=["rule", "circumstance"], name="enforcement_band_once")
        ]

    def __str__(self) -> str:
        return f"{self.rule_id} {self.circumstance}"


class Case(models.Model):
    """An enforcement case (立案), from an inspection or standalone."""

    number = models.CharField(_("case number"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=200)
    organization = models.ForeignKey(
        "core.Organization",
        verbose_name=_("party"),
        on_delete=models.PROTECT,
        related_name="enforcement_cases",
    )
    jurisdiction = models.ForeignKey(
        "core.Jurisdiction",
        verbose_name=_("jurisdiction"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    inspection = models.ForeignKey(
        Inspection,
        verbose_name=_("inspection"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
    )
    facts = models.TextField(_("facts"), blank=True)
    state = models.CharField(
        _("state"), max_length=16, choices=CaseState.choices, default=CaseState.OPEN
    )
    filed_at = models.DateTimeField(_("filed"))
    filed_by = models.ForeignKey(
        USER,
        verbose_name=_("filed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    concluded_at = models.DateTimeField(_("concluded"), null=True, blank=True, db_index=True)
    close_reason = models.CharField(_("reason for closing"), max_length=300, blank=True)
    history = HistoricalRecords()

    objects = ScopedManager()
    scope_jurisdiction_field: ClassVar[str] = "jurisdiction"
    scope_organization_field: ClassVar[str | None] = "organization"

    class Meta:
        ordering = ["-filed_at", "-id"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")

    def __str__(self) -> str:
        return self.number


class Evidence(models.Model):
    """A photo or document attached to an inspection or a case step."""

    file = models.FileField(_("file"), upload_to="enforcement/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=200, blank=True)
    content_type = models.CharField(_("content type"), max_length=60)
    size = models.PositiveIntegerField(_("size (bytes)"))
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    inspection = models.ForeignKey(
        Inspection, null=True, blank=True, on_delete=models.CASCADE, related_name="evidence"
    )
    event = models.ForeignKey(
        "CaseEvent", null=True, blank=True, on_delete=models.CASCADE, related_name="evidence"
    )
    uploaded_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")

    def __str__(self) -> str:
        return self.original_name


class CaseEvent(models.Model):
    """One recorded step of a case: append-only."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("step"), max_length=16, choices=EventKind.choices)
    actor = models.ForeignKey(
        USER,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), db_index=True)
    summary = models.TextField(_("what"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    objects = ScopedManager()
    scope_jurisdiction_field: ClassVar[str] = "case__jurisdiction"
    scope_organization_field: ClassVar[str | None] = "case__organization"

    class Meta:
        ordering = ["case", "at", "id"]
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        indexes = [models.Index(fields=["case", "kind"])]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind}"


class Order(models.Model):
    """An order issued in a case, with its deadline and the follow-up re-check."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="orders"
    )
    kind = models.CharField(_("order"), max_length=16, choices=OrderKind.choices)
    content = models.TextField(_("content"))
    issued_on = models.DateField(_("issued on"))
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    recheck_result = models.CharField(
        _("re-check"), max_length=16, choices=RecheckResult.choices, default=RecheckResult.PENDING
    )
    rechecked_on = models.DateField(_("re-checked on"), null=True, blank=True)
    recheck_note = models.CharField(_("re-check note"), max_length=500, blank=True)
    # The deadline the daily job last sent a past-deadline reminder for (one per deadline).
    reminded_for = models.DateField(_("reminded of the deadline"), null=True, blank=True)
    issued_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["case", "issued_on", "id"]
        verbose_name = _("order")
        verbose_name_plural = _("orders")

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind}"


class Penalty(models.Model):
    """A penalty proposed in a case, checked against the discretion table."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="penalties"
    )
    kind = models.CharField(_("penalty"), max_length=20, choices=PenaltyKind.choices)
    rule = models.ForeignKey(
        DiscretionRule,
        verbose_name=_("violation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    circumstance = models.CharField(
        _("circumstance"), max_length=16, choices=Circumstance.choices, blank=True
    )
    amount = models.DecimalField(_("amount (yuan)"), null=True, blank=True, **MONEY)
    mitigation_reason = models.CharField(_("reason for mitigation"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("proposed"))
    created_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["case", "created_at", "id"]
        verbose_name = _("penalty")
        verbose_name_plural = _("penalties")

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.amount or ''}"


class Decision(models.Model):
    """The administrative decision of a case (行政处罚决定)."""

    case = models.OneToOneField(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="decision"
    )
    number = models.CharField(_("document number"), max_length=60, unique=True)
    content = models.TextField(_("content"))
    state = models.CharField(
        _("state"), max_length=16, choices=DecisionState.choices, default=DecisionState.DRAFT
    )
    is_major = models.BooleanField(_("major decision"), default=False)
    major_reasons = models.JSONField(_("why major"), default=list, blank=True)
    fine_total = models.DecimalField(_("fines in total"), default=Decimal(0), **MONEY)
    drafted_at = models.DateTimeField(_("drafted"))
    drafted_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    issued_at = models.DateTimeField(_("issued"), null=True, blank=True, db_index=True)
    issued_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    objects = ScopedManager()
    scope_jurisdiction_field: ClassVar[str] = "case__jurisdiction"
    scope_organization_field: ClassVar[str | None] = "case__organization"

    class Meta:
        ordering = ["-issued_at", "-id"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")

    def __str__(self) -> str:
        return self.number


class LegalReview(models.Model):
    """The legal review (法制审核) of a decision before it is issued."""

    decision = models.ForeignKey(
        Decision, verbose_name=_("decision"), on_delete=models.CASCADE, related_name="reviews"
    )
    reviewer = models.ForeignKey(
        USER, verbose_name=_("reviewer"), on_delete=models.PROTECT, related_name="+"
    )
    opinion = models.TextField(_("opinion"))
    outcome = models.CharField(_("outcome"), max_length=16, choices=ReviewOutcome.choices)
    reviewed_at = models.DateTimeField(_("reviewed"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["decision", "reviewed_at", "id"]
        verbose_name = _("legal review")
        verbose_name_plural = _("legal reviews")

    def __str__(self) -> str:
        return f"{self.decision_id} {self.outcome}"


class Publication(models.Model):
    """The publication (公示) of an issued decision."""

    decision = models.ForeignKey(
        Decision, verbose_name=_("decision"), on_delete=models.CASCADE, related_name="publications"
    )
    published_on = models.DateField(_("published on"))
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    reference = models.CharField(_("link or reference"), max_length=300, blank=True)
    published_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    history = HistoricalRecords()

    objects = ScopedManager()
    scope_jurisdiction_field: ClassVar[str] = "decision__case__jurisdiction"
    scope_organization_field: ClassVar[str | None] = "decision__case__organization"

    class Meta:
        ordering = ["-published_on", "-id"]
        verbose_name = _("publication")
        verbose_name_plural = _("publications")

    def __str__(self) -> str:
        return f"{self.decision_id} {self.published_on}"
