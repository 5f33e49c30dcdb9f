"""Back-office view of threat-zone runs: shown, never edited (a run is a record)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import ThreatZoneRun


@admin.register(ThreatZoneRun)
class ThreatZoneRunAdmin(admin.ModelAdmin):
    list_display = ("id", "incident_ref", "lon", "lat", "created_by", "created_at")
    search_fields = ("incident_ref",)
    readonly_fields = (
        "incident_ref",
        "inputs",
        "geojson",
        "lon",
        "lat",
        "created_by",
        "created_at",
    )
    exclude = ("min_lon", "min_lat", "max_lon", "max_lat")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
