"""API of the consequence app, mounted at /api/v1/consequence.

- POST /plume: concentrations (g/m³) at receptors in the plume frame.
- POST /threat-zone: ground-level zones as a GeoJSON FeatureCollection (recorded as a run).
- POST /exposure: who is inside the zones of a run or of a posted FeatureCollection.
- GET /runs, GET /runs/{id}: recorded runs.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema

from cityguard.core.api import ERRORS
from cityguard.core.schemas import MAX_ID

from . import plume, services
from .models import ThreatZoneRun

router = Router(tags=["consequence"])

MAX_RECEPTORS = 10_000


class Receptor(Schema):
    x_m: float = Field(..., description="downwind distance (m); ≤ 0 is upwind (0 g/m³)")
    y_m: float = Field(0.0, description="crosswind distance (m)")
    z_m: float = Field(0.0, description="height above ground (m), ≥ 0")


class SourceIn(Schema):
    release_rate_g_s: float = Field(..., description="continuous release rate Q (g/s), ≥ 0")
    wind_speed_m_s: float = Field(..., description="wind speed u (m/s), ≥ 0.5; 0 is invalid")
    stability: str | None = Field(
        None, description="Pasquill–Gifford class A–F; omit to derive it from the helper inputs"
    )
    daytime: bool | None = Field(None, description="helper: day (insolation) or night (cloud)")
    insolation: str | None = Field(None, description="helper, day: strong|moderate|slight")
    cloud_oktas: float | None = Field(None, description="helper, night: cloud cover 0–8 oktas")
    overcast: bool | None = Field(None, description="helper: heavy overcast (class D)")
    source_height_m: float = Field(0.0, description="effective release height H (m), ≥ 0")
    terrain: str = Field("rural", description="rural|urban (Briggs coefficients)")


class PlumeIn(SourceIn):
    receptors: list[Receptor] = Field(..., max_length=MAX_RECEPTORS)


class PlumeOut(Schema):
    concentrations_g_m3: list[float]
    stability: str
    terrain: str


class ThreatZoneIn(SourceIn):
    lon: float
    lat: float
    wind_from_deg: float = Field(..., description="where the wind comes FROM, ° from north")
    thresholds_mg_m3: list[float] = Field(
        ..., description="1–3 levels of concern (mg/m³); most severe first in the answer"
    )
    incident_ref: str = Field("", max_length=64)
    substance: str = Field("", max_length=100)


class ExposureIn(Schema):
    run_id: int | None = Field(None, ge=1, le=MAX_ID)
    zones: dict[str, Any] | None = Field(
        None, description="a FeatureCollection as answered by /threat-zone"
    )


class ShelterOut(Schema):
    id: int
    name: str
    lon: float | None = None
    lat: float | None = None
    capacity: int
    occupancy: int
    free_capacity: int | None = None
    distance_m: float | None = None


class LocatedOut(Schema):
    id: int
    name: str
    address: str = ""
    lon: float | None = None
    lat: float | None = None


class ZoneExposureOut(Schema):
    level: int | None
    threshold_mg_m3: float | None
    area_m2: float
    population: int
    organizations: list[LocatedOut]
    places: list[LocatedOut]
    shelters: list[ShelterOut]


class ExposureOut(Schema):
    zones: list[ZoneExposureOut]
    nearest_shelters_outside: list[ShelterOut]


class RunOut(Schema):
    id: int
    incident_ref: str
    inputs: dict[str, Any]
    geojson: dict[str, Any]
    created_at: Any
    created_by: str | None


def _run_out(run: ThreatZoneRun) -> dict[str, Any]:
    return {
        "id": run.pk,
        "incident_ref": run.incident_ref,
        "inputs": run.inputs,
        "geojson": {**run.geojson, "run_id": run.pk},
        "created_at": run.created_at,
        "created_by": run.created_by.get_username() if run.created_by else None,
    }


@router.post("/plume", response={200: PlumeOut, **ERRORS})
def plume_concentrations(request: HttpRequest, payload: PlumeIn) -> dict[str, Any]:
    """Concentrations (g/m³) at the receptors; x downwind, y crosswind, z height (m)."""
    data = payload.dict()
    src = services.resolve_source(data)
    recs = data["receptors"]
    try:
        c = plume.concentrations(
            src.q_g_s,
            src.u,
            src.stability,
            src.h,
            src.terrain,
            [r["x_m"] for r in recs],
            [r["y_m"] for r in recs],
            [r["z_m"] for r in recs],
        )
    except plume.PlumeError as err:
        raise ValidationError({"receptors": [services.plume_message(err)]})
    return {
        "concentrations_g_m3": [float(v) for v in c.tolist()],
        "stability": src.stability,
        "terrain": src.terrain,
    }


@router.post("/threat-zone", response={200: dict[str, Any], **ERRORS})
def threat_zone(request: HttpRequest, payload: ThreatZoneIn) -> dict[str, Any]:
    """Ground-level threat zones, one GeoJSON Feature per threshold (most severe first),
    each with threshold_mg_m3, level (1 = most severe), area_m2 and max_downwind_m; a
    threshold that is never reached has a null geometry and a note. The run is recorded
    (`run_id`)."""
    data = payload.dict()
    ref = data.pop("incident_ref", "")
    run = services.run_threat_zone(request.user, incident_ref=ref, **data)
    return {**run.geojson, "run_id": run.pk}


@router.post("/exposure", response={200: ExposureOut, **ERRORS})
def exposure(request: HttpRequest, payload: ExposureIn) -> dict[str, Any]:
    """Organisations, places, shelters and population inside each zone (of a recorded run
    or a posted FeatureCollection), and the nearest shelters with free places outside."""
    zones: Any
    if payload.run_id is not None:
        run = services.runs_for(request.user).filter(pk=payload.run_id).first()
        if run is None:
            raise Http404
        zones = run
    elif payload.zones is not None:
        zones = payload.zones
    else:
        raise ValidationError({"run_id": [_("Give a run_id or the zones.")]})
    rows = services.exposure(request.user, zones)
    nearest = rows[0]["nearest_shelters_outside"] if rows else []
    return {"zones": rows, "nearest_shelters_outside": nearest}


@router.get("/runs", response={200: list[RunOut], **ERRORS})
def run_list(
    request: HttpRequest, incident_ref: str = Query("", max_length=64)
) -> list[dict[str, Any]]:  # type: ignore[type-arg]
    """The latest 50 runs, newest first (optionally of one incident)."""
    qs = services.runs_for(request.user).select_related("created_by")
    ref = incident_ref.replace("\x00", "").strip()
    if ref:
        qs = qs.filter(incident_ref=ref)
    return [_run_out(r) for r in qs[:50]]


@router.get("/runs/{run_id}", response={200: RunOut, **ERRORS})
def run_detail(request: HttpRequest, run_id: int = Path(..., ge=1, le=MAX_ID)) -> dict[str, Any]:  # type: ignore[type-arg]
    run = services.runs_for(request.user).select_related("created_by").filter(pk=run_id).first()
    if run is None:
        raise Http404
    return _run_out(run)
