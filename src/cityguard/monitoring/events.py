"""The event table the live push follows across processes.

An event is inserted in the transaction that made the change, so a reader sees it only
once it is committed, in id order. Kinds and payloads:

- "alarm": {"id", "sensor", "lon", "lat", "rule", "rule_name", "severity", "state",
  "opened_at", "cleared_at", "peak_value", "last_value"} when an alarm opens, escalates,
  is acknowledged or clears;
- "sensor": {"code", "state", "lon", "lat", "last_value", "last_ts"} when a sensor's state
  changes;
- "values": {"values": [[code, ts, value], …]} per batch and street (at most
  CITYGUARD_MONITORING_VALUES_CAP entries an event; more sensors give more events), with
  the latest value of each sensor; organisations with enterprise managers get their own
  copy (`organization_id_ref` set).

`path` is the jurisdiction path of the record ("values": the street's), so `since` gives a
reader only what lies within its reach.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import orjson
from django.utils import timezone

from cityguard.core.access import reach
from cityguard.core.choices import Role

from . import config
from .models import Alarm, Event


def _default(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


def publish(kind: str, payload: dict[str, Any], *, path: str, organization_id: int | None) -> None:
    """Insert an event in the caller's transaction."""
    Event.objects.create(
        kind=kind,
        path=path or "",
        organization_id_ref=organization_id,
        payload=orjson.dumps(payload, default=_default).decode(),
    )


def alarm_payload(alarm: Alarm) -> dict[str, Any]:
    sensor = alarm.sensor
    return {
        "id": alarm.pk,
        "sensor": sensor.code,
        "lon": sensor.lon,
        "lat": sensor.lat,
        "rule": alarm.rule_id,
        "rule_name": alarm.rule.name,
        "severity": alarm.severity,
        "state": alarm.state,
        "opened_at": alarm.opened_at.isoformat() if alarm.opened_at else None,
        "cleared_at": alarm.cleared_at.isoformat() if alarm.cleared_at else None,
        "peak_value": alarm.peak_value,
        "last_value": alarm.last_value,
    }


def publish_alarm(alarm: Alarm) -> None:
    path = alarm.jurisdiction.path if alarm.jurisdiction_id else alarm.sensor.jurisdiction.path
    publish("alarm", alarm_payload(alarm), path=path, organization_id=alarm.organization_id)


def visible(user: Any) -> Any:
    """Events within the user's reach (a queryset; none for no role)."""
    r = reach(user)
    qs = Event.objects.all()
    if not r.authenticated or r.role is None:
        return qs.none()
    if r.role == Role.ENTERPRISE_MANAGER and not r.superuser:
        if r.organization_id is None:
            return qs.none()
        return qs.filter(organization_id_ref=r.organization_id)
    # Everyone else reads the per-street "values" events, not the organisations' copies.
    qs = qs.exclude(kind="values", organization_id_ref__isnull=False)
    if r.whole_district:
        return qs
    if r.path is None:
        return qs.none() if r.role == Role.STREET_OFFICER else qs
    return qs.filter(path__startswith=r.path)


def since(user: Any, last_id: int, limit: int = 500) -> list[Event]:
    """Events after `last_id` that the user may see, oldest first."""
    return list(visible(user).filter(id__gt=last_id).order_by("id")[: max(1, limit)])


def last_id() -> int:
    found = Event.objects.order_by("-id").values_list("id", flat=True).first()
    return int(found or 0)


def prune(keep_s: float | None = None) -> int:
    """Delete events older than CITYGUARD_MONITORING_EVENT_KEEP_S."""
    keep = config.event_keep_s() if keep_s is None else keep_s
    cutoff = timezone.now() - dt.timedelta(seconds=keep)
    deleted, _detail = Event.objects.filter(created_at__lt=cutoff).delete()
    return int(deleted)
