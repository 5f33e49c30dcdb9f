"""Gaussian plume for a continuous point release, with ground reflection. Pure numpy.

    C(x, y, z) = Q / (2π σy σz u) · exp(−y²/2σy²) · [exp(−(z−H)²/2σz²) + exp(−(z+H)²/2σz²)]

Q in g/s, u in m/s, H (effective release height) and x, y, z in metres, C in g/m³.
x is downwind, y crosswind, z above ground; upwind (x ≤ 0) the concentration is 0.
σy, σz are Briggs (1973) open-country (rural) and urban fits for Pasquill–Gifford
classes A–F (the reference README table). They were fitted for about 100 m – 10 km;
outside that range they are extrapolations, and zones are not searched beyond
`X_MAX_M`.

Validity: the model dilutes by the wind speed, so it is invalid at zero wind (calm):
the concentration would be infinite. Below `MIN_WIND_M_S` (0.5 m/s) the wind direction
meanders and the steady-plume assumption does not hold either: such inputs are refused
(code `wind_calm`) rather than answered with a number that overstates the distance.

Errors are `PlumeError(code, message)`; the code lets callers show a translated message.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
import pyproj
import shapely
from shapely.geometry import MultiPolygon, Polygon

STABILITY_CLASSES = ("A", "B", "C", "D", "E", "F")
TERRAINS = ("rural", "urban")
MIN_WIND_M_S = 0.5
X_MAX_M = 100_000.0  # farthest downwind distance searched for a zone's end
MAX_THRESHOLDS = 3
ZONE_SAMPLES = 400  # points along each side of a zone polygon


class PlumeError(ValueError):
    """Input the model cannot take; `code` names the reason, `field` the input."""

    def __init__(self, code: str, message: str, field: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field


# --- Briggs coefficients ------------------------------------------------------------------
# Each entry: σ = a·x·(1 + b·x)^p. Rows from the reference README, exactly.
_Coef = tuple[float, float, float]
_BRIGGS: dict[str, dict[str, tuple[_Coef, _Coef]]] = {
    "rural": {
        "A": ((0.22, 0.0001, -0.5), (0.20, 0.0, 1.0)),
        "B": ((0.16, 0.0001, -0.5), (0.12, 0.0, 1.0)),
        "C": ((0.11, 0.0001, -0.5), (0.08, 0.0002, -0.5)),
        "D": ((0.08, 0.0001, -0.5), (0.06, 0.0015, -0.5)),
        "E": ((0.06, 0.0001, -0.5), (0.03, 0.0003, -1.0)),
        "F": ((0.04, 0.0001, -0.5), (0.016, 0.0003, -1.0)),
    },
    "urban": {
        "A": ((0.32, 0.0004, -0.5), (0.24, 0.001, 0.5)),
        "B": ((0.32, 0.0004, -0.5), (0.24, 0.001, 0.5)),
        "C": ((0.22, 0.0004, -0.5), (0.20, 0.0, 1.0)),
        "D": ((0.16, 0.0004, -0.5), (0.14, 0.0003, -0.5)),
        "E": ((0.11, 0.0004, -0.5), (0.08, 0.0015, -0.5)),
        "F": ((0.11, 0.0004, -0.5), (0.08, 0.0015, -0.5)),
    },
}


def _finite(value: Any, name: str) -> float:
    if isinstance(value, bool):
        raise PlumeError("not_number", f"{name} must be a number", name)
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise PlumeError("not_number", f"{name} must be a number", name)
    if not math.isfinite(v):
        raise PlumeError("not_finite", f"{name} must be a finite number", name)
    return v


def check_stability(stability: Any) -> str:
    s = str(stability or "").strip().upper()
    if s not in STABILITY_CLASSES:
        raise PlumeError(
            "stability",
            f"stability class must be one of A–F (Pasquill–Gifford), not {stability!r}",
            "stability",
        )
    return s


def check_terrain(terrain: Any) -> str:
    t = str(terrain or "").strip().lower()
    if t not in TERRAINS:
        raise PlumeError("terrain", "terrain must be 'rural' or 'urban'", "terrain")
    return t


def check_wind(u: Any) -> float:
    v = _finite(u, "wind_speed_m_s")
    if v <= 0:
        raise PlumeError(
            "wind_zero",
            "wind speed must be above 0 m/s: the Gaussian plume model is invalid at zero "
            "wind (calm), where it would give an infinite concentration",
            "wind_speed_m_s",
        )
    if v < MIN_WIND_M_S:
        raise PlumeError(
            "wind_calm",
            f"wind speed below {MIN_WIND_M_S} m/s is near calm: the steady Gaussian plume "
            "does not hold there (use a puff model)",
            "wind_speed_m_s",
        )
    return v


@dataclass(frozen=True)
class Source:
    """Validated source and weather."""

    q_g_s: float
    u: float
    stability: str
    h: float
    terrain: str


def check_source(q_g_s: Any, u: Any, stability: Any, h: Any, terrain: Any) -> Source:
    """Validate every input or raise PlumeError for the first bad one."""
    q = _finite(q_g_s, "release_rate_g_s")
    if q < 0:
        raise PlumeError("negative_rate", "release rate must be 0 or more", "release_rate_g_s")
    wind = check_wind(u)
    s = check_stability(stability)
    height = _finite(h, "source_height_m")
    if height < 0:
        raise PlumeError("negative_height", "source height must be 0 or more", "source_height_m")
    return Source(q, wind, s, height, check_terrain(terrain))


def sigmas(x: Any, stability: str, terrain: str = "rural") -> tuple[np.ndarray, np.ndarray]:
    """(σy, σz) in metres at downwind distances x (> 0), Briggs (1973)."""
    s, t = check_stability(stability), check_terrain(terrain)
    (ay, by, py), (az, bz, pz) = _BRIGGS[t][s]
    xa = np.asarray(x, dtype=float)
    sy = ay * xa * (1.0 + by * xa) ** py
    sz = az * xa * (1.0 + bz * xa) ** pz if bz else az * xa
    return sy, sz


def _field(src: Source, x: np.ndarray, y: np.ndarray, z: np.ndarray) -> np.ndarray:
    down = x > 0
    # Upwind points get a harmless x so the formula runs without warnings; masked below.
    xs = np.where(down, x, 1.0)
    sy, sz = sigmas(xs, src.stability, src.terrain)
    h = src.h
    c = (
        src.q_g_s
        / (2.0 * np.pi * sy * sz * src.u)
        * np.exp(-(y * y) / (2.0 * sy * sy))
        * (np.exp(-((z - h) ** 2) / (2.0 * sz * sz)) + np.exp(-((z + h) ** 2) / (2.0 * sz * sz)))
    )
    return np.where(down, c, 0.0)


def concentrations(
    q_g_s: Any, u: Any, stability: Any, h: Any, terrain: Any, x: Any, y: Any, z: Any = 0.0
) -> np.ndarray:
    """Concentration in g/m³ at receptors (x, y, z) (arrays broadcast together)."""
    src = check_source(q_g_s, u, stability, h, terrain)
    xa, ya, za = np.broadcast_arrays(
        np.asarray(x, dtype=float), np.asarray(y, dtype=float), np.asarray(z, dtype=float)
    )
    if not (np.isfinite(xa).all() and np.isfinite(ya).all() and np.isfinite(za).all()):
        raise PlumeError("not_finite", "receptor coordinates must be finite numbers", "receptors")
    if (za < 0).any():
        raise PlumeError("negative_height", "receptor height must be 0 or more", "receptors")
    return _field(src, xa, ya, za)


def concentration_point(src: Source, x: float, y: float, z: float) -> float:
    """One receptor with the math module: the per-point floor of the benchmark."""
    if x <= 0:
        return 0.0
    (ay, by, py), (az, bz, pz) = _BRIGGS[src.terrain][src.stability]
    sy = ay * x * (1.0 + by * x) ** py
    sz = az * x * (1.0 + bz * x) ** pz
    return (
        src.q_g_s
        / (2.0 * math.pi * sy * sz * src.u)
        * math.exp(-(y * y) / (2.0 * sy * sy))
        * (
            math.exp(-((z - src.h) ** 2) / (2.0 * sz * sz))
            + math.exp(-((z + src.h) ** 2) / (2.0 * sz * sz))
        )
    )


# --- Pasquill–Gifford class helper --------------------------------------------------------
# Turner (1970) / Pasquill (1961) table. Rows: surface wind at 10 m. Columns: day strong,
# moderate, slight insolation; night thinly overcast or ≥ 4/8 low cloud; night ≤ 3/8 cloud.
# Split cells (A–B, B–C, C–D) take the MORE STABLE class: near-ground releases — the usual
# chemical accident — then give the longer zones, the cautious side for protective action.
# The night cells for wind < 2 m/s are blank in Pasquill's table; F is used (most stable
# class this model has). Heavy overcast, day or night, is D.
_PG_ROWS: tuple[tuple[float, tuple[str, str, str, str, str]], ...] = (
    (2.0, ("A", "B", "B", "F", "F")),  # A, A–B, B | (F), (F)
    (3.0, ("B", "B", "C", "E", "F")),  # A–B, B, C | E, F
    (5.0, ("B", "C", "C", "D", "E")),  # B, B–C, C | D, E
    (6.0, ("C", "D", "D", "D", "D")),  # C, C–D, D | D, D
    (math.inf, ("C", "D", "D", "D", "D")),  # C, D, D | D, D
)
INSOLATION = ("strong", "moderate", "slight")


def pasquill_class(
    wind_speed_m_s: Any,
    *,
    daytime: bool,
    insolation: str | None = None,
    cloud_oktas: Any = None,
    overcast: bool = False,
) -> str:
    """Pasquill–Gifford class from the wind at 10 m and insolation (day) or cloud (night).

    Day: `insolation` strong|moderate|slight. Night: `cloud_oktas` 0–8 (≥ 4 is the
    "thinly overcast or ≥ 4/8 low cloud" column, ≤ 3 the clear one). `overcast` (a
    heavy overcast, day or night) gives D. Row boundaries: < 2, 2–3, 3–5, 5–6, ≥ 6 m/s,
    each lower bound inclusive.
    """
    u = _finite(wind_speed_m_s, "wind_speed_m_s")
    if u < 0:
        raise PlumeError("negative_wind", "wind speed must be 0 or more", "wind_speed_m_s")
    if overcast:
        return "D"
    if daytime:
        if insolation not in INSOLATION:
            raise PlumeError(
                "insolation", "daytime insolation must be strong, moderate or slight", "insolation"
            )
        col = INSOLATION.index(insolation)
    else:
        if cloud_oktas is None:
            raise PlumeError("cloud", "night cloud cover (0–8 oktas) is required", "cloud_oktas")
        oktas = _finite(cloud_oktas, "cloud_oktas")
        if not 0 <= oktas <= 8:
            raise PlumeError("cloud", "cloud cover must be 0–8 oktas", "cloud_oktas")
        col = 3 if oktas >= 4 else 4
    for upper, classes in _PG_ROWS:
        if u < upper:
            return classes[col]
    raise AssertionError("unreachable: the last row is unbounded")


# --- threat zones -------------------------------------------------------------------------


def _centreline(src: Source, x: np.ndarray) -> np.ndarray:
    """Ground-level (z = 0) concentration on the plume axis (y = 0), g/m³."""
    return _field(src, x, np.zeros_like(x), np.zeros_like(x))


def _crossing(src: Source, lo: float, hi: float, thr: float, rising: bool) -> float:
    """Bisection for C_centreline(x) = thr between lo and hi."""
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        above = _centreline(src, np.array([mid]))[0] >= thr
        if above == rising:
            hi = mid
        else:
            lo = mid
        if hi - lo < 1e-3:
            break
    return 0.5 * (lo + hi)


def _runs(src: Source, thr: float) -> tuple[list[tuple[float, float]], bool]:
    """Downwind intervals [xa, xb] where the centreline reaches thr; truncated at X_MAX_M."""
    xs = np.concatenate([[0.0], np.geomspace(0.5, X_MAX_M, 3000)])
    c = _centreline(src, xs)
    c[0] = c[1] if src.h == 0 else 0.0  # x → 0: unbounded for H = 0, zero for H > 0
    above = c >= thr
    runs: list[tuple[float, float]] = []
    i, n = 0, len(xs)
    while i < n:
        if not above[i]:
            i += 1
            continue
        j = i
        while j + 1 < n and above[j + 1]:
            j += 1
        xa = 0.0 if i == 0 else _crossing(src, xs[i - 1], xs[i], thr, rising=True)
        xb = X_MAX_M if j == n - 1 else _crossing(src, xs[j], xs[j + 1], thr, rising=False)
        runs.append((xa, xb))
        i = j + 1
    return runs, bool(above[-1])


def half_width(src: Source, x: np.ndarray, thr: float) -> np.ndarray:
    """Crosswind half-width (m) of the ground-level iso-concentration line C = thr.

    For a Gaussian in y the iso-line is analytic: y = σy·sqrt(2·ln(Cc(x)/thr)) where the
    centreline Cc(x) ≥ thr, and 0 elsewhere.
    """
    cc = _centreline(src, x)
    sy, _sz = sigmas(np.where(x > 0, x, 1.0), src.stability, src.terrain)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(cc > thr, cc / thr, 1.0)
    return np.where(x > 0, sy * np.sqrt(2.0 * np.log(ratio)), 0.0)


@dataclass
class Zone:
    """One level of concern, in the local frame (x downwind, y crosswind, metres) and WGS 84."""

    threshold_mg_m3: float
    level: int  # 1 = highest concentration (the most severe, smallest zone)
    local: Polygon | MultiPolygon
    geometry: Polygon | MultiPolygon
    area_m2: float
    max_downwind_m: float
    max_half_width_m: float
    truncated: bool = False
    intervals: list[tuple[float, float]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return self.local.is_empty


def _local_polygon(src: Source, xa: float, xb: float, thr: float) -> Polygon:
    # Cosine spacing puts samples near both ends, where the width changes like a square root.
    t = np.linspace(0.0, 1.0, ZONE_SAMPLES)
    xs = xa + (xb - xa) * (1.0 - np.cos(np.pi * t)) / 2.0
    ys = half_width(src, xs, thr)
    ys[0] = ys[-1] = 0.0
    ring = np.concatenate([np.column_stack([xs, ys]), np.column_stack([xs[::-1], -ys[::-1]])[1:]])
    poly = Polygon(ring)
    return poly if poly.is_valid else shapely.make_valid(poly)  # type: ignore[return-value]


@lru_cache(maxsize=64)
def _to_lonlat(lon: float, lat: float) -> pyproj.Transformer:
    # Azimuthal equidistant centred on the source: distances and bearings from the source
    # are exact; zone shapes within 100 km distort by well under 0.1 %.
    aeqd = pyproj.CRS.from_proj4(
        f"+proj=aeqd +lat_0={lat} +lon_0={lon} +datum=WGS84 +units=m +no_defs"
    )
    return pyproj.Transformer.from_crs(aeqd, "EPSG:4326", always_xy=True)


def local_to_lonlat(
    lon: float, lat: float, wind_from_deg: float, x: Any, y: Any
) -> tuple[np.ndarray, np.ndarray]:
    """Local plume frame (x downwind, y to the left of it) → WGS 84 lon/lat.

    `wind_from_deg` is meteorological: where the wind comes FROM, clockwise from north;
    the plume travels towards wind_from + 180°.
    """
    b = math.radians((wind_from_deg + 180.0) % 360.0)
    xa, ya = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    east = xa * math.sin(b) - ya * math.cos(b)
    north = xa * math.cos(b) + ya * math.sin(b)
    lo, la = _to_lonlat(round(lon, 7), round(lat, 7)).transform(east, north)
    return np.asarray(lo), np.asarray(la)


def _geo(lon: float, lat: float, wind_from: float, geom: Any) -> Any:
    if geom.is_empty:
        return Polygon()
    return shapely.transform(
        geom,
        lambda pts: np.column_stack(local_to_lonlat(lon, lat, wind_from, pts[:, 0], pts[:, 1])),
    )


def check_thresholds(thresholds_mg_m3: Sequence[Any]) -> list[float]:
    if not isinstance(thresholds_mg_m3, list | tuple) or not thresholds_mg_m3:
        raise PlumeError("thresholds", "give 1 to 3 thresholds (mg/m³)", "thresholds_mg_m3")
    if len(thresholds_mg_m3) > MAX_THRESHOLDS:
        raise PlumeError("thresholds", "give 1 to 3 thresholds (mg/m³)", "thresholds_mg_m3")
    out = [_finite(t, "thresholds_mg_m3") for t in thresholds_mg_m3]
    if any(t <= 0 for t in out):
        raise PlumeError(
            "threshold_positive", "each threshold must be above 0 mg/m³", "thresholds_mg_m3"
        )
    return out


def check_location(lon: Any, lat: Any, wind_from_deg: Any) -> tuple[float, float, float]:
    x, y = _finite(lon, "lon"), _finite(lat, "lat")
    if not (-180 <= x <= 180 and -90 < y < 90):
        raise PlumeError("location", "longitude must be in [-180, 180], latitude in (-90, 90)")
    w = _finite(wind_from_deg, "wind_from_deg")
    if not 0 <= w <= 360:
        raise PlumeError("wind_from", "wind direction must be 0–360°", "wind_from_deg")
    return x, y, w


def zones(
    q_g_s: Any,
    u: Any,
    stability: Any,
    h: Any,
    terrain: Any,
    lon: Any,
    lat: Any,
    wind_from_deg: Any,
    thresholds_mg_m3: Sequence[Any],
) -> list[Zone]:
    """Ground-level threat zones, ordered from the highest threshold (most severe) down."""
    src = check_source(q_g_s, u, stability, h, terrain)
    x0, y0, wind = check_location(lon, lat, wind_from_deg)
    out: list[Zone] = []
    for level, thr_mg in enumerate(sorted(check_thresholds(thresholds_mg_m3), reverse=True), 1):
        thr = thr_mg / 1000.0
        runs, truncated = _runs(src, thr) if src.q_g_s > 0 else ([], False)
        parts = [_local_polygon(src, xa, xb, thr) for xa, xb in runs if xb > xa]
        local: Polygon | MultiPolygon
        if not parts:
            local = Polygon()
        elif len(parts) == 1:
            local = parts[0]
        else:
            local = shapely.union_all(parts)  # type: ignore[assignment]
        width = 0.0
        if not local.is_empty:
            _minx, miny, _maxx, maxy = local.bounds
            width = max(abs(miny), abs(maxy))
        out.append(
            Zone(
                threshold_mg_m3=thr_mg,
                level=level,
                local=local,
                geometry=_geo(x0, y0, wind, local),
                area_m2=float(local.area),
                max_downwind_m=max((b for _a, b in runs), default=0.0),
                max_half_width_m=width,
                truncated=truncated,
                intervals=runs,
            )
        )
    return out


def threat_zones(
    q_g_s: Any,
    u: Any,
    stability: Any,
    h: Any,
    terrain: Any,
    lon: Any,
    lat: Any,
    wind_from_deg: Any,
    thresholds_mg_m3: Sequence[Any],
) -> list[Polygon | MultiPolygon]:
    """WGS 84 polygons where the ground-level concentration ≥ each threshold (mg/m³),
    most severe (highest threshold, smallest) first; an empty Polygon where never reached."""
    return [
        z.geometry
        for z in zones(q_g_s, u, stability, h, terrain, lon, lat, wind_from_deg, thresholds_mg_m3)
    ]


def grid(
    src: Source, x_max: float, y_max: float, n: int = 500, z: float = 0.0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The concentration field (g/m³) on an n × n receptor grid: x in (0, x_max], y in
    [−y_max, y_max], one vectorised evaluation. Returns (xs, ys, C[iy, ix])."""
    xs = np.linspace(x_max / n, x_max, n)
    ys = np.linspace(-y_max, y_max, n)
    # On a regular grid the field separates: σ and the vertical terms depend on x only,
    # so they are computed once per column and only the crosswind exponential is n × n.
    sy, sz = sigmas(xs, src.stability, src.terrain)
    vertical = np.exp(-((z - src.h) ** 2) / (2.0 * sz * sz)) + np.exp(
        -((z + src.h) ** 2) / (2.0 * sz * sz)
    )
    column = src.q_g_s / (2.0 * np.pi * sy * sz * src.u) * vertical
    field = np.exp(np.multiply.outer(ys * ys, -0.5 / (sy * sy)))
    field *= column
    return xs, ys, field


def grid_extent(src: Source, thresholds_mg_m3: Sequence[float]) -> tuple[float, float]:
    """A grid (x_max, y_max) that holds every zone with a 10 % margin."""
    lowest = min(thresholds_mg_m3) / 1000.0
    runs, _t = _runs(src, lowest)
    x_end = max((b for _a, b in runs), default=1000.0)
    xs = np.linspace(x_end / 2000, x_end, 2000)
    y_half = float(half_width(src, xs, lowest).max()) if runs else 100.0
    return 1.1 * x_end, 1.1 * max(y_half, 1.0)
