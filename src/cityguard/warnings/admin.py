from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import CapMessage, Delivery, Warning, WarningEvent


class EventInline(admin.TabularInline):
    model = WarningEvent
    extra = 0
    can_delete = False
    readonly_fields = ("kind", "at", "actor", "from_state", "to_state", "note", "changes")


@admin.register(Warning)
class WarningAdmin(SimpleHistoryAdmin):
    list_display = ("headline", "kind", "colour", "state", "effective", "expires", "origin")
    list_filter = ("state", "kind", "colour", "origin")
    search_fields = ("headline", "description")
    readonly_fields = ("state", "version", "issued_at", "ended_at", "jurisdiction")
    filter_horizontal = ("streets",)
    inlines = [EventInline]


@admin.register(CapMessage)
class CapMessageAdmin(admin.ModelAdmin):
    list_display = ("identifier", "msg_type", "sender", "sent", "received")
    list_filter = ("msg_type", "received")
    search_fields = ("identifier", "sender")
    readonly_fields = ("warning", "msg_type", "sender", "identifier", "sent", "version", "xml")


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ("recipient_name", "channel", "status", "warning", "street", "sent_at")
    list_filter = ("status", "channel", "audience")
    search_fields = ("recipient_name", "address")
