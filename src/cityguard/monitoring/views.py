"""Pages of the monitoring app: the live page and its server-sent event stream, sensors,
rules and rule contexts, the alarm board, dead letters and availability.

Reads go through `visible_to(request.user)` (the live stream through `events.since`, which
scopes every event by its jurisdiction path), writes through `monitoring.services`, so a
page never shows or changes more than the API would for the same user.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Iterator
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.handlers.asgi import ASGIRequest
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cityguard.core import export
from cityguard.core.access import DISTRICT_ROLES, can_change, reach
from cityguard.core.views import (
    _geometry_feature,
    _point,
    export_or_page,
    forbidden_as_page,
    history_rows,
    leaflet_config,
    pagination_range,
    picker_context,
)

from .choices import (
    DEFAULT_UNIT,
    SEVERITY_RANK,
    AlarmState,
    Period,
    SensorKind,
    SensorState,
    Severity,
)
from .forms import (
    AlarmFilterForm,
    AvailabilityFilterForm,
    CommentForm,
    ContextForm,
    DeadLetterFilterForm,
    RuleFilterForm,
    RuleForm,
    SensorFilterForm,
    SensorForm,
)
from .models import (
    Aggregate,
    Alarm,
    AlarmRule,
    DeadLetter,
    Reading,
    RuleContext,
    Sensor,
)

MINUTE_MS = 60_000
HOUR_MS = 3_600_000
LIVE_PER_PAGE = 60
SPARK_POINTS = 30
HEARTBEAT_S = 15.0


def _setting(name: str, default: float) -> float:
    value = getattr(settings, f"CITYGUARD_MONITORING_{name}", default)
    try:
        return float(value)
    except (TypeError, ValueError):
        return default


def _now_ms() -> int:
    return int(time.time() * 1000)


def _ms_to_dt(ms: int | None) -> Any:
    if ms is None:
        return None
    import datetime as dt

    return dt.datetime.fromtimestamp(ms / 1000, tz=dt.UTC)


def _strings() -> dict[str, Any]:
    """Labels the page scripts need, in the page's language."""
    return {
        "states": {v: str(label) for v, label in SensorState.choices},
        "stateColours": dict(SensorState.COLOURS),  # type: ignore[attr-defined]
        "severities": {v: str(label) for v, label in Severity.choices},
        "severityColours": dict(Severity.COLOURS),  # type: ignore[attr-defined]
        "alarmStates": {v: str(label) for v, label in AlarmState.choices},
        "alarmStateColours": dict(AlarmState.COLOURS),  # type: ignore[attr-defined]
        "connected": _("Live"),
        "reconnecting": _("Reconnecting…"),
        "newAlarm": _("New alarm"),
        "noData": _("No recent data"),
        "avg": _("Average"),
        "min": _("Minimum"),
        "max": _("Maximum"),
    }


def _can_write(user: Any) -> bool:
    return reach(user).can_write


def _can_edit_rules(user: Any) -> bool:
    """Alarm rules are the district's (services.save_rule refuses anyone else)."""
    return _can_write(user) and _district_role(user)


def _district_role(user: Any) -> bool:
    r = reach(user)
    return r.superuser or r.role in DISTRICT_ROLES


def _latest_event_id() -> int:
    from . import events

    return events.last_id()


def _sensors(user: Any) -> QuerySet:
    return Sensor.objects.visible_to(user).select_related("street", "organization", "place")


def _filter_sensors(qs: QuerySet, form: SensorFilterForm) -> QuerySet:
    q = form.value("q")
    if q:
        qs = qs.filter(Q(code__icontains=q) | Q(name__icontains=q))
    if form.value("street"):
        qs = qs.filter(street__code=form.value("street"))
    if form.value("kind"):
        qs = qs.filter(kind=form.value("kind"))
    if form.value("state"):
        qs = qs.filter(state=form.value("state"))
    return qs


def _decorate(sensors: Any) -> None:
    for s in sensors:
        s.unit_shown = s.unit or DEFAULT_UNIT.get(s.kind, "")
        s.state_colour = SensorState.colour_of(s.state)
        s.last_at = _ms_to_dt(s.last_ts)


def sparklines(sensor_ids: list[int], now_ms: int | None = None) -> dict[int, list[list[float]]]:
    """Recent points per sensor for the sparklines: the last hour's minute aggregates
    (averages), or, for a sensor with none, its latest raw readings of that hour."""
    now_ms = now_ms or _now_ms()
    since = now_ms - HOUR_MS
    out: dict[int, list[list[float]]] = defaultdict(list)
    rows = (
        Aggregate.objects.filter(
            sensor_id__in=sensor_ids, period=Period.MINUTE, start__gte=since - MINUTE_MS
        )
        .order_by("sensor_id", "start")
        .values_list("sensor_id", "start", "count", "vsum")
    )
    for sid, start, count, vsum in rows:
        if count:
            out[sid].append([start, round(vsum / count, 4)])
    missing = [sid for sid in sensor_ids if sid not in out]
    for sid in sensor_ids:
        if sid in out:
            out[sid] = out[sid][-SPARK_POINTS * 2 :]
    if missing:
        # No minute aggregates (readings stored another way): the raw readings of the
        # hour, read once for all of them (time leads the readings' key).
        raw: dict[int, list[list[float]]] = defaultdict(list)
        for sid, ts, value in (
            Reading.objects.filter(ts__gte=since, sensor_id__in=missing)
            .order_by("ts")
            .values_list("sensor_id", "ts", "value")
        ):
            raw[sid].append([ts, value])
        for sid, points in raw.items():
            out[sid] = points[-SPARK_POINTS:]
    return dict(out)


# --- live page and its stream -------------------------------------------------------------


def _alarm_item(a: Alarm) -> dict[str, Any]:
    return {
        "id": a.pk,
        "sensor": a.sensor.code,
        "rule": a.rule_id,
        "rule_name": a.rule.name,
        "severity": a.severity,
        "state": a.state,
        "opened_at": a.opened_at.isoformat() if a.opened_at else None,
        "cleared_at": a.cleared_at.isoformat() if a.cleared_at else None,
        "peak_value": a.peak_value,
        "last_value": a.last_value,
    }


@login_required
def live(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = SensorFilterForm(request.GET, user=user)
    qs = _filter_sensors(_sensors(user), form).order_by(*form.ordering())
    paginator = Paginator(qs, LIVE_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    sensors = list(page)
    _decorate(sensors)
    sparks = sparklines([s.pk for s in sensors])
    for s in sensors:
        # On the row too, so rows swapped in by the filters (htmx) carry their points.
        s.spark_points = json.dumps(sparks.get(s.pk, []))
    alarms = list(
        Alarm.objects.visible_to(user).select_related("sensor", "rule").order_by("-opened_at")[:25]
    )
    for a in alarms:
        a.severity_colour = Severity.colour_of(a.severity)  # type: ignore[attr-defined]
    visible = Sensor.objects.visible_to(user)
    counts = {
        "sensors": visible.count(),
        "alarm": visible.filter(state=SensorState.ALARM).count(),
        "offline": visible.filter(state=SensorState.OFFLINE).count(),
        "alarms_open": Alarm.objects.visible_to(user).filter(is_open=True).count(),
    }
    return render(
        request,
        "monitoring/live.html",
        {
            "form": form,
            "page_obj": page,
            "paginator": paginator,
            "page_range": pagination_range(page),
            "sensors": sensors,
            "counts": counts,
            "alarms": alarms,
            "live": {
                "stream": reverse("monitoring:stream"),
                "last": _latest_event_id(),
                "alarms": [_alarm_item(a) for a in alarms],
                "alarmUrl": reverse("monitoring:alarm_detail", args=[0]),
                "strings": _strings(),
            },
            "tab": "live",
        },
    )


def _last_id(request: HttpRequest) -> int:
    raw = request.headers.get("Last-Event-ID") or request.GET.get("last") or ""
    raw = raw.strip()
    if raw.isdigit():
        return int(raw)
    return _latest_event_id()


def sse_frame(event: Any) -> str:
    """One server-sent event: `id:`, `event:` and one `data:` line per line of payload."""
    lines = [f"id: {event.id}", f"event: {event.kind}"]
    lines += [f"data: {line}" for line in (event.payload or "").splitlines() or [""]]
    return "\n".join(lines) + "\n\n"


def _since(user: Any, last: int) -> list[Any]:
    from . import events

    return list(events.since(user, last))


def event_lines(user: Any, last: int, *, max_s: float, poll_s: float) -> Iterator[str]:
    """The stream for a synchronous (WSGI) server: polls the event table with sleeps."""
    started = sent = time.monotonic()
    yield "retry: 2000\n: connected\n\n"
    while True:
        batch = _since(user, last)
        for event in batch:
            last = event.id
            yield sse_frame(event)
        now = time.monotonic()
        if batch:
            sent = now
        if now - started >= max_s:
            return
        if now - sent >= HEARTBEAT_S:
            sent = now
            yield ": heartbeat\n\n"
        if not batch:
            time.sleep(poll_s)


async def aevent_lines(user: Any, last: int, *, max_s: float, poll_s: float) -> AsyncIterator[str]:
    """The stream for the ASGI server: awaits between polls, so an open stream holds no
    thread; each poll reads the database in a worker thread."""
    since = sync_to_async(_since)
    started = sent = time.monotonic()
    yield "retry: 2000\n: connected\n\n"
    while True:
        batch = await since(user, last)
        for event in batch:
            last = event.id
            yield sse_frame(event)
        now = time.monotonic()
        if batch:
            sent = now
        if now - started >= max_s:
            return
        if now - sent >= HEARTBEAT_S:
            sent = now
            yield ": heartbeat\n\n"
        if not batch:
            await asyncio.sleep(poll_s)


async def stream(request: HttpRequest) -> HttpResponseBase:
    """`text/event-stream` of the monitoring events within the user's reach.

    Resumes after `Last-Event-ID` (sent by a reconnecting EventSource) or `?last=`; ends
    after CITYGUARD_MONITORING_SSE_MAX_S seconds, and the browser reconnects.
    """
    user = await request.auser()
    if not user.is_authenticated:
        return HttpResponse(_("Sign in to follow the live stream."), status=403)
    last = await sync_to_async(_last_id)(request)
    max_s = _setting("SSE_MAX_S", 300.0)
    poll_s = max(0.05, _setting("SSE_POLL_S", 0.5))
    body: Any
    if isinstance(request, ASGIRequest):
        body = aevent_lines(user, last, max_s=max_s, poll_s=poll_s)
    else:
        body = event_lines(user, last, max_s=max_s, poll_s=poll_s)
    response = StreamingHttpResponse(body, content_type="text/event-stream; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response


# --- sensors -------------------------------------------------------------------------------


def _sensor_columns() -> list[export.Column]:
    return [
        (_("Code"), lambda s: s.code),
        (_("Name"), lambda s: s.name),
        (_("Kind"), lambda s: s.get_kind_display()),
        (_("Unit"), lambda s: s.unit or DEFAULT_UNIT.get(s.kind, "")),
        (_("State"), lambda s: s.get_state_display()),
        (_("Last value"), lambda s: s.last_value),
        (_("Last reading"), lambda s: _ms_to_dt(s.last_ts)),
        (_("Street"), lambda s: s.street.name if s.street_id else None),
        (_("Organisation"), lambda s: s.organization.name if s.organization_id else None),
        (_("Place"), lambda s: s.place.name if s.place_id else None),
        (_("Expected reporting interval (s)"), lambda s: s.expected_interval_s),
        (_("Enabled"), lambda s: s.enabled),
        (_("Longitude"), lambda s: s.lon),
        (_("Latitude"), lambda s: s.lat),
    ]


@login_required
def sensor_list(request: HttpRequest) -> HttpResponseBase:
    user = request.user
    form = SensorFilterForm(request.GET, user=user)
    qs = _filter_sensors(_sensors(user), form).order_by(*form.ordering())
    result = export_or_page(request, qs, _sensor_columns, "sensors", _("Sensors"))
    if isinstance(result, HttpResponseBase):
        return result
    paginator, page = result
    _decorate(page)
    return render(
        request,
        "monitoring/sensor_list.html",
        {
            "form": form,
            "page_obj": page,
            "paginator": paginator,
            "page_range": pagination_range(page),
            "can_write": _can_write(user),
            "tab": "sensors",
        },
    )


def _sensor(request: HttpRequest, code: str) -> Sensor:
    sensor = _sensors(request.user).filter(code=code).first()
    if sensor is None:
        raise Http404
    return sensor  # type: ignore[no-any-return]


def rules_for(sensor: Sensor) -> list[AlarmRule]:
    """The rules that apply to the sensor: its own, and those of its kind that no rule of
    its own of the same rule kind overrides."""
    own = list(AlarmRule.objects.filter(sensor=sensor).order_by("name"))
    own_kinds = {r.kind for r in own}
    by_kind = AlarmRule.objects.filter(sensor__isnull=True, sensor_kind=sensor.kind)
    inherited = [r for r in by_kind.order_by("name") if r.kind not in own_kinds]
    for r in own:
        r.scope_label = _("This sensor")  # type: ignore[attr-defined]
    for r in inherited:
        r.scope_label = _("All sensors of the kind")  # type: ignore[attr-defined]
    return own + inherited


def series(sensor: Sensor, period: str, start_ms: int, end_ms: int) -> list[dict[str, Any]]:
    """Aggregates of one period in [start, end): bucket start (ms), count, min, max, avg."""
    rows = (
        Aggregate.objects.filter(
            sensor=sensor, period=period, start__gte=start_ms, start__lt=end_ms
        )
        .order_by("start")
        .values_list("start", "count", "vmin", "vmax", "vsum")
    )
    return [
        {
            "start": start,
            "count": count,
            "min": vmin,
            "max": vmax,
            "avg": round(vsum / count, 6) if count else None,
        }
        for start, count, vmin, vmax, vsum in rows
    ]


def charts(sensor: Sensor, now_ms: int | None = None) -> dict[str, Any]:
    now_ms = now_ms or _now_ms()
    end = now_ms + 1
    return {
        "h1": series(sensor, Period.MINUTE, now_ms - HOUR_MS, end),
        "h24": series(sensor, Period.HOUR, now_ms - 24 * HOUR_MS, end),
        "d7": series(sensor, Period.HOUR, now_ms - 7 * 24 * HOUR_MS, end),
    }


RECENT_SPAN_MS = HOUR_MS
RECENT_INTERVALS = 40


def recent_readings(sensor: Sensor, limit: int = 20) -> list[tuple[int, float]]:
    """The sensor's latest readings (ts, value), newest first, from the span before its
    last reading that `limit` readings at twice its expected interval would fill (at
    least an hour): readings are keyed time first, so the span bounds what is read."""
    end = sensor.last_ts if sensor.last_ts is not None else _now_ms()
    span = max(RECENT_SPAN_MS, RECENT_INTERVALS * 1000 * int(sensor.expected_interval_s or 60))
    return list(
        Reading.objects.filter(sensor=sensor, ts__gte=end - span)
        .order_by("-ts")
        .values_list("ts", "value")[:limit]
    )


@login_required
def sensor_detail(request: HttpRequest, code: str) -> HttpResponse:
    user = request.user
    sensor = _sensor(request, code)
    _decorate([sensor])
    alarms = list(
        Alarm.objects.filter(sensor=sensor).select_related("rule").order_by("-opened_at")[:20]
    )
    recent = recent_readings(sensor)
    feature = _geometry_feature(
        _point(sensor.lon, sensor.lat), sensor.code, SensorState.colour_of(sensor.state)
    )
    return render(
        request,
        "monitoring/sensor_detail.html",
        {
            "object": sensor,
            "sensor": sensor,
            "rules": rules_for(sensor),
            "alarms": alarms,
            "open_alarms": [a for a in alarms if a.is_open],
            "readings": [(_ms_to_dt(ts), v) for ts, v in recent],
            "chart_config": {
                "series": charts(sensor),
                "unit": sensor.unit_shown,  # type: ignore[attr-defined]
                "strings": _strings(),
            },
            "history": history_rows(sensor),
            "map_config": leaflet_config([feature]),
            "can_change": can_change(user, sensor),
            "can_write": _can_edit_rules(user),
            "tab": "sensors",
        },
    )


@login_required
@forbidden_as_page
def sensor_edit(request: HttpRequest, code: str | None = None) -> HttpResponseBase:
    user = request.user
    sensor = None
    if code is not None:
        sensor = _sensor(request, code)
        if not can_change(user, sensor):
            raise PermissionDenied(_("You may not change this record."))
    elif not _can_write(user):
        raise PermissionDenied(_("You may not add sensors."))
    form = SensorForm(request.POST or None, instance=sensor, user=user)
    if request.method == "POST" and form.is_valid():
        saved = form.save(user)
        if saved is not None:
            messages.success(
                request,
                (_("Saved “%(name)s”.") if sensor else _("Added “%(name)s”.")) % {"name": saved},
            )
            return redirect("monitoring:sensor_detail", code=saved.code)
    return render(
        request,
        "monitoring/sensor_form.html",
        {
            "form": form,
            "object": sensor,
            "picker": picker_context(user, form["lon"].id_for_label, form["lat"].id_for_label),
            "tab": "sensors",
        },
    )


# --- rules and contexts ---------------------------------------------------------------------


def _rules(user: Any) -> QuerySet:
    """Rules on the kinds (they concern everyone) and on the sensors the user can see."""
    return AlarmRule.objects.filter(
        Q(sensor__isnull=True) | Q(sensor__in=Sensor.objects.visible_to(user))
    ).select_related("sensor")


@login_required
def rule_list(request: HttpRequest) -> HttpResponseBase:
    user = request.user
    form = RuleFilterForm(request.GET)
    qs = _rules(user)
    q = form.value("q")
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(sensor__code__icontains=q))
    if form.value("kind"):
        qs = qs.filter(kind=form.value("kind"))
    if form.value("severity"):
        qs = qs.filter(severity=form.value("severity"))
    paginator = Paginator(qs.order_by(*form.ordering()), 50)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "monitoring/rule_list.html",
        {
            "form": form,
            "page_obj": page,
            "paginator": paginator,
            "page_range": pagination_range(page),
            "can_write": _can_edit_rules(user),
            "tab": "rules",
        },
    )


@login_required
@forbidden_as_page
def rule_edit(request: HttpRequest, pk: int | None = None) -> HttpResponseBase:
    user = request.user
    rule = None
    if pk is not None:
        rule = _rules(user).filter(pk=pk).first()
        if rule is None:
            raise Http404
    if not _can_edit_rules(user):
        raise PermissionDenied(_("Only district staff may change alarm rules."))
    form = RuleForm(request.POST or None, instance=rule, user=user)
    if request.method == "POST" and form.is_valid():
        saved = form.save(user)
        if saved is not None:
            messages.success(
                request,
                (_("Saved “%(name)s”.") if rule else _("Added “%(name)s”.")) % {"name": saved},
            )
            return redirect("monitoring:rule_list")
    return render(
        request,
        "monitoring/rule_form.html",
        {
            "form": form,
            "object": rule,
            "history": history_rows(rule) if rule else [],
            "tab": "rules",
        },
    )


@login_required
@forbidden_as_page
def context_list(request: HttpRequest) -> HttpResponseBase:
    user = request.user
    can_write = _can_write(user)
    form = ContextForm(request.POST or None, user=user)
    if request.method == "POST":
        if not can_write:
            raise PermissionDenied(_("You may not change rule contexts."))
        if form.is_valid():
            from . import services

            d = form.cleaned_data
            try:
                services.set_context(
                    user,
                    street=d["street"],
                    sensor_kind=d["sensor_kind"],
                    tighten=d["tighten"],
                    reason=d["reason"],
                    source="page",
                    ends_at=d["ends_at"],
                )
            except ValidationError as exc:
                for field, msgs in getattr(exc, "message_dict", {"__all__": exc.messages}).items():
                    form.add_error(field if field in form.fields else None, msgs)
            else:
                messages.success(request, _("The rule context is in force."))
                return redirect("monitoring:context_list")
    contexts = RuleContext.objects.visible_to(user).select_related("street", "created_by")
    now = timezone.now()
    active = [
        c
        for c in contexts.filter(released_at__isnull=True).order_by("-starts_at")
        if c.ends_at is None or c.ends_at > now
    ]
    past = list(contexts.exclude(pk__in=[c.pk for c in active]).order_by("-starts_at")[:50])
    return render(
        request,
        "monitoring/context_list.html",
        {
            "form": form,
            "active": active,
            "past": past,
            "can_write": can_write,
            "tab": "rules",
        },
    )


@login_required
@require_POST
@forbidden_as_page
def context_release(request: HttpRequest, pk: int) -> HttpResponseBase:
    user = request.user
    context = RuleContext.objects.visible_to(user).filter(pk=pk).first()
    if context is None:
        raise Http404
    if not _can_write(user):
        raise PermissionDenied(_("You may not change rule contexts."))
    from . import services

    services.release_context(user, context)
    messages.success(request, _("The rule context is released."))
    return redirect("monitoring:context_list")


# --- alarms ------------------------------------------------------------------------------------


def _alarm_columns() -> list[export.Column]:
    return [
        (_("ID"), lambda a: a.pk),
        (_("Sensor"), lambda a: a.sensor.code),
        (_("Sensor kind"), lambda a: a.sensor.get_kind_display()),
        (_("Rule"), lambda a: a.rule.name),
        (_("Severity"), lambda a: a.get_severity_display()),
        (_("State"), lambda a: a.get_state_display()),
        (_("Opened"), lambda a: a.opened_at),
        (_("Peak value"), lambda a: a.peak_value),
        (_("Last value"), lambda a: a.last_value),
        (_("Acknowledged"), lambda a: a.acknowledged_at),
        (_("Cleared"), lambda a: a.cleared_at),
        (_("Jurisdiction"), lambda a: a.jurisdiction.name),
    ]


@login_required
def alarm_board(request: HttpRequest) -> HttpResponseBase:
    user = request.user
    form = AlarmFilterForm(request.GET, user=user)
    qs = Alarm.objects.visible_to(user).select_related("sensor", "rule", "jurisdiction")
    state = form.value("state")
    if state == "all":
        pass
    elif state:
        qs = qs.filter(state=state)
    else:
        qs = qs.filter(is_open=True)
    if form.value("q"):
        qs = qs.filter(sensor__code__icontains=form.value("q"))
    if form.value("severity"):
        qs = qs.filter(severity=form.value("severity"))
    if form.value("street"):
        qs = qs.filter(sensor__street__code=form.value("street"))
    if form.value("kind"):
        qs = qs.filter(sensor__kind=form.value("kind"))
    qs = qs.order_by(*form.ordering())
    result = export_or_page(request, qs, _alarm_columns, "alarms", _("Alarms"))
    if isinstance(result, HttpResponseBase):
        return result
    paginator, page = result
    groups: dict[str, list[Alarm]] = defaultdict(list)
    writer = _can_write(user)
    for a in page:
        a.severity_colour = Severity.colour_of(a.severity)
        a.state_colour = AlarmState.colour_of(a.state)
        a.can_act = writer and a.is_open and can_change(user, a)
        groups[a.severity].append(a)
    by_severity = [
        {"value": v, "label": label, "colour": Severity.colour_of(v), "alarms": groups[v]}
        for v, label in sorted(Severity.choices, key=lambda c: -SEVERITY_RANK[c[0]])
        if groups.get(v)
    ]
    open_counts = dict(
        Alarm.objects.visible_to(user)
        .filter(is_open=True)
        .order_by()
        .values_list("severity")
        .annotate(n=Count("id"))
    )
    summary = [
        {"value": v, "label": label, "colour": Severity.colour_of(v), "n": open_counts.get(v, 0)}
        for v, label in sorted(Severity.choices, key=lambda c: -SEVERITY_RANK[c[0]])
    ]
    return render(
        request,
        "monitoring/alarm_board.html",
        {
            "form": form,
            "page_obj": page,
            "paginator": paginator,
            "page_range": pagination_range(page),
            "by_severity": by_severity,
            "summary": summary,
            "can_write": _can_write(user),
            "comment_form": CommentForm(),
            "tab": "alarms",
        },
    )


def _alarm(request: HttpRequest, pk: int) -> Alarm:
    alarm = (
        Alarm.objects.visible_to(request.user)
        .select_related("sensor", "rule", "jurisdiction", "acknowledged_by", "cleared_by")
        .filter(pk=pk)
        .first()
    )
    if alarm is None:
        raise Http404
    return alarm  # type: ignore[no-any-return]


@login_required
def alarm_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    alarm = _alarm(request, pk)
    alarm.severity_colour = Severity.colour_of(alarm.severity)  # type: ignore[attr-defined]
    alarm.state_colour = AlarmState.colour_of(alarm.state)  # type: ignore[attr-defined]
    sensor = alarm.sensor
    feature = _geometry_feature(
        _point(sensor.lon, sensor.lat), sensor.code, Severity.colour_of(alarm.severity)
    )
    return render(
        request,
        "monitoring/alarm_detail.html",
        {
            "object": alarm,
            "alarm": alarm,
            "sensor": sensor,
            "events": alarm.events.select_related("actor").order_by("at", "id"),
            "first_at": _ms_to_dt(alarm.first_ts),
            "last_at": _ms_to_dt(alarm.last_ts),
            "map_config": leaflet_config([feature]),
            "can_act": can_change(user, alarm),
            "comment_form": CommentForm(),
            "history": history_rows(alarm),
            "tab": "alarms",
        },
    )


ALARM_ACTIONS = ("acknowledge", "clear", "incident")


@login_required
@require_POST
@forbidden_as_page
def alarm_action(request: HttpRequest, pk: int, action: str) -> HttpResponseBase:
    """Acknowledge or clear an alarm (with a comment), or open an incident from it."""
    if action not in ALARM_ACTIONS:
        raise Http404
    user = request.user
    alarm = _alarm(request, pk)
    if not can_change(user, alarm):
        raise PermissionDenied(_("You may not change this record."))
    from . import services

    form = CommentForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    if not form.is_valid():
        messages.error(request, " ".join(str(m) for msgs in form.errors.values() for m in msgs))
        return redirect("monitoring:alarm_detail", pk=alarm.pk)
    try:
        if action == "acknowledge":
            services.acknowledge(user, alarm, comment)
            messages.success(request, _("Alarm acknowledged."))
        elif action == "clear":
            services.clear(user, alarm, comment)
            messages.success(request, _("Alarm cleared."))
        else:
            incident = services.open_incident(user, alarm)
            incident_id = (
                getattr(incident, "pk", None) or Alarm.objects.get(pk=alarm.pk).incident_id
            )
            messages.success(request, _("Incident opened from the alarm."))
            return redirect("incidents:detail", pk=incident_id)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    nxt = request.POST.get("next", "")
    if nxt.startswith("/") and not nxt.startswith("//"):
        return redirect(nxt)
    return redirect("monitoring:alarm_detail", pk=alarm.pk)


# --- dead letters ------------------------------------------------------------------------------

PAYLOAD_PREVIEW = 120


@login_required
@forbidden_as_page
def dead_letters(request: HttpRequest) -> HttpResponseBase:
    if not _district_role(request.user):
        raise PermissionDenied(_("Only district staff may read the dead letters."))
    form = DeadLetterFilterForm(request.GET)
    qs = DeadLetter.objects.all()
    q = form.value("q")
    if q:
        qs = qs.filter(Q(reason__icontains=q) | Q(sensor_code__icontains=q) | Q(topic__icontains=q))
    if form.value("source"):
        qs = qs.filter(source=form.value("source"))
    qs = qs.order_by(*form.ordering())
    paginator = Paginator(qs, 50)
    page = paginator.get_page(request.GET.get("page"))
    for d in page:
        d.preview = d.payload[:PAYLOAD_PREVIEW]  # type: ignore[attr-defined]
        d.truncated = len(d.payload) > PAYLOAD_PREVIEW  # type: ignore[attr-defined]
    return render(
        request,
        "monitoring/dead_letters.html",
        {
            "form": form,
            "page_obj": page,
            "paginator": paginator,
            "page_range": pagination_range(page),
            "tab": "dead_letters",
        },
    )


# --- availability ------------------------------------------------------------------------------


def _availability_columns() -> list[export.Column]:
    return [
        (_("Street"), lambda r: r["street_name"]),
        (_("Street code"), lambda r: r["street"]),
        (_("Sensor kind"), lambda r: r["kind_label"]),
        (_("Sensors"), lambda r: r["sensors"]),
        (_("Online"), lambda r: r["online"]),
        (_("Offline"), lambda r: r["offline"]),
        (_("Availability (%)"), lambda r: r["percent"]),
    ]


@login_required
def availability(request: HttpRequest) -> HttpResponseBase:
    from . import indicators

    user = request.user
    form = AvailabilityFilterForm(request.GET, user=user)
    street = form.value("street")
    kinds = dict(SensorKind.choices)
    rows: list[dict[str, Any]] = []
    for row in indicators.availability(user, street):
        row = dict(row)
        row.setdefault("kind_label", str(kinds.get(row["kind"], row["kind"])))
        # `rate` is a percentage already (one decimal), None for no sensors.
        row["percent"] = row.get("rate")
        rows.append(row)
    result = export_or_page(
        request,
        rows,  # type: ignore[arg-type]
        _availability_columns,
        "sensor-availability",
        _("Sensor availability"),
    )
    if isinstance(result, HttpResponseBase):
        return result
    paginator, page = result
    total = sum(r["sensors"] for r in rows)
    online = sum(r["online"] for r in rows)
    offline = list(indicators.offline_sensors(user, street))
    _decorate(offline)
    return render(
        request,
        "monitoring/availability.html",
        {
            "form": form,
            "rows": page,
            "page_obj": page,
            "paginator": paginator,
            "page_range": pagination_range(page),
            "total": total,
            "online": online,
            "overall": round(online * 100 / total, 1) if total else None,
            "offline": offline[:500],
            "offline_count": len(offline),
            "tab": "availability",
        },
    )


# --- import ------------------------------------------------------------------------------------

SESSION_KEY = "cityguard.monitoring.sensor_import"


@login_required
@forbidden_as_page
def sensor_import(request: HttpRequest) -> HttpResponseBase:
    from cityguard.core.views_import import ImportForm

    from . import imports

    if not _can_write(request.user):
        raise PermissionDenied(_("You may not add sensors."))
    report = None
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            d = form.cleaned_data
            result = imports.import_upload(
                request.user,
                d["file"],
                partial=d["partial"],
                dry_run=d["dry_run"],
                datum=d["datum"],
            )
            request.session[SESSION_KEY] = result.as_dict()
            return redirect(f"{request.path}?report=1")
    else:
        form = ImportForm()
        if request.GET.get("report"):
            report = request.session.pop(SESSION_KEY, None)
    return render(
        request,
        "monitoring/import.html",
        {"form": form, "report": report, "columns": imports.COLUMNS, "tab": "sensors"},
    )


@login_required
def sensor_import_template(request: HttpRequest, fmt: str) -> HttpResponseBase:
    from . import imports

    if fmt == "csv":
        body, ctype = imports.template_csv(), "text/csv; charset=utf-8"
    elif fmt == "xlsx":
        body = imports.template_xlsx()
        ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        raise Http404
    response = HttpResponse(body, content_type=ctype)
    response["Content-Disposition"] = f'attachment; filename="cityguard-sensors.{fmt}"'
    return response
