"""API schemas of the chemicals app."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from ninja import Schema
from pydantic import Field

from cityguard.core.schemas import Id, Strict, Text

from .choices import (
    BlacklistKind,
    FilingStatus,
    FlowKind,
    LicenceKind,
    LicenceStatus,
    UnitKind,
)

UnitKindName = Literal[tuple(UnitKind.values)]  # type: ignore[valid-type]
FlowKindName = Literal[tuple(FlowKind.values)]  # type: ignore[valid-type]
LicenceStatusName = Literal[tuple(LicenceStatus.values)]  # type: ignore[valid-type]
LicenceKindName = Literal[tuple(LicenceKind.values)]  # type: ignore[valid-type]
FilingStatusName = Literal[tuple(FilingStatus.values)]  # type: ignore[valid-type]
BlacklistKindName = Literal[tuple(BlacklistKind.values)]  # type: ignore[valid-type]
Quantity = Field(ge=0, le=1e7, allow_inf_nan=False)
ChemicalRef = Field(
    min_length=1, max_length=200, description="CAS number, Chinese name, alias or English name"
)
GradeRef = Field(
    None, max_length=200, description="grade that selects among entries sharing a name or CAS"
)


# --- the calculator ------------------------------------------------------------------------


class AssessItemIn(Strict):
    chemical: Text = ChemicalRef
    quantity_t: float = Field(ge=0, le=1e9, allow_inf_nan=False, description="q: design maximum, t")
    categories: list[Text] | None = Field(
        None,
        max_length=24,
        description="GB 18218 Table 2 symbols (W5.3 …); needed for a chemical not in the catalogue",
    )
    grade: Text | None = GradeRef


class AssessIn(Strict):
    items: list[AssessItemIn] = Field(min_length=1, max_length=500)
    exposed_population: float | None = Field(
        None,
        ge=0,
        le=1e7,
        allow_inf_nan=False,
        description="residents within 500 m outside the site; without it R and grade stay null",
    )


class AssessItemOut(Schema):
    chemical: str = Field(description="as given")
    name: str = Field(description="the catalogue's name, or as given when not in it")
    chemical_id: int | None
    quantity_t: float
    threshold_t: float | None
    threshold_source: str = Field(description="table1, table2 or none (does not count)")
    beta: float
    beta_source: str = Field(description="table3, table4 or default")
    categories: list[str]
    ratio: float


class AssessOut(Schema):
    standard: str
    s: float
    is_major: bool
    exposed_population: float | None
    alpha: float | None
    r: float | None
    grade: int | None
    items: list[AssessItemOut]


# --- catalogue -------------------------------------------------------------------------------


class SdsOut(Schema):
    hazards: str
    first_aid: str
    fire_fighting: str
    spill_response: str
    exposure_limits: str
    generated: bool


class ChemicalOut(Schema):
    id: int
    key: str
    name_zh: str
    name_en: str
    aliases: list[str]
    cas_numbers: list[str]
    un_number: str
    grade: str
    table1_no: int | None
    table1_threshold_t: float | None
    categories: list[str]
    threshold_t: float | None = Field(description="Q used for identification")
    beta: float = Field(description="β used for grading")
    highly_toxic: bool
    explosive_precursor: bool
    physical_state: str
    density_t_m3: float | None


class ChemicalDetailOut(ChemicalOut):
    notes: str
    sds: SdsOut | None


class ChemicalPatch(Strict):
    name_zh: Text | None = Field(None, min_length=1, max_length=200)
    name_en: Text | None = Field(None, max_length=200)
    aliases: list[Text] | None = Field(None, max_length=50)
    cas_numbers: list[Text] | None = Field(None, max_length=10)
    un_number: Text | None = Field(None, max_length=8)
    grade: Text | None = Field(None, max_length=200)
    categories: list[Text] | None = Field(None, max_length=24)
    table1_no: int | None = Field(None, ge=1, le=85)
    table3_beta: float | None = Field(None, ge=0, le=100, allow_inf_nan=False)
    highly_toxic: bool | None = None
    explosive_precursor: bool | None = None
    density_t_m3: float | None = Field(None, gt=0, le=30, allow_inf_nan=False)
    notes: Text | None = Field(None, max_length=5000)


# --- units -----------------------------------------------------------------------------------


class InventoryOut(Schema):
    chemical_id: int
    chemical: str
    max_quantity_t: float
    notes: str


class UnitOut(Schema):
    id: int
    organization: int
    organization_name: str
    kind: str
    name: str
    code: str
    boundary_note: str
    exposed_population: int | None
    lon: float | None
    lat: float | None
    jurisdiction: str
    is_active: bool
    s: float
    is_major: bool
    alpha: float | None
    r: float | None
    grade: int | None
    population_used: float | None
    population_source: str
    assessed_at: dt.datetime | None

    @staticmethod
    def resolve_organization(obj: Any) -> int:
        return obj.organization_id  # type: ignore[no-any-return]

    @staticmethod
    def resolve_organization_name(obj: Any) -> str:
        return obj.organization.name  # type: ignore[no-any-return]

    @staticmethod
    def resolve_jurisdiction(obj: Any) -> str:
        return obj.jurisdiction.code  # type: ignore[no-any-return]


class UnitDetailOut(UnitOut):
    inventories: list[InventoryOut]

    @staticmethod
    def resolve_inventories(obj: Any) -> list[dict[str, Any]]:
        return [
            {
                "chemical_id": i.chemical_id,
                "chemical": i.chemical.name_zh,
                "max_quantity_t": i.max_quantity_t,
                "notes": i.notes,
            }
            for i in obj.inventories.select_related("chemical").order_by("chemical__name_zh")
        ]


class UnitIn(Strict):
    organization: Id
    kind: UnitKindName
    name: Text = Field(min_length=1, max_length=200)
    code: Text = Field("", max_length=64)
    boundary_note: Text = Field("", max_length=500)
    exposed_population: int | None = Field(None, ge=0, le=10_000_000)
    lon: float | None = Field(None, ge=-180, le=180, allow_inf_nan=False)
    lat: float | None = Field(None, ge=-90, le=90, allow_inf_nan=False)
    is_active: bool = True


class UnitPatch(Strict):
    kind: UnitKindName | None = None
    name: Text | None = Field(None, min_length=1, max_length=200)
    code: Text | None = Field(None, max_length=64)
    boundary_note: Text | None = Field(None, max_length=500)
    exposed_population: int | None = Field(None, ge=0, le=10_000_000)
    lon: float | None = Field(None, ge=-180, le=180, allow_inf_nan=False)
    lat: float | None = Field(None, ge=-90, le=90, allow_inf_nan=False)
    is_active: bool | None = None


class InventoryItemIn(Strict):
    chemical: Text = ChemicalRef
    grade: Text | None = GradeRef
    max_quantity_t: float = Quantity
    notes: Text = Field("", max_length=500)


class InventoryIn(Strict):
    items: list[InventoryItemIn] = Field(max_length=500)


class AssessmentOut(Schema):
    id: int
    unit: int
    computed_at: dt.datetime
    trigger: str
    actor_name: str
    standard: str
    items: list[dict[str, Any]]
    population: float | None
    population_source: str
    population_detail: dict[str, Any]
    s: float
    is_major: bool
    alpha: float | None
    r: float | None
    grade: int | None
    parameters: dict[str, Any]

    @staticmethod
    def resolve_unit(obj: Any) -> int:
        return obj.unit_id  # type: ignore[no-any-return]


class SourceOut(Schema):
    id: int
    code: str
    unit: int
    unit_name: str
    organization: int
    organization_name: str
    grade: int | None
    status: str
    identified_at: dt.datetime
    retired_at: dt.datetime | None
    r: float | None
    s: float
    main_name: str
    main_phone: str
    technical_name: str
    technical_phone: str
    operational_name: str
    operational_phone: str

    @staticmethod
    def resolve_unit(obj: Any) -> int:
        return obj.unit_id  # type: ignore[no-any-return]

    @staticmethod
    def resolve_unit_name(obj: Any) -> str:
        return obj.unit.name  # type: ignore[no-any-return]

    @staticmethod
    def resolve_organization(obj: Any) -> int:
        return obj.organization_id  # type: ignore[no-any-return]

    @staticmethod
    def resolve_organization_name(obj: Any) -> str:
        return obj.organization.name  # type: ignore[no-any-return]

    @staticmethod
    def resolve_r(obj: Any) -> float | None:
        return obj.unit.r  # type: ignore[no-any-return]

    @staticmethod
    def resolve_s(obj: Any) -> float:
        return obj.unit.s  # type: ignore[no-any-return]


class SourcePatch(Strict):
    main_name: Text | None = Field(None, max_length=100)
    main_phone: Text | None = Field(None, max_length=40)
    technical_name: Text | None = Field(None, max_length=100)
    technical_phone: Text | None = Field(None, max_length=40)
    operational_name: Text | None = Field(None, max_length=100)
    operational_phone: Text | None = Field(None, max_length=40)


# --- licences --------------------------------------------------------------------------------


class LicenceOut(Schema):
    id: int
    number: str
    organization: int
    holder: str
    kind: str
    scope: str
    authority: str
    issued_on: dt.date
    valid_from: dt.date
    valid_until: dt.date
    status: str
    status_reason: str
    status_date: dt.date | None
    chemicals: list[int]

    @staticmethod
    def resolve_organization(obj: Any) -> int:
        return obj.organization_id  # type: ignore[no-any-return]

    @staticmethod
    def resolve_holder(obj: Any) -> str:
        return obj.organization.name  # type: ignore[no-any-return]

    @staticmethod
    def resolve_chemicals(obj: Any) -> list[int]:
        return [c.pk for c in obj.chemicals.all()]


class PublicLicenceOut(Schema):
    number: str
    holder: str
    scope: str
    issued_on: dt.date
    valid_until: dt.date
    cancelled_on: dt.date | None
    reason: str


class LicenceIn(Strict):
    organization: Id
    number: Text = Field(min_length=1, max_length=64)
    kind: LicenceKindName = "without_storage"
    scope: Text = Field("", max_length=5000)
    authority: Text = Field("", max_length=200)
    issued_on: dt.date
    valid_from: dt.date
    valid_until: dt.date
    chemicals: list[Text] = Field(default_factory=list, max_length=200)


class LicencePatch(Strict):
    """Corrections to a licence's particulars; the status changes through /status."""

    number: Text | None = Field(None, min_length=1, max_length=64)
    kind: LicenceKindName | None = None
    scope: Text | None = Field(None, max_length=5000)
    authority: Text | None = Field(None, max_length=200)
    issued_on: dt.date | None = None
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    chemicals: list[Text] | None = Field(None, max_length=200)


class LicenceStatusIn(Strict):
    status: LicenceStatusName
    reason: Text = Field("", max_length=5000)
    date: dt.date | None = None


# --- flows and stock ---------------------------------------------------------------------------


class FlowIn(Strict):
    organization: Id
    chemical: Text = ChemicalRef
    grade: Text | None = GradeRef
    kind: FlowKindName
    direction: Literal["in", "out"] | None = Field(None, description="for a transfer")
    occurred_at: dt.datetime | None = None
    quantity: float = Field(ge=0, le=1e9, allow_inf_nan=False)
    quantity_unit: Text = Field(max_length=16, description="t, kg, L or m3")
    density_t_m3: float | None = Field(None, gt=0, le=30, allow_inf_nan=False)
    counterparty: Id | None = Field(None, description="organisation id, when in the platform")
    counterparty_name: Text = Field("", max_length=200)
    counterparty_licence_no: Text = Field("", max_length=64)
    permit_no: Text = Field("", max_length=64)
    lot: Text = Field("", max_length=64)
    documents: Text = Field("", max_length=5000)
    notes: Text = Field("", max_length=5000)


class FlowOut(Schema):
    id: int
    organization: int
    chemical_id: int
    chemical: str
    kind: str
    direction: str
    occurred_at: dt.datetime
    quantity: float
    quantity_unit: str
    quantity_t: float
    counterparty: int | None
    counterparty_name: str
    counterparty_licence_no: str
    permit_no: str
    lot: str
    documents: str
    warnings: list[str]
    flagged: bool

    @staticmethod
    def resolve_organization(obj: Any) -> int:
        return obj.organization_id  # type: ignore[no-any-return]

    @staticmethod
    def resolve_chemical(obj: Any) -> str:
        return obj.chemical.name_zh  # type: ignore[no-any-return]

    @staticmethod
    def resolve_counterparty(obj: Any) -> int | None:
        return obj.counterparty_id  # type: ignore[no-any-return]


class StockCountIn(Strict):
    organization: Id
    chemical: Text = ChemicalRef
    grade: Text | None = GradeRef
    counted_at: dt.datetime | None = None
    quantity: float = Field(ge=0, le=1e9, allow_inf_nan=False)
    quantity_unit: Text = Field("t", max_length=16)
    density_t_m3: float | None = Field(None, gt=0, le=30, allow_inf_nan=False)
    notes: Text = Field("", max_length=5000)


class StockCountOut(Schema):
    id: int
    organization: int
    chemical_id: int
    chemical: str
    counted_at: dt.datetime
    quantity_t: float
    opening_t: float | None
    in_t: float
    out_t: float
    expected_t: float | None
    discrepancy_t: float | None
    flagged: bool
    resolved_at: dt.datetime | None

    @staticmethod
    def resolve_organization(obj: Any) -> int:
        return obj.organization_id  # type: ignore[no-any-return]

    @staticmethod
    def resolve_chemical(obj: Any) -> str:
        return obj.chemical.name_zh  # type: ignore[no-any-return]


class StockOut(Schema):
    organization: int
    chemical_id: int
    chemical: str
    stock_t: float
    at: dt.datetime


class TraceOut(Schema):
    lot: str
    nodes: list[dict[str, Any]]
    links: list[dict[str, Any]]
    flows: list[dict[str, Any]]


# --- transport -------------------------------------------------------------------------------


class FilingIn(Strict):
    organization: Id
    chemical: Text = ChemicalRef
    grade: Text | None = GradeRef
    quantity: float = Field(ge=0, le=1e9, allow_inf_nan=False)
    quantity_unit: Text = Field(max_length=16)
    density_t_m3: float | None = Field(None, gt=0, le=30, allow_inf_nan=False)
    vehicle_plate: Text = Field(min_length=1, max_length=16)
    trailer_plate: Text = Field("", max_length=16)
    driver_name: Text = Field(min_length=1, max_length=100)
    driver_id: Text = Field(min_length=1, max_length=32)
    escort_name: Text = Field(min_length=1, max_length=100)
    escort_id: Text = Field("", max_length=32)
    carrier_name: Text = Field(min_length=1, max_length=200)
    carrier_code: Text = Field("", max_length=64)
    origin: Text = Field(min_length=1, max_length=255)
    destination: Text = Field(min_length=1, max_length=255)
    route: Text = Field("", max_length=5000)
    window_start: dt.datetime
    window_end: dt.datetime


class FilingStatusIn(Strict):
    status: Literal["completed", "cancelled"]


class FilingOut(Schema):
    id: int
    organization: int
    chemical: str
    quantity_t: float
    vehicle_plate: str
    trailer_plate: str
    driver_name: str
    escort_name: str
    carrier_name: str
    origin: str
    destination: str
    route: str
    window_start: dt.datetime
    window_end: dt.datetime
    status: str

    @staticmethod
    def resolve_organization(obj: Any) -> int:
        return obj.organization_id  # type: ignore[no-any-return]

    @staticmethod
    def resolve_chemical(obj: Any) -> str:
        return obj.chemical.name_zh  # type: ignore[no-any-return]


class BlacklistIn(Strict):
    kind: BlacklistKindName
    identifier: Text = Field(min_length=1, max_length=64)
    name: Text = Field("", max_length=200)
    reason: Text = Field(min_length=1, max_length=5000)
    listed_on: dt.date | None = None


class BlacklistLiftIn(Strict):
    reason: Text = Field(min_length=1, max_length=5000)
    date: dt.date | None = None


class BlacklistOut(Schema):
    id: int
    kind: str
    identifier: str
    name: str
    reason: str
    listed_on: dt.date
    listed_by: str | None
    lifted_on: dt.date | None
    lifted_by: str | None
    lift_reason: str
    active: bool

    @staticmethod
    def resolve_listed_by(obj: Any) -> str | None:
        return obj.listed_by.get_username() if obj.listed_by_id else None

    @staticmethod
    def resolve_lifted_by(obj: Any) -> str | None:
        return obj.lifted_by.get_username() if obj.lifted_by_id else None
