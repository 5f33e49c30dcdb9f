"""API schemas of the monitoring app."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from ninja import Schema
from pydantic import Field

from cityguard.core.schemas import Id, Lat, Lon, Strict, Text, street_code

from .choices import Op, RuleKind, SensorKind, Severity

SensorKindName = Literal[tuple(SensorKind.values)]  # type: ignore[valid-type]
SeverityName = Literal[tuple(Severity.values)]  # type: ignore[valid-type]
RuleKindName = Literal[tuple(RuleKind.values)]  # type: ignore[valid-type]
OpName = Literal[tuple(Op.values)]  # type: ignore[valid-type]
HandState = Literal["normal", "maintenance"]
CODE_PATTERN = r"^[A-Za-z0-9_.:\-]+$"


class SensorIn(Strict):
    code: Text = Field(min_length=1, max_length=64, pattern=CODE_PATTERN)
    name: Text = Field("", max_length=200)
    kind: SensorKindName
    unit: Text = Field("", max_length=16, description="default: the kind's unit")
    lon: float | None = Lon
    lat: float | None = Lat
    organization: Id | None = None
    place: Id | None = None
    expected_interval_s: int = Field(60, ge=1, le=7 * 86400)
    enabled: bool = True
    installed_on: date | None = None
    state: HandState | None = None


class SensorPatch(Strict):
    code: Text | None = Field(None, min_length=1, max_length=64, pattern=CODE_PATTERN)
    name: Text | None = Field(None, max_length=200)
    kind: SensorKindName | None = None
    unit: Text | None = Field(None, max_length=16)
    lon: float | None = Lon
    lat: float | None = Lat
    organization: Id | None = None
    place: Id | None = None
    expected_interval_s: int | None = Field(None, ge=1, le=7 * 86400)
    enabled: bool | None = None
    installed_on: date | None = None
    state: HandState | None = None


class SensorOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    kind_label: str
    unit: str
    lon: float | None
    lat: float | None
    jurisdiction: str
    street: str | None
    organization: int | None = Field(None, alias="organization_id")
    organization_name: str | None
    place: int | None = Field(None, alias="place_id")
    expected_interval_s: int
    state: str
    state_label: str
    enabled: bool
    installed_on: date | None
    last_ts: int | None
    last_value: float | None
    last_seen_at: datetime | None
    reading_count: int
    updated_at: datetime

    @staticmethod
    def resolve_kind_label(obj: Any) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_state_label(obj: Any) -> str:
        return str(obj.get_state_display())

    @staticmethod
    def resolve_jurisdiction(obj: Any) -> str:
        return obj.jurisdiction.code  # type: ignore[no-any-return]

    @staticmethod
    def resolve_street(obj: Any) -> str | None:
        return street_code(obj.jurisdiction.path)

    @staticmethod
    def resolve_organization_name(obj: Any) -> str | None:
        return obj.organization.name if obj.organization_id else None


class ConditionIn(Strict):
    op: OpName
    value: float = Field(allow_inf_nan=False)


class RuleIn(Strict):
    name: Text = Field(min_length=1, max_length=200)
    kind: RuleKindName = "threshold"
    sensor: Text | None = Field(None, max_length=64, description="sensor code (or sensor_kind)")
    sensor_kind: SensorKindName | None = None
    severity: SeverityName
    condition: ConditionIn | None = None
    for_seconds: int = Field(0, ge=0, le=30 * 86400)
    clear_condition: ConditionIn | None = None
    window_s: int | None = Field(None, ge=1, le=30 * 86400, description="rate rules")
    no_data_factor: float | None = Field(
        None, ge=1, le=1000, allow_inf_nan=False, description="no-data rules"
    )
    context_sensitive: bool = True
    enabled: bool = True


class RulePatch(Strict):
    name: Text | None = Field(None, min_length=1, max_length=200)
    kind: RuleKindName | None = None
    sensor: Text | None = Field(None, max_length=64)
    sensor_kind: SensorKindName | None = None
    severity: SeverityName | None = None
    condition: ConditionIn | None = None
    for_seconds: int | None = Field(None, ge=0, le=30 * 86400)
    clear_condition: ConditionIn | None = None
    window_s: int | None = Field(None, ge=1, le=30 * 86400)
    no_data_factor: float | None = Field(None, ge=1, le=1000, allow_inf_nan=False)
    context_sensitive: bool | None = None
    enabled: bool | None = None


class RuleOut(Schema):
    id: int
    name: str
    kind: str
    sensor: str | None
    sensor_kind: str | None
    severity: str
    condition: dict[str, Any] | None
    for_seconds: int
    clear_condition: dict[str, Any] | None
    window_s: int | None
    no_data_factor: float | None
    context_sensitive: bool
    enabled: bool
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_sensor(obj: Any) -> str | None:
        return obj.sensor.code if obj.sensor_id else None

    @staticmethod
    def resolve_sensor_kind(obj: Any) -> str | None:
        return obj.sensor_kind or None

    @staticmethod
    def resolve_condition(obj: Any) -> dict[str, Any] | None:
        return {"op": obj.op, "value": obj.threshold} if obj.op else None

    @staticmethod
    def resolve_clear_condition(obj: Any) -> dict[str, Any] | None:
        return {"op": obj.clear_op, "value": obj.clear_threshold} if obj.clear_op else None


class AlarmOut(Schema):
    id: int
    sensor: str
    sensor_name: str
    sensor_kind: str
    unit: str
    rule: int = Field(alias="rule_id")
    rule_name: str
    severity: str
    state: str
    opened_at: datetime
    cleared_at: datetime | None
    peak_value: float | None
    last_value: float | None
    threshold: float | None
    repeats: int
    first_ts: int | None
    last_ts: int | None
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    ack_comment: str
    cleared_by: str | None
    clear_comment: str
    incident: int | None = Field(None, alias="incident_id")
    jurisdiction: str
    street: str | None
    lon: float | None
    lat: float | None

    @staticmethod
    def resolve_sensor(obj: Any) -> str:
        return obj.sensor.code  # type: ignore[no-any-return]

    @staticmethod
    def resolve_sensor_name(obj: Any) -> str:
        return obj.sensor.name  # type: ignore[no-any-return]

    @staticmethod
    def resolve_sensor_kind(obj: Any) -> str:
        return obj.sensor.kind  # type: ignore[no-any-return]

    @staticmethod
    def resolve_unit(obj: Any) -> str:
        return obj.sensor.unit  # type: ignore[no-any-return]

    @staticmethod
    def resolve_rule_name(obj: Any) -> str:
        return obj.rule.name  # type: ignore[no-any-return]

    @staticmethod
    def resolve_acknowledged_by(obj: Any) -> str | None:
        return obj.acknowledged_by.get_username() if obj.acknowledged_by_id else None

    @staticmethod
    def resolve_cleared_by(obj: Any) -> str | None:
        return obj.cleared_by.get_username() if obj.cleared_by_id else None

    @staticmethod
    def resolve_jurisdiction(obj: Any) -> str:
        return obj.jurisdiction.code  # type: ignore[no-any-return]

    @staticmethod
    def resolve_street(obj: Any) -> str | None:
        return street_code(obj.jurisdiction.path)

    @staticmethod
    def resolve_lon(obj: Any) -> float | None:
        return obj.sensor.lon  # type: ignore[no-any-return]

    @staticmethod
    def resolve_lat(obj: Any) -> float | None:
        return obj.sensor.lat  # type: ignore[no-any-return]


class AlarmEventOut(Schema):
    kind: str
    at: datetime
    actor: str | None
    severity: str
    value: float | None
    note: str

    @staticmethod
    def resolve_actor(obj: Any) -> str | None:
        return obj.actor.get_username() if obj.actor_id else None


class AlarmDetailOut(AlarmOut):
    events: list[AlarmEventOut]

    @staticmethod
    def resolve_events(obj: Any) -> list[Any]:
        return list(obj.events.select_related("actor").all())


class CommentIn(Strict):
    comment: Text = Field("", max_length=2000)


class IncidentRefOut(Schema):
    incident: int
    alarm: int


class ContextIn(Strict):
    street: Text = Field(min_length=1, max_length=32, description="street code")
    sensor_kind: SensorKindName
    tighten: float = Field(gt=0, le=1e9, allow_inf_nan=False)
    reason: Text = Field(min_length=1, max_length=300)
    starts_at: datetime | None = None
    ends_at: datetime | None = None


class ContextOut(Schema):
    id: int
    street: str
    street_name: str
    sensor_kind: str
    tighten: float
    reason: str
    source: str
    starts_at: datetime
    ends_at: datetime | None
    released_at: datetime | None
    active: bool

    @staticmethod
    def resolve_street(obj: Any) -> str:
        return obj.street.code  # type: ignore[no-any-return]

    @staticmethod
    def resolve_street_name(obj: Any) -> str:
        return obj.street.name  # type: ignore[no-any-return]

    @staticmethod
    def resolve_active(obj: Any) -> bool:
        from django.utils import timezone

        now = timezone.now()
        return (
            obj.released_at is None
            and obj.starts_at <= now
            and (obj.ends_at is None or obj.ends_at > now)
        )


class StatsOut(Schema):
    sensors: int
    sensors_offline: int
    readings: int
    dead_letters: int
    alarms_active: int


class DeadLetterOut(Schema):
    id: int
    received_at: datetime
    source: str
    topic: str
    sensor_code: str
    index: int | None
    reason: str
    payload: str


class SeriesPoint(Schema):
    start: int
    count: int
    min: float
    max: float
    avg: float


class SeriesOut(Schema):
    sensor: str
    period: str
    unit: str
    items: list[SeriesPoint]


class NotificationOut(Schema):
    id: int
    alarm: int | None = Field(None, alias="alarm_id")
    channel: str
    title: str
    body: str
    created_at: datetime
    read_at: datetime | None


class AvailabilityOut(Schema):
    street: str
    street_name: str
    kind: str
    kind_label: str
    sensors: int
    online: int
    offline: int
    rate: float | None


class IngestOut(Schema):
    accepted: int
    duplicates: int
    rejected: list[dict[str, Any]]
