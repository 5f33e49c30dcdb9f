"""API of the monitoring app, mounted at /api/v1/monitoring.

Reading batches (`POST /readings`) are parsed with orjson straight from the request body
and go through `pipeline.ingest`; they may be sent by district roles and API clients
(systems). Everything else follows the usual reach rules: lists hold what the caller may
see, records outside it answer 404.
"""

import datetime as dt
from typing import Any

import orjson
from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.db.models import Q, QuerySet, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Status
from ninja.pagination import paginate

from cityguard.core.access import DISTRICT_ROLES, reach
from cityguard.core.api import ERRORS, Page, _jurisdiction_by_code
from cityguard.core.choices import Level, Role
from cityguard.core.schemas import MAX_ID, Text

from . import config, indicators, pipeline, services
from .choices import AlarmState, SensorState, Source
from .models import Aggregate, Alarm, AlarmRule, DeadLetter, Notification, RuleContext, Sensor
from .schemas import (
    AlarmDetailOut,
    AlarmOut,
    AvailabilityOut,
    CommentIn,
    ContextIn,
    ContextOut,
    DeadLetterOut,
    IncidentRefOut,
    IngestOut,
    NotificationOut,
    RuleIn,
    RuleOut,
    RulePatch,
    SensorIn,
    SensorOut,
    SensorPatch,
    SeriesOut,
    StatsOut,
)

router = Router(tags=["monitoring"])

RecordId = Path(..., ge=1, le=MAX_ID)  # type: ignore[type-arg]
SensorCode = Path(..., min_length=1, max_length=64)  # type: ignore[type-arg]
Search = Query(None, max_length=100)  # type: ignore[type-arg]
Short = Query(None, max_length=32)  # type: ignore[type-arg]
CodeQ = Query(None, max_length=64)  # type: ignore[type-arg]

INGEST_ROLES = DISTRICT_ROLES | {Role.API_CLIENT}


def _clean(text: str | None) -> str:
    return (text or "").replace("\x00", "").strip()


def _json(data: Any, status: int = 200) -> HttpResponse:
    return HttpResponse(orjson.dumps(data), status=status, content_type="application/json")


# --- querysets shared with the pages ---------------------------------------------------


def sensors_for(user: Any) -> QuerySet:
    return Sensor.objects.visible_to(user).select_related("jurisdiction", "organization")


def filter_sensors(
    qs: QuerySet,
    q: str | None = None,
    kind: str | None = None,
    state: str | None = None,
    street: str | None = None,
    organization: int | None = None,
) -> QuerySet:
    text = _clean(q)
    if text:
        qs = qs.filter(Q(code__icontains=text) | Q(name__icontains=text))
    if kind:
        qs = qs.filter(kind=kind)
    if state:
        qs = qs.filter(state=state)
    if street:
        qs = qs.filter(jurisdiction__path__contains=f"/{_clean(street)}/")
    if organization:
        qs = qs.filter(organization_id=organization)
    return qs


def alarms_for(user: Any) -> QuerySet:
    return Alarm.objects.visible_to(user).select_related(
        "sensor", "rule", "jurisdiction", "acknowledged_by", "cleared_by"
    )


def filter_alarms(
    qs: QuerySet,
    sensor: str | None = None,
    state: str | None = None,
    severity: str | None = None,
    street: str | None = None,
) -> QuerySet:
    if sensor:
        qs = qs.filter(sensor__code=_clean(sensor))
    if state == "open":
        qs = qs.filter(is_open__in=[True])
    elif state:
        qs = qs.filter(state=state)
    if severity:
        qs = qs.filter(severity=severity)
    if street:
        qs = qs.filter(jurisdiction__path__contains=f"/{_clean(street)}/")
    return qs


def rules_for(user: Any) -> QuerySet:
    r = reach(user)
    if not r.authenticated or r.role is None:
        return AlarmRule.objects.none()
    visible = Sensor.objects.visible_to(user).values("pk")
    return AlarmRule.objects.select_related("sensor").filter(
        Q(sensor__isnull=True) | Q(sensor__in=visible)
    )


def dead_letters_for(user: Any) -> QuerySet:
    """District roles see every dead letter; others those naming a sensor they may see."""
    r = reach(user)
    if not r.authenticated or r.role is None:
        return DeadLetter.objects.none()
    if r.whole_district and (r.superuser or r.role in DISTRICT_ROLES):
        return DeadLetter.objects.all()
    codes = Sensor.objects.visible_to(user).values("code")
    return DeadLetter.objects.filter(sensor_code__in=codes)


def _sensor(user: Any, code: str) -> Sensor:
    found = sensors_for(user).filter(code=code).first()
    if found is None:
        raise Http404
    return found  # type: ignore[no-any-return]


def _alarm(user: Any, pk: int) -> Alarm:
    found = alarms_for(user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found  # type: ignore[no-any-return]


# --- readings --------------------------------------------------------------------------


@router.post(
    "/readings",
    response={200: IngestOut, **ERRORS, 413: Any},
    url_name="monitoring_readings",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "required": ["readings"],
                        "properties": {
                            "readings": {
                                "type": "array",
                                "items": {
                                    "type": "object",
                                    "properties": {
                                        "sensor": {"type": "string"},
                                        "ts": {
                                            "oneOf": [
                                                {"type": "string", "format": "date-time"},
                                                {"type": "integer"},
                                            ]
                                        },
                                        "value": {"type": "number"},
                                    },
                                },
                            }
                        },
                    }
                }
            },
        }
    },
)
def post_readings(request: HttpRequest) -> Any:
    """A batch of readings `{"readings": [{"sensor", "ts", "value"}, …]}` (ts: ISO 8601
    with an offset, or epoch milliseconds). Valid readings are stored (a re-delivery counts
    as a duplicate); invalid ones are listed with their reason and kept as dead letters.
    At most CITYGUARD_MONITORING_MAX_BATCH readings (413 beyond)."""
    r = reach(request.user)
    if not (r.superuser or r.role in INGEST_ROLES):
        raise PermissionDenied(_("Only district staff and API clients may send readings."))
    try:
        body = request.body
    except RequestDataTooBig:
        return _json({"detail": _("The request body is too large.")}, 413)
    try:
        data = pipeline.loads(body)
    except ValueError:
        return _json({"detail": _("The request body is not valid JSON.")}, 400)
    items = data.get("readings") if isinstance(data, dict) else None
    if not isinstance(items, list):
        return _json({"detail": _('The body must be {"readings": [...]}.')}, 400)
    limit = config.max_batch()
    if len(items) > limit:
        return _json(
            {"detail": _("At most %(n)s readings in one batch.") % {"n": limit}},
            413,
        )
    result = pipeline.ingest(items, source=Source.HTTP)
    return _json(result.as_dict())


# --- sensors ---------------------------------------------------------------------------


def _sensor_data(payload: Any, partial: bool) -> dict[str, Any]:
    data: dict[str, Any] = payload.dict(exclude_unset=partial)
    for key in ("name", "unit"):
        if key in data and data[key] is None:
            data[key] = ""
    for key in ("code", "kind", "expected_interval_s", "enabled"):
        if key in data and data[key] is None:
            raise ValidationError({key: [_("This field cannot be empty.")]})
    if "state" in data and data["state"] is None:
        data.pop("state")
    return data


@router.post("/sensors", response={201: SensorOut, **ERRORS}, url_name="monitoring_sensors")
def create_sensor(request: HttpRequest, payload: SensorIn) -> Any:
    data = _sensor_data(payload, partial=False)
    if data.get("state") is None:
        data.pop("state", None)
    sensor = services.save_sensor(request.user, data)
    return Status(201, sensors_for(request.user).get(pk=sensor.pk))


@router.get("/sensors", response=list[SensorOut])
@paginate(Page)
def list_sensors(
    request: HttpRequest,
    q: Text | None = Search,
    kind: Text | None = Short,
    state: Text | None = Short,
    street: Text | None = Short,
    organization: int | None = Query(None, ge=1, le=MAX_ID),  # type: ignore[type-arg]
) -> Any:
    return filter_sensors(sensors_for(request.user), q, kind, state, street, organization)


@router.get("/sensors/{code}", response={200: SensorOut, **ERRORS})
def get_sensor(request: HttpRequest, code: str = SensorCode) -> Any:
    return _sensor(request.user, code)


@router.patch("/sensors/{code}", response={200: SensorOut, **ERRORS})
def update_sensor(request: HttpRequest, payload: SensorPatch, code: str = SensorCode) -> Any:
    sensor = _sensor(request.user, code)
    services.save_sensor(request.user, _sensor_data(payload, partial=True), sensor)
    return sensors_for(request.user).get(pk=sensor.pk)


def _ms_of(value: dt.datetime | None, default: dt.datetime) -> int:
    value = value or default
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return int(value.timestamp() * 1000)


@router.get("/sensors/{code}/series", response={200: SeriesOut, **ERRORS})
def sensor_series(
    request: HttpRequest,
    code: str = SensorCode,
    period: str = Query("m", pattern="^[mh]$"),  # type: ignore[type-arg]
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
) -> Any:
    """1-minute (`m`, default the last 6 hours) or 1-hour (`h`, default the last 7 days)
    aggregates: items {start (ms), count, min, max, avg}, oldest first (at most 10,000)."""
    sensor = _sensor(request.user, code)
    now = timezone.now()
    span = dt.timedelta(hours=6) if period == "m" else dt.timedelta(days=7)
    end_ms = _ms_of(end, now)
    start_ms = _ms_of(start, (end or now) - span)
    if start_ms > end_ms:
        raise ValidationError({"start": [_("The start must lie before the end.")]})
    rows = Aggregate.objects.filter(
        sensor=sensor, period=period, start__gte=start_ms, start__lte=end_ms
    ).order_by("start")[:10_000]
    items = [
        {
            "start": a.start,
            "count": a.count,
            "min": a.vmin,
            "max": a.vmax,
            "avg": a.vsum / a.count if a.count else 0.0,
        }
        for a in rows
    ]
    return {"sensor": sensor.code, "period": period, "unit": sensor.unit, "items": items}


# --- rules -----------------------------------------------------------------------------


def _rule_data(payload: Any, partial: bool) -> dict[str, Any]:
    data: dict[str, Any] = payload.dict(exclude_unset=partial)
    for key in ("condition", "clear_condition"):
        if key in data and data[key] is not None:
            data[key] = dict(data[key])
    for key in ("name", "kind", "severity", "for_seconds", "context_sensitive", "enabled"):
        if key in data and data[key] is None:
            raise ValidationError({key: [_("This field cannot be empty.")]})
    return data


@router.post("/rules", response={201: RuleOut, **ERRORS}, url_name="monitoring_rules")
def create_rule(request: HttpRequest, payload: RuleIn) -> Any:
    rule = services.save_rule(request.user, _rule_data(payload, partial=False))
    return Status(201, rule)


@router.get("/rules", response=list[RuleOut])
@paginate(Page)
def list_rules(
    request: HttpRequest,
    sensor: Text | None = CodeQ,
    sensor_kind: Text | None = Short,
    kind: Text | None = Short,
) -> Any:
    qs = rules_for(request.user)
    if sensor:
        qs = qs.filter(sensor__code=_clean(sensor))
    if sensor_kind:
        qs = qs.filter(sensor_kind=sensor_kind)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("sensor_kind", "name", "id")


def _rule(user: Any, pk: int) -> AlarmRule:
    found = rules_for(user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found  # type: ignore[no-any-return]


@router.get("/rules/{int:pk}", response={200: RuleOut, **ERRORS})
def get_rule(request: HttpRequest, pk: int = RecordId) -> Any:
    return _rule(request.user, pk)


@router.patch("/rules/{int:pk}", response={200: RuleOut, **ERRORS})
def update_rule(request: HttpRequest, payload: RulePatch, pk: int = RecordId) -> Any:
    rule = _rule(request.user, pk)
    return services.save_rule(request.user, _rule_data(payload, partial=True), rule)


# --- alarms ----------------------------------------------------------------------------


@router.get("/alarms", response=list[AlarmOut], url_name="monitoring_alarms")
@paginate(Page)
def list_alarms(
    request: HttpRequest,
    sensor: Text | None = CodeQ,
    state: Text | None = Query(None, pattern="^(active|acknowledged|cleared|open)$"),  # type: ignore[type-arg]  # noqa: B008
    severity: Text | None = Short,
    street: Text | None = Short,
) -> Any:
    """Alarms the caller may see, newest first; `state=open` gives active and
    acknowledged ones."""
    return filter_alarms(alarms_for(request.user), sensor, state, severity, street)


@router.get("/alarms/{int:pk}", response={200: AlarmDetailOut, **ERRORS})
def get_alarm(request: HttpRequest, pk: int = RecordId) -> Any:
    return _alarm(request.user, pk)


@router.post("/alarms/{int:pk}/acknowledge", response={200: AlarmDetailOut, **ERRORS})
def acknowledge_alarm(request: HttpRequest, payload: CommentIn, pk: int = RecordId) -> Any:
    alarm = _alarm(request.user, pk)
    services.acknowledge(request.user, alarm, payload.comment)
    return _alarm(request.user, pk)


@router.post("/alarms/{int:pk}/clear", response={200: AlarmDetailOut, **ERRORS})
def clear_alarm(request: HttpRequest, payload: CommentIn, pk: int = RecordId) -> Any:
    alarm = _alarm(request.user, pk)
    services.clear(request.user, alarm, payload.comment)
    return _alarm(request.user, pk)


@router.post("/alarms/{int:pk}/incident", response={201: IncidentRefOut, **ERRORS})
def alarm_incident(request: HttpRequest, pk: int = RecordId) -> Any:
    """Open an incident from the alarm (the same one again if it is still open)."""
    alarm = _alarm(request.user, pk)
    incident = services.open_incident(request.user, alarm)
    return Status(201, {"incident": incident.pk, "alarm": alarm.pk})


# --- contexts --------------------------------------------------------------------------


def contexts_for(user: Any) -> QuerySet:
    return RuleContext.objects.visible_to(user).select_related("street")


@router.post("/contexts", response={201: ContextOut, **ERRORS}, url_name="monitoring_contexts")
def create_context(request: HttpRequest, payload: ContextIn) -> Any:
    """Tighten the context-sensitive threshold rules of a sensor kind in a street (e.g.
    water level during a rainstorm warning) until released or `ends_at`."""
    street = _jurisdiction_by_code(payload.street, "street")
    if street.level != Level.STREET:
        raise ValidationError({"street": [_("Give a street.")]})
    ctx = services.set_context(
        request.user,
        street=street,
        sensor_kind=payload.sensor_kind,
        tighten=payload.tighten,
        reason=payload.reason,
        source="api",
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
    )
    return Status(201, ctx)


@router.get("/contexts", response=list[ContextOut])
@paginate(Page)
def list_contexts(request: HttpRequest, active: bool | None = None) -> Any:
    qs = contexts_for(request.user)
    if active:
        now = timezone.now()
        qs = qs.filter(released_at__isnull=True, starts_at__lte=now).filter(
            Q(ends_at__isnull=True) | Q(ends_at__gt=now)
        )
    return qs


@router.post("/contexts/{int:pk}/release", response={200: ContextOut, **ERRORS})
def release_context(request: HttpRequest, pk: int = RecordId) -> Any:
    ctx = contexts_for(request.user).filter(pk=pk).first()
    if ctx is None:
        raise Http404
    return services.release_context(request.user, ctx)


# --- figures ---------------------------------------------------------------------------


def stats_for(user: Any) -> dict[str, int]:
    sensors = Sensor.objects.visible_to(user)
    agg = sensors.aggregate(n=Sum("reading_count"))
    return {
        "sensors": sensors.count(),
        "sensors_offline": sensors.filter(state=SensorState.OFFLINE, enabled=True).count(),
        "readings": int(agg["n"] or 0),
        "dead_letters": dead_letters_for(user).count(),
        "alarms_active": Alarm.objects.visible_to(user).filter(is_open__in=[True]).count(),
    }


@router.get("/stats", response={200: StatsOut, **ERRORS}, url_name="monitoring_stats")
def stats(request: HttpRequest) -> Any:
    """Totals over what the caller may see: sensors, offline sensors, stored readings,
    dead letters, open alarms."""
    return stats_for(request.user)


@router.get("/availability", response=list[AvailabilityOut])
def availability(request: HttpRequest, street: Text | None = Short) -> Any:
    """Sensor availability (完好率) per street and kind."""
    return indicators.availability(request.user, _clean(street) or None)


@router.get("/dead-letters", response=list[DeadLetterOut], url_name="monitoring_dead_letters")
@paginate(Page)
def list_dead_letters(
    request: HttpRequest,
    source: Text | None = Short,
    sensor: Text | None = CodeQ,
    q: Text | None = Search,
) -> Any:
    qs = dead_letters_for(request.user)
    if source:
        qs = qs.filter(source=source)
    if sensor:
        qs = qs.filter(sensor_code=_clean(sensor))
    text = _clean(q)
    if text:
        qs = qs.filter(Q(reason__icontains=text) | Q(topic__icontains=text))
    return qs.order_by("-received_at", "-id")


# --- notifications ---------------------------------------------------------------------


@router.get("/notifications", response=list[NotificationOut], url_name="monitoring_notifications")
@paginate(Page)
def list_notifications(request: HttpRequest, unread: bool | None = None) -> Any:
    """The caller's own platform notifications, newest first."""
    qs = Notification.objects.filter(user_id=request.user.pk or 0)
    if unread:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by("-created_at", "-id")


@router.post("/notifications/{int:pk}/read", response={200: NotificationOut, **ERRORS})
def read_notification(request: HttpRequest, pk: int = RecordId) -> Any:
    found = Notification.objects.filter(pk=pk, user_id=request.user.pk or 0).first()
    if found is None:
        raise Http404
    return services.mark_read(request.user, found)


__all__ = ["AlarmState", "router"]
