"""Shared helpers for the figures each app's `indicators.py` computes.

`scoped(qs, user, street, path_field)` narrows a queryset the way every figure does:

- `user` None counts everything (system reports, the indicators' snapshots); a user counts
  only what `visible_to(user)` lets them see.
- `street` a street's (or any jurisdiction's) code counts only rows whose jurisdiction path
  (reached through `path_field`, e.g. "jurisdiction__path") lies under it; an unknown code
  counts nothing; None or "" leaves the area alone.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet, Sum

from .models import Jurisdiction


def scoped(qs: QuerySet, user: Any, street: str | None, path_field: str) -> QuerySet:
    if user is not None:
        qs = qs.visible_to(user)  # type: ignore[attr-defined]
    if street:
        node = Jurisdiction.objects.filter(code=street).only("path").first()
        if node is None:
            return qs.none()
        qs = qs.filter(**{f"{path_field}__startswith": node.path})
    return qs


def street_of(path: str | None) -> str | None:
    """The street's code from a jurisdiction path ("/district/street/…/"), None above it."""
    parts = (path or "").strip("/").split("/")
    return parts[1] if len(parts) > 1 else None


def counts_by_street(qs: QuerySet, path_field: str) -> dict[str, int]:
    """Rows of `qs` per street code, in one grouped query (rows above street level are left
    out): the per-street breakdown of a count without a query per street."""
    out: dict[str, int] = {}
    rows = qs.order_by().values_list(path_field).annotate(n=Count("pk"))
    for path, n in rows:
        code = street_of(path)
        if code is not None:
            out[code] = out.get(code, 0) + int(n)
    return out


def sums_by_street(qs: QuerySet, path_field: str, field: str) -> dict[str, float]:
    """The sum of `field` per street code, in one grouped query."""
    out: dict[str, float] = {}
    rows = qs.order_by().values_list(path_field).annotate(s=Sum(field))
    for path, total in rows:
        code = street_of(path)
        if code is not None:
            out[code] = out.get(code, 0) + (total or 0)
    return out


def street_codes() -> list[str]:
    """Every street's code, in path order."""
    from .choices import Level

    return list(
        Jurisdiction.objects.filter(level=Level.STREET)
        .order_by("path")
        .values_list("code", flat=True)
    )


def per_street(found: dict[str, Any], default: Any = 0) -> dict[str, Any]:
    """`found` completed with `default` for every street it leaves out."""
    return {code: found.get(code, default) for code in street_codes()}
