"""Data of the special-equipment app: the registry of units (特种设备使用登记), their
periodic statutory inspections (定期检验) and the reminders the daily job raises.

A unit's `last_inspection_on`, `last_result` and `next_inspection_due` follow its latest
inspection (by date); only `equipment.services` writes these models.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cityguard.core.models import Located, ScopedManager

from .choices import EquipmentKind, EquipmentStatus, InspectionResult, InspectionState, ReminderKind


class Equipment(Located):
    """One unit of special equipment, registered (or not) with its user unit (使用单位)."""

    name = models.CharField(_("name"), max_length=200, db_index=True)
    kind = models.CharField(_("kind"), max_length=32, choices=EquipmentKind.choices)
    registration_no = models.CharField(
        _("registration number"),
        max_length=40,
        unique=True,
        null=True,
        blank=True,
        help_text=_("The number on the use registration certificate."),
    )
    code = models.CharField(_("equipment code"), max_length=32, blank=True, db_index=True)
    status = models.CharField(
        _("status"), max_length=16, choices=EquipmentStatus.choices, default=EquipmentStatus.IN_USE
    )
    model_name = models.CharField(_("model"), max_length=100, blank=True)
    manufacturer = models.CharField(_("manufacturer"), max_length=200, blank=True)
    organization = models.ForeignKey(
        "core.Organization",
        verbose_name=_("user unit"),
        on_delete=models.PROTECT,
        related_name="equipment",
    )
    place = models.ForeignKey(
        "core.Place",
        verbose_name=_("place"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="equipment",
    )
    maintenance_org = models.ForeignKey(
        "core.Organization",
        verbose_name=_("maintenance unit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="maintained_equipment",
    )
    maintenance_unit = models.CharField(
        _("maintenance unit (name)"),
        max_length=200,
        blank=True,
        help_text=_("When the maintenance unit is not in the registry."),
    )
    address = models.CharField(_("address"), max_length=255, blank=True)
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    interval_months = models.PositiveSmallIntegerField(
        _("inspection interval (months)"),
        null=True,
        blank=True,
        help_text=_("Leave empty for the default of the kind."),
    )
    installed_on = models.DateField(_("installed"), null=True, blank=True)
    registered_on = models.DateField(_("registered"), null=True, blank=True)
    last_inspection_on = models.DateField(_("last inspection"), null=True, blank=True)
    last_result = models.CharField(
        _("last result"), max_length=16, choices=InspectionResult.choices, blank=True
    )
    next_inspection_due = models.DateField(
        _("next inspection due"), null=True, blank=True, db_index=True
    )
    notes = models.TextField(_("notes"), blank=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = ScopedManager()
    scope_organization_field: ClassVar[str | None] = "organization"

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("special equipment")
        verbose_name_plural = _("special equipment")
        indexes = [
            models.Index(fields=["lon", "lat"]),
            models.Index(fields=["status", "next_inspection_due"]),
            models.Index(fields=["kind", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.registration_no})" if self.registration_no else self.name

    def state(self, today: dt.date, due_days: int) -> str:
        return inspection_state(
            self.status, self.registration_no, self.next_inspection_due, today, due_days
        )


def inspection_state(
    status: str, registration_no: str | None, due: dt.date | None, today: dt.date, due_days: int
) -> str:
    """ok / due soon / overdue / unregistered / not in use, from a unit's columns."""
    if status == EquipmentStatus.UNREGISTERED or (
        status == EquipmentStatus.IN_USE and not registration_no
    ):
        return InspectionState.UNREGISTERED
    if status != EquipmentStatus.IN_USE:
        return InspectionState.OUT_OF_USE
    if due is None or due < today:
        return InspectionState.OVERDUE
    if due <= today + dt.timedelta(days=due_days):
        return InspectionState.DUE_SOON
    return InspectionState.OK


class Inspection(models.Model):
    """A periodic statutory inspection of a unit, as the inspecting body reported it."""

    equipment = models.ForeignKey(
        Equipment, verbose_name=_("equipment"), on_delete=models.CASCADE, related_name="inspections"
    )
    inspected_on = models.DateField(_("inspection date"))
    result = models.CharField(_("result"), max_length=16, choices=InspectionResult.choices)
    body = models.CharField(_("inspecting body"), max_length=200, blank=True)
    report_no = models.CharField(_("report number"), max_length=60, blank=True)
    next_due = models.DateField(_("next due"))
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ScopedManager()
    scope_jurisdiction_field: ClassVar[str] = "equipment__jurisdiction"
    scope_organization_field: ClassVar[str | None] = "equipment__organization"

    class Meta:
        ordering = ["-inspected_on", "-id"]
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        indexes = [models.Index(fields=["equipment", "inspected_on"])]

    def __str__(self) -> str:
        return f"{self.equipment} {self.inspected_on}"


class Reminder(models.Model):
    """A unit whose inspection falls due (or is overdue), raised once per due date by the
    daily job; resolved when a new inspection moves the date or the unit leaves use."""

    equipment = models.ForeignKey(
        Equipment, verbose_name=_("equipment"), on_delete=models.CASCADE, related_name="reminders"
    )
    due_on = models.DateField(_("due"))
    kind = models.CharField(_("reminder"), max_length=16, choices=ReminderKind.choices)
    raised_at = models.DateTimeField(_("raised"))
    escalated_at = models.DateTimeField(_("became overdue"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    notified = models.PositiveIntegerField(_("e-mails sent"), default=0)
    delivery_errors = models.TextField(_("delivery errors"), blank=True)

    objects = ScopedManager()
    scope_jurisdiction_field: ClassVar[str] = "equipment__jurisdiction"
    scope_organization_field: ClassVar[str | None] = "equipment__organization"

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("inspection reminder")
        verbose_name_plural = _("inspection reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["equipment", "due_on"], name="equipment_one_reminder_per_due_date"
            )
        ]

    def __str__(self) -> str:
        return f"{self.equipment} {self.due_on}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None
