from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import EnteredFigure, IndicatorSnapshot


@admin.register(EnteredFigure)
class EnteredFigureAdmin(SimpleHistoryAdmin):
    list_display = ("code", "year", "month", "street", "value", "base", "source", "entered_at")
    list_filter = ("code", "year")
    readonly_fields = ("entered_by", "entered_at")

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False  # entered through the form or the API (services check the input)

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(IndicatorSnapshot)
class IndicatorSnapshotAdmin(admin.ModelAdmin):
    list_display = ("code", "period", "street", "value", "on_target", "computed_at")
    list_filter = ("period", "code")

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
