"""Small template helpers shared by the pages: kind badges, navigation state, dashes."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from ..choices import OrganizationKind, PlaceKind
from ..models import Organization, Place

register = template.Library()


@register.simple_tag
def badge(label: Any, colour: str) -> SafeString:
    return format_html('<span class="badge" style="--badge: {}">{}</span>', colour, label)


@register.simple_tag
def kind_badge(obj: Any) -> SafeString | str:
    """The record's kind as a badge in the kind's colour (organisations and places)."""
    if isinstance(obj, Organization):
        return badge(obj.get_kind_display(), OrganizationKind.colour_of(obj.kind))
    if isinstance(obj, Place):
        return badge(obj.get_kind_display(), PlaceKind.colour_of(obj.kind))
    return ""


@register.simple_tag(takes_context=True)
def nav_current(context: template.Context, *prefixes: str) -> SafeString | str:
    """`aria-current="page"` when the current view's name starts with a prefix."""
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    name = getattr(match, "view_name", "") or ""
    if any(name == p or (p.endswith(("_", ":")) and name.startswith(p)) for p in prefixes):
        return mark_safe('aria-current="page"')
    return ""


@register.filter
def dash(value: Any) -> Any:
    """The value, or an em dash for nothing (None or empty), keeping 0 and False."""
    return "—" if value is None or value == "" else value


@register.filter
def role_label(value: str | None) -> str:
    """A role's display label from its stored value."""
    from ..choices import Role

    if not value:
        return ""
    try:
        return str(Role(value).label)
    except ValueError:
        return value
