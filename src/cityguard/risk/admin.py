"""Back-office entry for the risk register: the domain taxonomy, points with their history.

Assessments are shown, never edited: a new one is recorded on the point's page (or by the
API), which also updates the point's current level.
"""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from .models import Assessment, ControlMeasure, Domain, RiskPoint


@admin.register(Domain)
class DomainAdmin(admin.ModelAdmin):
    list_display = ("code", "name_zh", "name_en", "category", "order", "is_active")
    list_editable = ("order", "is_active")
    list_filter = ("category", "is_active")
    search_fields = ("code", "name_zh", "name_en")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        # Codes are what other apps and the API refer to: fixed once created.
        return ("code",) if obj is not None else ()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ControlMeasureInline(admin.TabularInline):
    model = ControlMeasure
    extra = 0


class AssessmentInline(admin.TabularInline):
    model = Assessment
    extra = 0
    fields = ("assessed_at", "method", "l", "e", "c", "likelihood", "severity", "score", "level")
    readonly_fields = fields
    ordering = ("-assessed_at", "-id")
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(RiskPoint)
class RiskPointAdmin(SimpleHistoryAdmin):
    list_display = ("name", "domain", "level", "score", "next_due", "jurisdiction", "is_active")
    list_filter = ("level", "domain", "is_active")
    search_fields = ("name", "organization__name", "address")
    raw_id_fields = ("organization", "place", "jurisdiction")
    readonly_fields = (
        "level",
        "score",
        "method",
        "assessed_at",
        "next_due",
        "origin_type",
        "origin_id",
    )
    inlines = [ControlMeasureInline, AssessmentInline]


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    list_display = ("risk_point", "method", "score", "level", "assessed_at", "assessor")
    list_filter = ("method", "level")
    search_fields = ("risk_point__name", "assessor")
    raw_id_fields = ("risk_point",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
