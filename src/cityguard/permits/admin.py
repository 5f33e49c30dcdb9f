"""Back-office views of the permits app (read-only: writes go through the services)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Permit


@admin.register(Permit)
class PermitAdmin(SimpleHistoryAdmin):
    list_display = ("number", "organization", "kind", "grade", "valid_from", "valid_to", "state")
    list_filter = ("kind", "state")
    search_fields = ("number", "location", "organization__name")

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False
