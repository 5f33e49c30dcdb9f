"""Map layer of the consequence app.

- `consequence.zones`: the zones of the latest recorded threat-zone runs (most recent
  `LATEST_RUNS`), one polygon per level, coloured red / orange / yellow from the most
  severe level down. Off by default.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext_lazy as _

from cityguard.onemap.registry import BBox, Layer, _shift_geometry, register

from . import services

GROUP = _("Emergency response")
LATEST_RUNS = 20
LEVEL_COLOURS = {1: "#d32f2f", 2: "#f57c00", 3: "#fbc02d"}
_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


@dataclasses.dataclass
class ZoneLayer(Layer):
    def feature_collection(
        self, user: Any, bbox: BBox | None, limit: int, shift: Callable | None = None
    ) -> str:
        qs = services.runs_for(user)
        if bbox is not None:
            qs = qs.filter(
                max_lon__gte=bbox[0],
                max_lat__gte=bbox[1],
                min_lon__lte=bbox[2],
                min_lat__lte=bbox[3],
            )
        feats: list[str] = []
        truncated = False
        rows = qs.values_list("id", "incident_ref", "created_at", "geojson")[:LATEST_RUNS]
        for pk, ref, created, fc in rows:
            # Largest zone first, so the severe ones are drawn on top.
            for feat in reversed(fc.get("features", [])):
                geom = feat.get("geometry")
                if not geom:
                    continue
                if len(feats) >= limit:
                    truncated = True
                    break
                props = feat.get("properties", {})
                level = props.get("level")
                if shift is not None:
                    geom = _shift_geometry(geom, shift)
                label = _("Threat zone level %(level)s (≥ %(t)s mg/m³)") % {
                    "level": level,
                    "t": props.get("threshold_mg_m3"),
                }
                out = {
                    "id": f"{pk}-{level}",
                    "run": pk,
                    "name": f"#{pk} {ref}".strip(),
                    "kind": f"level{level}",
                    "kind_label": str(label),
                    "level": level,
                    "threshold_mg_m3": props.get("threshold_mg_m3"),
                    "colour": LEVEL_COLOURS.get(level, "#fbc02d"),
                    "fill_opacity": 0.25,
                    "created_at": created.isoformat(),
                    "url": f"/consequence/?run={pk}",
                }
                feats.append(
                    '{"type":"Feature","geometry":%s,"properties":%s}' % (_dumps(geom), _dumps(out))
                )
        body = ",".join(feats)
        return '{"type":"FeatureCollection","truncated":%s,"features":[%s]}' % (
            "true" if truncated else "false",
            body,
        )


zones_layer = register(
    ZoneLayer(
        name="consequence.zones",
        title=_("Threat zones (latest runs)"),
        group=GROUP,
        geometry="polygon",
        colour=LEVEL_COLOURS[1],
        visible=False,
        order=80,
        legend=(
            (_("Level 1 (most severe)"), LEVEL_COLOURS[1]),
            (_("Level 2"), LEVEL_COLOURS[2]),
            (_("Level 3"), LEVEL_COLOURS[3]),
        ),
    )
)

__all__ = ["zones_layer"]
