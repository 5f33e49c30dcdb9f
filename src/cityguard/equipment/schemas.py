"""API schemas of the special-equipment app."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from ninja import Schema
from pydantic import Field

from cityguard.core.schemas import Id, Lat, Lon, Strict, Text

from .choices import EquipmentKind, EquipmentStatus, InspectionResult, InspectionState

KindName = Literal[tuple(EquipmentKind.values)]  # type: ignore[valid-type]
StatusName = Literal[tuple(EquipmentStatus.values)]  # type: ignore[valid-type]
ResultName = Literal[tuple(InspectionResult.values)]  # type: ignore[valid-type]
StateName = Literal[tuple(InspectionState.values)]  # type: ignore[valid-type]

JurisdictionCode = Field(
    None,
    max_length=32,
    description="jurisdiction code (derived from lon/lat, else from the place or user unit)",
)
Params = Field(
    None,
    description='kind-specific parameters, e.g. {"rated_load_kg": 1000, "rated_speed_ms": 1.75, '
    '"floors": 18} for an elevator; see docs/equipment.md',
)


class EquipmentOut(Schema):
    id: int
    name: str
    kind: str
    registration_no: str | None
    code: str
    status: str
    state: str = Field(description="ok, due_soon, overdue, unregistered or out_of_use (today)")
    model_name: str
    manufacturer: str
    organization: int = Field(alias="organization_id")
    organization_name: str
    place: int | None = Field(None, alias="place_id")
    place_kind: str | None
    maintenance_org: int | None = Field(None, alias="maintenance_org_id")
    maintenance_unit: str
    address: str
    parameters: dict[str, Any]
    interval_months: int | None
    installed_on: date | None
    registered_on: date | None
    last_inspection_on: date | None
    last_result: str
    next_inspection_due: date | None
    notes: str
    lon: float | None
    lat: float | None
    jurisdiction: str
    street: str | None
    updated_at: datetime

    @staticmethod
    def resolve_state(obj: Any) -> str:
        from . import config, services

        return str(obj.state(services.today(), config.due_days()))

    @staticmethod
    def resolve_organization_name(obj: Any) -> str:
        return str(obj.organization.name)

    @staticmethod
    def resolve_place_kind(obj: Any) -> str | None:
        return obj.place.kind if obj.place_id else None

    @staticmethod
    def resolve_jurisdiction(obj: Any) -> str:
        return str(obj.jurisdiction.code)

    @staticmethod
    def resolve_street(obj: Any) -> str | None:
        from cityguard.core.schemas import street_code

        return street_code(obj.jurisdiction.path)


class EquipmentIn(Strict):
    name: Text = Field(min_length=1, max_length=200)
    kind: KindName
    registration_no: Text | None = Field(None, max_length=40)
    code: Text = Field("", max_length=32)
    status: StatusName = EquipmentStatus.IN_USE.value
    model_name: Text = Field("", max_length=100)
    manufacturer: Text = Field("", max_length=200)
    organization: Id = Field(description="the user unit (使用单位): an organisation id")
    place: Id | None = None
    maintenance_org: Id | None = None
    maintenance_unit: Text = Field("", max_length=200)
    address: Text = Field("", max_length=255)
    parameters: dict[str, Any] | None = Params
    interval_months: int | None = Field(None, ge=1, le=120)
    installed_on: date | None = None
    registered_on: date | None = None
    notes: Text = Field("", max_length=5000)
    lon: float | None = Lon
    lat: float | None = Lat
    jurisdiction: Text | None = JurisdictionCode


class EquipmentPatch(Strict):
    name: Text | None = Field(None, min_length=1, max_length=200)
    kind: KindName | None = None
    registration_no: Text | None = Field(None, max_length=40)
    code: Text | None = Field(None, max_length=32)
    status: StatusName | None = None
    model_name: Text | None = Field(None, max_length=100)
    manufacturer: Text | None = Field(None, max_length=200)
    organization: Id | None = None
    place: Id | None = None
    maintenance_org: Id | None = None
    maintenance_unit: Text | None = Field(None, max_length=200)
    address: Text | None = Field(None, max_length=255)
    parameters: dict[str, Any] | None = Params
    interval_months: int | None = Field(None, ge=1, le=120)
    installed_on: date | None = None
    registered_on: date | None = None
    notes: Text | None = Field(None, max_length=5000)
    lon: float | None = Lon
    lat: float | None = Lat
    jurisdiction: Text | None = JurisdictionCode


class InspectionIn(Strict):
    inspected_on: date
    result: ResultName
    body: Text = Field("", max_length=200, description="the inspecting body")
    report_no: Text = Field("", max_length=60)
    next_due: date | None = Field(
        None, description="default: the inspection date plus the unit's interval (fail: at once)"
    )
    notes: Text = Field("", max_length=5000)


class InspectionOut(Schema):
    id: int
    equipment: int = Field(alias="equipment_id")
    inspected_on: date
    result: str
    body: str
    report_no: str
    next_due: date
    notes: str
    created_at: datetime


class ReminderOut(Schema):
    id: int
    equipment: int = Field(alias="equipment_id")
    equipment_name: str
    organization: int
    due_on: date
    kind: str
    raised_at: datetime
    escalated_at: datetime | None
    resolved_at: datetime | None
    notified: int

    @staticmethod
    def resolve_equipment_name(obj: Any) -> str:
        return str(obj.equipment.name)

    @staticmethod
    def resolve_organization(obj: Any) -> int:
        return int(obj.equipment.organization_id)


class IntervalOut(Schema):
    kind: str
    label: str
    months: int
