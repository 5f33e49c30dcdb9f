"""Map layers of the risk register: the four-colour risk map.

- `risk.points`: active risk points, each coloured by its current level.
- `risk.streets`: streets coloured by the highest level among the points the viewer may
  see in them, with the counts per level in the properties (a choropleth).
"""

from __future__ import annotations

import dataclasses
from collections import Counter, defaultdict
from collections.abc import Callable
from typing import Any

from django.db.models import Count
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from cityguard.core.choices import Level
from cityguard.core.models import Jurisdiction
from cityguard.onemap.registry import AreaLayer, BBox, PointLayer, register

from . import scoring
from .choices import LEVEL_HEX, UNASSESSED_HEX, RiskLevel, level_label
from .models import RiskPoint

GROUP = _("Risk")
_POINT_URL = "/risk/points/{}/"


class _LazyLegend(list):  # type: ignore[type-arg]
    """The legend, labelled in the language of the request that reads it."""

    def __iter__(self) -> Any:
        items: list[tuple[Any, str]] = [(level_label(v), LEVEL_HEX[v]) for v in RiskLevel.values]
        items.append((_("Not assessed"), UNASSESSED_HEX))
        return iter(items)

    def __len__(self) -> int:
        return len(RiskLevel.values) + 1


def _english() -> bool:
    return (get_language() or "").startswith("en")


def _point_props(row: tuple[Any, ...]) -> dict[str, Any]:
    pk, name, level, domain_zh, domain_en, org_name, address, next_due = row
    domain = (domain_en or domain_zh) if _english() else (domain_zh or domain_en)
    return {
        "id": pk,
        "name": name,
        "kind": level or "unassessed",
        "kind_label": f"{level_label(level)} · {domain}",
        "level": level or None,
        "colour": LEVEL_HEX.get(level, UNASSESSED_HEX),
        "domain": domain,
        "organization": org_name,
        "address": address,
        "next_due": next_due.isoformat() if next_due else None,
        "url": _POINT_URL.format(pk),
    }


def visible_points(user: Any) -> Any:
    return RiskPoint.objects.visible_to(user).filter(is_active=True)


points_layer = register(
    PointLayer(
        name="risk.points",
        title=_("Risk points (four colours)"),
        group=GROUP,
        geometry="point",
        colour=LEVEL_HEX[scoring.MAJOR],
        cluster=True,
        visible=False,
        order=50,
        legend=_LazyLegend(),
        queryset=visible_points,
        columns=(
            "id",
            "name",
            "level",
            "domain__name_zh",
            "domain__name_en",
            "organization__name",
            "address",
            "next_due",
        ),
        properties=_point_props,
    )
)


def street_counts(user: Any) -> dict[str, Counter[str]]:
    """Street code → counts by level ("" = not assessed) of the points `user` may see."""
    out: dict[str, Counter[str]] = defaultdict(Counter)
    rows = (
        visible_points(user)
        .order_by()
        .values_list("jurisdiction__path", "level")
        .annotate(n=Count("id"))
    )
    for path, level, n in rows:
        parts = [p for p in path.split("/") if p]
        if len(parts) > 1:
            out[parts[1]][level] += n
    return out


def _street_props(counts: dict[str, Counter[str]]) -> Callable[[tuple[Any, ...]], dict[str, Any]]:
    def props(row: tuple[Any, ...]) -> dict[str, Any]:
        code, name, name_en = row
        c = counts.get(code, Counter())
        highest = next((lv for lv in scoring.LEVELS if c.get(lv)), "")
        summary = " · ".join(f"{RiskLevel(lv).label} {c.get(lv, 0)}" for lv in scoring.LEVELS)
        return {
            "code": code,
            "name": (name_en or name) if _english() else name,
            "kind": highest or "none",
            "kind_label": summary,
            "highest": highest or None,
            "colour": LEVEL_HEX.get(highest, UNASSESSED_HEX),
            "fill_opacity": 0.35 if highest else 0.05,
            "total": sum(c.values()),
            **{lv: c.get(lv, 0) for lv in scoring.LEVELS},
            "unassessed": c.get("", 0),
            "url": f"/risk/?jurisdiction={code}",
        }

    return props


@dataclasses.dataclass
class StreetRiskLayer(AreaLayer):
    """Street polygons whose properties are computed per request from the viewer's points."""

    def feature_collection(
        self, user: Any, bbox: BBox | None, limit: int, shift: Callable | None = None
    ) -> str:
        # A copy per request carries this viewer's counts; the registered layer is shared.
        per_request = dataclasses.replace(self, properties=_street_props(street_counts(user)))
        return AreaLayer.feature_collection(per_request, user, bbox, limit, shift)


streets_layer = register(
    StreetRiskLayer(
        name="risk.streets",
        title=_("Street risk (highest level)"),
        group=GROUP,
        geometry="polygon",
        colour=LEVEL_HEX[scoring.LARGE],
        visible=False,
        order=51,
        legend=_LazyLegend(),
        queryset=lambda user: Jurisdiction.objects.visible_to(user).filter(level=Level.STREET),
        columns=("code", "name", "name_en"),
    )
)

__all__ = ["points_layer", "street_counts", "streets_layer"]
