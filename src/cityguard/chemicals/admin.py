"""Back office of the chemicals app.

The catalogue and its safety data sheets are edited here (a saved chemical gets its search
names rebuilt and the units holding it identified again). Everything that has rules of
its own — units, inventories, licences, flows, filings, the blacklist — is shown read-only:
it is written through the pages and the API, which go through the services. Identification
snapshots are never changed.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from . import services
from .models import (
    Assessment,
    BlacklistEntry,
    Chemical,
    Flow,
    Inventory,
    Licence,
    MajorHazardSource,
    SafetyDataSheet,
    StockCount,
    TransportFiling,
    Unit,
)


class SdsInline(admin.StackedInline):
    model = SafetyDataSheet
    extra = 0
    max_num = 1
    can_delete = False


@admin.register(Chemical)
class ChemicalAdmin(SimpleHistoryAdmin):
    list_display = (
        "name_zh",
        "name_en",
        "table1_no",
        "un_number",
        "highly_toxic",
        "explosive_precursor",
    )
    list_filter = ("highly_toxic", "explosive_precursor", "physical_state", "is_active")
    search_fields = ("name_zh", "name_en", "key", "un_number")
    readonly_fields = ("table1_threshold_t",)
    inlines = [SdsInline]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        services.require_catalogue_editor(request.user)
        data = {f: form.cleaned_data[f] for f in form.changed_data if f in services.CHEMICAL_FIELDS}
        if change:
            instance = Chemical.objects.get(pk=obj.pk)
            saved = services.save_chemical(request.user, data, instance)
        else:
            fields = {
                f: form.cleaned_data[f] for f in form.cleaned_data if f in services.CHEMICAL_FIELDS
            }
            saved = services.save_chemical(request.user, fields)
        obj.pk = saved.pk
        obj.refresh_from_db()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # deactivate instead: inventories and flows refer to it


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Unit)
class UnitAdmin(ReadOnlyAdmin):
    list_display = ("name", "organization", "kind", "s", "is_major", "grade", "r")
    list_filter = ("kind", "is_major", "grade")
    search_fields = ("name", "code", "organization__name")


@admin.register(Inventory)
class InventoryAdmin(ReadOnlyAdmin):
    list_display = ("unit", "chemical", "max_quantity_t")
    search_fields = ("unit__name", "chemical__name_zh")


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyAdmin):
    list_display = ("unit", "computed_at", "trigger", "s", "r", "grade", "actor_name")
    list_filter = ("trigger", "is_major", "grade")


@admin.register(MajorHazardSource)
class MajorHazardSourceAdmin(ReadOnlyAdmin):
    list_display = ("code", "unit", "organization", "grade", "status", "main_name")
    list_filter = ("status", "grade")
    search_fields = ("code", "unit__name", "organization__name")


@admin.register(Licence)
class LicenceAdmin(ReadOnlyAdmin):
    list_display = ("number", "organization", "status", "valid_until")
    list_filter = ("status", "kind")
    search_fields = ("number", "organization__name")


@admin.register(Flow)
class FlowAdmin(ReadOnlyAdmin):
    list_display = (
        "occurred_at",
        "organization",
        "chemical",
        "kind",
        "quantity_t",
        "lot",
        "flagged",
    )
    list_filter = ("kind", "flagged")
    search_fields = ("lot", "counterparty_name", "organization__name")


@admin.register(StockCount)
class StockCountAdmin(ReadOnlyAdmin):
    list_display = (
        "counted_at",
        "organization",
        "chemical",
        "quantity_t",
        "discrepancy_t",
        "flagged",
    )
    list_filter = ("flagged",)


@admin.register(TransportFiling)
class TransportFilingAdmin(ReadOnlyAdmin):
    list_display = ("window_start", "vehicle_plate", "organization", "chemical", "status")
    search_fields = ("vehicle_plate", "carrier_name", "driver_name")


@admin.register(BlacklistEntry)
class BlacklistEntryAdmin(ReadOnlyAdmin):
    list_display = ("identifier", "kind", "listed_on", "lifted_on")
    list_filter = ("kind",)
    search_fields = ("identifier", "name")
