"""API schemas of the risk register."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from ninja import Schema
from pydantic import Field

from cityguard.core.schemas import Id, Lat, Lon, Strict, Text, street_code

from .choices import ControlTier, RiskLevel
from .choices import level_label as _level_label

LevelName = Literal[tuple(RiskLevel.values)]  # type: ignore[valid-type]
TierName = Literal[tuple(ControlTier.values)]  # type: ignore[valid-type]
MethodName = Literal["lec", "matrix"]

# Scale values are checked by the scoring module, which names the values allowed; a
# plain number here lets a wrong one reach it instead of a generic range message.
Factor = Field(None, allow_inf_nan=False)


class DomainOut(Schema):
    code: str
    name: str
    name_zh: str
    name_en: str
    category: str
    is_active: bool


class ScoreIn(Strict):
    method: MethodName
    l: float | None = Field(None, description="LEC likelihood: 10, 6, 3, 1, 0.5, 0.2, 0.1")  # noqa: E741
    e: float | None = Field(None, description="LEC exposure: 10, 6, 3, 2, 1, 0.5")
    c: float | None = Field(None, description="LEC consequence: 100, 40, 15, 7, 3, 1")
    likelihood: float | None = Field(None, description="matrix likelihood 1–5")
    severity: float | None = Field(None, description="matrix severity 1–5")


class ScoreOut(Schema):
    method: str
    score: float
    level: str = Field(description="major | large | general | low")
    colour: str = Field(description="red | orange | yellow | blue")


class AssessmentIn(ScoreIn):
    assessed_at: datetime | None = Field(None, description="default: now")
    assessor: Text = Field("", max_length=100)
    notes: Text = Field("", max_length=5000)


class AssessmentOut(Schema):
    id: int
    risk_point: int
    method: str
    l: float | None  # noqa: E741
    e: float | None
    c: float | None
    likelihood: int | None
    severity: int | None
    score: float | None
    level: str
    colour: str
    assessed_at: datetime
    assessed_by: str | None
    assessor: str
    notes: str
    next_due: date | None

    @staticmethod
    def resolve_risk_point(obj: Any) -> int:
        return obj.risk_point_id  # type: ignore[no-any-return]

    @staticmethod
    def resolve_colour(obj: Any) -> str:
        from .scoring import COLOURS

        return COLOURS.get(obj.level, "")

    @staticmethod
    def resolve_assessed_by(obj: Any) -> str | None:
        return obj.assessed_by.get_username() if obj.assessed_by_id else None


class ControlMeasureOut(Schema):
    id: int
    description: str
    tier: str
    responsible_person: str
    responsible_phone: str
    order: int


class ControlMeasureIn(Strict):
    description: Text = Field(min_length=1, max_length=2000)
    tier: TierName
    responsible_person: Text = Field("", max_length=100)
    responsible_phone: Text = Field("", max_length=40)


class OriginOut(Schema):
    type: str
    id: int


class RiskPointOut(Schema):
    id: int
    name: str
    domain: str
    domain_name: str
    organization: int | None
    organization_name: str | None
    place: int | None
    address: str
    description: str
    control_tier: str
    responsible_person: str
    responsible_phone: str
    is_active: bool
    level: str | None
    level_label: str
    colour: str | None
    score: float | None
    method: str | None
    assessed_at: datetime | None
    next_due: date | None
    overdue: bool
    lon: float | None
    lat: float | None
    jurisdiction: str
    street: str | None
    origin: OriginOut | None
    measures: list[ControlMeasureOut] = []
    updated_at: datetime

    @staticmethod
    def resolve_domain(obj: Any) -> str:
        return obj.domain.code  # type: ignore[no-any-return]

    @staticmethod
    def resolve_domain_name(obj: Any) -> str:
        return obj.domain.name  # type: ignore[no-any-return]

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
    def resolve_level(obj: Any) -> str | None:
        return obj.level or None

    @staticmethod
    def resolve_level_label(obj: Any) -> str:
        return _level_label(obj.level)

    @staticmethod
    def resolve_colour(obj: Any) -> str | None:
        from .scoring import COLOURS

        return COLOURS.get(obj.level)

    @staticmethod
    def resolve_method(obj: Any) -> str | None:
        return obj.method or None

    @staticmethod
    def resolve_overdue(obj: Any) -> bool:
        from django.utils import timezone

        return bool(obj.is_active and obj.next_due and obj.next_due < timezone.localdate())

    @staticmethod
    def resolve_jurisdiction(obj: Any) -> str:
        return obj.jurisdiction.code  # type: ignore[no-any-return]

    @staticmethod
    def resolve_street(obj: Any) -> str | None:
        return street_code(obj.jurisdiction.path)

    @staticmethod
    def resolve_origin(obj: Any) -> dict[str, Any] | None:
        if not obj.origin_type_id:
            return None
        ct = obj.origin_type
        return {"type": f"{ct.app_label}.{ct.model}", "id": obj.origin_id}

    @staticmethod
    def resolve_measures(obj: Any) -> list[Any]:
        return list(getattr(obj, "shown_measures", None) or [])


class RiskPointIn(Strict):
    name: Text = Field(min_length=1, max_length=200)
    domain: Text = Field(min_length=1, max_length=40, description="domain code, see /risk/domains")
    organization: Id | None = None
    place: Id | None = None
    address: Text = Field("", max_length=255)
    description: Text = Field("", max_length=5000)
    control_tier: TierName | Literal[""] = ""
    responsible_person: Text = Field("", max_length=100)
    responsible_phone: Text = Field("", max_length=40)
    lon: float | None = Lon
    lat: float | None = Lat
    jurisdiction: Text | None = Field(
        None,
        max_length=32,
        description="code; derived from lon/lat (or the organisation) if omitted",
    )
    measures: list[ControlMeasureIn] = Field(default_factory=list, max_length=50)


class RiskPointPatch(Strict):
    name: Text | None = Field(None, min_length=1, max_length=200)
    domain: Text | None = Field(None, min_length=1, max_length=40)
    organization: Id | None = None
    place: Id | None = None
    address: Text | None = Field(None, max_length=255)
    description: Text | None = Field(None, max_length=5000)
    control_tier: TierName | Literal[""] | None = None
    responsible_person: Text | None = Field(None, max_length=100)
    responsible_phone: Text | None = Field(None, max_length=40)
    is_active: bool | None = None
    lon: float | None = Lon
    lat: float | None = Lat
    jurisdiction: Text | None = Field(None, max_length=32)
    measures: list[ControlMeasureIn] | None = Field(
        None, max_length=50, description="when given, replaces the measures"
    )


class RiskPointFilter(Schema):
    q: str | None = Field(
        None, max_length=100, description="name, description or organisation contains"
    )
    level: LevelName | Literal["unassessed"] | None = None
    domain: str | None = Field(None, max_length=40, description="domain code")
    jurisdiction: str | None = Field(
        None, max_length=32, description="code; includes everything below"
    )
    organization: int | None = Field(None, ge=1, le=2**63 - 1)
    overdue: bool | None = None
    is_active: bool | None = Field(True, description="default: active points only")


class LevelCounts(Schema):
    major: int
    large: int
    general: int
    low: int
    unassessed: int


class StreetStats(LevelCounts):
    code: str
    name: str
    total: int
    highest: str


class DomainStats(Schema):
    code: str
    name: str
    count: int


class StatsOut(Schema):
    total: int
    overdue: int
    by_level: LevelCounts
    by_street: list[StreetStats]
    by_domain: list[DomainStats]
