"""Back-office views of the special-equipment app (read-mostly: pages and API write
through the services)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Equipment, Inspection, Reminder


class InspectionInline(admin.TabularInline):
    model = Inspection
    extra = 0
    fields = ("inspected_on", "result", "body", "report_no", "next_due", "created_by")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Equipment)
class EquipmentAdmin(SimpleHistoryAdmin):
    list_display = (
        "name", "kind", "registration_no", "status", "organization", "next_inspection_due",
    )  # fmt: skip
    list_filter = ("kind", "status")
    search_fields = ("name", "registration_no", "code")
    raw_id_fields = ("organization", "place", "maintenance_org", "jurisdiction")
    readonly_fields = ("last_inspection_on", "last_result", "next_inspection_due")
    inlines = [InspectionInline]


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ("equipment", "kind", "due_on", "raised_at", "resolved_at", "notified")
    list_filter = ("kind",)
    raw_id_fields = ("equipment",)
