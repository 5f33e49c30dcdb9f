"""Data of the hazards app: hazards and their timeline, rectification plans, photos,
checklists and inspections, look-back dues, public tips and rewards.

Only `hazards.services` changes a hazard's state; the timeline (`HazardEvent`) records
every change with who, when, the comment and the photos.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cityguard.core.access import DISTRICT_ROLES, reach, scope_queryset
from cityguard.core.choices import Role
from cityguard.core.models import Located, ScopedQuerySet

from . import lifecycle
from .choices import (
    EventKind,
    HazardState,
    InspectionKind,
    InspectionState,
    LookBackReason,
    LookBackStatus,
    Outcome,
    RewardStatus,
    Severity,
    Source,
    TipStatus,
)

USER = settings.AUTH_USER_MODEL


def _bilingual(zh: str, en: str) -> str:
    return (en or zh) if (get_language() or "").startswith("en") else (zh or en)


# "Open" as an equality the query planner can use with the (is_open, deadline) indexes:
# on SQLite a plain `is_open=True` compiles to `WHERE "is_open"`, which it cannot.
OPEN = models.Q(is_open__in=[True])


class HazardQuerySet(ScopedQuerySet):
    def visible_to(self, user: Any) -> Any:
        """The rows `user` may see: core.access's rules, with two additions.

        - A street officer's "their street and below" is read from the hazard's own
          indexed `street` column rather than through the jurisdiction's path: the same
          rows (the services keep `street` in step with `jurisdiction`; a test compares
          both), but one index range on a million rows instead of a join.
        - District staff supervise every major hazard, so one whose own area is narrowed
          still sees the major hazards of the whole district.
        """
        r = reach(user)
        if (
            r.authenticated
            and r.role == Role.STREET_OFFICER
            and r.path is not None
            and r.jurisdiction_id is not None
            and r.path.count("/") == 3  # "/district/street/": the officer's node is a street
        ):
            return self.filter(street_id=r.jurisdiction_id)
        scoped = scope_queryset(self, user)
        if r.authenticated and r.role in DISTRICT_ROLES and not r.whole_district:
            return scoped | self.filter(severity=Severity.MAJOR)
        return scoped

    def open(self) -> HazardQuerySet:
        return self.filter(OPEN)

    def overdue(self, today: Any = None) -> HazardQuerySet:
        today = today or timezone.localdate()
        return self.filter(OPEN, deadline__lt=today)


HazardManager = models.Manager.from_queryset(HazardQuerySet)


class Hazard(Located):
    """A concrete defect (隐患) found by an inspection or reported, and its rectification."""

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    source = models.CharField(_("source"), max_length=24, choices=Source.choices)
    domain = models.ForeignKey(
        "risk.Domain", verbose_name=_("domain"), on_delete=models.PROTECT, related_name="hazards"
    )
    severity = models.CharField(
        pgettext_lazy("hazard", "severity"),
        max_length=16,
        choices=Severity.choices,
        default=Severity.GENERAL,
    )
    organization = models.ForeignKey(
        "core.Organization",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hazards",
    )
    place = models.ForeignKey(
        "core.Place",
        verbose_name=_("place"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hazards",
    )
    # The street the jurisdiction lies in, kept by the services: scoping and the per-street
    # figures read it from an index instead of parsing paths.
    street = models.ForeignKey(
        "core.Jurisdiction",
        verbose_name=_("street"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # covered by the (street, …) indexes below
    )

    state = models.CharField(
        _("state"), max_length=16, choices=HazardState.choices, default=lifecycle.REPORTED
    )
    is_open = models.BooleanField(_("open"), default=True, editable=False)
    state_changed_at = models.DateTimeField(_("state changed"), default=timezone.now)
    deadline = models.DateField(_("rectification deadline"))

    responsible_unit = models.ForeignKey(
        "core.Organization",
        verbose_name=_("responsible unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hazards_responsible",
    )
    responsible_person = models.CharField(_("responsible person"), max_length=100, blank=True)
    responsible_phone = models.CharField(_("responsible person's phone"), max_length=40, blank=True)
    assignee = models.ForeignKey(
        USER,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    reported_by = models.ForeignKey(
        USER,
        verbose_name=_("reported by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reported_at = models.DateTimeField(_("reported"), default=timezone.now, db_index=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(
        USER,
        verbose_name=_("closed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    closed_on_time = models.BooleanField(_("closed on time"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated to the district"), null=True, blank=True)

    is_recurrence = models.BooleanField(_("recurrence"), default=False)
    lookback = models.ForeignKey(
        "hazards.LookBackDue",
        verbose_name=_("look-back it recurs under"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="recurrences",
    )
    inspection = models.ForeignKey(
        "hazards.Inspection",
        verbose_name=_("inspection"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="hazards",
    )

    history = HistoricalRecords(excluded_fields=["updated_at", "state_changed_at", "is_open"])

    objects = HazardManager()
    scope_jurisdiction_field: ClassVar[str] = "jurisdiction"
    scope_organization_field: ClassVar[str | None] = "organization"

    class Meta:
        ordering = ["deadline", "id"]
        verbose_name = pgettext_lazy("hazard", "hazard")
        verbose_name_plural = pgettext_lazy("hazard", "hazards")
        indexes = [
            # The board: one column per state, most urgent first; the overdue list.
            models.Index(fields=["state", "deadline", "id"], name="hz_state_deadline"),
            models.Index(fields=["street", "state", "deadline"], name="hz_street_state_deadline"),
            models.Index(fields=["state", "closed_at"], name="hz_state_closed"),
            models.Index(fields=["street", "state", "closed_at"], name="hz_street_state_closed"),
            models.Index(fields=["is_open", "deadline"], name="hz_open_deadline"),
            models.Index(fields=["street", "is_open", "deadline"], name="hz_street_open_deadline"),
            models.Index(fields=["organization", "domain"], name="hz_org_domain"),
            models.Index(fields=["lon", "lat"], name="hz_lonlat"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def reference(self) -> str:
        """The number people quote: YH + id (隐患)."""
        return f"YH{self.pk or 0:06d}"

    @property
    def is_major(self) -> bool:
        return self.severity == Severity.MAJOR

    def is_overdue(self, today: Any = None) -> bool:
        today = today or timezone.localdate()
        return bool(self.is_open and self.deadline and self.deadline < today)

    @property
    def state_colour(self) -> str:
        return HazardState.colour_of(self.state)

    @property
    def severity_colour(self) -> str:
        return Severity.colour_of(self.severity)


class HazardEvent(models.Model):
    """One entry of a hazard's timeline: a transition or something that happened beside."""

    hazard = models.ForeignKey(Hazard, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=16, choices=EventKind.choices)
    from_state = models.CharField(max_length=16, choices=HazardState.choices, blank=True)
    to_state = models.CharField(max_length=16, choices=HazardState.choices, blank=True)
    actor = models.ForeignKey(
        USER,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    comment = models.TextField(_("comment"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("hazard event")
        verbose_name_plural = _("hazard events")
        indexes = [models.Index(fields=["hazard", "at"], name="hz_event_hazard_at")]

    def __str__(self) -> str:
        return f"{self.hazard_id} {self.kind}"


def _photo_path(instance: Photo, filename: str) -> str:
    now = timezone.now()
    return f"hazards/{now:%Y/%m}/{filename}"


class Photo(models.Model):
    """A checked image (JPEG, PNG or WebP) of a hazard, one of its events, or a tip."""

    hazard = models.ForeignKey(
        Hazard, null=True, blank=True, on_delete=models.CASCADE, related_name="photos"
    )
    event = models.ForeignKey(
        HazardEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="photos"
    )
    tip = models.ForeignKey(
        "hazards.Tip", null=True, blank=True, on_delete=models.CASCADE, related_name="photos"
    )
    file = models.FileField(_("file"), upload_to=_photo_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200, blank=True)
    content_type = models.CharField(max_length=32)
    size = models.PositiveIntegerField(_("size (bytes)"))
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    def __str__(self) -> str:
        return self.original_name or self.file.name


class RectificationPlan(models.Model):
    """The timetable and roadmap (时间表、路线图) a major hazard needs before rectifying."""

    hazard = models.OneToOneField(Hazard, on_delete=models.CASCADE, related_name="plan")
    measures = models.TextField(_("measures"))
    funding = models.CharField(_("funding"), max_length=200, blank=True)
    responsible_person = models.CharField(_("responsible person"), max_length=100)
    supervisor = models.ForeignKey(
        USER,
        verbose_name=_("district supervisor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    target_date = models.DateField(_("target date"))
    created_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("rectification plan")
        verbose_name_plural = _("rectification plans")

    def __str__(self) -> str:
        return f"{self.hazard_id}: {self.measures[:40]}"


class Milestone(models.Model):
    plan = models.ForeignKey(RectificationPlan, on_delete=models.CASCADE, related_name="milestones")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title = models.CharField(_("milestone"), max_length=200)
    due = models.DateField(_("due"))
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    done_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["plan", "due", "order", "id"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")

    def __str__(self) -> str:
        return self.title


# --- checklists and inspections --------------------------------------------------------------


class ChecklistTemplate(models.Model):
    """A checklist for one domain (fire safety, hazardous chemicals, confined spaces …)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    domain = models.ForeignKey(
        "risk.Domain", verbose_name=_("domain"), on_delete=models.PROTECT, related_name="+"
    )
    name_zh = models.CharField(_("Chinese name"), max_length=150)
    name_en = models.CharField(_("English name"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["domain__order", "code"]
        verbose_name = _("checklist template")
        verbose_name_plural = _("checklist templates")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return _bilingual(self.name_zh, self.name_en)


class ChecklistItem(models.Model):
    template = models.ForeignKey(ChecklistTemplate, on_delete=models.CASCADE, related_name="items")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    text_zh = models.CharField(_("item (Chinese)"), max_length=300)
    text_en = models.CharField(_("item (English)"), max_length=300)
    basis = models.CharField(_("basis"), max_length=200, blank=True)
    major_if_failed = models.BooleanField(_("a failure is a major hazard"), default=False)

    class Meta:
        ordering = ["template", "order", "id"]
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        return _bilingual(self.text_zh, self.text_en)


class Inspection(models.Model):
    """A check of one unit against a checklist: a self-inspection or an official one,
    announced or not (四不两直: no notice, straight to the site)."""

    organization = models.ForeignKey(
        "core.Organization",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    place = models.ForeignKey(
        "core.Place",
        verbose_name=_("place"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    jurisdiction = models.ForeignKey(
        "core.Jurisdiction",
        verbose_name=_("jurisdiction"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    template = models.ForeignKey(
        ChecklistTemplate,
        verbose_name=_("checklist"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=InspectionKind.choices)
    unannounced = models.BooleanField(
        _("unannounced"), default=False, help_text=_("四不两直: no notice, straight to the site.")
    )
    state = models.CharField(
        _("state"), max_length=16, choices=InspectionState.choices, default=InspectionState.PLANNED
    )
    planned_for = models.DateField(_("planned for"), null=True, blank=True)
    inspector = models.ForeignKey(
        USER,
        verbose_name=_("inspector"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    lookback = models.ForeignKey(
        "hazards.LookBackDue",
        verbose_name=_("look-back"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inspections",
    )

    objects = models.Manager.from_queryset(ScopedQuerySet)()
    scope_jurisdiction_field: ClassVar[str] = "jurisdiction"
    scope_organization_field: ClassVar[str | None] = "organization"

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        indexes = [models.Index(fields=["state", "planned_for"], name="hz_insp_state_planned")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.organization}"


class InspectionResult(models.Model):
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="results")
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(_("outcome"), max_length=8, choices=Outcome.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    hazard = models.ForeignKey(
        Hazard, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["inspection", "item__order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "item"], name="hz_result_once_per_item")
        ]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.outcome}"


# --- look-back (回头看) -------------------------------------------------------------------


class LookBackDue(models.Model):
    """A unit due for re-inspection within 12 months of an accident or of the closure of
    one of its major hazards."""

    organization = models.ForeignKey(
        "core.Organization",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="lookbacks",
    )
    reason = models.CharField(_("reason"), max_length=16, choices=LookBackReason.choices)
    domain = models.ForeignKey(
        "risk.Domain",
        verbose_name=_("domain"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    hazard = models.OneToOneField(
        Hazard,
        verbose_name=_("closed major hazard"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="lookback_due",
    )
    source_date = models.DateField(_("accident or closure date"))
    due_by = models.DateField(_("re-inspect by"))
    status = models.CharField(
        _("status"), max_length=16, choices=LookBackStatus.choices, default=LookBackStatus.PENDING
    )
    sampled_at = models.DateTimeField(_("sampled"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    objects = models.Manager.from_queryset(ScopedQuerySet)()
    scope_jurisdiction_field: ClassVar[str] = "organization__jurisdiction"
    scope_organization_field: ClassVar[str | None] = "organization"

    class Meta:
        ordering = ["due_by", "id"]
        verbose_name = _("look-back due")
        verbose_name_plural = _("look-back dues")
        indexes = [models.Index(fields=["status", "due_by"], name="hz_lookback_status_due")]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "source_date"],
                condition=models.Q(reason="accident"),
                name="hz_lookback_one_per_accident",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization} · {self.get_reason_display()} · {self.due_by}"


# --- public tips (举报) -------------------------------------------------------------------


class Tip(models.Model):
    """A hazard reported by a member of the public, without an account."""

    code = models.CharField(_("tracking code"), max_length=16, unique=True)
    description = models.TextField(_("description"))
    address = models.CharField(_("address"), max_length=255, blank=True)
    lon = models.FloatField(_("longitude"))
    lat = models.FloatField(_("latitude"))
    jurisdiction = models.ForeignKey(
        "core.Jurisdiction",
        verbose_name=_("jurisdiction"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    contact_name = models.CharField(_("name"), max_length=100, blank=True)
    contact_phone = models.CharField(_("phone"), max_length=40, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=TipStatus.choices, default=TipStatus.RECEIVED
    )
    created_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)
    triaged_at = models.DateTimeField(_("triaged"), null=True, blank=True)
    triaged_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    dismiss_reason = models.TextField(_("reason for dismissal"), blank=True)
    hazard = models.OneToOneField(
        Hazard, null=True, blank=True, on_delete=models.SET_NULL, related_name="tip"
    )
    ip_hash = models.CharField(max_length=64, blank=True, editable=False)

    objects = models.Manager.from_queryset(ScopedQuerySet)()
    scope_jurisdiction_field: ClassVar[str] = "jurisdiction"
    scope_organization_field: ClassVar[str | None] = None

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("public tip")
        verbose_name_plural = _("public tips")
        indexes = [models.Index(fields=["status", "created_at"], name="hz_tip_status_created")]

    def __str__(self) -> str:
        return self.code


class TipReward(models.Model):
    """The reward (举报奖励) owed for a tip that proved true: proposed when its hazard is
    verified and closed, then approved or declined, then paid."""

    tip = models.OneToOneField(Tip, on_delete=models.CASCADE, related_name="reward")
    amount = models.DecimalField(_("amount (yuan)"), max_digits=10, decimal_places=2)
    status = models.CharField(
        _("status"), max_length=16, choices=RewardStatus.choices, default=RewardStatus.PROPOSED
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    decided_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("tip reward")
        verbose_name_plural = _("tip rewards")

    def __str__(self) -> str:
        return f"{self.tip_id}: {self.amount}"


class TipAttempt(models.Model):
    """A recent tip submission from one (hashed) address: the rate limit counts these
    rows, so the limit holds across every web process. Old rows are purged hourly."""

    ip_hash = models.CharField(max_length=64)
    at = models.DateTimeField(default=timezone.now)
    accepted = models.BooleanField(default=False)
    # The challenge a tip was accepted with, so that one solved form cannot be replayed.
    nonce = models.CharField(max_length=32, null=True, blank=True, unique=True)

    class Meta:
        indexes = [models.Index(fields=["ip_hash", "at"], name="hz_tipattempt_ip_at")]

    def __str__(self) -> str:
        return f"{self.ip_hash[:8]} {self.at}"


__all__ = [
    "ChecklistItem",
    "ChecklistTemplate",
    "Hazard",
    "HazardEvent",
    "Inspection",
    "InspectionResult",
    "LookBackDue",
    "Milestone",
    "Outcome",
    "Photo",
    "RectificationPlan",
    "Tip",
    "TipAttempt",
    "TipReward",
]
