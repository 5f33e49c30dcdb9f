"""API schemas of the plans app."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from ninja import Schema
from pydantic import Field

from cityguard.core.schemas import Id, Strict, Text
from cityguard.incidents.choices import IncidentType, Subtype

from .choices import DrillKind, PlanKind

KindName = Literal[tuple(PlanKind.values)]  # type: ignore[valid-type]
TypeName = Literal[tuple(IncidentType.values)]  # type: ignore[valid-type]
SubtypeName = Literal[tuple(Subtype.values)]  # type: ignore[valid-type]
DrillKindName = Literal[tuple(DrillKind.values)]  # type: ignore[valid-type]


class ActionIn(Strict):
    text: Text = Field(..., min_length=1, max_length=5000)
    responsible_role: Text = Field("", max_length=120)
    responsible_unit: Id | None = None


class ResponseLevelIn(Strict):
    level: int = Field(..., ge=1, le=4, description="1–4 = I–IV")
    trigger: Text = Field("", max_length=5000)
    actions: list[ActionIn] = Field(default_factory=list, max_length=200)


class PlanIn(Strict):
    title: Text = Field(..., min_length=1, max_length=200)
    code: Text = Field("", max_length=60)
    kind: KindName
    jurisdiction: str | None = Field(None, max_length=32, description="code; default: the owner's")
    organization: Id | None = None
    department: Text = Field("", max_length=120)
    summary: Text = Field("", max_length=20000)
    incident_types: list[TypeName] = Field(default_factory=list, description="empty: all")
    subtypes: list[SubtypeName] = Field(default_factory=list, description="empty: all")
    min_level: int = Field(1, ge=1, le=4)
    max_level: int = Field(4, ge=1, le=4)
    revision_months: int = Field(36, ge=1, le=120)
    last_revised: dt.date | None = None
    is_active: bool = True
    response_levels: list[ResponseLevelIn] | None = None


class PlanPatch(Strict):
    title: Text | None = Field(None, min_length=1, max_length=200)
    code: Text | None = Field(None, max_length=60)
    kind: KindName | None = None
    department: Text | None = Field(None, max_length=120)
    summary: Text | None = Field(None, max_length=20000)
    incident_types: list[TypeName] | None = None
    subtypes: list[SubtypeName] | None = None
    min_level: int | None = Field(None, ge=1, le=4)
    max_level: int | None = Field(None, ge=1, le=4)
    revision_months: int | None = Field(None, ge=1, le=120)
    last_revised: dt.date | None = None
    is_active: bool | None = None
    response_levels: list[ResponseLevelIn] | None = None


class ActionOut(Schema):
    id: int
    text: str
    responsible_role: str
    responsible_unit: int | None
    order: int

    @staticmethod
    def resolve_responsible_unit(obj: Any) -> int | None:
        return obj.responsible_unit_id  # type: ignore[no-any-return]


class ResponseLevelOut(Schema):
    level: int
    trigger: str
    actions: list[ActionOut]

    @staticmethod
    def resolve_actions(obj: Any) -> list[Any]:
        return list(obj.actions.all())


class AttachmentOut(Schema):
    id: int
    name: str
    size: int
    url: str

    @staticmethod
    def resolve_url(obj: Any) -> str:
        return str(obj.file.url)


class PlanOut(Schema):
    id: int
    title: str
    code: str
    kind: str
    jurisdiction: str
    organization: int | None
    department: str
    summary: str
    incident_types: list[str]
    subtypes: list[str]
    min_level: int
    max_level: int
    revision_months: int
    last_revised: dt.date | None
    next_due: dt.date | None
    is_active: bool
    response_levels: list[ResponseLevelOut]
    attachments: list[AttachmentOut]

    @staticmethod
    def resolve_jurisdiction(obj: Any) -> str:
        return str(obj.jurisdiction.code)

    @staticmethod
    def resolve_organization(obj: Any) -> int | None:
        return obj.organization_id  # type: ignore[no-any-return]

    @staticmethod
    def resolve_response_levels(obj: Any) -> list[Any]:
        return list(obj.response_levels.all())

    @staticmethod
    def resolve_attachments(obj: Any) -> list[Any]:
        return list(obj.attachments.all())


class PlanFilter(Schema):
    q: str | None = Field(None, max_length=100)
    kind: KindName | None = None
    incident_type: TypeName | None = None
    due_within_days: int | None = Field(None, ge=0, le=3650)
    is_active: bool | None = None


class DrillIn(Strict):
    plan: Id
    date: dt.date
    kind: DrillKindName
    title: Text = Field("", max_length=200)
    participants: Text = Field("", max_length=5000)
    participant_count: int = Field(0, ge=0, le=1_000_000)
    evaluation: Text = Field("", max_length=20000)
    problems: list[Text] = Field(default_factory=list, max_length=100)


class DrillPatch(Strict):
    date: dt.date | None = None
    kind: DrillKindName | None = None
    title: Text | None = Field(None, max_length=200)
    participants: Text | None = Field(None, max_length=5000)
    participant_count: int | None = Field(None, ge=0, le=1_000_000)
    evaluation: Text | None = Field(None, max_length=20000)
    problems: list[Text] = Field(default_factory=list, max_length=100, description="added")


class ProblemOut(Schema):
    id: int
    text: str
    hazard: int | None

    @staticmethod
    def resolve_hazard(obj: Any) -> int | None:
        return obj.hazard_id  # type: ignore[no-any-return]


class DrillOut(Schema):
    id: int
    plan: int
    plan_title: str
    date: dt.date
    kind: str
    title: str
    participants: str
    participant_count: int
    evaluation: str
    problems: list[ProblemOut]

    @staticmethod
    def resolve_plan(obj: Any) -> int:
        return obj.plan_id  # type: ignore[no-any-return]

    @staticmethod
    def resolve_plan_title(obj: Any) -> str:
        return str(obj.plan.title)

    @staticmethod
    def resolve_problems(obj: Any) -> list[Any]:
        return list(obj.problems.all())


class HazardOut(Schema):
    hazard: int
    problem: int


class ToHazardIn(Strict):
    domain: str | None = Field(None, max_length=40, description="risk domain code")
