"""Operations on incidents. Pages, API, demo and other apps (monitoring) write through these.

Every write checks the actor's reach (`require_change` on the incident) and records what
it did on the incident's timeline itself, in the same transaction — a view never writes a
timeline entry. `actor=None` is the system (demo loader, a background job) and skips the
reach check.

- `create_incident`, `update_incident` (figures → level, each change on the timeline),
  `open_from_alarm` (the monitoring app's one-step alarm → incident), `close_incident`,
  `reopen_incident`, `set_lessons`, `add_note`.
- `propose_plans` (matching plans with the reason), `activate` (tasks from the plan's checklist),
  `add_task`, `advance_task`.
- `request_dispatch` (a team through `resources.services.set_team_status`, materials through
  `resources.services.issue_stock`), `advance_dispatch`.
- `describe(event)`: an entry's text in the reader's language.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cityguard.core.access import require_change
from cityguard.core.services import (
    apply_changes,
    names_jurisdiction,
    place_in_tree,
    validate_and_save,
)
from cityguard.core.services import require_write as _require_writer

from . import grading
from .choices import (
    DISPATCH_NEXT,
    SUBTYPES,
    DispatchKind,
    DispatchStatus,
    EventKind,
    IncidentType,
    Level,
    Source,
    Status,
    Subtype,
    TaskStatus,
    type_of_subtype,
)
from .models import Dispatch, Incident, IncidentEvent, Task

INCIDENT_FIELDS = {
    "title",
    "description",
    "source",
    "type",
    "subtype",
    "address",
    "occurred_at",
    "reported_at",
    "deaths",
    "serious_injuries",
    "direct_loss_cny",
    "lon",
    "lat",
    "jurisdiction",
    "jurisdiction_id",
    "chemical",
    "release_rate_g_s",
    "source_height_m",
}
FIGURES = ("deaths", "serious_injuries", "direct_loss_cny")
# Fields whose change is written on the timeline as "details updated".
TRACKED = ("title", "type", "subtype", "address", "occurred_at", "lon", "lat", "chemical")


def _require_write(actor: Any) -> None:
    if actor is not None:
        _require_writer(actor)


def _check(actor: Any, obj: Any) -> None:
    if actor is not None:
        require_change(actor, obj)


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def record(
    incident: Incident,
    kind: str,
    actor: Any,
    text: str = "",
    data: dict[str, Any] | None = None,
    at: dt.datetime | None = None,
) -> IncidentEvent:
    """Append one entry to the timeline (other apps may call this too, e.g. consequence)."""
    return IncidentEvent.objects.create(
        incident=incident,
        kind=kind,
        actor=_user(actor),
        text=text,
        data=data or {},
        at=at or timezone.now(),
    )


# --- incidents --------------------------------------------------------------------------


def _check_figures(obj: Incident, errors: dict[str, list[str]]) -> None:
    for field in FIGURES:
        value = getattr(obj, field)
        try:
            grading._figure(field, value)
        except grading.GradeError:
            errors.setdefault(field, []).append(_("Enter a whole number of zero or more."))


def _check_types(obj: Incident, errors: dict[str, list[str]]) -> None:
    if obj.subtype and not obj.type:
        found = type_of_subtype(obj.subtype)
        if found:
            obj.type = found
    if obj.type in SUBTYPES and obj.subtype and obj.subtype not in SUBTYPES[obj.type]:
        errors.setdefault("subtype", []).append(
            _("%(subtype)s is not a subtype of %(type)s.")
            % {"subtype": obj.subtype, "type": obj.type}
        )


def _regrade(obj: Incident) -> tuple[int, str]:
    g = grading.grade(obj.deaths, obj.serious_injuries, obj.direct_loss_cny)
    return g.level, g.criterion


@transaction.atomic
def create_incident(actor: Any, data: dict[str, Any], *, alarm_ref: str = "") -> Incident:
    """Record a new incident (status "reported"); its level comes from its figures."""
    _require_write(actor)
    obj = Incident(created_by=_user(actor), alarm_ref=alarm_ref)
    apply_changes(obj, data, INCIDENT_FIELDS)
    now = timezone.now()
    if obj.reported_at is None:
        obj.reported_at = now
    if obj.occurred_at is None:
        obj.occurred_at = obj.reported_at
    errors: dict[str, list[str]] = {}
    _check_figures(obj, errors)
    _check_types(obj, errors)
    place_in_tree(obj, errors, names_jurisdiction(data))
    if not errors:
        obj.level, obj.level_criterion = _regrade(obj)
        _check(actor, obj)
    obj.status = Status.REPORTED
    validate_and_save(obj, actor, errors, exclude=["jurisdiction"] if errors else [])
    record(
        obj,
        EventKind.REPORTED,
        actor,
        obj.description[:2000],
        {"source": obj.source, "level": obj.level, "alarm_ref": alarm_ref},
        at=now,
    )
    return obj


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


@transaction.atomic
def update_incident(actor: Any, incident: Incident, data: dict[str, Any]) -> Incident:
    """Change an incident's details and figures. A change of the figures is one timeline
    entry (old → new), and a change of the level it causes is another."""
    _require_write(actor)
    _check(actor, incident)
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    before = {f: getattr(incident, f) for f in (*FIGURES, *TRACKED)}
    old_level = incident.level
    apply_changes(incident, data, INCIDENT_FIELDS)
    errors: dict[str, list[str]] = {}
    _check_figures(incident, errors)
    _check_types(incident, errors)
    place_in_tree(incident, errors, names_jurisdiction(data))
    if not errors:
        incident.level, incident.level_criterion = _regrade(incident)
        _check(actor, incident)  # where it would stand after the change
    validate_and_save(incident, actor, errors, exclude=["jurisdiction"] if errors else [])
    now = timezone.now()
    figures = {
        f: [before[f], getattr(incident, f)] for f in FIGURES if before[f] != getattr(incident, f)
    }
    if figures:
        record(incident, EventKind.FIGURES, actor, data={"changes": figures}, at=now)
    if incident.level != old_level:
        record(
            incident,
            EventKind.LEVEL,
            actor,
            data={
                "from": old_level,
                "to": incident.level,
                "criterion": incident.level_criterion,
            },
            at=now,
        )
    details = {
        f: [_plain(before[f]), _plain(getattr(incident, f))]
        for f in TRACKED
        if before[f] != getattr(incident, f)
    }
    if details:
        record(incident, EventKind.UPDATED, actor, data={"changes": details}, at=now)
    return incident


@transaction.atomic
def open_from_alarm(
    actor: Any,
    *,
    alarm_ref: str,
    lon: float,
    lat: float,
    title: str,
    occurred_at: dt.datetime,
    subtype: str,
) -> Incident:
    """Turn an active monitoring alarm into an incident in one step.

    Idempotent per alarm: while an incident opened from `alarm_ref` is not closed, the same
    call returns it rather than opening a second one. The class follows the subtype
    (an unknown or ambiguous subtype is an accident of subtype "other")."""
    alarm_ref = (alarm_ref or "").strip()
    if not alarm_ref:
        raise ValidationError({"alarm_ref": [_("Give the alarm's reference.")]})
    existing = Incident.objects.filter(alarm_ref=alarm_ref).exclude(status=Status.CLOSED).first()
    if existing is not None:
        return existing
    if subtype not in Subtype.values:
        subtype = Subtype.OTHER
    kind = type_of_subtype(subtype) or IncidentType.ACCIDENT
    return create_incident(
        actor,
        {
            "title": title,
            "source": Source.SENSOR_ALARM,
            "type": kind,
            "subtype": subtype,
            "lon": lon,
            "lat": lat,
            "occurred_at": occurred_at,
            "description": _("Opened from monitoring alarm %(ref)s.") % {"ref": alarm_ref},
        },
        alarm_ref=alarm_ref,
    )


@transaction.atomic
def close_incident(actor: Any, incident: Incident, text: str = "") -> Incident:
    _require_write(actor)
    _check(actor, incident)
    if incident.status == Status.CLOSED:
        raise ValidationError({"status": [_("The incident is already closed.")]})
    open_tasks = incident.tasks.exclude(status=TaskStatus.DONE).count()
    out = incident.dispatches.exclude(status=DispatchStatus.RETURNED).filter(kind=DispatchKind.TEAM)
    if out.exists():
        raise ValidationError(
            {"status": [_("Teams are still out: record their return before closing.")]}
        )
    now = timezone.now()
    incident.status = Status.CLOSED
    incident.closed_at = now
    incident._history_user = actor  # type: ignore[attr-defined]
    incident.save()
    record(incident, EventKind.CLOSED, actor, text, {"open_tasks": open_tasks}, at=now)
    return incident


@transaction.atomic
def reopen_incident(actor: Any, incident: Incident, text: str = "") -> Incident:
    _require_write(actor)
    _check(actor, incident)
    if incident.status != Status.CLOSED:
        raise ValidationError({"status": [_("Only a closed incident can be reopened.")]})
    incident.status = Status.RESPONDING if incident.plan_id else Status.REPORTED
    incident.closed_at = None
    incident._history_user = actor  # type: ignore[attr-defined]
    incident.save()
    record(incident, EventKind.REOPENED, actor, text)
    return incident


@transaction.atomic
def set_lessons(actor: Any, incident: Incident, text: str) -> Incident:
    """The lessons learned: editable at any time, closed or not; each edit is on the timeline."""
    _require_write(actor)
    _check(actor, incident)
    if "\x00" in text:
        raise ValidationError({"lessons": [_("Null characters are not allowed.")]})
    incident.lessons = text.strip()
    incident._history_user = actor  # type: ignore[attr-defined]
    incident.save(update_fields=["lessons", "updated_at"])
    record(incident, EventKind.LESSONS, actor, incident.lessons[:2000])
    return incident


@transaction.atomic
def add_note(actor: Any, incident: Incident, text: str) -> IncidentEvent:
    _require_write(actor)
    _check(actor, incident)
    text = (text or "").strip()
    if not text or "\x00" in text:
        raise ValidationError({"text": [_("Write the note.")]})
    return record(incident, EventKind.NOTE, actor, text[:5000])


# --- plans and activation --------------------------------------------------------------


@dataclass
class Proposal:
    plan: Any
    reason: str
    response_level: int
    has_checklist: bool


def _label(choices: Any, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def match_reason(plan: Any, incident: Incident) -> str:
    """ "covers accident/hazardous_chemical_release at levels 2–4" in the reader's language."""
    kinds = (
        "/".join(_label(IncidentType, t) for t in plan.incident_types)
        if plan.incident_types
        else _("all types")
    )
    subs = "/".join(_label(Subtype, s) for s in plan.subtypes) if plan.subtypes else _("all")
    return _("covers %(types)s (%(subtypes)s) at levels %(min)s–%(max)s") % {
        "types": kinds,
        "subtypes": subs,
        "min": plan.min_level,
        "max": plan.max_level,
    }


UNIT_KINDS = ("unit", "on_site")
UNIT_PLAN_RADIUS_M = 500.0


def _distance_m(a: Any, b: Any) -> float | None:
    if None in (a.lon, a.lat, b.lon, b.lat):
        return None
    lat1, lat2 = math.radians(a.lat), math.radians(b.lat)
    dlat, dlon = lat2 - lat1, math.radians(b.lon - a.lon)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * 6_371_008.8 * math.asin(math.sqrt(h))


def propose_plans(user: Any, incident: Incident) -> list[Proposal]:
    """Plans in force that cover the incident's type, subtype and level, the most specific
    first (a special or on-site plan naming the subtype before the overall plan). A unit's
    or on-site plan is proposed only within 500 m of its organisation."""
    from cityguard.plans.models import EmergencyPlan

    plans = EmergencyPlan.objects.visible_to(user).filter(is_active=True)
    found = []
    for plan in plans.select_related("organization").prefetch_related("response_levels__actions"):
        if not plan.covers(incident.type, incident.subtype, incident.level):
            continue
        reason = match_reason(plan, incident)
        if plan.kind in UNIT_KINDS and plan.organization_id:
            # A unit's own plan applies where the unit is, not to every incident of its type.
            away = _distance_m(plan.organization, incident)
            if away is None or away > UNIT_PLAN_RADIUS_M:
                continue
            reason += " · " + _("%(org)s is %(m)s m away") % {
                "org": plan.organization.name,
                "m": round(away),
            }
        levels = {rl.level: rl for rl in plan.response_levels.all()}
        found.append(
            Proposal(
                plan=plan,
                reason=reason,
                response_level=incident.level,
                has_checklist=bool(
                    incident.level in levels and levels[incident.level].actions.all()
                ),
            )
        )
    rank = {"on_site": 0, "unit": 1, "special": 2, "department": 3, "overall": 4}
    found.sort(
        key=lambda p: (
            not p.plan.subtypes,
            not p.plan.incident_types,
            rank.get(p.plan.kind, 9),
            p.plan.pk,
        )
    )
    return found


@transaction.atomic
def activate(actor: Any, incident: Incident, plan: Any, response_level: int) -> list[Task]:
    """Activate `plan` at `response_level` (1–4 = I–IV): the incident is "responding" and the
    plan's checklist for that level becomes its tasks, each assigned to the responsible unit."""
    from cityguard.plans.models import EmergencyPlan

    _require_write(actor)
    _check(actor, incident)
    if incident.status == Status.CLOSED:
        raise ValidationError({"status": [_("The incident is closed.")]})
    if response_level not in Level.values:
        raise ValidationError({"response_level": [_("Choose a response level from I to IV.")]})
    if (
        actor is not None
        and not EmergencyPlan.objects.visible_to(actor).filter(pk=plan.pk).exists()
    ):
        raise ValidationError({"plan": [_("No such plan.")]})
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    now = timezone.now()
    rl = plan.response_levels.filter(level=response_level).first()
    actions = list(rl.actions.select_related("responsible_unit")) if rl else []
    start = incident.tasks.count()
    tasks = Task.objects.bulk_create(
        [
            Task(
                incident=incident,
                action_item=a,
                text=a.text,
                responsible_role=a.responsible_role,
                organization=a.responsible_unit,
                order=start + i,
            )
            for i, a in enumerate(actions)
        ]
    )
    incident.plan = plan
    incident.response_level = response_level
    incident.activated_at = now
    incident.status = Status.RESPONDING
    incident._history_user = actor  # type: ignore[attr-defined]
    incident.save()
    record(
        incident,
        EventKind.ACTIVATED,
        actor,
        data={
            "plan": plan.pk,
            "plan_title": plan.title,
            "response_level": response_level,
            "tasks": len(tasks),
        },
        at=now,
    )
    return tasks


@transaction.atomic
def add_task(
    actor: Any,
    incident: Incident,
    text: str,
    *,
    responsible_role: str = "",
    organization: Any = None,
) -> Task:
    _require_write(actor)
    _check(actor, incident)
    text = (text or "").strip()
    if not text or "\x00" in text or "\x00" in responsible_role:
        raise ValidationError({"text": [_("Describe the task.")]})
    task = Task.objects.create(
        incident=incident,
        text=text,
        responsible_role=responsible_role.strip(),
        organization=organization,
        order=incident.tasks.count(),
    )
    record(incident, EventKind.TASK, actor, task.text[:500], {"task": task.pk, "to": task.status})
    return task


@transaction.atomic
def advance_task(actor: Any, task: Task, status: str) -> Task:
    """open → in_progress → done (a step may be skipped forward, never back)."""
    _require_write(actor)
    _check(actor, task.incident)
    order = list(TaskStatus.values)
    if status not in order:
        raise ValidationError({"status": [_("Unknown task status.")]})
    task = Task.objects.select_for_update().get(pk=task.pk)
    if order.index(status) <= order.index(task.status):
        raise ValidationError(
            {
                "status": [
                    _("The task is already %(status)s.")
                    % {"status": _label(TaskStatus, task.status)}
                ]
            }
        )
    old = task.status
    task.status = status
    if status == TaskStatus.DONE:
        task.done_at = timezone.now()
    task.save()
    record(
        task.incident,
        EventKind.TASK,
        actor,
        task.text[:500],
        {"task": task.pk, "from": old, "to": status},
    )
    return task


# --- dispatch ---------------------------------------------------------------------------


def resources_available() -> bool:
    """Is the resources app's service layer installed (it is built alongside this one)?"""
    try:
        from cityguard.resources import services
    except ImportError:
        return False
    return hasattr(services, "issue_stock") and hasattr(services, "set_team_status")


def _resources() -> Any:
    if not resources_available():
        raise ValidationError({"kind": [_("Dispatching resources is not available yet.")]})
    from cityguard.resources import services

    return services


def _visible(model: Any, actor: Any, pk: Any, field: str) -> Any:
    qs = model.objects.all()
    if actor is not None and hasattr(qs, "visible_to"):
        qs = qs.visible_to(actor)
    obj = qs.filter(pk=pk).first() if pk else None
    if obj is None:
        raise ValidationError({field: [_("No such record.")]})
    return obj


@transaction.atomic
def request_dispatch(
    actor: Any,
    incident: Incident,
    *,
    kind: str,
    team_id: int | None = None,
    warehouse_id: int | None = None,
    material_id: int | None = None,
    quantity: Any = None,
    note: str = "",
) -> Dispatch:
    """Commit a team or materials to the incident.

    A team is marked dispatched at once (so no one else can send it; an already dispatched
    team is refused); materials are issued from the warehouse through the stock ledger at
    once (more than it holds is refused). Either refusal leaves nothing behind: no
    dispatch, no timeline entry, no stock movement."""
    _require_write(actor)
    _check(actor, incident)
    if incident.status == Status.CLOSED:
        raise ValidationError({"status": [_("The incident is closed.")]})
    if "\x00" in (note or ""):
        raise ValidationError({"note": [_("Null characters are not allowed.")]})
    res = _resources()
    from cityguard.resources import models as rm

    now = timezone.now()
    ref = f"incident:{incident.pk}"
    d = Dispatch(
        incident=incident,
        kind=kind,
        note=(note or "").strip(),
        requested_by=_user(actor),
        requested_at=now,
    )
    if kind == DispatchKind.TEAM:
        team = _visible(rm.Team, actor, team_id, "team_id")
        res.set_team_status(actor, team, "dispatched", reason=incident.title[:200])
        d.team_id, d.name = team.pk, str(team)
    elif kind == DispatchKind.MATERIAL:
        warehouse = _visible(rm.Warehouse, actor, warehouse_id, "warehouse_id")
        material = _visible(rm.Material, actor, material_id, "material_id")
        try:
            qty = Decimal(str(quantity))
        except (InvalidOperation, ValueError):
            raise ValidationError({"quantity": [_("Enter a quantity.")]}) from None
        if not qty.is_finite() or qty <= 0:
            raise ValidationError({"quantity": [_("The quantity must be more than zero.")]})
        movement = res.issue_stock(
            actor,
            warehouse=warehouse,
            material=material,
            quantity=qty,
            incident_ref=ref,
            note=d.note,
        )
        d.warehouse_id, d.material_id = warehouse.pk, material.pk
        d.movement_id = getattr(movement, "pk", None)
        d.quantity = qty
        d.unit = str(getattr(material, "unit", "") or "")[:20]
        d.name = f"{material} · {warehouse}"[:255]
    else:
        raise ValidationError({"kind": [_("Dispatch a team or materials.")]})
    d.save()
    record(
        incident,
        EventKind.DISPATCH,
        actor,
        d.note,
        {
            "dispatch": d.pk,
            "kind": d.kind,
            "name": d.name,
            "quantity": str(d.quantity) if d.quantity is not None else None,
            "unit": d.unit,
            "to": d.status,
        },
        at=now,
    )
    return d


@transaction.atomic
def advance_dispatch(actor: Any, dispatch: Dispatch, status: str, note: str = "") -> Dispatch:
    """requested → dispatched → arrived → returned, one step at a time. A team's return
    makes it available again."""
    _require_write(actor)
    _check(actor, dispatch.incident)
    dispatch = Dispatch.objects.select_for_update().get(pk=dispatch.pk)
    expected = DISPATCH_NEXT.get(DispatchStatus(dispatch.status))
    if status != expected:
        raise ValidationError(
            {
                "status": [
                    _("A dispatch that is %(now)s can only become %(next)s.")
                    % {
                        "now": _label(DispatchStatus, dispatch.status),
                        "next": _label(DispatchStatus, expected) if expected else "—",
                    }
                ]
            }
        )
    now = timezone.now()
    if dispatch.kind == DispatchKind.TEAM and status == DispatchStatus.RETURNED:
        res = _resources()
        from cityguard.resources.models import Team

        team = Team.objects.filter(pk=dispatch.team_id or 0).first()
        if team is not None:
            res.set_team_status(actor, team, "available", reason=dispatch.incident.title[:200])
    old = dispatch.status
    dispatch.status = status
    setattr(dispatch, f"{status}_at", now)
    dispatch.save()
    record(
        dispatch.incident,
        EventKind.DISPATCH,
        actor,
        (note or "").replace("\x00", "").strip(),
        {
            "dispatch": dispatch.pk,
            "kind": dispatch.kind,
            "name": dispatch.name,
            "from": old,
            "to": status,
        },
        at=now,
    )
    return dispatch


def nearest_resources(user: Any, incident: Incident, k: int = 5) -> dict[str, list[dict[str, Any]]]:
    """Nearest teams, warehouses, shelters and fire stations, or empty lists when the
    resources app is not there or the incident has no point."""
    if incident.lon is None or incident.lat is None:
        return {}
    try:
        from cityguard.resources.services import nearest
    except ImportError:
        return {}
    out: dict[str, list[dict[str, Any]]] = {}
    for kind in ("team", "warehouse", "shelter", "fire_station"):
        try:
            out[kind] = nearest(user, lon=incident.lon, lat=incident.lat, kind=kind, k=k)
        except (ValidationError, PermissionDenied, LookupError, ValueError):
            out[kind] = []
    return out


# --- reading the timeline ---------------------------------------------------------------


def _level_text(level: Any) -> str:
    try:
        return f"{grading.roman(int(level))} · {Level(int(level)).label}"
    except (TypeError, ValueError):
        return str(level)


def describe(event: IncidentEvent) -> str:
    """The entry's summary in the reader's language (its free text is shown beside it)."""
    d = event.data or {}
    k = event.kind
    if k == EventKind.REPORTED:
        return _("Incident reported (%(source)s), level %(level)s.") % {
            "source": _label(Source, d.get("source", "")),
            "level": _level_text(d.get("level")),
        }
    if k == EventKind.FIGURES:
        names = {
            "deaths": _("deaths"),
            "serious_injuries": _("serious injuries"),
            "direct_loss_cny": _("direct loss (CNY)"),
        }
        parts = [
            f"{names.get(f, f)} {old} → {new}" for f, (old, new) in d.get("changes", {}).items()
        ]
        return _("Figures updated: %(changes)s.") % {"changes": "; ".join(parts)}
    if k == EventKind.LEVEL:
        return _("Level changed from %(old)s to %(new)s.") % {
            "old": _level_text(d.get("from")),
            "new": _level_text(d.get("to")),
        }
    if k == EventKind.UPDATED:
        return _("Details updated: %(fields)s.") % {
            "fields": ", ".join(
                str(getattr(Incident._meta.get_field(f), "verbose_name", f))
                for f in d.get("changes", {})
            )
        }
    if k == EventKind.ACTIVATED:
        return _("Response activated: %(plan)s at level %(level)s; %(n)s tasks.") % {
            "plan": d.get("plan_title", ""),
            "level": grading.roman(d.get("response_level")),
            "n": d.get("tasks", 0),
        }
    if k == EventKind.TASK:
        if d.get("from"):
            return _("Task %(from)s → %(to)s.") % {
                "from": _label(TaskStatus, d["from"]),
                "to": _label(TaskStatus, d.get("to", "")),
            }
        return _("Task added.")
    if k == EventKind.DISPATCH:
        what = d.get("name", "")
        if d.get("quantity"):
            what = f"{what} × {d['quantity']} {d.get('unit', '')}".strip()
        if d.get("from"):
            return _("Dispatch of %(what)s: %(from)s → %(to)s.") % {
                "what": what,
                "from": _label(DispatchStatus, d["from"]),
                "to": _label(DispatchStatus, d.get("to", "")),
            }
        return _("Dispatch requested: %(what)s.") % {"what": what}
    if k == EventKind.THREAT_ZONE:
        return _("Threat zones computed (%(n)s levels).") % {"n": d.get("zones", 0)}
    if k == EventKind.CLOSED:
        return _("Incident closed.")
    if k == EventKind.REOPENED:
        return _("Incident reopened.")
    if k == EventKind.LESSONS:
        return _("Lessons learned recorded.")
    return _label(EventKind, k)


# --- threat zones (consequence app) -----------------------------------------------------


def incident_ref(incident: Incident) -> str:
    """How other apps (stock ledger, threat-zone runs) refer to an incident."""
    return f"incident:{incident.pk}"


def consequence_available() -> bool:
    try:
        from cityguard.consequence import services
    except ImportError:
        return False
    return hasattr(services, "run_threat_zone") and hasattr(services, "exposure")


@transaction.atomic
def compute_threat_zone(actor: Any, incident: Incident, **inputs: Any) -> Any:
    """Run the plume model for the incident's release (at its point unless given) and keep
    the run with the incident; the run is on the timeline. Bad weather input (a calm wind,
    a class outside A–F) is the consequence app's ValidationError, and nothing is kept."""
    _require_write(actor)
    _check(actor, incident)
    if not consequence_available():
        raise ValidationError({"release_rate_g_s": [_("Threat zones are not available yet.")]})
    if incident.lon is None or incident.lat is None:
        raise ValidationError({"lon": [_("The incident has no location.")]})
    from cityguard.consequence import services as consequence

    inputs.setdefault("lon", incident.lon)
    inputs.setdefault("lat", incident.lat)
    if incident.chemical:
        inputs.setdefault("substance", incident.chemical)
    run = consequence.run_threat_zone(actor, incident_ref=incident_ref(incident), **inputs)
    zones = [f for f in run.geojson.get("features", []) if f.get("geometry")]
    record(
        incident,
        EventKind.THREAT_ZONE,
        actor,
        data={
            "run": run.pk,
            "zones": len(zones),
            "stability": run.inputs.get("stability"),
            "wind_speed_m_s": run.inputs.get("wind_speed_m_s"),
            "release_rate_g_s": run.inputs.get("release_rate_g_s"),
        },
    )
    return run


def latest_threat_zone(incident: Incident) -> Any:
    if not consequence_available():
        return None
    from cityguard.consequence.models import ThreatZoneRun

    return (
        ThreatZoneRun.objects.filter(incident_ref=incident_ref(incident))
        .order_by("-created_at", "-id")
        .first()
    )
