"""Back-office views of the resources app (read-mostly: the ledger is append-only)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    Expert,
    FireStation,
    Material,
    Shelter,
    StockLot,
    StockMovement,
    Team,
    Warehouse,
)


@admin.register(Material)
class MaterialAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name", "name_en", "category", "unit", "shelf_life_days", "is_active")
    list_filter = ("category", "is_active")
    search_fields = ("code", "name", "name_en")


@admin.register(Warehouse)
class WarehouseAdmin(SimpleHistoryAdmin):
    list_display = ("name", "reserve_level", "mode", "jurisdiction", "is_active")
    list_filter = ("reserve_level", "mode", "is_active")
    search_fields = ("name", "code", "address")
    raw_id_fields = ("organization", "jurisdiction")


@admin.register(StockLot)
class StockLotAdmin(SimpleHistoryAdmin):
    list_display = ("warehouse", "material", "lot_no", "quantity", "expires_on")
    list_filter = ("material__category",)
    search_fields = ("lot_no", "warehouse__name", "material__name")
    raw_id_fields = ("warehouse", "material")
    # Quantities change only through the ledger (services), never by hand.
    readonly_fields = ("quantity",)


@admin.register(StockMovement)
class StockMovementAdmin(admin.ModelAdmin):
    list_display = ("at", "warehouse", "material", "kind", "quantity", "incident_ref")
    list_filter = ("kind",)
    search_fields = ("warehouse__name", "material__name", "incident_ref")

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Team)
class TeamAdmin(SimpleHistoryAdmin):
    list_display = ("name", "kind", "status", "headcount", "jurisdiction")
    list_filter = ("kind", "status")
    search_fields = ("name", "skills")
    raw_id_fields = ("organization", "jurisdiction")


@admin.register(Expert)
class ExpertAdmin(SimpleHistoryAdmin):
    list_display = ("name", "specialty", "title", "employer", "is_available")
    search_fields = ("name", "specialty", "employer")


@admin.register(Shelter)
class ShelterAdmin(SimpleHistoryAdmin):
    list_display = ("name", "status", "capacity", "occupancy", "jurisdiction")
    list_filter = ("status", "kind")
    search_fields = ("name", "address")
    raw_id_fields = ("organization", "jurisdiction")


@admin.register(FireStation)
class FireStationAdmin(SimpleHistoryAdmin):
    list_display = ("name", "kind", "service_area_km2", "vehicles", "jurisdiction")
    search_fields = ("name",)
    raw_id_fields = ("jurisdiction",)
