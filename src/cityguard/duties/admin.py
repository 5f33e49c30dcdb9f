"""Back-office views of the duties app (read-only: writes go through the services)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import DutyItem, ListVersion


class ReadOnly(SimpleHistoryAdmin):
    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(ListVersion)
class ListVersionAdmin(ReadOnly):
    list_display = ("__str__", "kind", "number", "state", "published_at")
    list_filter = ("kind", "state")


@admin.register(DutyItem)
class DutyItemAdmin(ReadOnly):
    list_display = ("title", "kind", "organization", "street", "due_date", "status", "verified")
    list_filter = ("kind", "status", "verified")
    search_fields = ("title", "legal_basis")
