"""API schemas of the permits app."""

from datetime import datetime
from typing import Any, Literal

from ninja import Schema
from pydantic import Field

from cityguard.core.schemas import Id, Strict, Text

from .choices import EventKind, PermitState, WorkKind

KindName = Literal[tuple(WorkKind.values)]  # type: ignore[valid-type]
StateName = Literal[tuple(PermitState.values)]  # type: ignore[valid-type]


class ApprovalOut(Schema):
    position: int
    code: str
    role: str
    signed_by: str | None
    signed_at: datetime | None
    opinion: str

    @staticmethod
    def resolve_role(obj: Any) -> str:
        return str(obj.role_label)

    @staticmethod
    def resolve_signed_by(obj: Any) -> str | None:
        return obj.signed_by.username if obj.signed_by_id else None


class GasTestOut(Schema):
    id: int
    analysed_at: datetime
    analyst: str
    sample_point: str
    o2_pct: float | None
    combustible_pct: float | None
    lel_pct: float | None
    toxic: list[dict[str, Any]]
    enriched: bool
    passed: bool
    failures: list[str]


class EventOut(Schema):
    kind: str
    kind_label: str
    at: datetime
    actor: str | None
    note: str

    @staticmethod
    def resolve_kind_label(obj: Any) -> str:
        return str(EventKind(obj.kind).label)

    @staticmethod
    def resolve_actor(obj: Any) -> str | None:
        return obj.actor.username if obj.actor_id else None


class PermitOut(Schema):
    id: int
    number: str
    organization: int
    organization_name: str
    kind: str
    kind_label: str
    grade: str
    grade_label: str
    place: int | None
    location: str
    hazardous_area: bool
    content: str
    applicant: str
    guardian: str
    workers: list[str]
    hazards: str
    measures: list[str]
    other_measures: str
    valid_from: datetime
    valid_to: datetime
    state: str
    state_label: str
    approved_at: datetime | None
    started_at: datetime | None
    closed_at: datetime | None

    @staticmethod
    def resolve_organization(obj: Any) -> int:
        return int(obj.organization_id)

    @staticmethod
    def resolve_organization_name(obj: Any) -> str:
        return str(obj.organization.name)

    @staticmethod
    def resolve_kind_label(obj: Any) -> str:
        return str(WorkKind(obj.kind).label)

    @staticmethod
    def resolve_place(obj: Any) -> int | None:
        return obj.place_id  # type: ignore[no-any-return]

    @staticmethod
    def resolve_applicant(obj: Any) -> str:
        return str(obj.applicant.username)

    @staticmethod
    def resolve_workers(obj: Any) -> list[str]:
        return list(obj.worker_list)

    @staticmethod
    def resolve_state_label(obj: Any) -> str:
        return str(PermitState(obj.state).label)


class PermitDetailOut(PermitOut):
    approvals: list[ApprovalOut]
    gas_tests: list[GasTestOut]
    events: list[EventOut]
    next_step: int | None
    actions: list[str]

    @staticmethod
    def resolve_approvals(obj: Any) -> list[Any]:
        return list(obj.approvals.select_related("signed_by").order_by("position"))

    @staticmethod
    def resolve_gas_tests(obj: Any) -> list[Any]:
        return list(obj.gas_tests.order_by("-analysed_at", "-id"))

    @staticmethod
    def resolve_events(obj: Any) -> list[Any]:
        return list(obj.events.select_related("actor").order_by("at", "id"))

    @staticmethod
    def resolve_next_step(obj: Any) -> int | None:
        step = obj.approvals.filter(signed_at__isnull=True).order_by("position").first()
        return step.position if step and obj.state == "applied" else None

    @staticmethod
    def resolve_actions(obj: Any) -> list[str]:
        return sorted(getattr(obj, "caller_actions", set()))


class PermitIn(Strict):
    organization: Id
    kind: KindName
    grade: Text = Field(default="", max_length=16)
    place: Id | None = None
    location: Text = Field(default="", max_length=255)
    hazardous_area: bool = False
    content: Text = Field(min_length=1, max_length=4000)
    guardian: Text = Field(min_length=1, max_length=100)
    workers: list[Text] = Field(min_length=1, max_length=50)
    hazards: Text = Field(min_length=1, max_length=4000)
    measures: list[Text] = Field(default_factory=list, max_length=30)
    other_measures: Text = Field(default="", max_length=4000)
    valid_from: datetime
    valid_to: datetime


class ToxicIn(Strict):
    gas: Text = Field(min_length=1, max_length=40)
    value: float = Field(ge=0, allow_inf_nan=False)
    limit: float = Field(gt=0, allow_inf_nan=False)


class GasTestIn(Strict):
    analysed_at: datetime
    analyst: Text = Field(min_length=1, max_length=100)
    sample_point: Text = Field(default="", max_length=200)
    o2_pct: float | None = Field(default=None, ge=0, le=100, allow_inf_nan=False)
    combustible_pct: float | None = Field(default=None, ge=0, le=100, allow_inf_nan=False)
    lel_pct: float | None = Field(default=None, gt=0, le=100, allow_inf_nan=False)
    toxic: list[ToxicIn] = Field(default_factory=list, max_length=10)
    enriched: bool = False


class ApproveIn(Strict):
    step: int = Field(ge=1, le=20)
    opinion: Text = Field(default="", max_length=2000)


class ReasonIn(Strict):
    reason: Text = Field(min_length=1, max_length=2000)


class CloseIn(Strict):
    site_cleared: bool
    note: Text = Field(default="", max_length=2000)


class PermitFilter(Schema):
    state: StateName | None = None
    kind: KindName | None = None
    organization: Id | None = None
    street: Text | None = Field(default=None, max_length=32)
    q: Text | None = Field(default=None, max_length=100)
    live: bool | None = None
