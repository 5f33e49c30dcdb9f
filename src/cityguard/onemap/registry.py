"""The layer registry. Each app declares its layers in its own `layers.py`:

    from cityguard.onemap.registry import PointLayer, register
    register(PointLayer(name="hazards.major", title=_("Major hazards"), ...))

A layer knows how to answer a viewport for one user; the map page and
`GET /api/v1/map/layers/{name}` draw from this one list.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse

BBox = tuple[float, float, float, float]
MAX_FEATURES = 5000


@dataclass
class Layer:
    """A named GeoJSON layer. Subclasses implement `feature_collection`."""

    name: str
    title: Any  # lazy translation
    group: Any
    geometry: str  # "point" or "polygon"
    colour: str = "#1565c0"
    cluster: bool = False
    visible: bool = True
    legend: Sequence[tuple[Any, str]] = ()
    order: int = 100
    # A static script the map page loads after map.js to give the layer more behaviour
    # (e.g. live updates); "" for none.
    script: str = ""

    def feature_collection(
        self, user: Any, bbox: BBox | None, limit: int, shift: Callable | None = None
    ) -> str:
        """The layer's GeoJSON text; `shift` moves WGS 84 output onto a basemap datum."""
        raise NotImplementedError

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": str(self.title),
            "group": str(self.group),
            "geometry": self.geometry,
            "colour": self.colour,
            "cluster": self.cluster,
            "visible": self.visible,
            "legend": [{"label": str(label), "colour": c} for label, c in self.legend],
            "url": reverse("api:map_layer", kwargs={"name": self.name}),
        }


_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _collection(features: Iterable[str], truncated: bool) -> str:
    body = ",".join(features)
    return f'{{"type":"FeatureCollection","truncated":{"true" if truncated else "false"},"features":[{body}]}}'


@dataclass
class PointLayer(Layer):
    """Points from a model with `lon`/`lat` columns, filtered by the viewport in SQL.

    `queryset(user)` returns the rows the user may see; `columns` are fetched with
    values_list (no model instances: this is the map's hot path) and `properties` turns
    one row tuple into the feature's properties.
    """

    queryset: Callable[[Any], QuerySet] = field(default=lambda user: None)  # type: ignore[assignment,return-value]
    columns: Sequence[str] = ("id", "name")
    properties: Callable[[tuple[Any, ...]], dict[str, Any]] = field(default=lambda row: {})

    def rows(self, user: Any, bbox: BBox | None, limit: int) -> list[tuple[Any, ...]]:
        qs = self.queryset(user).filter(lon__isnull=False, lat__isnull=False)
        if bbox is not None:
            qs = qs.filter(lon__gte=bbox[0], lat__gte=bbox[1], lon__lte=bbox[2], lat__lte=bbox[3])
        return list(qs.values_list("lon", "lat", *self.columns)[: limit + 1])

    def serialise(
        self, rows: list[tuple[Any, ...]], limit: int, shift: Callable | None = None
    ) -> str:
        truncated = len(rows) > limit
        rows = rows[:limit]
        if shift is not None and rows:
            lons, lats = shift([r[0] for r in rows], [r[1] for r in rows])
            rows = [
                (x, y, *r[2:]) for x, y, r in zip(lons.tolist(), lats.tolist(), rows, strict=True)
            ]
        props = self.properties
        feats = [
            '{"type":"Feature","geometry":{"type":"Point","coordinates":[%.6f,%.6f]},"properties":%s}'
            % (r[0], r[1], _dumps(props(r[2:])))
            for r in rows
        ]
        return _collection(feats, truncated)

    def feature_collection(
        self, user: Any, bbox: BBox | None, limit: int, shift: Callable | None = None
    ) -> str:
        return self.serialise(self.rows(user, bbox, limit), limit, shift)


@dataclass
class AreaLayer(Layer):
    """Polygons stored as GeoJSON text with bounding-box columns (min/max lon/lat)."""

    queryset: Callable[[Any], QuerySet] = field(default=lambda user: None)  # type: ignore[assignment,return-value]
    columns: Sequence[str] = ("id", "name")
    properties: Callable[[tuple[Any, ...]], dict[str, Any]] = field(default=lambda row: {})
    geometry_field: str = "boundary"

    def feature_collection(
        self, user: Any, bbox: BBox | None, limit: int, shift: Callable | None = None
    ) -> str:
        qs = self.queryset(user).exclude(**{self.geometry_field: ""})
        if bbox is not None:
            qs = qs.filter(
                max_lon__gte=bbox[0],
                max_lat__gte=bbox[1],
                min_lon__lte=bbox[2],
                min_lat__lte=bbox[3],
            )
        rows = list(qs.values_list(self.geometry_field, *self.columns)[: limit + 1])
        truncated = len(rows) > limit
        feats = []
        for row in rows[:limit]:
            geom = row[0]
            if shift is not None:
                geom = _dumps(_shift_geometry(json.loads(geom), shift))
            feats.append(
                '{"type":"Feature","geometry":%s,"properties":%s}'
                % (geom, _dumps(self.properties(row[1:])))
            )
        return _collection(feats, truncated)


def _shift_geometry(geom: dict[str, Any], shift: Callable) -> dict[str, Any]:
    def ring(coords: list[list[float]]) -> list[list[float]]:
        xs, ys = shift([c[0] for c in coords], [c[1] for c in coords])
        return [[round(x, 6), round(y, 6)] for x, y in zip(xs.tolist(), ys.tolist(), strict=True)]

    if geom["type"] == "Polygon":
        return {"type": "Polygon", "coordinates": [ring(r) for r in geom["coordinates"]]}
    return {
        "type": "MultiPolygon",
        "coordinates": [[ring(r) for r in poly] for poly in geom["coordinates"]],
    }


_LAYERS: dict[str, Layer] = {}


def register(layer: Layer) -> Layer:
    if layer.name in _LAYERS:
        raise ValueError(f"map layer {layer.name!r} is registered twice")
    _LAYERS[layer.name] = layer
    return layer


def layers() -> list[Layer]:
    return sorted(_LAYERS.values(), key=lambda lyr: (lyr.order, lyr.name))


def get(name: str) -> Layer | None:
    return _LAYERS.get(name)


def scripts() -> list[str]:
    """The layers' own scripts, each once, in layer order."""
    return list(dict.fromkeys(lyr.script for lyr in layers() if lyr.script))
