"""Back-office entry for the core registry, with each record's history."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import ApiToken, Contact, Jurisdiction, Membership, Organization, Place


@admin.register(Jurisdiction)
class JurisdictionAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name", "level", "parent", "population")
    list_filter = ("level",)
    search_fields = ("code", "name", "name_en")
    raw_id_fields = ("parent",)


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0
    raw_id_fields = ("place",)


@admin.register(Organization)
class OrganizationAdmin(SimpleHistoryAdmin):
    list_display = ("name", "kind", "credit_code", "jurisdiction", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "credit_code", "address")
    raw_id_fields = ("jurisdiction", "parent")
    inlines = [ContactInline]


@admin.register(Place)
class PlaceAdmin(SimpleHistoryAdmin):
    list_display = ("name", "kind", "organization", "jurisdiction")
    list_filter = ("kind",)
    search_fields = ("name", "address")
    raw_id_fields = ("organization", "jurisdiction")


@admin.register(Contact)
class ContactAdmin(SimpleHistoryAdmin):
    list_display = ("name", "role", "organization", "phone")
    list_filter = ("role",)
    search_fields = ("name", "phone", "organization__name")
    raw_id_fields = ("organization", "place")


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ("user", "role", "organization", "jurisdiction")
    list_filter = ("role",)
    raw_id_fields = ("user", "organization", "jurisdiction")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("prefix", "user", "created_at", "expires_at", "last_used_at")
    readonly_fields = ("key_hash", "prefix", "created_at", "last_used_at")
