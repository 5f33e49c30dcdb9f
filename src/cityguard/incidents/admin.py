"""Read-only admin views of incidents: every change goes through `incidents.services`."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import Dispatch, Incident, IncidentEvent, Task


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Incident)
class IncidentAdmin(ReadOnly):
    list_display = ("title", "type", "subtype", "level", "status", "occurred_at")
    list_filter = ("status", "level", "type")
    search_fields = ("title",)


@admin.register(IncidentEvent)
class IncidentEventAdmin(ReadOnly):
    list_display = ("incident", "at", "kind", "actor")
    list_filter = ("kind",)


admin.site.register(Task, ReadOnly)
admin.site.register(Dispatch, ReadOnly)
