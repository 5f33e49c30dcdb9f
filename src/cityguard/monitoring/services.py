"""Every write of the monitoring app outside the ingestion pipeline: sensors, rules, rule
contexts, alarm handling (acknowledge, clear, incident), notifications read.

Each runs in a transaction, checks the actor's reach through `core.access`, validates the
whole record and keeps its history with the acting user.

Who may do what:
- sensors: district roles anywhere, street officers in their street, enterprise managers
  for their own organisation (`core.access.can_change` on the sensor before and after);
- rules: district staff and administrators only;
- rule contexts: district roles anywhere, street officers in their own street;
- acknowledge, clear, open an incident: anyone who can see the alarm and may write
  (not viewers or API clients).
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cityguard.core.access import DISTRICT_ROLES, reach, require_change
from cityguard.core.choices import Level
from cityguard.core.models import Jurisdiction, Organization, Place
from cityguard.core.schemas import street_code
from cityguard.core.services import (
    apply_changes,
    place_in_tree,
    require_write,
    validate_and_save,
)

from . import events, pipeline
from .choices import (
    DEFAULT_UNIT,
    SEVERITY_RANK,
    AlarmEventKind,
    AlarmState,
    Op,
    RuleKind,
    SensorKind,
    SensorState,
    Severity,
)
from .models import (
    Alarm,
    AlarmEvent,
    AlarmRule,
    Notification,
    RuleContext,
    RuleState,
    Sensor,
)


def _changed() -> None:
    """Sensors, rules or contexts changed: this process's pipeline cache is stale now,
    and others notice within a second (their version check)."""
    pipeline.invalidate()
    transaction.on_commit(pipeline.invalidate)


# --- sensors ---------------------------------------------------------------------------

SENSOR_FIELDS = {
    "code",
    "name",
    "kind",
    "unit",
    "lon",
    "lat",
    "organization",
    "organization_id",
    "place",
    "place_id",
    "expected_interval_s",
    "enabled",
    "installed_on",
    "state",
}
STATES_BY_HAND = {SensorState.NORMAL, SensorState.MAINTENANCE}


def _ref(data: dict[str, Any], name: str, model: Any, errors: dict[str, list[str]]) -> None:
    """`organization`/`place` given as an id (or instance) → `<name>_id`."""
    if name not in data:
        return
    value = data.pop(name)
    if value is None or value == "":
        data[f"{name}_id"] = None
        return
    pk = value.pk if isinstance(value, model) else value
    if isinstance(pk, bool) or not isinstance(pk, int) or not model.objects.filter(pk=pk).exists():
        msg = _("No such organisation.") if model is Organization else _("No such place.")
        errors.setdefault(name, []).append(msg)
        return
    data[f"{name}_id"] = pk


def street_of(jurisdiction: Jurisdiction | None) -> Jurisdiction | None:
    if jurisdiction is None:
        return None
    code = street_code(jurisdiction.path)
    if code is None:
        return None
    return Jurisdiction.objects.filter(code=code, level=Level.STREET).first()


@transaction.atomic
def save_sensor(actor: Any, data: dict[str, Any], sensor: Sensor | None = None) -> Sensor:
    """Create or update a sensor; its jurisdiction and street follow its location (a point
    outside the district is refused). A sensor given a place and no location stands where
    the place does; the place's organisation is taken when none is given."""
    require_write(actor)
    obj = sensor or Sensor()
    if sensor is not None:
        require_change(actor, sensor)
    data = dict(data)
    errors: dict[str, list[str]] = {}
    _ref(data, "organization", Organization, errors)
    _ref(data, "place", Place, errors)
    if errors:
        raise ValidationError(errors)
    if "state" in data and data["state"] not in STATES_BY_HAND:
        raise ValidationError(
            {"state": [_("Only normal or under maintenance can be set by hand.")]}
        )
    apply_changes(obj, data, SENSOR_FIELDS)
    if obj.place_id:
        place = Place.objects.get(pk=obj.place_id)
        if not obj.organization_id:
            obj.organization_id = place.organization_id
        elif place.organization_id != obj.organization_id:
            errors.setdefault("place", []).append(
                _("The place does not belong to this organisation.")
            )
        if obj.lon is None and obj.lat is None and place.lon is not None:
            obj.lon, obj.lat = place.lon, place.lat
    if obj.lon is None or obj.lat is None:
        errors.setdefault("lon", []).append(_("Give the sensor's longitude and latitude."))
    if obj.kind and obj.kind not in SensorKind.values:
        errors.setdefault("kind", []).append(_("Unknown sensor kind."))
    if not obj.unit and obj.kind:
        obj.unit = DEFAULT_UNIT.get(obj.kind, "")
    if obj.code:
        obj.code = obj.code.strip()
        clash = Sensor.objects.filter(code=obj.code).exclude(pk=obj.pk).exists()
        if clash:
            errors.setdefault("code", []).append(_("This code is already taken."))
    if obj.expected_interval_s is not None and obj.expected_interval_s < 1:
        errors.setdefault("expected_interval_s", []).append(
            _("The expected interval must be at least one second.")
        )
    if not errors:
        place_in_tree(obj, errors, named=False)
    if not obj.enabled:
        obj.state = SensorState.DISABLED
    elif obj.state == SensorState.DISABLED:
        obj.state = SensorState.NORMAL
    if not errors:
        obj.street = street_of(obj.jurisdiction)
        require_change(actor, obj)
    obj = validate_and_save(obj, actor, errors, exclude=["jurisdiction"] if errors else [])
    _changed()
    return obj


# --- rules -----------------------------------------------------------------------------


def _require_district(actor: Any) -> None:
    r = reach(actor)
    if not (r.superuser or (r.role in DISTRICT_ROLES and r.can_write)):
        raise PermissionDenied(_("Only district staff may change alarm rules."))


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    f = float(value)
    return f if math.isfinite(f) else None


def _condition(value: Any, field: str, errors: dict[str, list[str]]) -> tuple[str, float] | None:
    if not isinstance(value, dict) or set(value) != {"op", "value"}:
        errors.setdefault(field, []).append(
            _('Give the condition as {"op": ">|>=|<|<=", "value": number}.')
        )
        return None
    op = value["op"]
    number = _number(value["value"])
    if op not in Op.values:
        errors.setdefault(field, []).append(_("The operator must be one of >, >=, <, <=."))
        return None
    if number is None:
        errors.setdefault(field, []).append(_("The condition's value must be a finite number."))
        return None
    return op, number


RULE_KEYS = {
    "name",
    "kind",
    "sensor",
    "sensor_kind",
    "severity",
    "condition",
    "for_seconds",
    "clear_condition",
    "window_s",
    "no_data_factor",
    "context_sensitive",
    "enabled",
}


@transaction.atomic
def save_rule(actor: Any, data: dict[str, Any], rule: AlarmRule | None = None) -> AlarmRule:
    """Create or update an alarm rule from the API's JSON shape: {"name", "kind",
    "sensor": code | null, "sensor_kind": kind | null (exactly one of the two),
    "severity", "condition": {"op", "value"}, "for_seconds", "clear_condition":
    {"op", "value"} | null, "window_s" (rate), "no_data_factor" (no_data),
    "context_sensitive", "enabled"}. On update, keys left out keep their values."""
    require_write(actor)
    _require_district(actor)
    unknown = set(data) - RULE_KEYS
    if unknown:
        raise ValidationError({k: [_("Unknown field.")] for k in sorted(unknown)})
    obj = rule or AlarmRule(created_by=actor if getattr(actor, "pk", None) else None)
    errors: dict[str, list[str]] = {}
    if "name" in data:
        obj.name = str(data["name"] or "").strip()
    if "kind" in data:
        if data["kind"] not in RuleKind.values:
            errors.setdefault("kind", []).append(_("Unknown rule kind."))
        else:
            obj.kind = data["kind"]
    if "severity" in data:
        if data["severity"] not in Severity.values:
            errors.setdefault("severity", []).append(_("Unknown severity."))
        else:
            obj.severity = data["severity"]
    if "sensor" in data or "sensor_kind" in data:
        code = (
            data.get("sensor")
            if "sensor" in data
            else (obj.sensor.code if obj.sensor is not None else None)
        )
        kind = data.get("sensor_kind") if "sensor_kind" in data else (obj.sensor_kind or None)
        if bool(code) == bool(kind):
            errors.setdefault("sensor", []).append(
                _("Give either a sensor or a sensor kind, not both.")
            )
        elif code:
            found = Sensor.objects.visible_to(actor).filter(code=code).first()
            if found is None:
                errors.setdefault("sensor", []).append(
                    _("No sensor has the code %(code)s.") % {"code": code}
                )
            else:
                obj.sensor, obj.sensor_kind = found, ""
        else:
            if kind not in SensorKind.values:
                errors.setdefault("sensor_kind", []).append(_("Unknown sensor kind."))
            else:
                obj.sensor, obj.sensor_kind = None, kind
    if "condition" in data:
        if data["condition"] is None:
            obj.op, obj.threshold = "", None
        else:
            cond = _condition(data["condition"], "condition", errors)
            if cond:
                obj.op, obj.threshold = cond
    if "clear_condition" in data:
        if data["clear_condition"] is None:
            obj.clear_op, obj.clear_threshold = "", None
        else:
            cond = _condition(data["clear_condition"], "clear_condition", errors)
            if cond:
                obj.clear_op, obj.clear_threshold = cond
    for key in ("for_seconds", "window_s"):
        if key in data:
            v = data[key]
            if v is None and key == "window_s":
                obj.window_s = None
            elif isinstance(v, bool) or not isinstance(v, int) or not 0 <= v <= 30 * 86400:
                errors.setdefault(key, []).append(
                    _("Enter a whole number of seconds from 0 to 2592000.")
                )
            else:
                setattr(obj, key, v)
    if "no_data_factor" in data:
        v = data["no_data_factor"]
        f = None if v is None else _number(v)
        if v is not None and (f is None or not 1.0 <= f <= 1000.0):
            errors.setdefault("no_data_factor", []).append(
                _("The no-data factor must be a number from 1 to 1000.")
            )
        else:
            obj.no_data_factor = f
    for key in ("context_sensitive", "enabled"):
        if key in data:
            if not isinstance(data[key], bool):
                errors.setdefault(key, []).append(_("Enter true or false."))
            else:
                setattr(obj, key, data[key])
    if not errors:
        _check_rule(obj, errors)
    obj = validate_and_save(obj, actor, errors, exclude=[])
    if rule is not None:
        # What the rule held under its old terms no longer counts: the next readings decide.
        RuleState.objects.filter(rule=obj).delete()
    _changed()
    return obj


def _check_rule(obj: AlarmRule, errors: dict[str, list[str]]) -> None:
    if not obj.name:
        errors.setdefault("name", []).append(_("This field is required."))
    if not obj.severity:
        errors.setdefault("severity", []).append(_("This field is required."))
    if not obj.sensor_id and not obj.sensor_kind:
        errors.setdefault("sensor", []).append(
            _("Give either a sensor or a sensor kind, not both.")
        )
    if obj.kind in (RuleKind.THRESHOLD, RuleKind.RATE):
        if not obj.op or obj.threshold is None:
            errors.setdefault("condition", []).append(_("This rule needs a condition."))
        if obj.kind == RuleKind.RATE and not obj.window_s:
            errors.setdefault("window_s", []).append(
                _("A rate-of-change rule needs a window of at least one second.")
            )
        if obj.clear_op and obj.op and obj.threshold is not None:
            high = obj.op in (">", ">=")
            clear_high = obj.clear_op in (">", ">=")
            assert obj.clear_threshold is not None
            if high == clear_high or (
                obj.clear_threshold > obj.threshold if high else obj.clear_threshold < obj.threshold
            ):
                errors.setdefault("clear_condition", []).append(
                    _(
                        "The clear condition must point the other way and lie at or beyond "
                        "the alarm threshold (e.g. alarm > 10, clear < 8)."
                    )
                )
    else:
        obj.op, obj.threshold, obj.clear_op, obj.clear_threshold = "", None, "", None
        obj.window_s = None
        if obj.no_data_factor is None:
            from . import config

            obj.no_data_factor = config.no_data_factor()


# --- contexts --------------------------------------------------------------------------


@transaction.atomic
def set_context(
    actor: Any,
    *,
    street: Jurisdiction,
    sensor_kind: str,
    tighten: float,
    reason: str,
    source: str = "api",
    ends_at: dt.datetime | None = None,
    starts_at: dt.datetime | None = None,
) -> RuleContext:
    """While active, every context-sensitive threshold rule of `sensor_kind` for sensors
    in `street` is tightened by `tighten` (> and >= thresholds go down, < and <= up)."""
    require_write(actor)
    errors: dict[str, list[str]] = {}
    if street is None or street.level != Level.STREET:
        errors.setdefault("street", []).append(_("Give a street."))
    if sensor_kind not in SensorKind.values:
        errors.setdefault("sensor_kind", []).append(_("Unknown sensor kind."))
    f = _number(tighten)
    if f is None or f <= 0:
        errors.setdefault("tighten", []).append(_("Tighten by a positive finite number."))
    reason = (reason or "").strip()
    if not reason:
        errors.setdefault("reason", []).append(_("Give a reason."))
    now = timezone.now()
    start = starts_at or now
    if ends_at is not None and ends_at <= start:
        errors.setdefault("ends_at", []).append(_("The end must lie after the start."))
    if errors:
        raise ValidationError(errors)
    ctx = RuleContext(
        street=street,
        sensor_kind=sensor_kind,
        tighten=float(f or 0),
        reason=reason[:300],
        source=(source or "api")[:64],
        starts_at=start,
        ends_at=ends_at,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    require_change(actor, ctx)
    ctx = validate_and_save(ctx, actor, errors, exclude=[])
    _changed()
    return ctx


@transaction.atomic
def release_context(actor: Any, context: RuleContext) -> RuleContext:
    require_write(actor)
    require_change(actor, context)
    if context.released_at is not None:
        raise ValidationError({"context": [_("The context is already released.")]})
    context.released_at = timezone.now()
    context._history_user = actor  # type: ignore[attr-defined]
    context.save()
    _changed()
    return context


@transaction.atomic
def release_contexts(source: str) -> int:
    """Release every active context set by `source` (e.g. "warning:<id>"); a system call."""
    n = 0
    now = timezone.now()
    for ctx in RuleContext.objects.filter(source=source, released_at__isnull=True):
        ctx.released_at = now
        ctx._history_user = None  # type: ignore[attr-defined]
        ctx.save()
        n += 1
    if n:
        _changed()
    return n


# --- alarms ----------------------------------------------------------------------------


def _require_alarm(actor: Any, alarm: Alarm) -> None:
    require_write(actor)
    if not Alarm.objects.visible_to(actor).filter(pk=alarm.pk).exists():
        raise PermissionDenied(_("You may not change this record."))


def _sensor_state_after(alarm: Alarm) -> None:
    """After a hand clear: the sensor is in alarm only while another value alarm is open."""
    sensor = Sensor.objects.get(pk=alarm.sensor_id)
    if sensor.state in (SensorState.MAINTENANCE, SensorState.DISABLED, SensorState.OFFLINE):
        return
    others = (
        Alarm.objects.filter(sensor_id=sensor.pk, is_open__in=[True])
        .exclude(rule__kind=RuleKind.NO_DATA)
        .exists()
    )
    new = SensorState.ALARM if others else SensorState.NORMAL
    if new != sensor.state:
        Sensor.objects.filter(pk=sensor.pk).update(state=new)
        events.publish(
            "sensor",
            {
                "code": sensor.code,
                "state": new,
                "lon": sensor.lon,
                "lat": sensor.lat,
                "last_value": sensor.last_value,
                "last_ts": sensor.last_ts,
            },
            path=sensor.jurisdiction.path,
            organization_id=sensor.organization_id,
        )


@transaction.atomic
def acknowledge(actor: Any, alarm: Alarm, comment: str = "") -> Alarm:
    _require_alarm(actor, alarm)
    alarm = Alarm.objects.select_for_update().get(pk=alarm.pk)
    if alarm.state != AlarmState.ACTIVE:
        raise ValidationError({"state": [_("Only an active alarm can be acknowledged.")]})
    now = timezone.now()
    alarm.state = AlarmState.ACKNOWLEDGED
    alarm.acknowledged_at = now
    alarm.acknowledged_by = actor
    alarm.ack_comment = (comment or "").strip()
    alarm._history_user = actor  # type: ignore[attr-defined]
    alarm.save()
    AlarmEvent.objects.create(
        alarm=alarm, kind=AlarmEventKind.ACKNOWLEDGED, at=now, actor=actor, note=alarm.ack_comment
    )
    events.publish_alarm(alarm)
    return alarm


@transaction.atomic
def clear(actor: Any, alarm: Alarm, comment: str = "") -> Alarm:
    """Clear an open alarm by hand. If its condition still holds, the next reading opens a
    new alarm."""
    _require_alarm(actor, alarm)
    alarm = Alarm.objects.select_for_update().get(pk=alarm.pk)
    if not alarm.is_open:
        raise ValidationError({"state": [_("The alarm is already cleared.")]})
    now = timezone.now()
    alarm.state = AlarmState.CLEARED
    alarm.is_open = False
    alarm.cleared_at = now
    alarm.cleared_by = actor
    alarm.clear_comment = (comment or "").strip()
    alarm._history_user = actor  # type: ignore[attr-defined]
    alarm.save()
    AlarmEvent.objects.create(
        alarm=alarm, kind=AlarmEventKind.CLEARED, at=now, actor=actor, note=alarm.clear_comment
    )
    events.publish_alarm(alarm)
    _sensor_state_after(alarm)
    return alarm


INCIDENT_SUBTYPE = {
    "gas": "gas",
    "combustible_gas": "gas",
    "toxic_gas": "hazardous_chemical_release",
    "water_pressure": "utility",
    "water_level": "flood",
    "temperature": "fire",
    "smoke": "fire",
    "tilt": "other",
    "displacement": "geological",
}


@transaction.atomic
def open_incident(actor: Any, alarm: Alarm) -> Any:
    """Turn the alarm into an incident (once: a second call returns the same incident)."""
    from cityguard.incidents.services import open_from_alarm

    _require_alarm(actor, alarm)
    alarm = Alarm.objects.select_related("sensor", "rule").get(pk=alarm.pk)
    sensor = alarm.sensor
    if sensor.lon is None or sensor.lat is None:
        raise ValidationError({"sensor": [_("The sensor has no location.")]})
    title = _("%(kind)s alarm at %(sensor)s") % {
        "kind": sensor.get_kind_display(),
        "sensor": sensor.name or sensor.code,
    }
    incident = open_from_alarm(
        actor,
        alarm_ref=f"monitoring:{alarm.pk}",
        lon=sensor.lon,
        lat=sensor.lat,
        title=str(title)[:200],
        occurred_at=alarm.opened_at,
        subtype=INCIDENT_SUBTYPE.get(sensor.kind, "other"),
    )
    if alarm.incident_id != incident.pk:
        alarm.incident_id = incident.pk
        alarm._history_user = actor  # type: ignore[attr-defined]
        alarm.save()
        AlarmEvent.objects.create(
            alarm=alarm,
            kind=AlarmEventKind.INCIDENT,
            actor=actor,
            note=_("Incident %(id)s opened.") % {"id": incident.pk},
        )
    return incident


@transaction.atomic
def mark_read(user: Any, notification: Notification) -> Notification:
    if notification.user_id != getattr(user, "pk", None):
        raise PermissionDenied(_("You may not change this record."))
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def severity_rank(severity: str) -> int:
    return SEVERITY_RANK.get(severity, 0)


def readings_deleted(counts: dict[int, int]) -> None:
    """Retention removed readings ({sensor id: how many}): keep each sensor's counter of
    stored readings (the /stats figure) true. Call in the transaction that deleted them."""
    from django.db import connection

    rows = [(int(n), int(sid)) for sid, n in counts.items() if n]
    if rows:
        with connection.cursor() as cur:
            cur.executemany(
                "UPDATE monitoring_sensor SET reading_count = reading_count - %s WHERE id = %s",
                rows,
            )
