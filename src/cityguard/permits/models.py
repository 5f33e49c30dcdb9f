"""Data of the permits app: special work permits (GB 30871-2022), their approval steps,
gas analyses and the event log. Only `permits.services` writes these models."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cityguard.core.models import ScopedManager

from . import rules
from .choices import EventKind, PermitState, WorkKind


class Permit(models.Model):
    """One special work permit (作业票) of an enterprise."""

    number = models.CharField(_("permit number"), max_length=40, unique=True)
    organization = models.ForeignKey(
        "core.Organization",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="work_permits",
    )
    kind = models.CharField(_("kind of work"), max_length=24, choices=WorkKind.choices)
    grade = models.CharField(_("grade"), max_length=16, blank=True)
    place = models.ForeignKey(
        "core.Place",
        verbose_name=_("confined space"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="work_permits",
    )
    location = models.CharField(_("location"), max_length=255)
    # GB 30871-2022 10.1: temporary power inside a running unit, tank farm or other place
    # with a fire or explosion hazard needs a combustible-gas analysis of its surroundings.
    hazardous_area = models.BooleanField(
        _("in a place with a fire or explosion hazard"),
        default=False,
        help_text=_(
            "A running production unit, tank farm or other place with a fire or explosion "
            "hazard: temporary power there needs a combustible-gas analysis (GB 30871-2022 10.1)."
        ),
    )
    content = models.TextField(_("work content"))
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("applicant"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    guardian = models.CharField(_("guardian"), max_length=100)
    workers = models.TextField(_("workers"), help_text=_("One name per line."))
    hazards = models.TextField(_("hazards identified"))
    measures = models.JSONField(_("safety measures confirmed"), default=list, blank=True)
    other_measures = models.TextField(_("other safety measures"), blank=True)
    valid_from = models.DateTimeField(_("valid from"))
    valid_to = models.DateTimeField(_("valid to"))
    state = models.CharField(
        _("state"), max_length=16, choices=PermitState.choices, default=PermitState.APPLIED
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    started_at = models.DateTimeField(_("work started at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("accepted by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    site_cleared = models.BooleanField(_("site cleared"), default=False)
    closing_note = models.TextField(_("acceptance note"), blank=True)
    cancel_reason = models.TextField(_("reason for cancellation"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = ScopedManager()
    scope_jurisdiction_field: ClassVar[str] = "organization__jurisdiction"
    scope_organization_field: ClassVar[str | None] = "organization"

    class Meta:
        ordering = ["-valid_from", "-id"]
        verbose_name = _("work permit")
        verbose_name_plural = _("work permits")
        indexes = [models.Index(fields=["state", "valid_to"])]

    def __str__(self) -> str:
        return self.number

    @property
    def grade_label(self) -> str:
        label = rules.GRADE_LABELS.get((self.kind, self.grade))
        return str(label) if label else ""

    @property
    def title(self) -> str:
        return self.grade_label or str(self.get_kind_display())  # type: ignore[attr-defined]

    @property
    def colour(self) -> str:
        return PermitState.colour_of(self.state)

    @property
    def needs_gas_test(self) -> bool:
        return rules.needs_gas_test(self.kind, self.hazardous_area)

    @property
    def worker_list(self) -> list[str]:
        return [w.strip() for w in self.workers.splitlines() if w.strip()]


class Approval(models.Model):
    """One step of a permit's approval chain, in the statutory order (`position`)."""

    permit = models.ForeignKey(
        Permit, verbose_name=_("work permit"), on_delete=models.CASCADE, related_name="approvals"
    )
    position = models.PositiveSmallIntegerField(_("order"))
    code = models.CharField(_("step"), max_length=24)
    role = models.CharField(_("signing role"), max_length=200)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    opinion = models.TextField(_("opinion"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["permit", "position"]
        verbose_name = _("approval step")
        verbose_name_plural = _("approval steps")
        constraints = [
            models.UniqueConstraint(fields=["permit", "position"], name="permits_step_once")
        ]

    def __str__(self) -> str:
        return f"{self.permit} #{self.position}"

    @property
    def done(self) -> bool:
        return self.signed_at is not None

    @property
    def role_label(self) -> str:
        """The step's role in the reader's language (the stored text if the step is unknown)."""
        step = rules.STEPS.get(self.code)
        return str(step.role) if step else self.role


class GasTest(models.Model):
    """A gas analysis before (or during) the work."""

    permit = models.ForeignKey(
        Permit, verbose_name=_("work permit"), on_delete=models.CASCADE, related_name="gas_tests"
    )
    analysed_at = models.DateTimeField(_("analysed at"))
    analyst = models.CharField(_("analyst"), max_length=100)
    sample_point = models.CharField(_("sampling point"), max_length=200, blank=True)
    o2_pct = models.FloatField(_("oxygen (% vol)"), null=True, blank=True)
    combustible_pct = models.FloatField(_("combustible gas (% vol)"), null=True, blank=True)
    lel_pct = models.FloatField(
        _("lower explosive limit of the gas (% vol)"), null=True, blank=True
    )
    toxic = models.JSONField(_("toxic gases"), default=list, blank=True)
    enriched = models.BooleanField(_("oxygen-rich atmosphere"), default=False)
    passed = models.BooleanField(_("passed"))
    failures = models.JSONField(default=list, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["permit", "-analysed_at", "-id"]
        verbose_name = _("gas analysis")
        verbose_name_plural = _("gas analyses")

    def __str__(self) -> str:
        return f"{self.permit} {self.analysed_at:%Y-%m-%d %H:%M}"


class PermitEvent(models.Model):
    """Every transition of a permit, append-only."""

    permit = models.ForeignKey(
        Permit, verbose_name=_("work permit"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("event"), max_length=16, choices=EventKind.choices)
    at = models.DateTimeField(_("at"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["permit", "at", "id"]
        verbose_name = _("permit event")
        verbose_name_plural = _("permit events")

    def __str__(self) -> str:
        return f"{self.permit} {self.kind}"
