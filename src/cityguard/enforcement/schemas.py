"""API schemas of the enforcement app."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from ninja import Schema
from pydantic import Field

from cityguard.core.choices import OrganizationKind
from cityguard.core.schemas import Id, Strict, Text

from .choices import (
    Channel,
    Circumstance,
    FindingSeverity,
    InspectionType,
    ItemResult,
    OrderKind,
    PenaltyKind,
    ReviewOutcome,
)

TypeName = Literal[tuple(InspectionType.values)]  # type: ignore[valid-type]
KindName = Literal[tuple(OrganizationKind.values)]  # type: ignore[valid-type]
RiskName = Literal["major", "large", "general", "low"]
ResultName = Literal[tuple(ItemResult.values)]  # type: ignore[valid-type]
SeverityName = Literal[tuple(FindingSeverity.values)]  # type: ignore[valid-type]
OrderKindName = Literal[tuple(OrderKind.values)]  # type: ignore[valid-type]
PenaltyKindName = Literal[tuple(PenaltyKind.values)]  # type: ignore[valid-type]
CircumstanceName = Literal[tuple(Circumstance.values)]  # type: ignore[valid-type]
OutcomeName = Literal[tuple(ReviewOutcome.values)]  # type: ignore[valid-type]
ChannelName = Literal[tuple(Channel.values)]  # type: ignore[valid-type]
RecheckName = Literal["passed", "failed"]
Money = Field(None, ge=0, le=Decimal("999999999999"), max_digits=14, decimal_places=2)


class OfficerIn(Strict):
    name: Text = Field(min_length=1, max_length=100)
    jurisdiction: Text | None = Field(None, max_length=32, description="district or street code")
    department: Text = Field("", max_length=100)
    certificate_no: Text = Field("", max_length=40)
    issuing_body: Text = Field("", max_length=100)
    valid_until: date | None = None
    training_hours: Decimal = Field(Decimal(0), ge=0, le=Decimal("99999"), decimal_places=1)
    phone: Text = Field("", max_length=40)
    user: Text | None = Field(None, max_length=150, description="username to link")
    is_active: bool = True


class OfficerPatch(Strict):
    name: Text | None = Field(None, min_length=1, max_length=100)
    jurisdiction: Text | None = Field(None, max_length=32)
    department: Text | None = Field(None, max_length=100)
    certificate_no: Text | None = Field(None, max_length=40)
    issuing_body: Text | None = Field(None, max_length=100)
    valid_until: date | None = None
    training_hours: Decimal | None = Field(None, ge=0, le=Decimal("99999"), decimal_places=1)
    phone: Text | None = Field(None, max_length=40)
    user: Text | None = Field(None, max_length=150)
    is_active: bool | None = None


class OfficerOut(Schema):
    id: int
    name: str
    jurisdiction: str
    department: str
    certificate_no: str
    issuing_body: str
    valid_until: date | None
    training_hours: float
    is_active: bool
    qualified: bool
    user: str | None


class PlanIn(Strict):
    title: Text = Field(min_length=1, max_length=200)
    inspection_type: TypeName
    period_start: date
    period_end: date
    jurisdiction: Text | None = Field(None, max_length=32, description="district or street code")
    kinds: list[KindName] = Field(default_factory=list, max_length=20)
    risk_levels: list[RiskName] = Field(default_factory=list, max_length=4)
    target_count: int = Field(ge=1, le=10000)
    officers_per_target: int = Field(2, ge=2, le=10)


class DrawIn(Strict):
    seed: int | None = Field(None, ge=0, le=2**63 - 1)


class TargetOut(Schema):
    position: int
    organization_id: int
    organization: str
    officers: list[dict[str, Any]]
    inspected: bool


class PlanOut(Schema):
    id: int
    title: str
    jurisdiction: str
    inspection_type: str
    period_start: date
    period_end: date
    kinds: list[str]
    risk_levels: list[str]
    target_count: int
    officers_per_target: int
    status: str
    seed: int | None
    pool_size: int
    officer_pool_size: int
    drawn_at: datetime | None
    published_at: datetime | None
    targets: list[TargetOut] = []
    reproducible: bool | None = None


class ItemIn(Strict):
    text: Text = Field(min_length=1, max_length=300)
    result: ResultName
    note: Text = Field("", max_length=500)
    severity: SeverityName | None = None


class FindingIn(Strict):
    description: Text = Field(min_length=1, max_length=500)
    severity: SeverityName = "general"


class InspectionIn(Strict):
    organization: Id | None = None
    target: Id | None = Field(None, description="plan target id, from a drawn plan")
    inspection_type: TypeName | None = None
    date: date
    unannounced: bool = False
    officers: list[Id] = Field(max_length=20)
    summary: Text = Field("", max_length=5000)
    items: list[ItemIn] = Field(default_factory=list, max_length=100)
    findings: list[FindingIn] = Field(default_factory=list, max_length=100)
    to_hazards: bool = True


class FindingOut(Schema):
    id: int
    description: str
    severity: str
    hazard_id: int | None
    is_open: bool


class InspectionOut(Schema):
    id: int
    organization_id: int
    organization: str
    inspection_type: str
    date: date
    unannounced: bool
    officers: list[str]
    passed: bool
    plan_id: int | None


class InspectionDetailOut(InspectionOut):
    summary: str
    items: list[dict[str, Any]]
    findings: list[FindingOut]
    evidence: list[dict[str, Any]]


class CaseIn(Strict):
    title: Text = Field(min_length=1, max_length=200)
    organization: Id | None = None
    inspection: Id | None = None
    facts: Text = Field("", max_length=5000)


class EventIn(Strict):
    kind: Literal["investigation", "note"]
    summary: Text = Field(min_length=1, max_length=5000)


class OrderIn(Strict):
    kind: OrderKindName
    content: Text = Field(min_length=1, max_length=5000)
    issued_on: date | None = None
    deadline: date | None = None


class RecheckIn(Strict):
    result: RecheckName
    note: Text = Field("", max_length=500)
    rechecked_on: date | None = None


class PenaltyIn(Strict):
    kind: PenaltyKindName
    rule: Text | None = Field(None, max_length=40, description="discretion rule code")
    circumstance: CircumstanceName | None = None
    amount: Decimal | None = Money
    mitigation_reason: Text = Field("", max_length=500)


class DraftIn(Strict):
    content: Text = Field(min_length=1, max_length=5000)


class ReviewIn(Strict):
    outcome: OutcomeName
    opinion: Text = Field(min_length=1, max_length=5000)


class PublicationIn(Strict):
    channel: ChannelName
    published_on: date | None = None
    reference: Text = Field("", max_length=300)


class CloseIn(Strict):
    reason: Text = Field("", max_length=300)


class CaseOut(Schema):
    id: int
    number: str
    title: str
    organization_id: int
    organization: str
    street: str | None
    state: str
    filed_at: datetime
    concluded_at: datetime | None
    decision: str | None
    major: bool


class CaseDetailOut(CaseOut):
    facts: str
    inspection_id: int | None
    close_reason: str
    events: list[dict[str, Any]]
    orders: list[dict[str, Any]]
    penalties: list[dict[str, Any]]
    decision_detail: dict[str, Any] | None
    complete_record: bool


class RuleOut(Schema):
    code: str
    violation: str
    legal_basis: str
    legal_min: Decimal
    legal_max: Decimal
    bands: list[dict[str, Any]]


class RateOut(Schema):
    code: str
    numerator: int
    denominator: int
    value: float | None
    target: float
    on_target: bool | None


class RatesOut(Schema):
    start: date
    end: date
    street: str | None
    rates: list[RateOut]


class PublicDecisionOut(Schema):
    number: str
    party: str
    violation: str
    penalties: list[str]
    issued_on: date
    published_on: date
    channel: str


class StaffPage(Schema):
    items: list[OfficerOut]
    count: int


class PlanPage(Schema):
    items: list[PlanOut]
    count: int


class InspectionPage(Schema):
    items: list[InspectionOut]
    count: int


class CasePage(Schema):
    items: list[CaseOut]
    count: int


class PublicPage(Schema):
    items: list[PublicDecisionOut]
    count: int
