"""API schemas of the hazards app."""

from datetime import date, datetime
from typing import Any, Literal

from django.urls import reverse
from ninja import Schema
from pydantic import Field

from cityguard.core.schemas import Id, Strict, Text

from .choices import (
    EventKind,
    HazardState,
    InspectionKind,
    InspectionState,
    LookBackReason,
    LookBackStatus,
    Outcome,
    RewardStatus,
    Severity,
    Source,
    TipStatus,
)

StateName = Literal[tuple(HazardState.values)]  # type: ignore[valid-type]
SeverityName = Literal[tuple(Severity.values)]  # type: ignore[valid-type]
SourceName = Literal[tuple(Source.values)]  # type: ignore[valid-type]
InspectionKindName = Literal[tuple(InspectionKind.values)]  # type: ignore[valid-type]
OutcomeName = Literal[tuple(Outcome.values)]  # type: ignore[valid-type]
RewardStatusName = Literal[tuple(RewardStatus.values)]  # type: ignore[valid-type]
TipStatusName = Literal[tuple(TipStatus.values)]  # type: ignore[valid-type]
LookBackStatusName = Literal[tuple(LookBackStatus.values)]  # type: ignore[valid-type]

Lon = Field(default=None, ge=-180, le=180, allow_inf_nan=False)
Lat = Field(default=None, ge=-90, le=90, allow_inf_nan=False)


def _label(choices: Any, value: str | None) -> str:
    if not value:
        return ""
    try:
        return str(choices(value).label)
    except ValueError:
        return value


class PhotoOut(Schema):
    id: int
    url: str
    content_type: str
    size: int
    width: int
    height: int
    original_name: str
    uploaded_at: datetime

    @staticmethod
    def resolve_url(obj: Any) -> str:
        return reverse("hazards:photo", args=[obj.pk])


class HazardOut(Schema):
    id: int
    reference: str = Field(description="YH + id, the number people quote")
    title: str
    description: str
    address: str
    source: str
    source_label: str
    domain: str = Field(description="risk domain code")
    domain_name: str
    severity: str
    severity_label: str
    state: str
    state_label: str
    organization: int | None
    organization_name: str | None
    place: int | None
    lon: float | None
    lat: float | None
    jurisdiction: str = Field(description="jurisdiction code")
    street: str | None = Field(description="street code")
    street_name: str | None
    deadline: date
    overdue: bool
    escalated: bool = Field(description="past its deadline and escalated to the district")
    escalated_at: datetime | None
    responsible_unit: int | None
    responsible_unit_name: str | None
    responsible_person: str
    responsible_phone: str
    assignee: str | None = Field(description="username")
    reported_by: str | None = Field(description="username")
    reported_at: datetime
    closed_at: datetime | None
    closed_on_time: bool | None
    is_recurrence: bool
    inspection: int | None
    updated_at: datetime
    actions: list[str] = Field(description="lifecycle actions the caller may take now")

    @staticmethod
    def resolve_source_label(obj: Any) -> str:
        return _label(Source, obj.source)

    @staticmethod
    def resolve_domain(obj: Any) -> str:
        return str(obj.domain.code)

    @staticmethod
    def resolve_domain_name(obj: Any) -> str:
        return str(obj.domain.name)

    @staticmethod
    def resolve_severity_label(obj: Any) -> str:
        return _label(Severity, obj.severity)

    @staticmethod
    def resolve_state_label(obj: Any) -> str:
        return _label(HazardState, obj.state)

    @staticmethod
    def resolve_organization(obj: Any) -> int | None:
        return obj.organization_id  # type: ignore[no-any-return]

    @staticmethod
    def resolve_organization_name(obj: Any) -> str | None:
        return obj.organization.name if obj.organization_id else None

    @staticmethod
    def resolve_place(obj: Any) -> int | None:
        return obj.place_id  # type: ignore[no-any-return]

    @staticmethod
    def resolve_jurisdiction(obj: Any) -> str:
        return str(obj.jurisdiction.code)

    @staticmethod
    def resolve_street(obj: Any) -> str | None:
        return obj.street.code if obj.street_id else None

    @staticmethod
    def resolve_street_name(obj: Any) -> str | None:
        return obj.street.name if obj.street_id else None

    @staticmethod
    def resolve_overdue(obj: Any) -> bool:
        return bool(obj.is_overdue())

    @staticmethod
    def resolve_escalated(obj: Any) -> bool:
        return obj.escalated_at is not None

    @staticmethod
    def resolve_responsible_unit(obj: Any) -> int | None:
        return obj.responsible_unit_id  # type: ignore[no-any-return]

    @staticmethod
    def resolve_responsible_unit_name(obj: Any) -> str | None:
        return obj.responsible_unit.name if obj.responsible_unit_id else None

    @staticmethod
    def resolve_assignee(obj: Any) -> str | None:
        return obj.assignee.get_username() if obj.assignee_id else None

    @staticmethod
    def resolve_reported_by(obj: Any) -> str | None:
        return obj.reported_by.get_username() if obj.reported_by_id else None

    @staticmethod
    def resolve_inspection(obj: Any) -> int | None:
        return obj.inspection_id  # type: ignore[no-any-return]

    @staticmethod
    def resolve_actions(obj: Any) -> list[str]:
        return list(getattr(obj, "caller_actions", []))


class EventOut(Schema):
    id: int
    kind: str
    kind_label: str
    from_state: str
    to_state: str
    actor: str | None = Field(description="username; empty for the system")
    at: datetime
    comment: str
    data: dict[str, Any]
    photos: list[PhotoOut]

    @staticmethod
    def resolve_kind_label(obj: Any) -> str:
        return _label(EventKind, obj.kind)

    @staticmethod
    def resolve_actor(obj: Any) -> str | None:
        return obj.actor.get_username() if obj.actor_id else None

    @staticmethod
    def resolve_photos(obj: Any) -> list[Any]:
        return list(obj.photos.all())


class MilestoneOut(Schema):
    id: int
    title: str
    due: date
    done_at: datetime | None


class PlanOut(Schema):
    measures: str
    funding: str
    responsible_person: str
    supervisor: str | None
    target_date: date
    milestones: list[MilestoneOut]
    updated_at: datetime

    @staticmethod
    def resolve_supervisor(obj: Any) -> str | None:
        return obj.supervisor.get_username() if obj.supervisor_id else None

    @staticmethod
    def resolve_milestones(obj: Any) -> list[Any]:
        return list(obj.milestones.all())


class HazardDetailOut(HazardOut):
    events: list[EventOut]
    photos: list[PhotoOut]
    plan: PlanOut | None

    @staticmethod
    def resolve_events(obj: Any) -> list[Any]:
        return list(obj.events.select_related("actor").prefetch_related("photos"))

    @staticmethod
    def resolve_photos(obj: Any) -> list[Any]:
        return list(obj.photos.all())

    @staticmethod
    def resolve_plan(obj: Any) -> Any:
        return getattr(obj, "plan", None)


class HazardIn(Strict):
    title: Text = Field(min_length=1, max_length=200)
    description: Text = Field("", max_length=5000)
    address: Text = Field("", max_length=255)
    source: SourceName
    domain: Text = Field(min_length=1, max_length=40, description="risk domain code, e.g. fire")
    severity: SeverityName = "general"
    organization: Id | None = None
    place: Id | None = None
    lon: float | None = Lon
    lat: float | None = Lat
    jurisdiction: Text | None = Field(None, max_length=32, description="code; else derived")
    deadline: date | None = Field(
        None, description="default: today + 30 days (general) or 90 days (major)"
    )
    responsible_unit: Id | None = None
    responsible_person: Text = Field("", max_length=100)
    responsible_phone: Text = Field("", max_length=40)


class TransitionIn(Strict):
    action: Text = Field(
        min_length=1,
        max_length=32,
        description="assign | start | submit | verify | reject (see the lifecycle)",
    )
    comment: Text = Field("", max_length=5000)
    # For "assign" only:
    deadline: date | None = None
    responsible_unit: Id | None = None
    responsible_person: Text | None = Field(None, max_length=100)
    responsible_phone: Text | None = Field(None, max_length=40)
    assignee: Text | None = Field(None, max_length=150, description="username")


class NoteIn(Strict):
    comment: Text = Field(min_length=1, max_length=5000)


class MilestoneIn(Strict):
    title: Text = Field(min_length=1, max_length=200)
    due: date
    done: bool | None = None


class PlanIn(Strict):
    measures: Text = Field(min_length=1, max_length=5000)
    funding: Text = Field("", max_length=200)
    responsible_person: Text = Field(min_length=1, max_length=100)
    target_date: date
    supervisor: Text | None = Field(None, max_length=150, description="a district user's username")
    milestones: list[MilestoneIn] = Field(min_length=1, max_length=50)


class HazardFilter(Schema):
    q: str | None = Field(None, max_length=100, description="title, description or address")
    state: StateName | None = None
    severity: SeverityName | None = None
    domain: str | None = Field(None, max_length=40, description="domain code")
    source: SourceName | None = None
    jurisdiction: str | None = Field(None, max_length=32, description="code; and below")
    organization: int | None = Field(None, ge=1, le=2**63 - 1)
    open: bool | None = None
    overdue: bool | None = None
    escalated: bool | None = None
    recurrence: bool | None = None
    mine: bool | None = Field(None, description="only the caller's tasks")


# --- checklists and inspections ----------------------------------------------------------


class ChecklistItemOut(Schema):
    id: int
    order: int
    text: str
    text_zh: str
    text_en: str
    basis: str
    major_if_failed: bool


class ChecklistOut(Schema):
    id: int
    code: str
    domain: str
    name: str
    name_zh: str
    name_en: str
    description: str
    is_active: bool
    items: list[ChecklistItemOut]

    @staticmethod
    def resolve_domain(obj: Any) -> str:
        return str(obj.domain.code)

    @staticmethod
    def resolve_items(obj: Any) -> list[Any]:
        return list(obj.items.all())


class ResultOut(Schema):
    item: int
    outcome: str
    note: str
    hazard: int | None

    @staticmethod
    def resolve_item(obj: Any) -> int:
        return obj.item_id  # type: ignore[no-any-return]

    @staticmethod
    def resolve_hazard(obj: Any) -> int | None:
        return obj.hazard_id  # type: ignore[no-any-return]


class InspectionOut(Schema):
    id: int
    organization: int
    organization_name: str
    place: int | None
    template: str | None = Field(description="checklist code")
    kind: str
    kind_label: str
    unannounced: bool
    state: str
    state_label: str
    planned_for: date | None
    inspector: str | None
    created_at: datetime
    done_at: datetime | None
    notes: str
    lookback: int | None

    @staticmethod
    def resolve_organization(obj: Any) -> int:
        return obj.organization_id  # type: ignore[no-any-return]

    @staticmethod
    def resolve_organization_name(obj: Any) -> str:
        return str(obj.organization.name)

    @staticmethod
    def resolve_place(obj: Any) -> int | None:
        return obj.place_id  # type: ignore[no-any-return]

    @staticmethod
    def resolve_template(obj: Any) -> str | None:
        return obj.template.code if obj.template_id else None

    @staticmethod
    def resolve_kind_label(obj: Any) -> str:
        return _label(InspectionKind, obj.kind)

    @staticmethod
    def resolve_state_label(obj: Any) -> str:
        return _label(InspectionState, obj.state)

    @staticmethod
    def resolve_inspector(obj: Any) -> str | None:
        return obj.inspector.get_username() if obj.inspector_id else None

    @staticmethod
    def resolve_lookback(obj: Any) -> int | None:
        return obj.lookback_id  # type: ignore[no-any-return]


class InspectionDetailOut(InspectionOut):
    results: list[ResultOut]
    hazards: list[int]

    @staticmethod
    def resolve_results(obj: Any) -> list[Any]:
        return list(obj.results.all())

    @staticmethod
    def resolve_hazards(obj: Any) -> list[int]:
        return list(obj.hazards.order_by("id").values_list("id", flat=True))


class InspectionIn(Strict):
    organization: Id
    place: Id | None = None
    template: Text | None = Field(None, max_length=40, description="checklist code")
    kind: InspectionKindName
    unannounced: bool = Field(False, description="四不两直: no notice, straight to the site")
    planned_for: date | None = None
    notes: Text = Field("", max_length=2000)


class InspectionFilter(Schema):
    state: Literal[tuple(InspectionState.values)] | None = None  # type: ignore[valid-type]
    kind: InspectionKindName | None = None
    organization: int | None = Field(None, ge=1, le=2**63 - 1)


class ResultIn(Strict):
    item: Id
    outcome: OutcomeName
    note: Text = Field("", max_length=500)
    severity: SeverityName | None = Field(None, description="for a fail; default from the item")


class ResultsIn(Strict):
    results: list[ResultIn] = Field(max_length=200)
    notes: Text | None = Field(None, max_length=2000)


# --- tips -------------------------------------------------------------------------------


class ChallengeOut(Schema):
    token: str
    question: str = Field(description="a small sum, e.g. “3 + 4”: send its value as `answer`")
    min_seconds: int = Field(description="send the tip no sooner than this after fetching")


class TipForm(Schema):
    """The public tip form (multipart/form-data, with an optional `photo` file)."""

    description: str = Field(max_length=5000)
    lon: float | None = Field(None, ge=-180, le=180, allow_inf_nan=False)
    lat: float | None = Field(None, ge=-90, le=90, allow_inf_nan=False)
    address: str = Field("", max_length=255)
    contact_name: str = Field("", max_length=100)
    contact_phone: str = Field("", max_length=40)
    token: str = Field("", max_length=500, description="from GET /hazards/tips/challenge")
    answer: str = Field("", max_length=10, description="the value of the challenge's sum")
    website: str = Field("", max_length=200, description="leave empty (honeypot)")


class TipCreatedOut(Schema):
    code: str = Field(description="tracking code: keep it to follow the tip")
    status_url: str
    detail: str


class TipStatusOut(Schema):
    code: str
    status: str
    status_label: str
    step: Literal["received", "dismissed", "rectifying", "closed"]
    step_label: str
    received_at: datetime
    triaged_at: datetime | None
    dismiss_reason: str
    hazard_state: str | None
    hazard_state_label: str
    closed_at: datetime | None
    reward_status: str | None
    reward_status_label: str


class RewardOut(Schema):
    amount: float
    status: str
    status_label: str
    decided_at: datetime | None
    note: str

    @staticmethod
    def resolve_status_label(obj: Any) -> str:
        return _label(RewardStatus, obj.status)


class TipOut(Schema):
    id: int
    code: str
    description: str
    address: str
    lon: float
    lat: float
    jurisdiction: str
    contact_name: str
    contact_phone: str
    status: str
    status_label: str
    created_at: datetime
    triaged_at: datetime | None
    dismiss_reason: str
    hazard: int | None
    photos: list[PhotoOut]
    reward: RewardOut | None

    @staticmethod
    def resolve_jurisdiction(obj: Any) -> str:
        return str(obj.jurisdiction.code)

    @staticmethod
    def resolve_status_label(obj: Any) -> str:
        return _label(TipStatus, obj.status)

    @staticmethod
    def resolve_hazard(obj: Any) -> int | None:
        return obj.hazard_id  # type: ignore[no-any-return]

    @staticmethod
    def resolve_photos(obj: Any) -> list[Any]:
        return list(obj.photos.all())

    @staticmethod
    def resolve_reward(obj: Any) -> Any:
        return getattr(obj, "reward", None)


class TriageIn(Strict):
    decision: Literal["accept", "dismiss"]
    reason: Text = Field("", max_length=2000, description="required to dismiss")
    title: Text | None = Field(None, max_length=200, description="to accept")
    domain: Text | None = Field(None, max_length=40, description="to accept: domain code")
    severity: SeverityName = "general"
    organization: Id | None = None
    deadline: date | None = None


class RewardIn(Strict):
    status: RewardStatusName
    amount: float | None = Field(None, ge=0, le=10_000_000, allow_inf_nan=False)
    note: Text = Field("", max_length=300)


class TipFilter(Schema):
    status: TipStatusName | None = None


# --- look-back and figures ----------------------------------------------------------------


class LookBackOut(Schema):
    id: int
    organization: int
    organization_name: str
    reason: str
    reason_label: str
    domain: str | None
    hazard: int | None
    source_date: date
    due_by: date
    status: str
    status_label: str
    sampled_at: datetime | None
    note: str

    @staticmethod
    def resolve_organization(obj: Any) -> int:
        return obj.organization_id  # type: ignore[no-any-return]

    @staticmethod
    def resolve_organization_name(obj: Any) -> str:
        return str(obj.organization.name)

    @staticmethod
    def resolve_reason_label(obj: Any) -> str:
        return _label(LookBackReason, obj.reason)

    @staticmethod
    def resolve_domain(obj: Any) -> str | None:
        return obj.domain.code if obj.domain_id else None

    @staticmethod
    def resolve_hazard(obj: Any) -> int | None:
        return obj.hazard_id  # type: ignore[no-any-return]

    @staticmethod
    def resolve_status_label(obj: Any) -> str:
        return _label(LookBackStatus, obj.status)


class LookBackFilter(Schema):
    status: LookBackStatusName | None = None


class CountOut(Schema):
    key: str
    label: str
    count: int


class StatsOut(Schema):
    total: int
    open: int
    open_major: int
    overdue: int
    escalated: int
    recurrences: int
    on_time_rate: float | None = Field(description="share of hazards closed by their deadline")
    by_state: list[CountOut]
    by_domain: list[CountOut]
    by_street: list[CountOut]
    by_month: list[CountOut] = Field(description="reported per month, last 12 months")
