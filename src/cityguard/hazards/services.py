"""Operations of the hazards app. Pages, API, jobs and other apps call these; nothing
else changes a hazard, an inspection, a look-back due or a tip.

Each runs in a transaction and checks the actor: the role against the lifecycle table
(`lifecycle.TABLE`), the reach against `core.access` (a street officer in their street,
an enterprise manager for their own organisation). Refusals are django
`PermissionDenied` (the role or reach does not allow it) or `ValidationError` with a
field → messages dict (the input or the hazard's state does not allow it); either way
nothing is changed.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import random
import secrets
import uuid
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from cityguard.core.access import DISTRICT_ROLES, can_change, reach
from cityguard.core.choices import Role
from cityguard.core.models import Jurisdiction, Organization
from cityguard.core.schemas import street_code
from cityguard.core.services import locate, place_in_tree

from . import config, imagecheck, lifecycle
from .choices import (
    INSPECTION_SOURCE,
    Action,
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
from .models import (
    OPEN,
    ChecklistItem,
    ChecklistTemplate,
    Hazard,
    HazardEvent,
    Inspection,
    InspectionResult,
    LookBackDue,
    Milestone,
    Photo,
    RectificationPlan,
    Tip,
    TipReward,
)

Errors = dict[str, list[str]]

PHOTO_MESSAGES = {
    "empty": gettext_noop("The file is empty."),
    "format": gettext_noop("The file is not a JPEG, PNG or WebP image."),
    "corrupt": gettext_noop("The image is damaged or incomplete."),
    "dimensions": gettext_noop("The image's dimensions are invalid or too large."),
}


def _fail(errors: Errors) -> None:
    if errors:
        raise ValidationError(errors)


def _add(errors: Errors, field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def role_of(actor: Any) -> str | None:
    return reach(actor).role if actor is not None else None


def _require_writer(actor: Any) -> None:
    if not reach(actor).can_write:
        raise PermissionDenied(_("Your role may not change hazards."))


def _require_reach(actor: Any, obj: Any) -> None:
    if not can_change(actor, obj):
        raise PermissionDenied(_("This record is outside your area."))


# --- reference data ---------------------------------------------------------------------------


def resolve_domain(value: Any, errors: Errors, field: str = "domain") -> Any:
    """A risk Domain from an instance, an id or a code; None (and an error) if unknown."""
    from cityguard.risk.models import Domain

    if isinstance(value, Domain):
        return value
    if value in (None, ""):
        _add(errors, field, _("Choose the domain."))
        return None
    found = None
    if isinstance(value, int):
        found = Domain.objects.filter(pk=value, is_active=True).first()
    elif isinstance(value, str):
        found = Domain.objects.filter(code=value.strip(), is_active=True).first()
    if found is None:
        _add(errors, field, _("Unknown domain “%(value)s”.") % {"value": value})
    return found


def street_of(node: Jurisdiction | None) -> Jurisdiction | None:
    """The street a jurisdiction node lies in (itself for a street; None for the district)."""
    if node is None:
        return None
    code = street_code(node.path)
    if code is None:
        return None
    if node.code == code:
        return node
    return Jurisdiction.objects.filter(code=code).first()


def default_deadline(severity: str, today: date | None = None) -> date:
    today = today or timezone.localdate()
    key = (
        "CITYGUARD_HAZARD_DEADLINE_MAJOR"
        if severity == Severity.MAJOR
        else "CITYGUARD_HAZARD_DEADLINE_GENERAL"
    )
    return today + timedelta(days=int(config.get(key)))


def add_months(day: date, months: int) -> date:
    """The same day `months` later (the month's last day where it has no such day)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# --- photos ---------------------------------------------------------------------------------


class CheckedPhoto:
    """An upload whose bytes were verified as an image, not yet stored."""

    def __init__(self, data: bytes, info: imagecheck.ImageInfo, name: str) -> None:
        self.data = data
        self.info = info
        self.name = name[:200]


def check_photos(uploads: Iterable[Any], field: str = "photos") -> list[CheckedPhoto]:
    """Read and verify uploads (objects with `.read()`, `.name` and `.size`); raise a
    ValidationError naming each bad file, before anything is stored."""
    uploads = [u for u in uploads if u is not None]
    errors: Errors = {}
    limit = int(config.get("CITYGUARD_HAZARD_PHOTOS_PER_UPLOAD"))
    if len(uploads) > limit:
        _add(errors, field, _("At most %(n)d photos at a time.") % {"n": limit})
        _fail(errors)
    max_bytes = config.photo_max_bytes()
    checked = []
    for upload in uploads:
        name = str(getattr(upload, "name", "") or "photo")
        size = getattr(upload, "size", None)
        if size is not None and size > max_bytes:
            _add(errors, field, _too_large(name, max_bytes))
            continue
        data = upload.read(max_bytes + 1)
        if len(data) > max_bytes:
            _add(errors, field, _too_large(name, max_bytes))
            continue
        try:
            info = imagecheck.sniff(data)
        except imagecheck.NotAnImage as exc:
            _add(errors, field, f"{name}: {_(PHOTO_MESSAGES[exc.code])}")
            continue
        checked.append(CheckedPhoto(data, info, name))
    _fail(errors)
    return checked


def _too_large(name: str, max_bytes: int) -> str:
    return _("%(name)s: the photo is larger than %(mb)s MB.") % {
        "name": name,
        "mb": f"{max_bytes / 1024 / 1024:g}",
    }


def _store(photos: Sequence[CheckedPhoto], actor: Any, **links: Any) -> list[Photo]:
    saved = []
    for photo in photos:
        path = default_storage.save(
            f"hazards/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{photo.info.extension}",
            ContentFile(photo.data),
        )
        obj = Photo(
            original_name=photo.name,
            content_type=photo.info.content_type,
            size=len(photo.data),
            width=photo.info.width,
            height=photo.info.height,
            uploaded_by=actor if getattr(actor, "pk", None) else None,
            **links,
        )
        obj.file.name = path
        obj.save()
        saved.append(obj)
    return saved


# --- reporting --------------------------------------------------------------------------------

HAZARD_FIELDS = {
    "title",
    "description",
    "address",
    "source",
    "domain",
    "severity",
    "organization",
    "place",
    "lon",
    "lat",
    "jurisdiction",
    "deadline",
    "responsible_unit",
    "responsible_person",
    "responsible_phone",
}


def _event(
    hazard: Hazard,
    kind: str,
    actor: Any,
    comment: str = "",
    from_state: str = "",
    to_state: str = "",
    data: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> HazardEvent:
    return HazardEvent.objects.create(
        hazard=hazard,
        kind=kind,
        actor=actor if getattr(actor, "pk", None) else None,
        comment=comment,
        from_state=from_state,
        to_state=to_state,
        data=data or {},
        at=at or timezone.now(),
    )


def _check_deadline(value: Any, errors: Errors, today: date) -> None:
    if value is None:
        return
    if not isinstance(value, date) or isinstance(value, datetime):
        _add(errors, "deadline", _("Enter a date (YYYY-MM-DD)."))
    elif value < today:
        _add(errors, "deadline", _("The deadline cannot be in the past."))


def _no_nul(data: dict[str, Any], errors: Errors) -> None:
    for field, value in data.items():
        if isinstance(value, str) and "\x00" in value:
            _add(errors, field, _("Null characters are not allowed."))


@transaction.atomic
def report_hazard(
    actor: Any,
    data: dict[str, Any],
    photos: Iterable[Any] = (),
    *,
    tip: Tip | None = None,
    inspection: Inspection | None = None,
) -> Hazard:
    """Record a newly found hazard (state "reported") and the first entry of its timeline.

    `data` holds typed values: `domain` a Domain or its code, `organization`/`place`/
    `responsible_unit` instances, `deadline` a date (default: today + 30 days for a general
    hazard, 90 for a major one). Without lon/lat the hazard stands at its place or
    organisation. An enterprise manager reports only self-inspection hazards of their own
    organisation.
    """
    _require_writer(actor)
    role = role_of(actor)
    if role not in lifecycle.REPORT_ROLES:
        raise PermissionDenied(_("Your role may not report hazards."))
    unknown = set(data) - HAZARD_FIELDS
    if unknown:
        raise ValidationError({f: [_("Unknown field.")] for f in sorted(unknown)})
    errors: Errors = {}
    _no_nul(data, errors)
    _fail(errors)
    today = timezone.localdate()
    r = reach(actor)
    data = dict(data)
    domain = resolve_domain(data.pop("domain", None), errors)
    if role == Role.ENTERPRISE_MANAGER:
        if data.get("source", Source.SELF_INSPECTION) != Source.SELF_INSPECTION:
            _add(
                errors, "source", _("An enterprise reports only hazards found by self-inspection.")
            )
        data["source"] = Source.SELF_INSPECTION
        if data.get("organization") is None:
            data["organization"] = Organization.objects.filter(pk=r.organization_id or 0).first()
    hazard = Hazard(reported_by=actor if getattr(actor, "pk", None) else None)
    for field, value in data.items():
        setattr(hazard, field, value)
    if domain is not None:
        hazard.domain = domain
    hazard.title = (hazard.title or "").strip()
    if not hazard.title:
        _add(errors, "title", _("Give the hazard a short title."))
    place = hazard.place
    org = hazard.organization
    if place is not None and org is not None and place.organization_id != org.pk:
        _add(errors, "place", _("The place does not belong to this organisation."))
    if place is not None and org is None:
        hazard.organization = org = place.organization
    if hazard.lon is None and hazard.lat is None and not hazard.jurisdiction_id:
        # Without a point of its own, the hazard stands where its place or unit does.
        anchor = place if place is not None and place.lon is not None else org
        if anchor is not None:
            hazard.lon, hazard.lat = anchor.lon, anchor.lat
            if anchor.lon is None:
                hazard.jurisdiction_id = anchor.jurisdiction_id
    place_in_tree(hazard, errors, "jurisdiction" in data)
    if hazard.deadline is None:
        hazard.deadline = default_deadline(hazard.severity or Severity.GENERAL, today)
    _check_deadline(hazard.deadline, errors, today)
    if tip is not None:
        hazard.source = Source.PUBLIC_TIP
    hazard.inspection = inspection
    hazard.state = lifecycle.INITIAL
    hazard.is_open = True
    now = timezone.now()
    hazard.reported_at = hazard.state_changed_at = now
    try:
        hazard.full_clean(exclude=["jurisdiction", "domain", "deadline"] if errors else ["domain"])
    except ValidationError as exc:
        for field, msgs in exc.message_dict.items():
            errors.setdefault(field, []).extend(msgs)
    _fail(errors)
    if not can_change(actor, hazard):
        raise PermissionDenied(_("The hazard lies outside your area."))
    checked = check_photos(photos)
    hazard.street = street_of(hazard.jurisdiction)
    _mark_recurrence(hazard, today)
    hazard._history_user = actor  # type: ignore[attr-defined]
    hazard.save()
    event = _event(
        hazard, EventKind.REPORT, actor, hazard.description[:2000], "", hazard.state, at=now
    )
    _store(checked, actor, hazard=hazard, event=event)
    if hazard.is_recurrence and hazard.lookback is not None:
        _event(
            hazard,
            EventKind.RECURRENCE,
            None,
            data={
                "lookback": hazard.lookback.pk,
                "source_date": hazard.lookback.source_date.isoformat(),
            },
            at=now,
        )
    if tip is not None:
        Photo.objects.filter(tip=tip, hazard__isnull=True).update(hazard=hazard)
    return hazard


def _mark_recurrence(hazard: Hazard, today: date) -> None:
    """A hazard found again in the same domain at a unit inside its look-back window."""
    if not hazard.organization_id:
        return
    due = (
        LookBackDue.objects.filter(
            organization_id=hazard.organization_id,
            domain_id=hazard.domain_id,
            source_date__lte=today,
            due_by__gte=today,
        )
        .order_by("-source_date", "-id")
        .first()
    )
    if due is not None:
        hazard.is_recurrence = True
        hazard.lookback = due


# --- the lifecycle --------------------------------------------------------------------------

REFUSAL_MESSAGES = {
    "wrong_state": gettext_noop(
        "A hazard that is “%(state)s” cannot be “%(action)s”. Possible now: %(allowed)s."
    ),
    "role": gettext_noop("Your role may not “%(action)s” a hazard that is “%(state)s”."),
    "unknown_action": gettext_noop("Unknown action “%(action)s”. Possible now: %(allowed)s."),
    "unknown_state": gettext_noop("The hazard is in an unknown state."),
}


def _label(choices: Any, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def refusal_message(refusal: lifecycle.Refusal) -> str:
    allowed = ", ".join(_label(Action, a) for a in refusal.allowed) or _("nothing")
    return _(REFUSAL_MESSAGES[refusal.reason]) % {
        "state": _label(HazardState, refusal.state),
        "action": _label(Action, refusal.action),
        "allowed": allowed,
    }


def actions_for(actor: Any, hazard: Hazard) -> list[str]:
    """The lifecycle actions `actor` may take on `hazard` now (role, reach and state)."""
    if actor is None or not reach(actor).can_write or not can_change(actor, hazard):
        return []
    return list(lifecycle.allowed_actions(hazard.state, role_of(actor)))


ASSIGN_FIELDS = {
    "deadline",
    "responsible_unit",
    "responsible_person",
    "responsible_phone",
    "assignee",
}


def has_plan(hazard: Hazard) -> bool:
    plan = RectificationPlan.objects.filter(hazard=hazard).first()
    return plan is not None and plan.milestones.exists()


@transaction.atomic
def transition(
    actor: Any,
    hazard: Hazard,
    action: str,
    comment: str = "",
    photos: Iterable[Any] = (),
    data: dict[str, Any] | None = None,
) -> Hazard:
    """Move `hazard` along its lifecycle by `action`, recording who, when, the comment
    and the photos. `data` is for "assign": deadline, responsible unit / person / phone,
    assignee."""
    _require_writer(actor)
    hazard = (
        Hazard.objects.select_for_update(of=("self",))
        .select_related("domain", "organization")
        .get(pk=hazard.pk)
    )
    _require_reach(actor, hazard)
    data = dict(data or {})
    comment = (comment or "").strip()
    errors: Errors = {}
    _no_nul({"comment": comment, **{k: v for k, v in data.items() if isinstance(v, str)}}, errors)
    _fail(errors)
    try:
        target = lifecycle.next_state(hazard.state, action, role_of(actor))
    except lifecycle.Refusal as refusal:
        if refusal.reason == "role":
            raise PermissionDenied(refusal_message(refusal))
        raise ValidationError({"action": [refusal_message(refusal)]})
    unknown = set(data) - (ASSIGN_FIELDS if action == lifecycle.ASSIGN else set())
    if unknown:
        raise ValidationError({f: [_("Unknown field.")] for f in sorted(unknown)})
    today = timezone.localdate()
    now = timezone.now()
    changes: dict[str, Any] = {}
    if action == lifecycle.ASSIGN:
        _assign(hazard, data, errors, today, changes)
    elif action == lifecycle.START:
        if hazard.is_major and not has_plan(hazard):
            _add(
                errors,
                "action",
                _(
                    "A major hazard needs a rectification plan with milestones (timetable "
                    "and roadmap) before rectification starts."
                ),
            )
    elif action == lifecycle.SUBMIT and not comment:
        _add(errors, "comment", _("Describe what was done to rectify the hazard."))
    elif action == lifecycle.REJECT and not comment:
        _add(errors, "comment", _("Say why the rectification is rejected."))
    _fail(errors)
    checked = check_photos(photos)
    before = hazard.state
    hazard.state = target
    hazard.is_open = lifecycle.is_open(target)
    hazard.state_changed_at = now
    if action == lifecycle.VERIFY:
        hazard.closed_at = now
        hazard.closed_by = actor
        hazard.closed_on_time = timezone.localdate(now) <= hazard.deadline
    hazard._history_user = actor  # type: ignore[attr-defined]
    hazard.save()
    event = _event(hazard, action, actor, comment, before, target, changes, at=now)
    _store(checked, actor, hazard=hazard, event=event)
    if action == lifecycle.VERIFY:
        _after_closure(actor, hazard, now)
    return hazard


def _assign(
    hazard: Hazard, data: dict[str, Any], errors: Errors, today: date, changes: dict[str, Any]
) -> None:
    if "deadline" in data and data["deadline"] is not None:
        _check_deadline(data["deadline"], errors, today)
    unit = data.get("responsible_unit", hazard.responsible_unit)
    person = (data.get("responsible_person", hazard.responsible_person) or "").strip()
    if unit is None and not person:
        _add(
            errors,
            "responsible_unit",
            _("Name the responsible unit or the responsible person."),
        )
    assignee = data.get("assignee")
    if assignee is not None and not reach(assignee).can_write:
        _add(errors, "assignee", _("The assignee's role cannot act on hazards."))
    if errors:
        return
    for field in (
        "deadline",
        "responsible_unit",
        "responsible_person",
        "responsible_phone",
        "assignee",
    ):
        if field not in data or (field == "deadline" and data[field] is None):
            continue
        value = data[field]
        if isinstance(value, str):
            value = value.strip()
        old = getattr(hazard, field)
        if old != value:
            setattr(hazard, field, value)
            changes[field] = _plain(value)


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "pk"):
        return str(value)
    return value


def _after_closure(actor: Any, hazard: Hazard, now: datetime) -> None:
    """A closed major hazard: the unit becomes due for look-back, and the hazard feeds the
    risk register (level CITYGUARD_HAZARD_REGISTER_LEVEL, "large" by default: a source
    rectified once stays a notable risk until reassessed). A tip that proved true earns its
    reward proposal."""
    if hazard.is_major and hazard.organization_id:
        closed_on = timezone.localdate(now)
        LookBackDue.objects.get_or_create(
            hazard=hazard,
            defaults={
                "organization_id": hazard.organization_id,
                "reason": LookBackReason.MAJOR_HAZARD,
                "domain_id": hazard.domain_id,
                "source_date": closed_on,
                "due_by": add_months(closed_on, int(config.get("CITYGUARD_LOOKBACK_MONTHS"))),
            },
        )
    if hazard.is_major:
        from cityguard.risk import services as risk_services

        risk_services.register_origin(
            actor,
            hazard,
            organization=hazard.organization,
            domain=hazard.domain.code,
            name=hazard.title[:200],
            level=str(config.get("CITYGUARD_HAZARD_REGISTER_LEVEL")),
            description=_("Major hazard %(ref)s, rectified and closed on %(date)s.")
            % {"ref": hazard.reference, "date": timezone.localdate(now).isoformat()},
            lon=hazard.lon,
            lat=hazard.lat,
        )
    tip = Tip.objects.filter(hazard=hazard).first()
    if tip is not None:
        TipReward.objects.get_or_create(
            tip=tip, defaults={"amount": config.reward_amount(hazard.severity)}
        )


@transaction.atomic
def add_note(
    actor: Any, hazard: Hazard, comment: str = "", photos: Iterable[Any] = ()
) -> HazardEvent:
    """A comment and/or photos on the timeline, without changing the state."""
    _require_writer(actor)
    _require_reach(actor, hazard)
    comment = (comment or "").strip()
    errors: Errors = {}
    _no_nul({"comment": comment}, errors)
    _fail(errors)
    checked = check_photos(photos)
    if not comment and not checked:
        raise ValidationError({"comment": [_("Write a comment or add a photo.")]})
    kind = EventKind.PHOTO if checked and not comment else EventKind.COMMENT
    event = _event(hazard, kind, actor, comment, data={"photos": len(checked)} if checked else None)
    _store(checked, actor, hazard=hazard, event=event)
    Hazard.objects.filter(pk=hazard.pk).update(updated_at=timezone.now())
    return event


# --- rectification plans ------------------------------------------------------------------


@transaction.atomic
def save_plan(
    actor: Any, hazard: Hazard, data: dict[str, Any], milestones: Sequence[dict[str, Any]]
) -> RectificationPlan:
    """Create or replace the rectification plan (timetable and roadmap) of a hazard.

    `data`: measures, funding, responsible_person, target_date, supervisor (a district
    user). `milestones`: [{"title", "due", "done"?}] — at least one; each due on or before
    the target date, which is on or before the hazard's deadline.
    """
    _require_writer(actor)
    _require_reach(actor, hazard)
    if role_of(actor) not in lifecycle.DISTRICT | {
        lifecycle.ENTERPRISE_MANAGER,
        lifecycle.STREET_OFFICER,
    }:
        raise PermissionDenied(_("Your role may not write rectification plans."))
    if not hazard.is_open:
        raise ValidationError({"plan": [_("The hazard is closed; its plan can no longer change.")]})
    unknown = set(data) - {"measures", "funding", "responsible_person", "target_date", "supervisor"}
    if unknown:
        raise ValidationError({f: [_("Unknown field.")] for f in sorted(unknown)})
    errors: Errors = {}
    _no_nul(data, errors)
    for i, m in enumerate(milestones):
        _no_nul({f"milestones.{i}.title": m.get("title")}, errors)
    _fail(errors)
    measures = (data.get("measures") or "").strip()
    person = (data.get("responsible_person") or "").strip()
    target = data.get("target_date")
    if not measures:
        _add(errors, "measures", _("Describe the rectification measures."))
    if not person:
        _add(errors, "responsible_person", _("Name the person responsible for the plan."))
    if not isinstance(target, date):
        _add(errors, "target_date", _("Enter a date (YYYY-MM-DD)."))
    elif target > hazard.deadline:
        _add(
            errors,
            "target_date",
            _("The target date lies after the hazard's deadline (%(deadline)s).")
            % {"deadline": hazard.deadline.isoformat()},
        )
    supervisor = data.get("supervisor")
    if supervisor is not None and reach(supervisor).role not in DISTRICT_ROLES:
        _add(errors, "supervisor", _("The supervisor must be a member of the district staff."))
    rows = [m for m in milestones if (m.get("title") or "").strip() or m.get("due")]
    if not rows:
        _add(errors, "milestones", _("Add at least one milestone."))
    for i, m in enumerate(rows, start=1):
        title = (m.get("title") or "").strip()
        due = m.get("due")
        if not title:
            _add(errors, "milestones", _("Milestone %(n)d needs a title.") % {"n": i})
        if not isinstance(due, date):
            _add(errors, "milestones", _("Milestone %(n)d needs a due date.") % {"n": i})
        elif isinstance(target, date) and due > target:
            _add(
                errors,
                "milestones",
                _("Milestone %(n)d is due after the plan's target date.") % {"n": i},
            )
    _fail(errors)
    assert isinstance(target, date)  # checked above
    plan = RectificationPlan.objects.filter(hazard=hazard).first() or RectificationPlan(
        hazard=hazard, created_by=actor
    )
    plan.measures = measures
    plan.funding = (data.get("funding") or "").strip()
    plan.responsible_person = person
    plan.target_date = target
    if "supervisor" in data:
        plan.supervisor = supervisor
    plan._history_user = actor  # type: ignore[attr-defined]
    plan.save()
    done = {m.title: (m.done_at, m.done_by_id) for m in plan.milestones.all() if m.done_at}
    plan.milestones.all().delete()
    now = timezone.now()
    for i, m in enumerate(rows):
        title = m["title"].strip()[:200]
        done_at, done_by = done.get(title, (None, None))
        if m.get("done") and done_at is None:
            done_at, done_by = now, actor.pk
        elif m.get("done") is False:
            done_at, done_by = None, None
        Milestone.objects.create(
            plan=plan, order=i, title=title, due=m["due"], done_at=done_at, done_by_id=done_by
        )
    _event(
        hazard,
        EventKind.PLAN,
        actor,
        data={"target_date": target.isoformat(), "milestones": len(rows)},
    )
    return plan


@transaction.atomic
def complete_milestone(actor: Any, milestone: Milestone, comment: str = "") -> Milestone:
    hazard = milestone.plan.hazard
    _require_writer(actor)
    _require_reach(actor, hazard)
    if milestone.done_at is not None:
        raise ValidationError({"milestone": [_("This milestone is already done.")]})
    milestone.done_at = timezone.now()
    milestone.done_by = actor
    milestone.save(update_fields=["done_at", "done_by"])
    _event(hazard, EventKind.MILESTONE, actor, comment, data={"milestone": milestone.title})
    return milestone


# --- deadlines ------------------------------------------------------------------------------


def escalate_overdue(today: date | None = None, batch: int = 500) -> int:
    """Escalate every open hazard past its deadline to the district, once.

    Each one gets `escalated_at` and an "escalate" event on its timeline, and shows on the
    district's overdue board. A hazard already escalated is left alone, so running this
    again (or in two processes at once) escalates nothing twice: the flag is set by an
    UPDATE conditional on it being unset, and only the rows that UPDATE changed get an event.
    """
    today = today or timezone.localdate()
    total = 0
    while True:
        with transaction.atomic():
            candidates = list(
                Hazard.objects.select_for_update(skip_locked=True)
                .filter(OPEN, deadline__lt=today, escalated_at__isnull=True)
                .order_by("deadline", "id")
                .values_list("id", "deadline", "state")[:batch]
            )
            if not candidates:
                return total
            now = timezone.now()
            events = []
            for pk, deadline, state in candidates:
                if Hazard.objects.filter(pk=pk, escalated_at__isnull=True).update(escalated_at=now):
                    events.append(
                        HazardEvent(
                            hazard_id=pk,
                            kind=EventKind.ESCALATE,
                            from_state=state,
                            to_state=state,
                            at=now,
                            data={
                                "deadline": deadline.isoformat(),
                                "days_overdue": (today - deadline).days,
                                "to": "district",
                            },
                        )
                    )
            HazardEvent.objects.bulk_create(events)
            total += len(events)
        if len(candidates) < batch:
            return total


# --- look-back (回头看) -------------------------------------------------------------------


@transaction.atomic
def mark_accident(
    actor: Any,
    organization: Organization,
    date: dt.date,  # shadows the type here: the name the incidents app passes
    *,
    domain: Any = None,
    note: str = "",
) -> LookBackDue:
    """Record that `organization` had an accident on `date`: it becomes due for look-back
    re-inspection within CITYGUARD_LOOKBACK_MONTHS (12). Called by the incidents app.
    Idempotent per organisation and date. `domain` (a Domain or its code) lets a later
    hazard in the same domain count as a recurrence. `actor` None means the system."""
    if actor is not None:
        _require_writer(actor)
        if role_of(actor) == Role.ENTERPRISE_MANAGER:
            raise PermissionDenied(_("Your role may not record accidents."))
        _require_reach(actor, organization)
    errors: Errors = {}
    dom = resolve_domain(domain, errors) if domain not in (None, "") else None
    if not isinstance(date, dt.date) or isinstance(date, dt.datetime):
        _add(errors, "date", _("Enter a date (YYYY-MM-DD)."))
    elif date > timezone.localdate():
        _add(errors, "date", _("The accident's date cannot be in the future."))
    _fail(errors)
    due, created = LookBackDue.objects.get_or_create(
        organization=organization,
        reason=LookBackReason.ACCIDENT,
        source_date=date,
        defaults={
            "domain": dom,
            "due_by": add_months(date, int(config.get("CITYGUARD_LOOKBACK_MONTHS"))),
            "note": (note or "")[:300],
        },
    )
    if not created and dom is not None and due.domain_id is None:
        due.domain = dom
        due.save(update_fields=["domain"])
    return due


def lookback_rate() -> float:
    rate = float(config.get("CITYGUARD_LOOKBACK_SAMPLE_RATE"))
    return min(max(rate, 0.0), 1.0)


@transaction.atomic
def sample_lookbacks(
    today: date | None = None,
    rate: float | None = None,
    rng: random.Random | None = None,
    actor: Any = None,
) -> list[Inspection]:
    """Pick units due for look-back and schedule an unannounced district inspection of each.

    Of the units whose window is open and that have not been sampled yet, a share `rate`
    (CITYGUARD_LOOKBACK_SAMPLE_RATE, rounded up) is drawn at random; a unit within
    CITYGUARD_LOOKBACK_FORCE_DAYS of its window's end is always taken, so none is left
    unchecked. Windows that ended unsampled are marked missed. The inspection uses the
    domain's checklist where one exists and is planned within two weeks.
    """
    today = today or timezone.localdate()
    rate = lookback_rate() if rate is None else min(max(rate, 0.0), 1.0)
    rng = rng or random.SystemRandom()
    LookBackDue.objects.filter(status=LookBackStatus.PENDING, due_by__lt=today).update(
        status=LookBackStatus.MISSED
    )
    due = list(
        LookBackDue.objects.filter(
            status=LookBackStatus.PENDING, source_date__lte=today, due_by__gte=today
        )
        .select_related("organization")
        .order_by("id")
    )
    force_days = int(config.get("CITYGUARD_LOOKBACK_FORCE_DAYS"))
    forced = [d for d in due if (d.due_by - today).days <= force_days]
    rest = [d for d in due if (d.due_by - today).days > force_days]
    k = min(len(rest), math.ceil(rate * len(rest)))
    chosen = forced + rng.sample(rest, k)
    templates: dict[int | None, ChecklistTemplate | None] = {}
    now = timezone.now()
    created = []
    for d in chosen:
        if d.domain_id not in templates:
            templates[d.domain_id] = (
                ChecklistTemplate.objects.filter(domain_id=d.domain_id, is_active=True)
                .order_by("code")
                .first()
                if d.domain_id
                else None
            )
        org = d.organization
        inspection = Inspection.objects.create(
            organization=org,
            jurisdiction_id=org.jurisdiction_id,
            template=templates[d.domain_id],
            kind=InspectionKind.DISTRICT,
            unannounced=True,
            planned_for=min(today + timedelta(days=14), d.due_by),
            created_by=actor,
            notes=_("Look-back re-inspection (%(reason)s on %(date)s).")
            % {"reason": d.get_reason_display(), "date": d.source_date.isoformat()},
            lookback=d,
        )
        d.status = LookBackStatus.SAMPLED
        d.sampled_at = now
        d.save(update_fields=["status", "sampled_at"])
        created.append(inspection)
    return created


# --- inspections --------------------------------------------------------------------------

INSPECTION_FIELDS = {
    "organization",
    "place",
    "template",
    "kind",
    "unannounced",
    "planned_for",
    "inspector",
    "notes",
}

# Which roles may carry out which kind of inspection.
INSPECTION_ROLES: dict[str, frozenset[str]] = {
    InspectionKind.SELF: lifecycle.DISTRICT | {lifecycle.ENTERPRISE_MANAGER},
    InspectionKind.STREET: lifecycle.DISTRICT | {lifecycle.STREET_OFFICER},
    InspectionKind.DISTRICT: lifecycle.DISTRICT,
}


@transaction.atomic
def create_inspection(actor: Any, data: dict[str, Any]) -> Inspection:
    """Plan an inspection of a unit: a self-inspection (the enterprise itself), a street
    or a district inspection, announced or unannounced (四不两直)."""
    _require_writer(actor)
    unknown = set(data) - INSPECTION_FIELDS
    if unknown:
        raise ValidationError({f: [_("Unknown field.")] for f in sorted(unknown)})
    errors: Errors = {}
    _no_nul(data, errors)
    _fail(errors)
    role = role_of(actor)
    kind = data.get("kind") or (
        InspectionKind.SELF
        if role == Role.ENTERPRISE_MANAGER
        else InspectionKind.STREET
        if role == Role.STREET_OFFICER
        else InspectionKind.DISTRICT
    )
    if kind not in InspectionKind.values:
        _add(
            errors,
            "kind",
            _("Choose one of: %(expected)s.") % {"expected": ", ".join(InspectionKind.values)},
        )
        _fail(errors)
    if role not in INSPECTION_ROLES[kind]:
        raise PermissionDenied(
            _("Your role may not carry out a “%(kind)s”.") % {"kind": InspectionKind(kind).label}
        )
    org = data.get("organization")
    if org is None and role == Role.ENTERPRISE_MANAGER:
        org = Organization.objects.filter(pk=reach(actor).organization_id or 0).first()
    if not isinstance(org, Organization):
        raise ValidationError({"organization": [_("Choose the organisation to inspect.")]})
    place = data.get("place")
    if place is not None and place.organization_id != org.pk:
        _add(errors, "place", _("The place does not belong to this organisation."))
    template = data.get("template")
    if template is not None and not template.is_active:
        _add(errors, "template", _("This checklist is no longer in use."))
    planned = data.get("planned_for")
    if planned is not None and planned < timezone.localdate():
        _add(errors, "planned_for", _("The planned date cannot be in the past."))
    _fail(errors)
    inspection = Inspection(
        organization=org,
        place=place,
        jurisdiction_id=org.jurisdiction_id,
        template=template,
        kind=kind,
        unannounced=bool(data.get("unannounced", False)) and kind != InspectionKind.SELF,
        planned_for=planned,
        inspector=data.get("inspector"),
        created_by=actor,
        notes=(data.get("notes") or "").strip(),
    )
    if not can_change(actor, inspection):
        raise PermissionDenied(_("This organisation is outside your area."))
    inspection.save()
    return inspection


@transaction.atomic
def record_inspection(
    actor: Any,
    inspection: Inspection,
    results: Sequence[dict[str, Any]],
    *,
    notes: str | None = None,
) -> list[Hazard]:
    """Record the outcome of each checklist item and complete the inspection.

    `results`: [{"item": ChecklistItem or id, "outcome": pass|fail|na, "note": "…",
    "severity": general|major (optional, for a fail)}] — every item of the checklist
    must have one. Each fail becomes a hazard (reported, in the checklist's domain, at the
    inspected unit), linked to the inspection; a look-back inspection completes its due.
    """
    _require_writer(actor)
    inspection = (
        Inspection.objects.select_for_update(of=("self",))
        .select_related("template", "organization", "lookback")
        .get(pk=inspection.pk)
    )
    if role_of(actor) not in INSPECTION_ROLES[inspection.kind]:
        raise PermissionDenied(
            _("Your role may not carry out a “%(kind)s”.") % {"kind": inspection.get_kind_display()}
        )
    _require_reach(actor, inspection)
    if inspection.state == InspectionState.DONE:
        raise ValidationError({"inspection": [_("This inspection is already done.")]})
    errors: Errors = {}
    items = {i.pk: i for i in inspection.template.items.all()} if inspection.template else {}
    seen: dict[int, dict[str, Any]] = {}
    for i, row in enumerate(results):
        item = row.get("item")
        item_id = item.pk if isinstance(item, ChecklistItem) else item
        if item_id not in items:
            _add(
                errors, "results", _("Row %(n)d: the item is not on this checklist.") % {"n": i + 1}
            )
            continue
        if row.get("outcome") not in Outcome.values:
            _add(
                errors,
                "results",
                _("Row %(n)d: choose pass, fail or not applicable.") % {"n": i + 1},
            )
            continue
        if row.get("severity") not in (None, "", *Severity.values):
            _add(errors, "results", _("Row %(n)d: unknown severity.") % {"n": i + 1})
            continue
        note = row.get("note") or ""
        if "\x00" in note:
            _add(errors, "results", _("Null characters are not allowed."))
            continue
        seen[item_id] = row
    missing = [items[k] for k in items if k not in seen]
    if missing and not errors:
        _add(
            errors,
            "results",
            _("Record an outcome for every item; missing: %(items)s.")
            % {"items": "; ".join(m.text for m in missing[:5])},
        )
    _fail(errors)
    today = timezone.localdate()
    found: list[Hazard] = []
    source = INSPECTION_SOURCE[inspection.kind]
    org = inspection.organization
    for item_id, row in seen.items():
        item = items[item_id]
        note = (row.get("note") or "").strip()[:500]
        result = InspectionResult(
            inspection=inspection, item=item, outcome=row["outcome"], note=note
        )
        if row["outcome"] == Outcome.FAIL:
            severity = row.get("severity") or (
                Severity.MAJOR if item.major_if_failed else Severity.GENERAL
            )
            description = "\n".join(
                p
                for p in (
                    item.text,
                    note,
                    item.basis and _("Basis: %(basis)s") % {"basis": item.basis},
                )
                if p
            )
            hazard_data: dict[str, Any] = {
                "title": item.text[:200],
                "description": description,
                "source": source,
                "domain": inspection.template.domain,  # type: ignore[union-attr]
                "severity": severity,
                "organization": org,
                "deadline": default_deadline(severity, today),
            }
            if inspection.place is not None:
                hazard_data["place"] = inspection.place
            result.hazard = report_hazard(actor, hazard_data, inspection=inspection)
            found.append(result.hazard)
        result.save()
    inspection.state = InspectionState.DONE
    inspection.done_at = timezone.now()
    if inspection.inspector_id is None:
        inspection.inspector = actor
    if notes is not None:
        inspection.notes = notes.strip()
    inspection.save()
    if inspection.lookback is not None and inspection.lookback.status != LookBackStatus.DONE:
        inspection.lookback.status = LookBackStatus.DONE
        inspection.lookback.save(update_fields=["status"])
    return found


# --- public tips (举报) -----------------------------------------------------------------------

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read aloud and typed by hand


def new_tip_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _i in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def normalise_code(value: str) -> str:
    raw = "".join(ch for ch in (value or "").upper() if ch.isalnum())
    raw = raw.replace("O", "0").replace("I", "1").replace("L", "1")
    if len(raw) != 12:
        return ""
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


TIP_FIELDS = {"description", "address", "lon", "lat", "contact_name", "contact_phone"}


@transaction.atomic
def submit_tip(data: dict[str, Any], photos: Iterable[Any] = (), *, ip_hash: str = "") -> Tip:
    """A tip from the public (no account): a description, a location inside the district,
    photos (optional) and, if the tipster wishes, a name and phone for the reward. Spam
    checks and the rate limit are the caller's (see `antispam`)."""
    unknown = set(data) - TIP_FIELDS
    if unknown:
        raise ValidationError({f: [_("Unknown field.")] for f in sorted(unknown)})
    errors: Errors = {}
    _no_nul(data, errors)
    _fail(errors)
    description = (data.get("description") or "").strip()
    if len(description) < 5:
        _add(errors, "description", _("Describe the hazard in a few words."))
    lon, lat = data.get("lon"), data.get("lat")
    jurisdiction = None
    if lon is None or lat is None:
        _add(
            errors,
            "location",
            _("Give the hazard's location: pick it on the map or use your device's location."),
        )
    else:
        try:
            lon, lat = float(lon), float(lat)
            if not (-180 <= lon <= 180 and -90 <= lat <= 90) or math.isnan(lon) or math.isnan(lat):
                raise ValueError
        except (TypeError, ValueError):
            _add(errors, "location", _("The location's longitude or latitude is not valid."))
        else:
            jurisdiction = locate(lon, lat)
            if jurisdiction is None:
                _add(errors, "location", _("The location lies outside the district."))
    _fail(errors)
    checked = check_photos(photos, field="photo")
    tip = Tip(
        code=new_tip_code(),
        description=description[:5000],
        address=(data.get("address") or "").strip()[:255],
        lon=round(lon, 7),  # type: ignore[arg-type]
        lat=round(lat, 7),  # type: ignore[arg-type]
        jurisdiction=jurisdiction,
        contact_name=(data.get("contact_name") or "").strip()[:100],
        contact_phone=(data.get("contact_phone") or "").strip()[:40],
        ip_hash=ip_hash,
    )
    while Tip.objects.filter(code=tip.code).exists():
        tip.code = new_tip_code()
    tip.save()
    _store(checked, None, tip=tip)
    return tip


@transaction.atomic
def triage_tip(
    actor: Any,
    tip: Tip,
    decision: str,
    *,
    reason: str = "",
    hazard_data: dict[str, Any] | None = None,
) -> Tip:
    """Accept a tip as a hazard (decision "accept", with the hazard's title, domain,
    severity …) or dismiss it with a reason ("dismiss")."""
    _require_writer(actor)
    tip = Tip.objects.select_for_update().get(pk=tip.pk)
    if role_of(actor) not in lifecycle.DISTRICT | {lifecycle.STREET_OFFICER}:
        raise PermissionDenied(_("Your role may not triage tips."))
    _require_reach(actor, tip)
    if tip.status != TipStatus.RECEIVED:
        raise ValidationError({"decision": [_("This tip has already been triaged.")]})
    reason = (reason or "").strip()
    if "\x00" in reason:
        raise ValidationError({"reason": [_("Null characters are not allowed.")]})
    now = timezone.now()
    if decision == "dismiss":
        if not reason:
            raise ValidationError({"reason": [_("Give the reason for dismissing the tip.")]})
        tip.status = TipStatus.DISMISSED
        tip.dismiss_reason = reason
    elif decision == "accept":
        data = dict(hazard_data or {})
        data.setdefault("description", tip.description)
        data.setdefault("address", tip.address)
        if data.get("lon") is None or data.get("lat") is None:
            # The hazard is where the citizen saw it, whichever unit is responsible.
            data["lon"], data["lat"] = tip.lon, tip.lat
        data["source"] = Source.PUBLIC_TIP
        hazard = report_hazard(actor, data, tip=tip)
        tip.status = TipStatus.ACCEPTED
        tip.hazard = hazard
    else:
        raise ValidationError({"decision": [_("Choose accept or dismiss.")]})
    tip.triaged_at = now
    tip.triaged_by = actor
    tip.save()
    return tip


REWARD_STEPS: dict[str, set[str]] = {
    RewardStatus.PROPOSED: {RewardStatus.APPROVED, RewardStatus.DECLINED},
    RewardStatus.APPROVED: {RewardStatus.PAID, RewardStatus.DECLINED},
    RewardStatus.PAID: set(),
    RewardStatus.DECLINED: set(),
}


@transaction.atomic
def decide_reward(
    actor: Any, reward: TipReward, status: str, *, amount: Any = None, note: str = ""
) -> TipReward:
    """District staff approve (optionally changing the amount), decline or pay a reward."""
    _require_writer(actor)
    if role_of(actor) not in lifecycle.DISTRICT:
        raise PermissionDenied(_("Only district staff decide rewards."))
    reward = TipReward.objects.select_for_update().get(pk=reward.pk)
    if status not in REWARD_STEPS.get(reward.status, set()):
        raise ValidationError(
            {
                "status": [
                    _("A reward that is “%(from)s” cannot become “%(to)s”.")
                    % {"from": reward.get_status_display(), "to": _label(RewardStatus, status)}
                ]
            }
        )
    if amount is not None:
        if reward.status != RewardStatus.PROPOSED or amount < 0:
            raise ValidationError({"amount": [_("The amount can only be set when approving.")]})
        reward.amount = amount
    reward.status = status
    reward.decided_by = actor
    reward.decided_at = timezone.now()
    reward.note = (note or "").strip()[:300]
    reward._history_user = actor  # type: ignore[attr-defined]
    reward.save()
    return reward


PUBLIC_STEPS = {
    "received": gettext_noop("Received: the street office will check it."),
    "dismissed": gettext_noop("Checked, and not taken up as a hazard."),
    "rectifying": gettext_noop("Confirmed as a hazard; rectification is under way."),
    "closed": gettext_noop("Confirmed, rectified and verified. Thank you!"),
}


def public_status(code: str) -> dict[str, Any] | None:
    """What the citizen may see of their tip: no names, no internal notes."""
    normal = normalise_code(code)
    if not normal:
        return None
    tip = Tip.objects.select_related("hazard", "reward").filter(code=normal).first()
    if tip is None:
        return None
    hazard = tip.hazard
    if tip.status == TipStatus.DISMISSED:
        step = "dismissed"
    elif hazard is None:
        step = "received"
    elif hazard.state == lifecycle.CLOSED:
        step = "closed"
    else:
        step = "rectifying"
    reward = getattr(tip, "reward", None)
    return {
        "code": tip.code,
        "status": tip.status,
        "status_label": str(tip.get_status_display()),
        "step": step,
        "step_label": _(PUBLIC_STEPS[step]),
        "received_at": tip.created_at,
        "triaged_at": tip.triaged_at,
        "dismiss_reason": tip.dismiss_reason if tip.status == TipStatus.DISMISSED else "",
        "hazard_state": hazard.state if hazard else None,
        "hazard_state_label": str(hazard.get_state_display()) if hazard else "",
        "closed_at": hazard.closed_at if hazard else None,
        "reward_status": reward.status if reward else None,
        "reward_status_label": str(reward.get_status_display()) if reward else "",
    }


# --- what a user has to do ----------------------------------------------------------------


def task_filter(actor: Any) -> Q | None:
    """The hazards `actor` has to act on next ("my tasks"), as a Q over visible hazards.

    Street officers: reported ones to assign, submitted ones to verify. Enterprise
    managers: assigned ones to start and rectifying ones to submit. District staff:
    escalated overdue hazards and major hazards waiting on them. Everyone: hazards
    assigned to them personally that are still open.
    """
    role = role_of(actor)
    mine = OPEN & Q(assignee=actor) if getattr(actor, "pk", None) else Q(pk__in=[])
    if role == Role.STREET_OFFICER:
        return mine | Q(state__in=[lifecycle.REPORTED, lifecycle.VERIFYING])
    if role == Role.ENTERPRISE_MANAGER:
        return mine | Q(state__in=[lifecycle.ASSIGNED, lifecycle.RECTIFYING])
    if role in DISTRICT_ROLES:
        return (
            mine
            | OPEN & Q(escalated_at__isnull=False)
            | Q(severity=Severity.MAJOR, state__in=[lifecycle.REPORTED, lifecycle.VERIFYING])
        )
    return None


TIP_ROLES = lifecycle.DISTRICT | {lifecycle.STREET_OFFICER}


def tips_visible_to(actor: Any) -> Any:
    """Tips `actor` may read: district staff and street officers, in their area. Tips carry
    the citizen's contact details, so no other role reads them."""
    if role_of(actor) not in TIP_ROLES:
        return Tip.objects.none()
    return Tip.objects.visible_to(actor)  # type: ignore[attr-defined]


__all__ = [
    "add_note",
    "check_photos",
    "complete_milestone",
    "create_inspection",
    "decide_reward",
    "escalate_overdue",
    "mark_accident",
    "public_status",
    "record_inspection",
    "report_hazard",
    "sample_lookbacks",
    "save_plan",
    "submit_tip",
    "transition",
    "triage_tip",
]
