"""API schemas of the resources app."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from ninja import Schema
from pydantic import Field

from cityguard.core.schemas import Id, Lat, Lon, Strict, Text

from .choices import (
    MaterialCategory,
    NearestKind,
    ReserveLevel,
    ReserveMode,
    ShelterKind,
    ShelterStatus,
    StationKind,
    TeamKind,
    TeamStatus,
)

KindName = Literal[tuple(NearestKind.values)]  # type: ignore[valid-type]
StatusName = Literal[tuple(TeamStatus.values)]  # type: ignore[valid-type]
Quantity = Field(gt=0, le=Decimal("999999999999"), max_digits=14, decimal_places=2)


class NearestOut(Schema):
    kind: str
    id: int
    name: str
    lon: float
    lat: float
    distance_m: float
    travel_min: float
    extra: dict[str, Any] = Field(
        default_factory=dict,
        description="kind-specific: free_capacity, capacity, occupancy (shelter); team_kind, "
        "headcount (team); quantity, unit, reserve_level (warehouse)",
    )


class MaterialOut(Schema):
    id: int
    code: str
    name: str
    name_en: str
    category: str
    unit: str
    spec: str
    shelf_life_days: int | None


def _jur(obj: Any) -> str:
    return obj.jurisdiction.code if obj.jurisdiction_id else ""


class WarehouseOut(Schema):
    id: int
    name: str
    code: str
    reserve_level: str
    mode: str
    organization: int | None = Field(None, alias="organization_id")
    address: str
    manager: str
    phone: str
    is_active: bool
    lon: float | None
    lat: float | None
    jurisdiction: str

    @staticmethod
    def resolve_jurisdiction(obj: Any) -> str:
        return _jur(obj)


class LotOut(Schema):
    id: int
    warehouse: int = Field(alias="warehouse_id")
    material: str
    lot_no: str
    quantity: Decimal
    received_on: date | None
    expires_on: date | None

    @staticmethod
    def resolve_material(obj: Any) -> str:
        return str(obj.material.code)


class MovementOut(Schema):
    id: int
    warehouse: int = Field(alias="warehouse_id")
    material: str
    kind: str
    quantity: Decimal
    at: datetime
    incident_ref: str
    counterpart: int | None = Field(None, alias="counterpart_id")
    group: str
    lots: list[dict[str, Any]]
    donor: str
    note: str

    @staticmethod
    def resolve_material(obj: Any) -> str:
        return str(obj.material.code)


class ReceiveIn(Strict):
    material: Text = Field(min_length=1, max_length=40, description="material code")
    quantity: Decimal = Quantity
    lot_no: Text = Field("", max_length=60)
    expires_on: date | None = None
    donor: Text = Field("", max_length=200, description="given: recorded as a donation")
    note: Text = Field("", max_length=500)


class IssueIn(Strict):
    material: Text = Field(min_length=1, max_length=40, description="material code")
    quantity: Decimal = Quantity
    incident_ref: Text = Field("", max_length=60)
    note: Text = Field("", max_length=500)


class TransferIn(Strict):
    material: Text = Field(min_length=1, max_length=40)
    quantity: Decimal = Quantity
    target: Id
    note: Text = Field("", max_length=500)


class TransferOut(Schema):
    out: MovementOut
    into: MovementOut


class LedgerLineOut(Schema):
    warehouse: int
    material: str
    opening: Decimal
    inbound: Decimal
    outbound: Decimal
    closing: Decimal
    on_hand: Decimal
    ok: bool


class TeamOut(Schema):
    id: int
    name: str
    kind: str
    organization: int | None = Field(None, alias="organization_id")
    headcount: int
    skills: str
    equipment: str
    leader: str
    phone: str
    status: str
    status_reason: str
    status_changed_at: datetime | None
    is_active: bool
    lon: float | None
    lat: float | None
    jurisdiction: str

    @staticmethod
    def resolve_jurisdiction(obj: Any) -> str:
        return _jur(obj)


class TeamStatusIn(Strict):
    status: StatusName
    reason: Text = Field("", max_length=300)


class ShelterOut(Schema):
    id: int
    name: str
    kind: str
    address: str
    capacity: int
    occupancy: int
    free_capacity: int
    area_m2: float | None
    facilities: str
    status: str
    lon: float | None
    lat: float | None
    jurisdiction: str

    @staticmethod
    def resolve_jurisdiction(obj: Any) -> str:
        return _jur(obj)


class FireStationOut(Schema):
    id: int
    name: str
    kind: str
    address: str
    headcount: int
    vehicles: int
    service_area_km2: float | None
    lon: float | None
    lat: float | None
    jurisdiction: str

    @staticmethod
    def resolve_jurisdiction(obj: Any) -> str:
        return _jur(obj)


class ExpertOut(Schema):
    id: int
    name: str
    specialty: str
    title: str
    employer: str
    phone: str
    is_available: bool


class StationCoverageOut(Schema):
    id: int
    name: str
    area_km2: float
    over_standard: bool


class CoverageOut(Schema):
    standard_km2: float
    district_km2: float
    covered_km2: float
    gap_km2: float
    gap_parts: int
    stations: list[StationCoverageOut]
    gap: dict[str, Any] | None = Field(None, description="GeoJSON geometry (WGS 84)")


class OccupancyIn(Strict):
    occupancy: int = Field(ge=0, le=10_000_000)
    status: Literal["standby", "open", "closed"] | None = None


class StocktakeIn(Strict):
    counts: dict[int, Decimal] = Field(description="lot id → counted quantity")
    note: Text = Field("", max_length=500)


class StocktakeOut(Schema):
    id: int
    warehouse: int = Field(alias="warehouse_id")
    counted_at: datetime
    lines: list[dict[str, Any]]


# --- record writes ---------------------------------------------------------------------

ReserveLevelName = Literal[tuple(ReserveLevel.values)]  # type: ignore[valid-type]
ReserveModeName = Literal[tuple(ReserveMode.values)]  # type: ignore[valid-type]
TeamKindName = Literal[tuple(TeamKind.values)]  # type: ignore[valid-type]
ShelterKindName = Literal[tuple(ShelterKind.values)]  # type: ignore[valid-type]
ShelterStatusName = Literal[tuple(ShelterStatus.values)]  # type: ignore[valid-type]
JurisdictionCode = Field(
    None, max_length=32, description="jurisdiction code (derived from lon/lat when omitted)"
)
People = Field(ge=0, le=10_000_000)
Area = Field(None, ge=0, le=100_000_000, allow_inf_nan=False)


class WarehouseIn(Strict):
    name: Text = Field(min_length=1, max_length=200)
    code: Text = Field("", max_length=40)
    reserve_level: ReserveLevelName
    mode: ReserveModeName = ReserveMode.PHYSICAL.value
    organization: Id | None = None
    address: Text = Field("", max_length=255)
    manager: Text = Field("", max_length=100)
    phone: Text = Field("", max_length=40)
    area_m2: float | None = Area
    is_active: bool = True
    lon: float | None = Lon
    lat: float | None = Lat
    jurisdiction: Text | None = JurisdictionCode


class WarehousePatch(Strict):
    name: Text | None = Field(None, min_length=1, max_length=200)
    code: Text | None = Field(None, max_length=40)
    reserve_level: ReserveLevelName | None = None
    mode: ReserveModeName | None = None
    organization: Id | None = None
    address: Text | None = Field(None, max_length=255)
    manager: Text | None = Field(None, max_length=100)
    phone: Text | None = Field(None, max_length=40)
    area_m2: float | None = Area
    is_active: bool | None = None
    lon: float | None = Lon
    lat: float | None = Lat
    jurisdiction: Text | None = JurisdictionCode


class TeamIn(Strict):
    name: Text = Field(min_length=1, max_length=200)
    kind: TeamKindName
    organization: Id | None = None
    headcount: int = Field(0, ge=0, le=10_000_000)
    skills: Text = Field("", max_length=500)
    equipment: Text = Field("", max_length=5000)
    leader: Text = Field("", max_length=100)
    phone: Text = Field("", max_length=40)
    is_active: bool = True
    lon: float | None = Lon
    lat: float | None = Lat
    jurisdiction: Text | None = JurisdictionCode


class TeamPatch(Strict):
    """The status is changed with POST …/status, not here."""

    name: Text | None = Field(None, min_length=1, max_length=200)
    kind: TeamKindName | None = None
    organization: Id | None = None
    headcount: int | None = Field(None, ge=0, le=10_000_000)
    skills: Text | None = Field(None, max_length=500)
    equipment: Text | None = Field(None, max_length=5000)
    leader: Text | None = Field(None, max_length=100)
    phone: Text | None = Field(None, max_length=40)
    is_active: bool | None = None
    lon: float | None = Lon
    lat: float | None = Lat
    jurisdiction: Text | None = JurisdictionCode


class ShelterIn(Strict):
    name: Text = Field(min_length=1, max_length=200)
    kind: ShelterKindName = ShelterKind.INDOOR.value
    organization: Id | None = None
    address: Text = Field("", max_length=255)
    capacity: int = People
    occupancy: int = Field(0, ge=0, le=10_000_000)
    area_m2: float | None = Area
    facilities: Text = Field("", max_length=500)
    status: ShelterStatusName = ShelterStatus.STANDBY.value
    manager: Text = Field("", max_length=100)
    phone: Text = Field("", max_length=40)
    lon: float | None = Lon
    lat: float | None = Lat
    jurisdiction: Text | None = JurisdictionCode


class ShelterPatch(Strict):
    name: Text | None = Field(None, min_length=1, max_length=200)
    kind: ShelterKindName | None = None
    organization: Id | None = None
    address: Text | None = Field(None, max_length=255)
    capacity: int | None = Field(None, ge=0, le=10_000_000)
    occupancy: int | None = Field(None, ge=0, le=10_000_000)
    area_m2: float | None = Area
    facilities: Text | None = Field(None, max_length=500)
    status: ShelterStatusName | None = None
    manager: Text | None = Field(None, max_length=100)
    phone: Text | None = Field(None, max_length=40)
    lon: float | None = Lon
    lat: float | None = Lat
    jurisdiction: Text | None = JurisdictionCode


StationKindName = Literal[tuple(StationKind.values)]  # type: ignore[valid-type]
CategoryName = Literal[tuple(MaterialCategory.values)]  # type: ignore[valid-type]
ServiceArea = Field(None, description="GeoJSON Polygon or MultiPolygon (WGS 84); null clears it")


class FireStationIn(Strict):
    name: Text = Field(min_length=1, max_length=200)
    kind: StationKindName = StationKind.STANDARD_1.value
    address: Text = Field("", max_length=255)
    headcount: int = Field(0, ge=0, le=100_000)
    vehicles: int = Field(0, ge=0, le=10_000)
    phone: Text = Field("", max_length=40)
    service_area: dict[str, Any] | None = ServiceArea
    lon: float | None = Lon
    lat: float | None = Lat
    jurisdiction: Text | None = JurisdictionCode


class FireStationPatch(Strict):
    name: Text | None = Field(None, min_length=1, max_length=200)
    kind: StationKindName | None = None
    address: Text | None = Field(None, max_length=255)
    headcount: int | None = Field(None, ge=0, le=100_000)
    vehicles: int | None = Field(None, ge=0, le=10_000)
    phone: Text | None = Field(None, max_length=40)
    service_area: dict[str, Any] | None = ServiceArea
    lon: float | None = Lon
    lat: float | None = Lat
    jurisdiction: Text | None = JurisdictionCode


class ExpertIn(Strict):
    name: Text = Field(min_length=1, max_length=100)
    specialty: Text = Field(min_length=1, max_length=200)
    title: Text = Field("", max_length=100)
    employer: Text = Field("", max_length=200)
    phone: Text = Field("", max_length=40)
    jurisdiction: Text = Field(min_length=1, max_length=32, description="jurisdiction code")
    is_available: bool = True


class ExpertPatch(Strict):
    name: Text | None = Field(None, min_length=1, max_length=100)
    specialty: Text | None = Field(None, min_length=1, max_length=200)
    title: Text | None = Field(None, max_length=100)
    employer: Text | None = Field(None, max_length=200)
    phone: Text | None = Field(None, max_length=40)
    jurisdiction: Text | None = Field(None, min_length=1, max_length=32)
    is_available: bool | None = None


class MaterialIn(Strict):
    code: Text = Field(min_length=1, max_length=40, pattern=r"^[-a-zA-Z0-9_]+$")
    name: Text = Field(min_length=1, max_length=100)
    name_en: Text = Field("", max_length=100)
    category: CategoryName
    unit: Text = Field(min_length=1, max_length=16)
    spec: Text = Field("", max_length=200)
    shelf_life_days: int | None = Field(None, ge=0, le=100_000)
    is_active: bool = True


class MaterialPatch(Strict):
    code: Text | None = Field(None, min_length=1, max_length=40, pattern=r"^[-a-zA-Z0-9_]+$")
    name: Text | None = Field(None, min_length=1, max_length=100)
    name_en: Text | None = Field(None, max_length=100)
    category: CategoryName | None = None
    unit: Text | None = Field(None, min_length=1, max_length=16)
    spec: Text | None = Field(None, max_length=200)
    shelf_life_days: int | None = Field(None, ge=0, le=100_000)
    is_active: bool | None = None
