"""Back-office entry for the hazards app.

Checklist templates and their items are edited here. Hazards, tips, inspections and
look-back dues are shown read-only: their states change only through the services (the
pages and the API), which check the lifecycle, record the timeline and keep the indexes'
denormalised columns in step.
"""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    ChecklistItem,
    ChecklistTemplate,
    Hazard,
    HazardEvent,
    Inspection,
    LookBackDue,
    Tip,
    TipReward,
)


class ChecklistItemInline(admin.TabularInline):
    model = ChecklistItem
    extra = 1
    fields = ("order", "text_zh", "text_en", "basis", "major_if_failed")


@admin.register(ChecklistTemplate)
class ChecklistTemplateAdmin(admin.ModelAdmin):
    list_display = ("code", "name_zh", "name_en", "domain", "is_active")
    list_filter = ("domain", "is_active")
    search_fields = ("code", "name_zh", "name_en")
    inlines = [ChecklistItemInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("code",) if obj is not None else ()


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class HazardEventInline(admin.TabularInline):
    model = HazardEvent
    extra = 0
    fields = ("at", "kind", "from_state", "to_state", "actor", "comment")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Hazard)
class HazardAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = (
        "id",
        "title",
        "state",
        "severity",
        "domain",
        "street",
        "deadline",
        "escalated_at",
    )
    list_filter = ("state", "severity", "source", "domain")
    search_fields = ("title", "description", "address")
    raw_id_fields = ("organization", "place", "jurisdiction", "street", "responsible_unit")
    inlines = [HazardEventInline]


@admin.register(Inspection)
class InspectionAdmin(ReadOnlyAdmin):
    list_display = ("id", "organization", "kind", "unannounced", "state", "planned_for")
    list_filter = ("kind", "state", "unannounced")


@admin.register(LookBackDue)
class LookBackDueAdmin(ReadOnlyAdmin):
    list_display = ("organization", "reason", "domain", "source_date", "due_by", "status")
    list_filter = ("reason", "status")


@admin.register(Tip)
class TipAdmin(ReadOnlyAdmin):
    list_display = ("code", "status", "jurisdiction", "created_at", "hazard")
    list_filter = ("status",)
    search_fields = ("code", "description")


@admin.register(TipReward)
class TipRewardAdmin(ReadOnlyAdmin):
    list_display = ("tip", "amount", "status", "decided_at")
    list_filter = ("status",)
