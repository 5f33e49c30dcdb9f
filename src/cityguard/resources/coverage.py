"""Fire-station coverage: service-area sizes and the parts of a district no station covers.

Pure shapely + pyproj, no Django. Areas are measured in a Lambert azimuthal equal-area
projection centred on the district, so a km² here is a km² on the ground (to well under
0.1 % across a district of a few tens of km).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
import shapely
from pyproj import CRS, Transformer
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union

WGS84 = CRS.from_epsg(4326)
# Below this a sliver between two service areas is a digitising artefact, not a gap.
MIN_GAP_M2 = 1_000.0


@lru_cache(maxsize=32)
def _transformers(lon0: float, lat0: float) -> tuple[Transformer, Transformer]:
    laea = CRS.from_proj4(f"+proj=laea +lat_0={lat0} +lon_0={lon0} +datum=WGS84 +units=m")
    fwd = Transformer.from_crs(WGS84, laea, always_xy=True)
    back = Transformer.from_crs(laea, WGS84, always_xy=True)
    return fwd, back


def _centre(geom: BaseGeometry) -> tuple[float, float]:
    c = geom.centroid
    # Rounded so near-identical centres share one cached transformer.
    return round(c.x, 2), round(c.y, 2)


def to_metres(geom: BaseGeometry, centre: tuple[float, float] | None = None) -> BaseGeometry:
    fwd, _back = _transformers(*(centre or _centre(geom)))
    return shapely.transform(geom, fwd.transform, interleaved=False)


def to_lonlat(geom: BaseGeometry, centre: tuple[float, float]) -> BaseGeometry:
    _fwd, back = _transformers(*centre)
    return shapely.transform(geom, back.transform, interleaved=False)


def area_km2(geom: BaseGeometry, centre: tuple[float, float] | None = None) -> float:
    return float(to_metres(geom, centre).area) / 1e6


@dataclass
class StationArea:
    key: Any
    name: str
    area_km2: float
    over_standard: bool


@dataclass
class Coverage:
    stations: list[StationArea]
    district_km2: float
    covered_km2: float
    gap_km2: float
    gap: BaseGeometry | None  # WGS 84, None when fully covered
    standard_km2: float
    gap_parts: int = 0
    over_standard: list[Any] = field(default_factory=list)

    @property
    def covered_share(self) -> float:
        return self.covered_km2 / self.district_km2 if self.district_km2 else 0.0


def coverage(
    district: BaseGeometry,
    areas: Sequence[tuple[Any, str, BaseGeometry | None]],
    standard_km2: float = 7.0,
) -> Coverage:
    """Each station's service-area size against the standard, and the gap: the part of
    `district` outside every service area (WGS 84 in, WGS 84 out)."""
    centre = _centre(district)
    d_m = to_metres(district, centre)
    stations = []
    covers = []
    for key, name, geom in areas:
        if geom is None or geom.is_empty:
            stations.append(StationArea(key, name, 0.0, False))
            continue
        g_m = to_metres(geom, centre)
        if not g_m.is_valid:
            g_m = shapely.make_valid(g_m)
        km2 = float(g_m.area) / 1e6
        stations.append(StationArea(key, name, km2, km2 > standard_km2))
        covers.append(g_m)
    union = unary_union(covers) if covers else None
    gap_m = d_m.difference(union) if union is not None else d_m
    parts = [p for p in getattr(gap_m, "geoms", [gap_m]) if not p.is_empty and p.area >= MIN_GAP_M2]
    gap_m = unary_union(parts) if parts else None
    gap_area = float(gap_m.area) / 1e6 if gap_m is not None else 0.0
    district_km2 = float(d_m.area) / 1e6
    return Coverage(
        stations=stations,
        district_km2=district_km2,
        covered_km2=district_km2 - gap_area,
        gap_km2=gap_area,
        gap=to_lonlat(gap_m, centre) if gap_m is not None else None,
        standard_km2=standard_km2,
        gap_parts=len(parts),
        over_standard=[s.key for s in stations if s.over_standard],
    )


def voronoi_areas(
    district: BaseGeometry, lons: Sequence[float], lats: Sequence[float]
) -> list[BaseGeometry]:
    """The Voronoi cell of each station clipped to the district (for demo service areas):
    each part of the district goes to its nearest station."""
    centre = _centre(district)
    fwd, _back = _transformers(*centre)
    xs, ys = fwd.transform(np.asarray(lons, float), np.asarray(lats, float))
    d_m = to_metres(district, centre)
    pts = shapely.multipoints(np.column_stack([xs, ys]))
    cells = shapely.voronoi_polygons(pts, extend_to=d_m.buffer(1000))
    out: list[BaseGeometry] = []
    cell_list = list(cells.geoms)
    for x, y in zip(np.atleast_1d(xs), np.atleast_1d(ys), strict=True):
        p = shapely.Point(x, y)
        cell = next((c for c in cell_list if c.covers(p)), None)
        clipped = cell.intersection(d_m) if cell is not None else shapely.Polygon()
        out.append(to_lonlat(clipped, centre))
    return out
