"""API schemas of the warnings app."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Literal

from ninja import Schema
from pydantic import Field

from cityguard.core.schemas import Strict, Text

from .choices import WarningColour, WarningState, WarningType

KindName = Literal[tuple(WarningType.values)]  # type: ignore[valid-type]
ColourName = Literal[tuple(WarningColour.values)]  # type: ignore[valid-type]
StateName = Literal[tuple(WarningState.values)]  # type: ignore[valid-type]
StreetCode = Field(min_length=1, max_length=32)


class WarningIn(Strict):
    kind: KindName
    colour: ColourName
    authority: Text = Field("", max_length=200)
    headline: Text = Field(min_length=1, max_length=200)
    description: Text = Field(min_length=1, max_length=20000)
    instruction: Text = Field("", max_length=20000)
    headline_en: Text = Field("", max_length=200)
    description_en: Text = Field("", max_length=20000)
    instruction_en: Text = Field("", max_length=20000)
    streets: list[Text] = Field(default_factory=list, max_length=200)
    polygon: dict[str, Any] | None = None
    effective: datetime
    expires: datetime


class WarningPatch(Strict):
    kind: KindName | None = None
    colour: ColourName | None = None
    authority: Text | None = Field(None, max_length=200)
    headline: Text | None = Field(None, min_length=1, max_length=200)
    description: Text | None = Field(None, min_length=1, max_length=20000)
    instruction: Text | None = Field(None, max_length=20000)
    headline_en: Text | None = Field(None, max_length=200)
    description_en: Text | None = Field(None, max_length=20000)
    instruction_en: Text | None = Field(None, max_length=20000)
    streets: list[Text] | None = Field(None, max_length=200)
    polygon: dict[str, Any] | None = None
    effective: datetime | None = None
    expires: datetime | None = None


class UpdateIn(WarningPatch):
    note: Text = Field("", max_length=2000)


class CancelIn(Strict):
    reason: Text = Field(min_length=1, max_length=2000)


class StreetOut(Schema):
    code: str
    name: str


class WarningOut(Schema):
    id: int
    reference: str
    kind: str
    kind_label: str
    colour: str
    colour_label: str
    colour_hex: str
    state: str
    state_label: str
    active: bool
    version: int
    origin: str
    authority: str
    headline: str
    description: str
    instruction: str
    headline_en: str
    description_en: str
    instruction_en: str
    streets: list[StreetOut]
    polygon: dict[str, Any] | None
    effective: datetime
    expires: datetime
    issued_at: datetime | None
    ended_at: datetime | None
    cap_url: str

    @staticmethod
    def resolve_kind_label(obj: Any) -> str:
        return str(WarningType(obj.kind).label)

    @staticmethod
    def resolve_colour_label(obj: Any) -> str:
        return str(WarningColour(obj.colour).label)

    @staticmethod
    def resolve_colour_hex(obj: Any) -> str:
        return WarningColour.colour_of(obj.colour)

    @staticmethod
    def resolve_state_label(obj: Any) -> str:
        return str(WarningState(obj.state).label)

    @staticmethod
    def resolve_active(obj: Any) -> bool:
        return bool(obj.is_active)

    @staticmethod
    def resolve_streets(obj: Any) -> list[dict[str, str]]:
        return [{"code": s.code, "name": s.name} for s in obj.streets.all()]

    @staticmethod
    def resolve_polygon(obj: Any) -> dict[str, Any] | None:
        return json.loads(obj.polygon) if obj.polygon else None

    @staticmethod
    def resolve_cap_url(obj: Any) -> str:
        return f"/api/v1/warnings/{obj.pk}/cap"


class EventOut(Schema):
    kind: str
    at: datetime
    actor: str | None
    from_state: str
    to_state: str
    note: str
    changes: dict[str, Any]

    @staticmethod
    def resolve_actor(obj: Any) -> str | None:
        return obj.actor.get_username() if obj.actor_id else None


class StreetCoverageOut(Schema):
    code: str
    name: str
    total: int
    reached: int
    percent: float | None
    on_target: bool | None


class CoverageOut(Schema):
    total: int
    reached: int
    percent: float | None
    target: float
    on_target: bool | None
    by_street: list[StreetCoverageOut]


class WarningDetailOut(WarningOut):
    events: list[EventOut]
    coverage: CoverageOut

    @staticmethod
    def resolve_events(obj: Any) -> list[Any]:
        return list(obj.events.select_related("actor"))

    @staticmethod
    def resolve_coverage(obj: Any) -> dict[str, Any]:
        from .services import coverage

        c = coverage(obj)
        return {
            "total": c.total,
            "reached": c.reached,
            "percent": c.percent,
            "target": c.target,
            "on_target": c.on_target,
            "by_street": c.by_street,
        }


class DeliveryOut(Schema):
    id: int
    audience: str
    recipient_name: str
    channel: str
    address: str
    street: str | None
    status: str
    reason: str
    queued_at: datetime
    sent_at: datetime | None
    message: str | None

    @staticmethod
    def resolve_street(obj: Any) -> str | None:
        return obj.street.code if obj.street_id else None

    @staticmethod
    def resolve_message(obj: Any) -> str | None:
        return obj.message.identifier if obj.message_id else None


class WarningFilter(Schema):
    state: StateName | None = None
    kind: KindName | None = None
    colour: ColourName | None = None
    active: bool | None = None
    street: str | None = Field(None, max_length=32)


class ImportedOut(Schema):
    id: int


class CapErrorOut(Schema):
    detail: str
    errors: list[str]


class ThreatOut(Schema):
    kind: str
    id: int
    name: str
    label: str
    responsible: list[str]
