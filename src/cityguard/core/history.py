"""Reading a record's kept history: who changed what, when, from what to what."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _

CHANGE_NAMES = {"+": "created", "~": "changed", "-": "deleted"}


@dataclass
class FieldChange:
    field: str
    label: str
    old: Any
    new: Any


@dataclass
class HistoryEntry:
    at: datetime
    user: str | None
    change: str
    changes: list[FieldChange]

    @property
    def change_label(self) -> str:
        return {"created": _("created"), "changed": _("changed"), "deleted": _("deleted")}[
            self.change
        ]


def history_of(obj: Any, limit: int = 200) -> list[HistoryEntry]:
    """Newest first. Each entry lists the fields that differ from the version before."""
    records = list(
        obj.history.select_related("history_user").order_by("-history_date", "-history_id")[
            : limit + 1
        ]
    )
    entries = []
    model = type(obj)
    for i, rec in enumerate(records[:limit]):
        prev = records[i + 1] if i + 1 < len(records) else None
        changes: list[FieldChange] = []
        if prev is not None:
            delta = rec.diff_against(prev)
            for c in delta.changes:
                if c.field in {
                    "updated_at",
                    "min_lon",
                    "min_lat",
                    "max_lon",
                    "max_lat",
                    "centroid_lon",
                    "centroid_lat",
                    "path",
                }:
                    continue
                try:
                    label = str(model._meta.get_field(c.field).verbose_name)
                except Exception:
                    label = c.field
                changes.append(FieldChange(c.field, label, _short(c.old), _short(c.new)))
        user = rec.history_user
        entries.append(
            HistoryEntry(
                at=rec.history_date,
                user=(user.get_username() if user else None),
                change=CHANGE_NAMES.get(rec.history_type, "changed"),
                changes=changes,
            )
        )
    return entries


def _short(value: Any) -> Any:
    if isinstance(value, str) and len(value) > 200:
        return value[:200] + "…"
    return value
