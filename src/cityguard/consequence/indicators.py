"""Indicators the consequence app contributes. Each takes `(user, street)`:

- `user`: None counts every run; a user counts the runs they may read (every signed-in
  user reads every run: zones are public-safety information).
- `street`: a street's jurisdiction code to count only runs whose release point lies in
  that street's boundary, or None.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import shapely
from django.db.models import QuerySet
from django.utils import timezone

from cityguard.core import geo
from cityguard.core.models import Jurisdiction

from . import services
from .models import ThreatZoneRun


def _runs(user: Any, street: str | None, days: int | None) -> list[tuple[int, dict[str, Any]]]:
    qs: QuerySet = ThreatZoneRun.objects.all() if user is None else services.runs_for(user)
    if days is not None:
        qs = qs.filter(created_at__gte=timezone.now() - dt.timedelta(days=days))
    rows = list(qs.values_list("id", "lon", "lat", "geojson"))
    if street:
        node = Jurisdiction.objects.filter(code=street).exclude(boundary="").first()
        if node is None:
            return []
        area = geo.parse_area(node.boundary)
        rows = [r for r in rows if shapely.contains_xy(area, r[1], r[2])]
    return [(r[0], r[3]) for r in rows]


def runs_count(user: Any = None, street: str | None = None, days: int | None = 30) -> int:
    """Threat-zone runs recorded in the last `days` days (None: ever)."""
    return len(_runs(user, street, days))


def largest_zone_area_m2(
    user: Any = None, street: str | None = None, days: int | None = 30
) -> float:
    """The largest zone (any level) among those runs, m² (0 when none)."""
    best = 0.0
    for _pk, fc in _runs(user, street, days):
        for feat in fc.get("features", []):
            best = max(best, float((feat.get("properties") or {}).get("area_m2") or 0.0))
    return best
