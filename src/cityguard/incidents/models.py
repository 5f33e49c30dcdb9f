"""Data of the incidents app: incidents, their append-only timeline, tasks and dispatches.

An incident's level is derived from its figures by `grading.grade`; only
`incidents.services` writes incidents, tasks and dispatches, and each such write adds an
`IncidentEvent` — the timeline is the full-process record and is never edited.
Dispatches keep the ids and names of the team, warehouse and material they concern (not
foreign keys), so the record stands whatever later happens to the resource catalogue.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from cityguard.core.models import Located, ScopedManager, ScopedQuerySet

from . import grading
from .choices import (
    LEVEL_HEX,
    DispatchKind,
    DispatchStatus,
    EventKind,
    IncidentType,
    Level,
    ResponseLevel,
    Source,
    Status,
    Subtype,
    TaskStatus,
)


class Incident(Located):
    title = models.CharField(_("title"), max_length=200, db_index=True)
    description = models.TextField(_("description"), blank=True)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    type = models.CharField(_("type"), max_length=24, choices=IncidentType.choices)
    subtype = models.CharField(_("subtype"), max_length=32, choices=Subtype.choices)
    address = models.CharField(_("address"), max_length=255, blank=True)
    occurred_at = models.DateTimeField(_("occurred"), db_index=True)
    reported_at = models.DateTimeField(_("reported"))
    deaths = models.PositiveIntegerField(_("deaths"), default=0)
    serious_injuries = models.PositiveIntegerField(_("serious injuries"), default=0)
    direct_loss_cny = models.PositiveBigIntegerField(_("direct loss (CNY)"), default=0)
    level = models.PositiveSmallIntegerField(
        pgettext_lazy("incident", "level"),
        choices=Level.choices,
        default=Level.GENERAL,
        db_index=True,
    )
    level_criterion = models.CharField(_("deciding criterion"), max_length=24, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.REPORTED, db_index=True
    )
    plan = models.ForeignKey(
        "plans.EmergencyPlan",
        verbose_name=_("activated plan"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="incidents",
    )
    response_level = models.PositiveSmallIntegerField(
        _("response level"), choices=ResponseLevel.choices, null=True, blank=True
    )
    activated_at = models.DateTimeField(_("activated"), null=True, blank=True)
    closed_at = models.DateTimeField(pgettext_lazy("incident", "closed"), null=True, blank=True)
    alarm_ref = models.CharField(_("alarm reference"), max_length=100, blank=True, db_index=True)
    chemical = models.CharField(_("chemical released"), max_length=120, blank=True)
    release_rate_g_s = models.FloatField(_("release rate (g/s)"), null=True, blank=True)
    source_height_m = models.FloatField(_("source height (m)"), null=True, blank=True)
    lessons = models.TextField(_("lessons learned"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = ScopedManager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        indexes = [models.Index(fields=["lon", "lat"]), models.Index(fields=["status", "level"])]

    def __str__(self) -> str:
        return self.title

    @property
    def colour(self) -> str:
        return LEVEL_HEX.get(self.level, "#607d8b")

    @property
    def level_name_zh(self) -> str:
        return grading.NAMES_ZH[self.level]

    @property
    def response_roman(self) -> str:
        return grading.roman(self.response_level)

    @property
    def is_chemical_release(self) -> bool:
        return self.subtype == Subtype.HAZARDOUS_CHEMICAL_RELEASE or bool(self.chemical)


class AppendOnly(Exception):
    """Something tried to change or delete a timeline entry."""


class EventQuerySet(ScopedQuerySet):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnly("timeline entries are never changed")

    def delete(self) -> Any:
        raise AppendOnly("timeline entries are never deleted")

    def bulk_update(self, *args: Any, **kwargs: Any) -> Any:
        raise AppendOnly("timeline entries are never changed")


EventManager = models.Manager.from_queryset(EventQuerySet)


class IncidentEvent(models.Model):
    """One entry of an incident's timeline: who did what, when. Append-only."""

    incident = models.ForeignKey(
        Incident, verbose_name=_("incident"), on_delete=models.PROTECT, related_name="events"
    )
    at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=EventKind.choices)
    text = models.TextField(_("text"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)

    objects = EventManager()
    scope_jurisdiction_field: ClassVar[str] = "incident__jurisdiction"
    scope_organization_field: ClassVar[str | None] = None

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline entries")

    def __str__(self) -> str:
        return f"{self.incident_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnly("a timeline entry is never changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise AppendOnly("a timeline entry is never deleted")


class Task(models.Model):
    incident = models.ForeignKey(
        Incident, verbose_name=_("incident"), on_delete=models.PROTECT, related_name="tasks"
    )
    action_item = models.ForeignKey(
        "plans.ActionItem",
        verbose_name=_("plan action"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    text = models.TextField(_("task"))
    responsible_role = models.CharField(_("responsible role"), max_length=120, blank=True)
    organization = models.ForeignKey(
        "core.Organization",
        verbose_name=_("responsible unit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=TaskStatus.choices, default=TaskStatus.OPEN
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)

    objects = ScopedManager()
    scope_jurisdiction_field: ClassVar[str] = "incident__jurisdiction"
    scope_organization_field: ClassVar[str | None] = None

    class Meta:
        ordering = ["incident", "order", "id"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")

    def __str__(self) -> str:
        return self.text[:60]


class Dispatch(models.Model):
    incident = models.ForeignKey(
        Incident, verbose_name=_("incident"), on_delete=models.PROTECT, related_name="dispatches"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=DispatchKind.choices)
    team_id = models.PositiveBigIntegerField(_("team ID"), null=True, blank=True)
    warehouse_id = models.PositiveBigIntegerField(_("warehouse ID"), null=True, blank=True)
    material_id = models.PositiveBigIntegerField(_("material ID"), null=True, blank=True)
    movement_id = models.PositiveBigIntegerField(_("stock movement ID"), null=True, blank=True)
    name = models.CharField(_("resource"), max_length=255)
    quantity = models.DecimalField(
        _("quantity"), max_digits=14, decimal_places=3, null=True, blank=True
    )
    unit = models.CharField(pgettext_lazy("measure", "unit"), max_length=20, blank=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=DispatchStatus.choices,
        default=DispatchStatus.REQUESTED,
    )
    note = models.TextField(_("note"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested"))
    dispatched_at = models.DateTimeField(_("dispatched"), null=True, blank=True)
    arrived_at = models.DateTimeField(_("arrived"), null=True, blank=True)
    returned_at = models.DateTimeField(_("returned"), null=True, blank=True)

    objects = ScopedManager()
    scope_jurisdiction_field: ClassVar[str] = "incident__jurisdiction"
    scope_organization_field: ClassVar[str | None] = None

    class Meta:
        ordering = ["incident", "requested_at", "id"]
        verbose_name = _("dispatch")
        verbose_name_plural = _("dispatches")

    def __str__(self) -> str:
        return self.name
