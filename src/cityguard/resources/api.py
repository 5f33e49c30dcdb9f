"""API of the resources app, mounted at /api/v1/resources."""

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Status
from ninja.pagination import paginate

from cityguard.core.api import ERRORS, Page, _jurisdiction_by_code, _under
from cityguard.core.models import Organization
from cityguard.core.schemas import MAX_ID, Text

from . import services
from .models import Expert, FireStation, Material, Shelter, StockLot, StockMovement, Team, Warehouse
from .schemas import (
    CoverageOut,
    ExpertIn,
    ExpertOut,
    ExpertPatch,
    FireStationIn,
    FireStationOut,
    FireStationPatch,
    IssueIn,
    KindName,
    LedgerLineOut,
    LotOut,
    MaterialIn,
    MaterialOut,
    MaterialPatch,
    MovementOut,
    NearestOut,
    OccupancyIn,
    ReceiveIn,
    ShelterIn,
    ShelterOut,
    ShelterPatch,
    StocktakeIn,
    StocktakeOut,
    TeamIn,
    TeamOut,
    TeamPatch,
    TeamStatusIn,
    TransferIn,
    TransferOut,
    WarehouseIn,
    WarehouseOut,
    WarehousePatch,
)

router = Router(tags=["resources"])

RecordId = Path(..., ge=1, le=MAX_ID)  # type: ignore[type-arg]
Search = Query(None, max_length=100)  # type: ignore[type-arg]
Code = Query(None, max_length=32)  # type: ignore[type-arg]
Short = Query(None, max_length=16)  # type: ignore[type-arg]
MaterialCode = Query(None, max_length=40, description="material code")  # type: ignore[type-arg]
LonQ = Query(..., ge=-180, le=180, allow_inf_nan=False)  # type: ignore[type-arg]
LatQ = Query(..., ge=-90, le=90, allow_inf_nan=False)  # type: ignore[type-arg]
KindQ = Query(...)  # type: ignore[type-arg]
KQ = Query(5, ge=1, le=services.MAX_K)  # type: ignore[type-arg]

_BASE = {"kind", "id", "name", "lon", "lat", "distance_m", "travel_min"}


def _clean(text: str | None) -> str:
    return (text or "").replace("\x00", "").strip()


# --- lists shared with the pages -------------------------------------------------------


def warehouses_for(user: Any) -> QuerySet:
    return Warehouse.objects.visible_to(user).select_related("jurisdiction", "organization")


def filter_warehouses(
    qs: QuerySet,
    q: str | None = None,
    reserve_level: str | None = None,
    mode: str | None = None,
    jurisdiction: str | None = None,
    material: str | None = None,
) -> QuerySet:
    text = _clean(q)
    if text:
        qs = qs.filter(Q(name__icontains=text) | Q(address__icontains=text) | Q(code=text))
    if reserve_level:
        qs = qs.filter(reserve_level=reserve_level)
    if mode:
        qs = qs.filter(mode=mode)
    if material:
        qs = qs.filter(lots__material__code=_clean(material), lots__quantity__gt=0).distinct()
    return _under(qs, _clean(jurisdiction))


def filter_teams(
    qs: QuerySet,
    q: str | None = None,
    kind: str | None = None,
    status: str | None = None,
    jurisdiction: str | None = None,
) -> QuerySet:
    text = _clean(q)
    if text:
        qs = qs.filter(Q(name__icontains=text) | Q(skills__icontains=text))
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    return _under(qs, _clean(jurisdiction))


def filter_shelters(
    qs: QuerySet,
    q: str | None = None,
    status: str | None = None,
    jurisdiction: str | None = None,
    free: bool | None = None,
) -> QuerySet:
    from django.db.models import F

    text = _clean(q)
    if text:
        qs = qs.filter(Q(name__icontains=text) | Q(address__icontains=text))
    if status:
        qs = qs.filter(status=status)
    if free:
        qs = qs.filter(capacity__gt=F("occupancy")).exclude(status="closed")
    return _under(qs, _clean(jurisdiction))


def material_by_code(code: str | None, field: str = "material") -> Material:
    m = Material.objects.filter(code=_clean(code)).first() if code else None
    if m is None:
        raise ValidationError({field: [_("No material has the code %(code)s.") % {"code": code}]})
    return m


def _visible(qs: QuerySet, pk: int) -> Any:
    obj = qs.filter(pk=pk).first()
    if obj is None:
        raise Http404
    return obj


# --- nearest ---------------------------------------------------------------------------


@router.get("/nearest", response={200: list[NearestOut], **ERRORS}, url_name="resources_nearest")
def nearest(
    request: HttpRequest,
    lon: float = LonQ,
    lat: float = LatQ,
    kind: KindName = KindQ,
    k: int = KQ,
    material: Text | None = MaterialCode,
) -> Any:
    """The k nearest resources of a kind the caller may see, nearest first, by
    straight-line distance with an estimated travel time (distance × detour ÷ speed).
    Teams: available ones. Warehouses: with `material`, those holding it. Shelters: with
    free capacity."""
    mat = material_by_code(material) if material else None
    found = services.nearest(request.user, lon=lon, lat=lat, kind=kind, k=k, material=mat)
    return [
        {
            **{key: f[key] for key in _BASE},
            "extra": {k2: v for k2, v in f.items() if k2 not in _BASE},
        }
        for f in found
    ]


# --- catalogue and warehouses ----------------------------------------------------------


@router.get("/materials", response=list[MaterialOut], url_name="resources_materials")
def list_materials(request: HttpRequest) -> Any:
    return list(Material.objects.filter(is_active=True))


@router.get("/warehouses", response=list[WarehouseOut], url_name="resources_warehouses")
@paginate(Page)
def list_warehouses(
    request: HttpRequest,
    q: Text | None = Search,
    reserve_level: Text | None = Short,
    mode: Text | None = Short,
    jurisdiction: Text | None = Code,
    material: Text | None = MaterialCode,
) -> Any:
    return filter_warehouses(
        warehouses_for(request.user), q, reserve_level, mode, jurisdiction, material
    )


@router.get("/warehouses/{int:pk}", response={200: WarehouseOut, **ERRORS})
def get_warehouse(request: HttpRequest, pk: int = RecordId) -> Any:
    return _visible(warehouses_for(request.user), pk)


@router.get("/warehouses/{int:pk}/lots", response={200: list[LotOut], **ERRORS})
def warehouse_lots(request: HttpRequest, pk: int = RecordId) -> Any:
    wh = _visible(warehouses_for(request.user), pk)
    return list(StockLot.objects.filter(warehouse=wh, quantity__gt=0).select_related("material"))


@router.get("/warehouses/{int:pk}/movements", response={200: list[MovementOut], **ERRORS})
@paginate(Page)
def warehouse_movements(request: HttpRequest, pk: int = RecordId) -> Any:
    wh = _visible(warehouses_for(request.user), pk)
    return StockMovement.objects.filter(warehouse=wh).select_related("material")


@router.get("/warehouses/{int:pk}/reconcile", response={200: list[LedgerLineOut], **ERRORS})
def warehouse_reconcile(request: HttpRequest, pk: int = RecordId) -> Any:
    """opening + in − out = closing against the quantity on hand, per material."""
    wh = _visible(warehouses_for(request.user), pk)
    codes = dict(Material.objects.values_list("pk", "code"))
    return [
        {
            "warehouse": line.warehouse_id,
            "material": codes.get(line.material_id, ""),
            "opening": line.opening,
            "inbound": line.inbound,
            "outbound": line.outbound,
            "closing": line.closing,
            "on_hand": line.on_hand,
            "ok": line.ok,
        }
        for line in services.reconcile([wh])
    ]


@router.post(
    "/warehouses/{int:pk}/receive",
    response={201: MovementOut, **ERRORS},
    url_name="resources_receive",
)
def receive(request: HttpRequest, payload: ReceiveIn, pk: int = RecordId) -> Any:
    wh = _visible(warehouses_for(request.user), pk)
    mv = services.receive_stock(
        request.user,
        warehouse=wh,
        material=material_by_code(payload.material),
        quantity=payload.quantity,
        lot_no=payload.lot_no,
        expires_on=payload.expires_on,
        donor=payload.donor,
        note=payload.note,
    )
    return Status(201, mv)


@router.post(
    "/warehouses/{int:pk}/issue", response={201: MovementOut, **ERRORS}, url_name="resources_issue"
)
def issue(request: HttpRequest, payload: IssueIn, pk: int = RecordId) -> Any:
    """Issue stock, earliest expiry first. More than held: 422, nothing changed."""
    wh = _visible(warehouses_for(request.user), pk)
    mv = services.issue_stock(
        request.user,
        warehouse=wh,
        material=material_by_code(payload.material),
        quantity=payload.quantity,
        incident_ref=payload.incident_ref,
        note=payload.note,
    )
    return Status(201, mv)


@router.post(
    "/warehouses/{int:pk}/transfer",
    response={201: TransferOut, **ERRORS},
    url_name="resources_transfer",
)
def transfer(request: HttpRequest, payload: TransferIn, pk: int = RecordId) -> Any:
    user = request.user
    wh = _visible(warehouses_for(user), pk)
    target = warehouses_for(user).filter(pk=payload.target).first()
    if target is None:
        raise ValidationError({"target": [_("No such warehouse.")]})
    out, into = services.transfer_stock(
        user,
        source=wh,
        target=target,
        material=material_by_code(payload.material),
        quantity=payload.quantity,
        note=payload.note,
    )
    return Status(201, {"out": out, "into": into})


@router.post(
    "/warehouses/{int:pk}/stocktake",
    response={201: StocktakeOut, **ERRORS},
    url_name="resources_stocktake",
)
def stocktake(request: HttpRequest, payload: StocktakeIn, pk: int = RecordId) -> Any:
    """Record counted quantities per lot; differences become surplus/shortfall rows."""
    wh = _visible(warehouses_for(request.user), pk)
    take = services.record_stocktake(
        request.user, warehouse=wh, counts=dict(payload.counts), note=payload.note
    )
    return Status(201, take)


# --- teams, shelters, stations, experts ------------------------------------------------


@router.get("/teams", response=list[TeamOut], url_name="resources_teams")
@paginate(Page)
def list_teams(
    request: HttpRequest,
    q: Text | None = Search,
    kind: Text | None = Short,
    status: Text | None = Short,
    jurisdiction: Text | None = Code,
) -> Any:
    qs = Team.objects.visible_to(request.user).select_related("jurisdiction")
    return filter_teams(qs, q, kind, status, jurisdiction)


@router.get("/teams/{int:pk}", response={200: TeamOut, **ERRORS})
def get_team(request: HttpRequest, pk: int = RecordId) -> Any:
    return _visible(Team.objects.visible_to(request.user).select_related("jurisdiction"), pk)


@router.post("/teams/{int:pk}/status", response={200: TeamOut, **ERRORS})
def team_status(request: HttpRequest, payload: TeamStatusIn, pk: int = RecordId) -> Any:
    """Set a team's availability; dispatching a dispatched team is refused (422)."""
    team = _visible(Team.objects.visible_to(request.user), pk)
    services.set_team_status(request.user, team, payload.status, reason=payload.reason)
    return _visible(Team.objects.visible_to(request.user).select_related("jurisdiction"), pk)


@router.get("/shelters", response=list[ShelterOut], url_name="resources_shelters")
@paginate(Page)
def list_shelters(
    request: HttpRequest,
    q: Text | None = Search,
    status: Text | None = Short,
    jurisdiction: Text | None = Code,
    free: bool | None = None,
) -> Any:
    qs = Shelter.objects.visible_to(request.user).select_related("jurisdiction")
    return filter_shelters(qs, q, status, jurisdiction, free)


@router.post("/shelters/{int:pk}/occupancy", response={200: ShelterOut, **ERRORS})
def shelter_occupancy(request: HttpRequest, payload: OccupancyIn, pk: int = RecordId) -> Any:
    """Set a shelter's occupancy (and status); more than its capacity is refused (422)."""
    shelter = _visible(Shelter.objects.visible_to(request.user), pk)
    services.set_shelter_occupancy(request.user, shelter, payload.occupancy, status=payload.status)
    return _visible(Shelter.objects.visible_to(request.user).select_related("jurisdiction"), pk)


@router.get("/fire-stations", response=list[FireStationOut], url_name="resources_fire_stations")
def list_fire_stations(request: HttpRequest) -> Any:
    return list(FireStation.objects.visible_to(request.user).select_related("jurisdiction"))


@router.get("/coverage", response={200: CoverageOut, **ERRORS}, url_name="resources_coverage")
def coverage(request: HttpRequest) -> Any:
    """Each fire station's service area against the standard, and the uncovered gap."""
    from cityguard.core import geo

    cov = services.station_coverage(request.user)
    if cov is None:
        raise ValidationError({"district": [_("The district has no boundary.")]})
    names = {s.key: s.name for s in cov.stations}
    return {
        "standard_km2": cov.standard_km2,
        "district_km2": round(cov.district_km2, 3),
        "covered_km2": round(cov.covered_km2, 3),
        "gap_km2": round(cov.gap_km2, 3),
        "gap_parts": cov.gap_parts,
        "stations": [
            {
                "id": s.key,
                "name": names[s.key],
                "area_km2": round(s.area_km2, 3),
                "over_standard": s.over_standard,
            }
            for s in cov.stations
        ],
        "gap": geo.to_geojson(cov.gap) if cov.gap is not None else None,
    }


@router.get("/experts", response=list[ExpertOut], url_name="resources_experts")
@paginate(Page)
def list_experts(request: HttpRequest, q: Text | None = Search) -> Any:
    qs = Expert.objects.visible_to(request.user)
    text = _clean(q)
    if text:
        qs = qs.filter(Q(name__icontains=text) | Q(specialty__icontains=text))
    return qs


__all__ = ["router"]


# --- record writes ---------------------------------------------------------------------

_REQUIRED: dict[str, tuple[str, ...]] = {
    "warehouse": ("name", "reserve_level", "mode", "is_active"),
    "team": ("name", "kind", "headcount", "is_active"),
    "shelter": ("name", "kind", "capacity", "occupancy", "status"),
    "fire_station": ("name", "kind", "headcount", "vehicles"),
    "expert": ("name", "specialty", "jurisdiction", "is_available"),
    "material": ("code", "name", "category", "unit", "is_active"),
}
_TEXTS = (
    "address", "manager", "phone", "skills", "equipment", "leader", "facilities", "title",
    "employer", "name_en", "spec",
)  # fmt: skip


def _record_data(kind: str, payload: Any, request: HttpRequest, partial: bool) -> dict[str, Any]:
    """The payload as service data: codes and IDs become records the user can reach."""
    data: dict[str, Any] = payload.dict(exclude_unset=partial)
    if "organization" in data:
        pk = data.pop("organization")
        data["organization"] = None
        if pk is not None:
            org = Organization.objects.visible_to(request.user).filter(pk=pk).first()
            if org is None:
                raise ValidationError({"organization": [_("No such organisation.")]})
            data["organization"] = org
    if "jurisdiction" in data:
        code = data.pop("jurisdiction")
        data["jurisdiction"] = _jurisdiction_by_code(code) if code else None
    if kind == "warehouse" and data.get("code", "") is None:
        data["code"] = ""
    if "service_area" in data:
        area = data["service_area"]
        data["service_area"] = json.dumps(area) if area else ""
    for key in _TEXTS:
        if key in data and data[key] is None:
            data[key] = ""
    for key in _REQUIRED[kind]:
        if key in data and data[key] is None:
            raise ValidationError({key: [_("This field cannot be empty.")]})
    return data


@router.post("/warehouses", response={201: WarehouseOut, **ERRORS})
def create_warehouse(request: HttpRequest, payload: WarehouseIn) -> Any:
    data = _record_data("warehouse", payload, request, partial=False)
    return Status(201, services.save_warehouse(request.user, data))


@router.patch("/warehouses/{int:pk}", response={200: WarehouseOut, **ERRORS})
def update_warehouse(request: HttpRequest, payload: WarehousePatch, pk: int = RecordId) -> Any:
    wh = _visible(Warehouse.objects.visible_to(request.user), pk)
    data = _record_data("warehouse", payload, request, partial=True)
    return services.save_warehouse(request.user, data, wh)


@router.post("/teams", response={201: TeamOut, **ERRORS})
def create_team(request: HttpRequest, payload: TeamIn) -> Any:
    data = _record_data("team", payload, request, partial=False)
    return Status(201, services.save_team(request.user, data))


@router.patch("/teams/{int:pk}", response={200: TeamOut, **ERRORS})
def update_team(request: HttpRequest, payload: TeamPatch, pk: int = RecordId) -> Any:
    team = _visible(Team.objects.visible_to(request.user), pk)
    data = _record_data("team", payload, request, partial=True)
    return services.save_team(request.user, data, team)


@router.post("/shelters", response={201: ShelterOut, **ERRORS})
def create_shelter(request: HttpRequest, payload: ShelterIn) -> Any:
    data = _record_data("shelter", payload, request, partial=False)
    return Status(201, services.save_shelter(request.user, data))


@router.patch("/shelters/{int:pk}", response={200: ShelterOut, **ERRORS})
def update_shelter(request: HttpRequest, payload: ShelterPatch, pk: int = RecordId) -> Any:
    shelter = _visible(Shelter.objects.visible_to(request.user), pk)
    data = _record_data("shelter", payload, request, partial=True)
    return services.save_shelter(request.user, data, shelter)


@router.post("/fire-stations", response={201: FireStationOut, **ERRORS})
def create_fire_station(request: HttpRequest, payload: FireStationIn) -> Any:
    data = _record_data("fire_station", payload, request, partial=False)
    return Status(201, services.save_fire_station(request.user, data))


@router.patch("/fire-stations/{int:pk}", response={200: FireStationOut, **ERRORS})
def update_fire_station(request: HttpRequest, payload: FireStationPatch, pk: int = RecordId) -> Any:
    station = _visible(FireStation.objects.visible_to(request.user), pk)
    data = _record_data("fire_station", payload, request, partial=True)
    return services.save_fire_station(request.user, data, station)


@router.post("/experts", response={201: ExpertOut, **ERRORS})
def create_expert(request: HttpRequest, payload: ExpertIn) -> Any:
    data = _record_data("expert", payload, request, partial=False)
    return Status(201, services.save_expert(request.user, data))


@router.patch("/experts/{int:pk}", response={200: ExpertOut, **ERRORS})
def update_expert(request: HttpRequest, payload: ExpertPatch, pk: int = RecordId) -> Any:
    expert = _visible(Expert.objects.visible_to(request.user), pk)
    data = _record_data("expert", payload, request, partial=True)
    return services.save_expert(request.user, data, expert)


@router.post("/materials", response={201: MaterialOut, **ERRORS})
def create_material(request: HttpRequest, payload: MaterialIn) -> Any:
    data = _record_data("material", payload, request, partial=False)
    if Material.objects.filter(code=data["code"]).exists():
        raise ValidationError({"code": [_("This code is already taken.")]})
    return Status(201, services.save_material(request.user, data))


@router.patch("/materials/{int:pk}", response={200: MaterialOut, **ERRORS})
def update_material(request: HttpRequest, payload: MaterialPatch, pk: int = RecordId) -> Any:
    material = _visible(Material.objects.all(), pk)
    data = _record_data("material", payload, request, partial=True)
    return services.save_material(request.user, data, material)
