"""Threat zones on the Django side: validated runs that are kept, and who is inside them.

- `resolve_inputs(data)`: the plume inputs checked and normalised (stability derived from
  the Pasquill–Gifford helper when not given); `ValidationError` {field: [message]} in the
  user's language otherwise.
- `run_threat_zone(actor, *, incident_ref="", **inputs) -> ThreatZoneRun`: computes and
  records one run (immutable).
- `exposure(user, zones) -> list[dict]`: per zone, the organisations, places and shelters
  the user may see inside, and the resident population estimated from the communities'
  population × the share of their area inside; each dict also carries the nearest
  shelters with free places outside all zones (`nearest_shelters_outside`, the same list
  in every zone's dict).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pyproj
import shapely
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from shapely.geometry import MultiPolygon, Polygon

from cityguard.core import geo
from cityguard.core.choices import Level
from cityguard.core.models import Jurisdiction, Organization, Place

from . import plume
from .models import ThreatZoneRun

NEAREST_SHELTERS = 5
_GEOD = pyproj.Geod(ellps="WGS84")


def plume_message(err: plume.PlumeError) -> str:
    """The user's-language message for a PlumeError code."""
    messages = {
        "not_number": _("Enter a number."),
        "not_finite": _("Enter a finite number."),
        "negative_rate": _("The release rate must be 0 or more."),
        "wind_zero": _(
            "The wind speed must be above 0 m/s: the Gaussian plume model is invalid at zero "
            "wind (calm), where it would give an infinite concentration."
        ),
        "wind_calm": _(
            "A wind speed below %(min)s m/s is near calm: the steady Gaussian plume does not "
            "hold there (use a puff model)."
        )
        % {"min": plume.MIN_WIND_M_S},
        "negative_wind": _("The wind speed must be 0 or more."),
        "stability": _("The stability class must be one of A–F (Pasquill–Gifford)."),
        "terrain": _("The terrain must be rural or urban."),
        "negative_height": _("Heights must be 0 or more."),
        "insolation": _("Daytime insolation must be strong, moderate or slight."),
        "cloud": _("Night cloud cover must be given as 0–8 oktas."),
        "thresholds": _("Give 1 to 3 thresholds (mg/m³)."),
        "threshold_positive": _("Each threshold must be above 0 mg/m³."),
        "location": _("Longitude must be in [-180, 180] and latitude in (-90, 90)."),
        "wind_from": _("The wind direction must be 0–360°."),
    }
    return messages.get(err.code, err.message)


def _invalid(err: plume.PlumeError) -> ValidationError:
    return ValidationError({err.field or "__all__": [plume_message(err)]})


def resolve_stability(data: dict[str, Any]) -> str:
    """The given class, or the helper's class from the wind, insolation or cloud cover."""
    stability = data.get("stability")
    try:
        if stability not in (None, ""):
            return plume.check_stability(stability)
        if data.get("daytime") is None:
            raise ValidationError(
                {
                    "stability": [
                        _(
                            "Give a stability class A–F, or whether it is day or night with "
                            "the insolation or cloud cover."
                        )
                    ]
                }
            )
        return plume.pasquill_class(
            data.get("wind_speed_m_s"),
            daytime=bool(data["daytime"]),
            insolation=data.get("insolation") or None,
            cloud_oktas=data.get("cloud_oktas"),
            overcast=bool(data.get("overcast")),
        )
    except plume.PlumeError as err:
        raise _invalid(err)


SOURCE_KEYS = ("release_rate_g_s", "wind_speed_m_s", "source_height_m", "terrain")


def resolve_source(data: dict[str, Any]) -> plume.Source:
    missing = [k for k in ("release_rate_g_s", "wind_speed_m_s") if data.get(k) is None]
    if missing:
        raise ValidationError({k: [_("This field is required.")] for k in missing})
    stability = resolve_stability(data)
    try:
        return plume.check_source(
            data["release_rate_g_s"],
            data["wind_speed_m_s"],
            stability,
            data.get("source_height_m") or 0.0,
            data.get("terrain") or "rural",
        )
    except plume.PlumeError as err:
        raise _invalid(err)


def resolve_inputs(data: dict[str, Any]) -> dict[str, Any]:
    """Checked, normalised threat-zone inputs (what a run records)."""
    src = resolve_source(data)
    missing = [k for k in ("lon", "lat", "wind_from_deg") if data.get(k) is None]
    if missing:
        raise ValidationError({k: [_("This field is required.")] for k in missing})
    try:
        lon, lat, wind_from = plume.check_location(data["lon"], data["lat"], data["wind_from_deg"])
        thresholds = plume.check_thresholds(data.get("thresholds_mg_m3") or [])
    except plume.PlumeError as err:
        raise _invalid(err)
    out = {
        "release_rate_g_s": src.q_g_s,
        "wind_speed_m_s": src.u,
        "stability": src.stability,
        "source_height_m": src.h,
        "terrain": src.terrain,
        "lon": lon,
        "lat": lat,
        "wind_from_deg": wind_from,
        "thresholds_mg_m3": thresholds,
    }
    for key in ("daytime", "insolation", "cloud_oktas", "overcast", "substance"):
        if data.get(key) not in (None, ""):
            out[key] = data[key]
    return out


def compute_zones(inputs: dict[str, Any]) -> list[plume.Zone]:
    return plume.zones(
        inputs["release_rate_g_s"],
        inputs["wind_speed_m_s"],
        inputs["stability"],
        inputs["source_height_m"],
        inputs["terrain"],
        inputs["lon"],
        inputs["lat"],
        inputs["wind_from_deg"],
        inputs["thresholds_mg_m3"],
    )


def zone_note(empty: bool, truncated: bool) -> str:
    """What a reader must know about a zone, in the current language ("" when nothing)."""
    if empty:
        return _("The ground-level concentration never reaches this threshold: no zone.")
    if truncated:
        return _("The zone reaches beyond %(km)s km, where the search stops: it is longer.") % {
            "km": round(plume.X_MAX_M / 1000)
        }
    return ""


def feature_collection(zones: list[plume.Zone], inputs: dict[str, Any]) -> dict[str, Any]:
    """GeoJSON: one Feature per level, most severe first; geometry null where not reached."""
    features = []
    for z in zones:
        props: dict[str, Any] = {
            "threshold_mg_m3": z.threshold_mg_m3,
            "level": z.level,
            "area_m2": round(z.area_m2, 1),
            "max_downwind_m": round(z.max_downwind_m, 1),
            "max_half_width_m": round(z.max_half_width_m, 1),
            "truncated": z.truncated,
            "note": "",
        }
        props["note"] = zone_note(z.empty, z.truncated)
        features.append(
            {
                "type": "Feature",
                "geometry": None if z.empty else geo.to_geojson(z.geometry),
                "properties": props,
            }
        )
    return {
        "type": "FeatureCollection",
        "features": features,
        "source": {"lon": inputs["lon"], "lat": inputs["lat"]},
        "stability": inputs["stability"],
    }


def run_threat_zone(actor: Any, *, incident_ref: str = "", **inputs: Any) -> ThreatZoneRun:
    """Compute the zones for `inputs` (see resolve_inputs) and record the run."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("You do not have permission to do this."))
    ref = (incident_ref or "").replace("\x00", "").strip()
    if len(ref) > 64:
        raise ValidationError({"incident_ref": [_("Enter at most %(n)s characters.") % {"n": 64}]})
    run = build_run(resolve_inputs(inputs), incident_ref=ref, actor=actor)
    run.save()
    return run


def build_run(clean: dict[str, Any], *, incident_ref: str = "", actor: Any = None) -> ThreatZoneRun:
    """An unsaved run for checked inputs (see resolve_inputs), zones computed."""
    zones = compute_zones(clean)
    fc = feature_collection(zones, clean)
    shapes = [z.geometry for z in zones if not z.empty]
    if shapes:
        minx, miny, maxx, maxy = shapely.union_all(shapes).bounds
    else:
        minx = maxx = clean["lon"]
        miny = maxy = clean["lat"]
    return ThreatZoneRun(
        incident_ref=incident_ref,
        inputs=clean,
        geojson=fc,
        lon=clean["lon"],
        lat=clean["lat"],
        min_lon=min(minx, clean["lon"]),
        min_lat=min(miny, clean["lat"]),
        max_lon=max(maxx, clean["lon"]),
        max_lat=max(maxy, clean["lat"]),
        created_by=actor,
    )


def runs_for(user: Any) -> Any:
    """Runs a user may read: every signed-in user (zones are public-safety information)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ThreatZoneRun.objects.none()
    return ThreatZoneRun.objects.all()


# --- exposure -----------------------------------------------------------------------------


def geodesic_area_m2(geom: Any) -> float:
    if geom is None or geom.is_empty:
        return 0.0
    area, _perimeter = _GEOD.geometry_area_perimeter(geom)
    return abs(float(area))


def _zone_geoms(zones: Any) -> list[tuple[dict[str, Any], Polygon | MultiPolygon]]:
    """(properties, geometry) pairs from a run, a FeatureCollection or shapely geometries."""
    if isinstance(zones, ThreatZoneRun):
        zones = zones.geojson
    if isinstance(zones, dict):
        if zones.get("type") != "FeatureCollection" or not isinstance(zones.get("features"), list):
            raise ValidationError({"zones": [_("Give a GeoJSON FeatureCollection of zones.")]})
        out = []
        for i, feat in enumerate(zones["features"][: plume.MAX_THRESHOLDS], 1):
            if not isinstance(feat, dict):
                raise ValidationError({"zones": [_("Give a GeoJSON FeatureCollection of zones.")]})
            given = feat.get("properties")
            given = given if isinstance(given, dict) else {}
            props = {
                "level": given.get("level", i),
                "threshold_mg_m3": given.get("threshold_mg_m3"),
            }
            if feat.get("geometry") is None:
                out.append((props, Polygon()))
                continue
            try:
                out.append((props, geo.parse_area(feat["geometry"])))
            except geo.GeometryError:
                raise ValidationError({"zones": [_("A zone's geometry is not a valid polygon.")]})
        return out
    return [({"level": i, "threshold_mg_m3": None}, g) for i, g in enumerate(zones, 1)]


def _inside(geom: Any, rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    if geom.is_empty or not rows:
        return []
    lons = np.array([r[1] for r in rows], dtype=float)
    lats = np.array([r[2] for r in rows], dtype=float)
    mask = shapely.contains_xy(geom, lons, lats)
    return [r for r, m in zip(rows, mask.tolist(), strict=True) if m]


def _shelter_model() -> Any:
    # The resources app owns shelters; the zones still work where it is absent.
    try:
        from cityguard.resources.models import Shelter
    except ImportError:
        return None
    return Shelter


def _located(qs: Any, bounds: tuple[float, float, float, float], *cols: str) -> list[Any]:
    minx, miny, maxx, maxy = bounds
    return list(
        qs.filter(lon__gte=minx, lon__lte=maxx, lat__gte=miny, lat__lte=maxy).values_list(
            "id", "lon", "lat", *cols
        )
    )


def _population(geom: Any, communities: list[tuple[Any, Any, int]]) -> float:
    total = 0.0
    for _boundary, cgeom, pop in communities:
        if not cgeom.intersects(geom):
            continue
        whole = geodesic_area_m2(cgeom)
        if whole <= 0:
            continue
        total += pop * geodesic_area_m2(cgeom.intersection(geom)) / whole
    return total


def _communities(bounds: tuple[float, float, float, float]) -> list[tuple[Any, Any, int]]:
    minx, miny, maxx, maxy = bounds
    rows = (
        Jurisdiction.objects.filter(level=Level.COMMUNITY, population__isnull=False)
        .exclude(boundary="")
        .filter(max_lon__gte=minx, min_lon__lte=maxx, max_lat__gte=miny, min_lat__lte=maxy)
        .values_list("code", "boundary", "population")
    )
    out = []
    for code, boundary, pop in rows:
        try:
            out.append((code, geo.parse_area(boundary), int(pop)))
        except geo.GeometryError:
            continue
    return out


def nearest_shelters_outside(user: Any, union: Any, k: int = NEAREST_SHELTERS) -> list[dict]:
    """The k shelters with free places nearest to the zones (distance to their edge, m)."""
    model = _shelter_model()
    if model is None or union.is_empty:
        return []
    qs = model.objects.visible_to(user) if hasattr(model.objects, "visible_to") else model.objects
    qs = qs.filter(lon__isnull=False, lat__isnull=False)
    if any(f.name == "status" for f in model._meta.get_fields()):
        qs = qs.exclude(status="closed")
    rows = list(qs.values_list("id", "lon", "lat", "name", "capacity", "occupancy"))
    rows = [r for r in rows if (r[4] or 0) - (r[5] or 0) > 0]
    if not rows:
        return []
    lons = np.array([r[1] for r in rows], dtype=float)
    lats = np.array([r[2] for r in rows], dtype=float)
    outside = ~shapely.contains_xy(union, lons, lats)
    c = union.centroid
    aeqd = pyproj.Transformer.from_crs(
        "EPSG:4326",
        pyproj.CRS.from_proj4(f"+proj=aeqd +lat_0={c.y} +lon_0={c.x} +datum=WGS84 +units=m"),
        always_xy=True,
    )
    local_union = shapely.transform(
        union, lambda p: np.column_stack(aeqd.transform(p[:, 0], p[:, 1]))
    )
    px, py = aeqd.transform(lons, lats)
    dist = shapely.distance(local_union, shapely.points(px, py))
    order = [i for i in np.argsort(dist).tolist() if outside[i]][:k]
    return [
        {
            "id": rows[i][0],
            "name": rows[i][3],
            "lon": rows[i][1],
            "lat": rows[i][2],
            "capacity": rows[i][4],
            "occupancy": rows[i][5],
            "free_capacity": rows[i][4] - rows[i][5],
            "distance_m": round(float(dist[i]), 1),
        }
        for i in order
    ]


def exposure(user: Any, zones: Any) -> list[dict[str, Any]]:
    """Who is inside each zone (most severe first), for what `user` may see."""
    if user is None or not getattr(user, "is_authenticated", False):
        raise PermissionDenied(_("You do not have permission to do this."))
    pairs = _zone_geoms(zones)
    shapes = [g for _p, g in pairs if not g.is_empty]
    union = shapely.union_all(shapes) if shapes else Polygon()
    out: list[dict[str, Any]] = []
    if union.is_empty:
        bounds = (0.0, 0.0, 0.0, 0.0)
        orgs: list[Any] = []
        places: list[Any] = []
        shelters: list[Any] = []
        communities: list[Any] = []
    else:
        bounds = union.bounds
        orgs = _located(Organization.objects.visible_to(user), bounds, "name", "address")
        places = _located(Place.objects.visible_to(user), bounds, "name", "address")
        model = _shelter_model()
        shelters = []
        if model is not None:
            sqs = (
                model.objects.visible_to(user)
                if hasattr(model.objects, "visible_to")
                else model.objects.all()
            )
            shelters = _located(sqs, bounds, "name", "capacity", "occupancy")
        communities = _communities(bounds)
    nearest = nearest_shelters_outside(user, union)
    for props, geom in pairs:
        area = geodesic_area_m2(geom)
        pop = _population(geom, communities) if not geom.is_empty else 0.0
        out.append(
            {
                "level": props.get("level"),
                "threshold_mg_m3": props.get("threshold_mg_m3"),
                "area_m2": round(area, 1),
                "population": round(pop) if math.isfinite(pop) else 0,
                "organizations": [
                    {"id": r[0], "name": r[3], "address": r[4], "lon": r[1], "lat": r[2]}
                    for r in _inside(geom, orgs)
                ],
                "places": [
                    {"id": r[0], "name": r[3], "address": r[4], "lon": r[1], "lat": r[2]}
                    for r in _inside(geom, places)
                ],
                "shelters": [
                    {
                        "id": r[0],
                        "name": r[3],
                        "capacity": r[4],
                        "occupancy": r[5],
                        "lon": r[1],
                        "lat": r[2],
                    }
                    for r in _inside(geom, shelters)
                ],
                "nearest_shelters_outside": nearest,
            }
        )
    return out


__all__ = [
    "exposure",
    "feature_collection",
    "resolve_inputs",
    "run_threat_zone",
]
