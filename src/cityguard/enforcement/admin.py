"""Back-office entry for the enforcement app.

The discretion table (violation types, legal basis, legal range and the band per
circumstance) is configured here. Officers, plans, inspections and cases are shown
read-only: they change only through the services, which check the rules and record
every step.
"""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from .models import Case, DiscretionBand, DiscretionRule, Inspection, InspectionPlan, Officer


class BandInline(admin.TabularInline):
    model = DiscretionBand
    extra = 0
    fields = ("circumstance", "min_amount", "max_amount")


@admin.register(DiscretionRule)
class DiscretionRuleAdmin(SimpleHistoryAdmin):
    list_display = ("code", "violation", "legal_basis", "legal_min", "legal_max", "is_active")
    list_filter = ("is_active",)
    search_fields = ("code", "violation", "violation_en", "legal_basis")
    inlines = [BandInline]


class ReadOnly(SimpleHistoryAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Officer)
class OfficerAdmin(ReadOnly):
    list_display = (
        "name",
        "jurisdiction",
        "certificate_no",
        "valid_until",
        "training_hours",
        "is_active",
    )
    search_fields = ("name", "certificate_no")


@admin.register(InspectionPlan)
class PlanAdmin(ReadOnly):
    list_display = ("title", "jurisdiction", "inspection_type", "status", "seed", "drawn_at")


@admin.register(Inspection)
class InspectionAdmin(ReadOnly):
    list_display = ("organization", "inspection_type", "date", "unannounced")
    list_filter = ("inspection_type",)


@admin.register(Case)
class CaseAdmin(ReadOnly):
    list_display = ("number", "title", "organization", "state", "filed_at", "concluded_at")
    list_filter = ("state",)
    search_fields = ("number", "title")
