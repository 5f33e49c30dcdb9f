"""Template helpers of the risk pages: the four-colour level badge."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from ..choices import LEVEL_HEX, UNASSESSED_HEX, level_label

register = template.Library()


@register.simple_tag
def level_badge(obj_or_level: Any) -> SafeString:
    """The level ("major" …, or a record with `.level`) as a badge in its colour."""
    level = getattr(obj_or_level, "level", obj_or_level) or ""
    return format_html(
        '<span class="badge risk-badge risk-{}" style="--badge: {}">{}</span>',
        level or "none",
        LEVEL_HEX.get(level, UNASSESSED_HEX),
        level_label(level),
    )


@register.filter
def num(value: Any) -> str:
    """A score without a pointless ".0" (270, 0.05), or an em dash."""
    if value is None or value == "":
        return "—"
    f = float(value)
    return str(int(f)) if f.is_integer() else f"{f:g}"
