"""Back office of the monitoring app: read-mostly. Sensors, rules and contexts are edited
through the pages and API (services); readings, aggregates, alarms' timelines, dead letters
and events are written by the pipeline only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    Aggregate,
    Alarm,
    AlarmEvent,
    AlarmRule,
    DeadLetter,
    Notification,
    RuleContext,
    Sensor,
)


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Sensor)
class SensorAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name", "kind", "state", "enabled", "jurisdiction", "organization")
    list_filter = ("kind", "state", "enabled")
    search_fields = ("code", "name")
    raw_id_fields = ("jurisdiction", "street", "organization", "place")
    readonly_fields = ("last_ts", "last_value", "last_seen_at", "reading_count")


@admin.register(AlarmRule)
class AlarmRuleAdmin(SimpleHistoryAdmin):
    list_display = (
        "name",
        "kind",
        "sensor_kind",
        "sensor",
        "severity",
        "op",
        "threshold",
        "enabled",
    )
    list_filter = ("kind", "severity", "sensor_kind", "enabled")
    search_fields = ("name", "sensor__code")
    raw_id_fields = ("sensor", "created_by")


@admin.register(RuleContext)
class RuleContextAdmin(SimpleHistoryAdmin):
    list_display = (
        "reason",
        "street",
        "sensor_kind",
        "tighten",
        "source",
        "starts_at",
        "released_at",
    )
    list_filter = ("sensor_kind",)
    raw_id_fields = ("street", "created_by")


class AlarmEventInline(admin.TabularInline):
    model = AlarmEvent
    extra = 0
    can_delete = False
    readonly_fields = ("kind", "at", "actor", "severity", "value", "note")

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Alarm)
class AlarmAdmin(SimpleHistoryAdmin, ReadOnly):
    list_display = ("sensor", "rule", "severity", "state", "opened_at", "cleared_at", "peak_value")
    list_filter = ("state", "severity")
    search_fields = ("sensor__code",)
    inlines = [AlarmEventInline]


@admin.register(Aggregate)
class AggregateAdmin(ReadOnly):
    list_display = ("sensor", "period", "start", "count", "vmin", "vmax")
    list_filter = ("period",)


@admin.register(DeadLetter)
class DeadLetterAdmin(ReadOnly):
    list_display = ("received_at", "source", "topic", "sensor_code", "index", "reason")
    list_filter = ("source",)
    search_fields = ("sensor_code", "reason", "topic")


@admin.register(Notification)
class NotificationAdmin(ReadOnly):
    list_display = ("created_at", "channel", "user", "recipient", "title", "status")
    list_filter = ("channel", "status")
