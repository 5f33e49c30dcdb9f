"""API schemas of the incidents app."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from ninja import Schema
from pydantic import Field, StrictInt

from cityguard.core.schemas import Id, Strict, Text

from . import grading
from .choices import DispatchStatus, IncidentType, Source, Status, Subtype, TaskStatus

SourceName = Literal[tuple(Source.values)]  # type: ignore[valid-type]
TypeName = Literal[tuple(IncidentType.values)]  # type: ignore[valid-type]
SubtypeName = Literal[tuple(Subtype.values)]  # type: ignore[valid-type]
StatusName = Literal[tuple(Status.values)]  # type: ignore[valid-type]
Figure = Field(0, ge=0, le=2**63 - 1)
MaybeFigure = Field(None, ge=0, le=2**63 - 1)


class GradeIn(Strict):
    deaths: StrictInt = Figure
    serious_injuries: StrictInt = Figure
    direct_loss_cny: StrictInt = Figure


class GradeOut(Schema):
    level: int
    name_zh: str
    name_en: str
    criterion: str = Field(description="deaths | serious_injuries | direct_loss_cny | '' (level 4)")


class IncidentIn(Strict):
    title: Text = Field(..., min_length=1, max_length=200)
    description: Text = Field("", max_length=20000)
    source: SourceName
    type: TypeName | None = None
    subtype: SubtypeName
    address: Text = Field("", max_length=255)
    occurred_at: datetime | None = None
    reported_at: datetime | None = None
    lon: float | None = Field(None, ge=-180, le=180, allow_inf_nan=False)
    lat: float | None = Field(None, ge=-90, le=90, allow_inf_nan=False)
    deaths: StrictInt = Figure
    serious_injuries: StrictInt = Figure
    direct_loss_cny: StrictInt = Figure
    chemical: Text = Field("", max_length=120)
    release_rate_g_s: float | None = Field(None, gt=0, allow_inf_nan=False)
    source_height_m: float | None = Field(None, ge=0, allow_inf_nan=False)


class IncidentPatch(Strict):
    title: Text | None = Field(None, min_length=1, max_length=200)
    description: Text | None = Field(None, max_length=20000)
    source: SourceName | None = None
    type: TypeName | None = None
    subtype: SubtypeName | None = None
    address: Text | None = Field(None, max_length=255)
    occurred_at: datetime | None = None
    lon: float | None = Field(None, ge=-180, le=180, allow_inf_nan=False)
    lat: float | None = Field(None, ge=-90, le=90, allow_inf_nan=False)
    deaths: StrictInt | None = MaybeFigure
    serious_injuries: StrictInt | None = MaybeFigure
    direct_loss_cny: StrictInt | None = MaybeFigure
    chemical: Text | None = Field(None, max_length=120)
    release_rate_g_s: float | None = Field(None, gt=0, allow_inf_nan=False)
    source_height_m: float | None = Field(None, ge=0, allow_inf_nan=False)
    lessons: Text | None = Field(None, max_length=20000)


class IncidentOut(Schema):
    id: int
    title: str
    description: str
    source: str
    type: str
    subtype: str
    address: str
    occurred_at: datetime
    reported_at: datetime
    lon: float | None
    lat: float | None
    jurisdiction: str = Field(description="the jurisdiction's code")
    deaths: int
    serious_injuries: int
    direct_loss_cny: int
    level: int
    level_name_zh: str
    level_name_en: str
    level_criterion: str
    status: str
    plan: int | None
    response_level: int | None
    activated_at: datetime | None
    closed_at: datetime | None
    alarm_ref: str
    chemical: str
    release_rate_g_s: float | None
    source_height_m: float | None
    lessons: str

    @staticmethod
    def resolve_jurisdiction(obj: Any) -> str:
        return str(obj.jurisdiction.code)

    @staticmethod
    def resolve_level_name_en(obj: Any) -> str:
        return grading.NAMES_EN[obj.level]

    @staticmethod
    def resolve_plan(obj: Any) -> int | None:
        return obj.plan_id  # type: ignore[no-any-return]


class IncidentFilter(Schema):
    q: str | None = Field(None, max_length=100)
    status: StatusName | None = None
    type: TypeName | None = None
    subtype: SubtypeName | None = None
    level: int | None = Field(None, ge=1, le=4)
    jurisdiction: str | None = Field(None, max_length=32)
    occurred_from: datetime | None = None
    occurred_to: datetime | None = None


class EventOut(Schema):
    id: int
    at: datetime
    actor: str | None
    kind: str
    summary: str
    text: str
    data: dict[str, Any]

    @staticmethod
    def resolve_actor(obj: Any) -> str | None:
        return obj.actor.get_username() if obj.actor_id else None

    @staticmethod
    def resolve_summary(obj: Any) -> str:
        from .services import describe

        return describe(obj)


class NoteIn(Strict):
    text: Text = Field(..., min_length=1, max_length=5000)


class ProposalOut(Schema):
    plan: int
    title: str
    kind: str
    reason: str
    response_level: int
    has_checklist: bool


class ActivateIn(Strict):
    plan: Id | None = Field(None, description="none: only list the matching plans")
    response_level: int | None = Field(None, ge=1, le=4, description="1–4 = I–IV")


class TaskOut(Schema):
    id: int
    text: str
    responsible_role: str
    organization: int | None
    organization_name: str | None
    status: str
    order: int
    done_at: datetime | None

    @staticmethod
    def resolve_organization(obj: Any) -> int | None:
        return obj.organization_id  # type: ignore[no-any-return]

    @staticmethod
    def resolve_organization_name(obj: Any) -> str | None:
        return obj.organization.name if obj.organization_id else None


class ActivationOut(Schema):
    incident: IncidentOut
    tasks: list[TaskOut]


class TaskIn(Strict):
    text: Text = Field(..., min_length=1, max_length=5000)
    responsible_role: Text = Field("", max_length=120)
    organization: Id | None = None


class TaskStatusIn(Strict):
    status: Literal[tuple(TaskStatus.values)]  # type: ignore[valid-type]


class DispatchIn(Strict):
    kind: Literal["team", "material"]
    team: Id | None = None
    warehouse: Id | None = None
    material: Id | None = None
    quantity: Decimal | None = Field(None, gt=0, max_digits=14, decimal_places=2)
    note: Text = Field("", max_length=2000)


class DispatchStatusIn(Strict):
    status: Literal[tuple(DispatchStatus.values)]  # type: ignore[valid-type]
    note: Text = Field("", max_length=2000)


class DispatchOut(Schema):
    id: int
    kind: str
    name: str
    team: int | None
    warehouse: int | None
    material: int | None
    movement: int | None
    quantity: Decimal | None
    unit: str
    status: str
    note: str
    requested_at: datetime
    dispatched_at: datetime | None
    arrived_at: datetime | None
    returned_at: datetime | None

    @staticmethod
    def resolve_team(obj: Any) -> int | None:
        return obj.team_id  # type: ignore[no-any-return]

    @staticmethod
    def resolve_warehouse(obj: Any) -> int | None:
        return obj.warehouse_id  # type: ignore[no-any-return]

    @staticmethod
    def resolve_material(obj: Any) -> int | None:
        return obj.material_id  # type: ignore[no-any-return]

    @staticmethod
    def resolve_movement(obj: Any) -> int | None:
        return obj.movement_id  # type: ignore[no-any-return]
