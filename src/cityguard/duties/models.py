"""Data of the duties app: the four duty lists (四类清单) per unit — a department
(core.Organization of kind department) or a street (core.Jurisdiction of level street).

Responsibility, power and supervision items belong to a `ListVersion`: a draft is edited,
then published and frozen; further edits go into the next draft, a copy of the published
items. Task items are not versioned: they carry an owner, a due date, a status and the
evidence of completion. Only `duties.services` writes these models.
"""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cityguard.core.models import ScopedManager, ScopedQuerySet

from .choices import OVERDUE_COLOUR, ListKind, TaskStatus, VersionState


class UnitMixin(models.Model):
    """Whose list it is: a department or a street (exactly one)."""

    organization = models.ForeignKey(
        "core.Organization",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    street = models.ForeignKey(
        "core.Jurisdiction",
        verbose_name=_("street"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    scope_jurisdiction_field: ClassVar[str] = "street"
    scope_organization_field: ClassVar[str | None] = "organization"

    class Meta:
        abstract = True

    @property
    def unit(self) -> Any:
        return self.organization if self.organization_id else self.street

    @property
    def unit_key(self) -> str:
        """'org-<id>' or 'street-<code>': how pages name a unit."""
        if self.organization_id:
            return f"org-{self.organization_id}"
        return f"street-{self.street.code}" if self.street is not None else ""


class ListVersion(UnitMixin):
    """One version of one unit's responsibility, power or supervision list."""

    kind = models.CharField(_("list"), max_length=16, choices=ListKind.choices)
    number = models.PositiveIntegerField(_("version"))
    state = models.CharField(
        _("state"), max_length=16, choices=VersionState.choices, default=VersionState.DRAFT
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    history = HistoricalRecords()

    objects = ScopedManager()

    class Meta:
        ordering = ["kind", "-number"]
        verbose_name = _("list version")
        verbose_name_plural = _("list versions")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "street", "kind", "number"], name="duties_version_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.get_kind_display()} v{self.number}"  # type: ignore[attr-defined]

    @property
    def frozen(self) -> bool:
        return self.state == VersionState.PUBLISHED


class DutyItemQuerySet(ScopedQuerySet):
    def tasks(self) -> DutyItemQuerySet:
        return self.filter(kind=ListKind.TASK)

    def overdue(self, today: Any = None) -> DutyItemQuerySet:
        today = today or timezone.localdate()
        return self.filter(kind=ListKind.TASK, due_date__lt=today).exclude(status=TaskStatus.DONE)


class DutyItem(UnitMixin):
    kind = models.CharField(_("list"), max_length=16, choices=ListKind.choices)
    version = models.ForeignKey(
        ListVersion,
        verbose_name=_("version"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="items",
    )
    origin = models.ForeignKey(
        "self",
        verbose_name=_("copied from"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="copies",
    )
    position = models.PositiveIntegerField(_("order"), default=0)
    title = models.CharField(_("title"), max_length=200)
    content = models.TextField(_("content"), blank=True)
    legal_basis = models.CharField(
        _("legal basis"), max_length=200, blank=True, help_text=_("Law or regulation.")
    )
    legal_article = models.CharField(_("article"), max_length=100, blank=True)
    responsible_post = models.CharField(_("responsible post"), max_length=100, blank=True)
    responsible_person = models.CharField(_("responsible person"), max_length=100, blank=True)
    # Task items
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner (user)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="duty_tasks",
    )
    owner_contact = models.ForeignKey(
        "core.Contact",
        verbose_name=_("owner (contact)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    due_date = models.DateField(_("due date"), null=True, blank=True, db_index=True)
    status = models.CharField(
        _("status"), max_length=16, choices=TaskStatus.choices, blank=True, default=""
    )
    evidence_text = models.TextField(_("evidence of completion"), blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("completed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    verified = models.BooleanField(_("verified"), default=False)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = models.Manager.from_queryset(DutyItemQuerySet)()

    class Meta:
        ordering = ["kind", "position", "id"]
        verbose_name = _("duty item")
        verbose_name_plural = _("duty items")
        indexes = [models.Index(fields=["kind", "status", "due_date"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_task(self) -> bool:
        return self.kind == ListKind.TASK

    @property
    def overdue(self) -> bool:
        return bool(
            self.is_task
            and self.status != TaskStatus.DONE
            and self.due_date
            and self.due_date < timezone.localdate()
        )

    @property
    def on_time(self) -> bool:
        return bool(
            self.status == TaskStatus.DONE
            and self.completed_at
            and self.due_date
            and timezone.localtime(self.completed_at).date() <= self.due_date
        )

    @property
    def status_label(self) -> str:
        if self.overdue:
            return str(_("Overdue"))
        return str(self.get_status_display()) if self.status else ""  # type: ignore[attr-defined]

    @property
    def status_colour(self) -> str:
        return OVERDUE_COLOUR if self.overdue else TaskStatus.colour_of(self.status)

    @property
    def owner_label(self) -> str:
        if self.owner_user_id:
            u = self.owner_user
            return (u.get_full_name() or u.username) if u else ""
        if self.owner_contact_id and self.owner_contact:
            return self.owner_contact.name
        return ""

    @property
    def legal_label(self) -> str:
        return " ".join(p for p in (self.legal_basis, self.legal_article) if p)


def _evidence_path(instance: Evidence, filename: str) -> str:
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"duties/evidence/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{suffix[:8]}"


class Evidence(models.Model):
    """A file proving a task's completion; served only to those who may see the task."""

    item = models.ForeignKey(
        DutyItem, verbose_name=_("duty item"), on_delete=models.CASCADE, related_name="evidence"
    )
    file = models.FileField(_("file"), upload_to=_evidence_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        ordering = ["item", "uploaded_at", "id"]
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")

    def __str__(self) -> str:
        return self.original_name
