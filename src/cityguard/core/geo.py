"""Geometry with no Django import: datum shifts, GeoJSON checking, spatial look-ups.

Storage is always WGS 84 longitude/latitude (EPSG:4326). Chinese web basemaps use
GCJ-02 (AMap, Tencent) or BD-09 (Baidu); conversion to them happens at the edges.
The GCJ-02 formulas are the published reverse-engineered approximation, accurate to
about a metre; the inverse is found by fixed-point iteration to well under that.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Point, Polygon, mapping, shape
from shapely.strtree import STRtree

_A = 6378245.0  # Krasovsky 1940 semi-major axis, as used by GCJ-02
_EE = 0.00669342162296594323  # its first eccentricity squared
_X_PI = math.pi * 3000.0 / 180.0

# China's rough bounding box: outside it GCJ-02 leaves coordinates unshifted.
_CHINA = (72.004, 0.8293, 137.8347, 55.8271)


class GeometryError(ValueError):
    """A geometry that cannot be used; the message says why (in English, for logs).

    `code` names the reason so callers can show a translated message.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def _outside_china(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    return (lon < _CHINA[0]) | (lon > _CHINA[2]) | (lat < _CHINA[1]) | (lat > _CHINA[3])


def _delta(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x = lon - 105.0
    y = lat - 35.0
    dlat = (
        -100.0
        + 2.0 * x
        + 3.0 * y
        + 0.2 * y * y
        + 0.1 * x * y
        + 0.2 * np.sqrt(np.abs(x))
        + (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
        + (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
        + (160.0 * np.sin(y / 12.0 * np.pi) + 320 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    )
    dlon = (
        300.0
        + x
        + 2.0 * y
        + 0.1 * x * x
        + 0.1 * x * y
        + 0.1 * np.sqrt(np.abs(x))
        + (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
        + (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
        + (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    )
    radlat = lat / 180.0 * np.pi
    magic = 1 - _EE * np.sin(radlat) ** 2
    sqrtmagic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrtmagic) * np.pi)
    dlon = (dlon * 180.0) / (_A / sqrtmagic * np.cos(radlat) * np.pi)
    return dlon, dlat


def _arrays(lon: Any, lat: Any) -> tuple[np.ndarray, np.ndarray]:
    return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)


def wgs84_to_gcj02(lon: Any, lat: Any) -> tuple[Any, Any]:
    """WGS 84 → GCJ-02. Scalars or arrays; arrays are shifted in one vectorised pass."""
    x, y = _arrays(lon, lat)
    dlon, dlat = _delta(x, y)
    out = _outside_china(x, y)
    gx = np.where(out, x, x + dlon)
    gy = np.where(out, y, y + dlat)
    return _unwrap(gx, lon), _unwrap(gy, lat)


def gcj02_to_wgs84(lon: Any, lat: Any) -> tuple[Any, Any]:
    """GCJ-02 → WGS 84 by fixed-point iteration (error < 1e-7 degrees)."""
    gx, gy = _arrays(lon, lat)
    x, y = gx.copy(), gy.copy()
    for _ in range(30):
        fx, fy = (np.asarray(v) for v in wgs84_to_gcj02(x, y))
        ex, ey = fx - gx, fy - gy
        x = x - ex
        y = y - ey
        if np.all(np.abs(ex) < 1e-9) and np.all(np.abs(ey) < 1e-9):
            break
    return _unwrap(x, lon), _unwrap(y, lat)


def gcj02_to_bd09(lon: Any, lat: Any) -> tuple[Any, Any]:
    """GCJ-02 → BD-09 (Baidu)."""
    x, y = _arrays(lon, lat)
    z = np.sqrt(x * x + y * y) + 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) + 0.000003 * np.cos(x * _X_PI)
    return _unwrap(z * np.cos(theta) + 0.0065, lon), _unwrap(z * np.sin(theta) + 0.006, lat)


def bd09_to_gcj02(lon: Any, lat: Any) -> tuple[Any, Any]:
    """BD-09 → GCJ-02.

    The published inverse formula is only approximate (off by up to ~1e-6°, a tenth of a
    metre); a few fixed-point steps on top of it make it the exact inverse of
    `gcj02_to_bd09`, so a round trip returns what went in.
    """
    bx, by = _arrays(lon, lat)
    x0 = bx - 0.0065
    y0 = by - 0.006
    z = np.sqrt(x0 * x0 + y0 * y0) - 0.00002 * np.sin(y0 * _X_PI)
    theta = np.arctan2(y0, x0) - 0.000003 * np.cos(x0 * _X_PI)
    x, y = z * np.cos(theta), z * np.sin(theta)
    for _ in range(10):
        fx, fy = (np.asarray(v) for v in gcj02_to_bd09(x, y))
        ex, ey = fx - bx, fy - by
        x = x - ex
        y = y - ey
        if np.all(np.abs(ex) < 1e-12) and np.all(np.abs(ey) < 1e-12):
            break
    return _unwrap(x, lon), _unwrap(y, lat)


def wgs84_to_bd09(lon: Any, lat: Any) -> tuple[Any, Any]:
    """WGS 84 → BD-09."""
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


def bd09_to_wgs84(lon: Any, lat: Any) -> tuple[Any, Any]:
    """BD-09 → WGS 84."""
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


_TO_WGS84 = {"wgs84": None, "gcj02": gcj02_to_wgs84, "bd09": bd09_to_wgs84}


def to_wgs84(lon: Any, lat: Any, datum: str) -> tuple[Any, Any]:
    """Convert coordinates given in `datum` (wgs84, gcj02, bd09) to WGS 84."""
    if datum not in _TO_WGS84:
        raise GeometryError("datum", f"unknown datum {datum!r}")
    fn = _TO_WGS84[datum]
    return (lon, lat) if fn is None else fn(lon, lat)


def _unwrap(arr: np.ndarray, like: Any) -> Any:
    return float(arr) if np.ndim(like) == 0 else arr


def haversine_m(lon1: Any, lat1: Any, lon2: Any, lat2: Any) -> Any:
    """Great-circle distance in metres; broadcasts over arrays."""
    r = 6371008.8
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp = p2 - p1
    dl = np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * r * np.arcsin(np.sqrt(a))


def check_lonlat(lon: Any, lat: Any) -> tuple[float, float]:
    """Return (lon, lat) as floats or raise GeometryError for non-finite or out of range."""
    try:
        x, y = float(lon), float(lat)
    except (TypeError, ValueError):
        raise GeometryError("not_number", "coordinates must be numbers")
    if not (math.isfinite(x) and math.isfinite(y)):
        raise GeometryError("not_finite", "coordinates must be finite")
    if not (-180 <= x <= 180 and -90 <= y <= 90):
        raise GeometryError("range", "longitude must be in [-180, 180], latitude in [-90, 90]")
    return x, y


MAX_GEOJSON_BYTES = 2_000_000


def parse_area(value: str | dict[str, Any]) -> Polygon | MultiPolygon:
    """Parse a GeoJSON Polygon or MultiPolygon (geometry, Feature, or its JSON text).

    Rings must be closed and the polygon valid (no self-intersection); coordinates are
    WGS 84 lon/lat. Raises GeometryError naming the problem.
    """
    if isinstance(value, str):
        if len(value) > MAX_GEOJSON_BYTES:
            raise GeometryError("too_large", "GeoJSON is too large")
        try:
            value = json.loads(value)
        except json.JSONDecodeError as exc:
            raise GeometryError("json", f"not valid JSON: {exc.msg}")
    if not isinstance(value, dict):
        raise GeometryError("type", "GeoJSON must be an object")
    if value.get("type") == "Feature":
        value = value.get("geometry") or {}
        if not isinstance(value, dict):
            raise GeometryError("type", "Feature has no geometry")
    gtype = value.get("type")
    if gtype not in ("Polygon", "MultiPolygon"):
        raise GeometryError("type", "geometry must be a Polygon or MultiPolygon")
    coords = value.get("coordinates")
    polys = [coords] if gtype == "Polygon" else coords
    if not isinstance(polys, list | tuple) or not polys:
        raise GeometryError("coordinates", "coordinates are missing")
    for poly in polys:
        if not isinstance(poly, list | tuple) or not poly:
            raise GeometryError("coordinates", "a polygon needs at least one ring")
        for ring in poly:
            _check_ring(ring)
    try:
        geom = shape(value)
    except Exception as exc:  # shapely raises several types for odd input
        raise GeometryError("coordinates", f"unreadable coordinates: {exc}")
    if not geom.is_valid:
        raise GeometryError("invalid", f"invalid polygon: {shapely.is_valid_reason(geom)}")
    return geom  # type: ignore[return-value]


def _check_ring(ring: Any) -> None:
    if not isinstance(ring, list | tuple) or len(ring) < 4:
        raise GeometryError("ring", "a ring needs at least four positions")
    for pos in ring:
        if not isinstance(pos, list | tuple) or len(pos) < 2:
            raise GeometryError("position", "a position needs longitude and latitude")
        if any(isinstance(v, bool) or not isinstance(v, int | float) for v in pos[:2]):
            raise GeometryError("position", "positions must be numbers")
        check_lonlat(pos[0], pos[1])
    if list(ring[0][:2]) != list(ring[-1][:2]):
        raise GeometryError("not_closed", "a ring must end where it starts")


def to_geojson(geom: Any, precision: int = 6) -> dict[str, Any]:
    """Shapely geometry → GeoJSON geometry dict, coordinates rounded to `precision`.

    Polygons come out in one canonical form (normalised, exterior rings anticlockwise as
    RFC 7946 asks), so converting the output again gives the same output: a record saved
    twice does not show a boundary "change" in its history.
    """
    rounded = shapely.set_precision(geom, 10 ** (-precision)) if precision else geom
    if rounded.geom_type in ("Polygon", "MultiPolygon"):
        rounded = shapely.orient_polygons(shapely.normalize(rounded), exterior_cw=False)
    return _lists(dict(mapping(rounded)))


def _lists(value: Any) -> Any:
    # shapely's mapping() gives tuples; JSON-shaped lists compare equal to parsed JSON.
    if isinstance(value, dict):
        return {k: _lists(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_lists(v) for v in value]
    return value


@dataclass(frozen=True)
class Area:
    """One polygon in a SpatialIndex, with its key and nesting depth."""

    key: Any
    geom: Any
    depth: int


class SpatialIndex:
    """Point-in-polygon over nested areas (a jurisdiction tree), on a shapely STRtree.

    `locate` returns the key of the deepest area containing the point, so a point in a
    grid cell answers with the grid cell, not its street.
    """

    def __init__(self, areas: Iterable[Area]) -> None:
        self.areas: list[Area] = list(areas)
        self._tree = STRtree([a.geom for a in self.areas])
        for a in self.areas:
            shapely.prepare(a.geom)

    def locate(self, lon: float, lat: float) -> Any | None:
        hits = self._tree.query(Point(lon, lat), predicate="intersects")
        best: Area | None = None
        for i in hits:
            area = self.areas[int(i)]
            if best is None or area.depth > best.depth:
                best = area
        return None if best is None else best.key

    def locate_many(self, lons: Sequence[float], lats: Sequence[float]) -> list[Any | None]:
        """Vectorised `locate` for many points."""
        points = shapely.points(np.asarray(lons, float), np.asarray(lats, float))
        pairs = self._tree.query(points, predicate="intersects")
        result: list[Any | None] = [None] * len(points)
        depth = [-1] * len(points)
        for pi, ai in zip(pairs[0].tolist(), pairs[1].tolist(), strict=True):
            area = self.areas[ai]
            if area.depth > depth[pi]:
                depth[pi] = area.depth
                result[pi] = area.key
        return result


class PointIndex:
    """Nearest-neighbour look-ups over points, in metres, through an STRtree."""

    def __init__(self, keys: Sequence[Any], lons: Sequence[float], lats: Sequence[float]) -> None:
        self.keys = list(keys)
        self.lons = np.asarray(lons, dtype=float)
        self.lats = np.asarray(lats, dtype=float)
        self._tree = STRtree(shapely.points(self.lons, self.lats))

    def nearest(self, lon: float, lat: float, k: int = 5) -> list[tuple[Any, float]]:
        """The k nearest keys with their great-circle distance in metres."""
        if not self.keys or k <= 0:
            return []
        k = min(k, len(self.keys))
        # Grow a search box until it holds k candidates, then rank them exactly.
        radius = 0.005
        while True:
            box = shapely.box(lon - radius, lat - radius, lon + radius, lat + radius)
            idx = self._tree.query(box)
            if len(idx) >= k or radius > 360:
                break
            radius *= 2
        if len(idx) < k:
            idx = np.arange(len(self.keys))
        d = haversine_m(lon, lat, self.lons[idx], self.lats[idx])
        # The box corner is farther than its edge: widen to the k-th distance to be exact.
        order = np.argsort(d)[:k]
        kth = float(d[order[-1]])
        deg = kth / 111_000.0 / max(math.cos(math.radians(lat)), 0.01) + 1e-9
        if deg > radius:
            box = shapely.box(lon - deg, lat - deg, lon + deg, lat + deg)
            idx = self._tree.query(box)
            d = haversine_m(lon, lat, self.lons[idx], self.lats[idx])
            order = np.argsort(d)[:k]
        return [(self.keys[int(idx[i])], float(d[i])) for i in order]
