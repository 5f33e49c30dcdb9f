"""Operations on the special-equipment registry. Pages, API, imports, the demo and the
daily job write through these: each runs in a transaction, checks the actor's reach
(before and after the change), validates the whole record and keeps its history.

`actor=None` is the system itself (demo loader, background job) and skips the reach check.
"""

from __future__ import annotations

import calendar
import datetime as dt
import logging
import re
import unicodedata
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cityguard.core import channels
from cityguard.core.access import require_change
from cityguard.core.models import Contact, Organization, Place
from cityguard.core.services import (
    apply_changes,
    names_jurisdiction,
    place_in_tree,
    require_write,
    validate_and_save,
)

from . import config, parameters
from .choices import EquipmentKind, EquipmentStatus, InspectionResult, ReminderKind
from .models import Equipment, Inspection, Reminder

log = logging.getLogger(__name__)

EQUIPMENT_FIELDS = {
    "name", "kind", "registration_no", "code", "status", "model_name", "manufacturer",
    "organization", "organization_id", "place", "place_id", "maintenance_org",
    "maintenance_org_id", "maintenance_unit", "address", "parameters", "interval_months",
    "installed_on", "registered_on", "notes", "lon", "lat", "jurisdiction", "jurisdiction_id",
}  # fmt: skip
REGISTERED = {EquipmentStatus.IN_USE, EquipmentStatus.IDLE, EquipmentStatus.STOPPED}
# Letters, digits, CJK (the kind and province characters: 梯11沪YP0123(19)), brackets,
# hyphens and slashes; at least one digit.
REGISTRATION_NO = re.compile(r"[0-9A-Z\u4e00-\u9fff()\-/.]{4,40}")
EQUIPMENT_CODE = re.compile(r"[0-9A-Z\-]{1,32}")
EARLIEST = dt.date(1950, 1, 1)


def today() -> dt.date:
    return timezone.localdate()


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (the month's last day where it is shorter)."""
    total = day.month - 1 + months
    year, month = day.year + total // 12, total % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def interval_of(equipment: Equipment) -> int:
    return int(equipment.interval_months or config.interval_months(equipment.kind))


def normalise_registration(text: str | None) -> str:
    value = unicodedata.normalize("NFKC", text or "").strip().upper()
    return re.sub(r"\s+", "", value)


def normalise_code(text: str | None) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or "").strip().upper())


# --- units -----------------------------------------------------------------------------


def _check_registration(obj: Equipment, errors: dict[str, list[str]]) -> None:
    number = normalise_registration(obj.registration_no)
    obj.registration_no = number or None
    if number:
        if not REGISTRATION_NO.fullmatch(number) or not re.search(r"\d", number):
            errors.setdefault("registration_no", []).append(
                _(
                    "“%(value)s” is not a registration number: 4 to 40 letters, digits and "
                    "Chinese characters, with at least one digit (e.g. 梯11沪YP0123(19))."
                )
                % {"value": number}
            )
        elif Equipment.objects.filter(registration_no=number).exclude(pk=obj.pk).exists():
            errors.setdefault("registration_no", []).append(
                _("The registration number %(value)s is already recorded for another unit.")
                % {"value": number}
            )
    if obj.status in REGISTERED and not number:
        errors.setdefault("registration_no", []).append(
            _("A registered unit needs its registration number; otherwise choose “Unregistered”.")
        )
    if obj.status == EquipmentStatus.UNREGISTERED and number:
        errors.setdefault("status", []).append(
            _("A unit with a registration number is not unregistered: choose its status.")
        )


def _check_dates(obj: Equipment, errors: dict[str, list[str]]) -> None:
    now = today()
    for name in ("installed_on", "registered_on"):
        value = getattr(obj, name)
        if value is None:
            continue
        if value > now:
            errors.setdefault(name, []).append(_("This date lies in the future."))
        elif value < EARLIEST:
            errors.setdefault(name, []).append(_("This date is too early."))


def _locate_from_parents(obj: Equipment, errors: dict[str, list[str]]) -> None:
    """A unit given no location of its own stands where its place (or else its user unit) does."""
    if obj.lon is not None or obj.lat is not None or obj.jurisdiction_id:
        return
    source: Place | Organization | None = None
    if obj.place_id:
        source = Place.objects.filter(pk=obj.place_id).first()
    if source is None and obj.organization_id:
        source = Organization.objects.filter(pk=obj.organization_id).first()
    if source is None:
        return
    obj.lon, obj.lat = source.lon, source.lat
    if source.lon is None:
        obj.jurisdiction_id = source.jurisdiction_id


@transaction.atomic
def save_equipment(
    actor: Any, data: dict[str, Any], instance: Equipment | None = None
) -> Equipment:
    """Create (no instance) or update a unit from already-typed field values."""
    if actor is not None:
        require_write(actor)
        if instance is not None:
            require_change(actor, instance)
    obj = instance or Equipment()
    apply_changes(obj, data, EQUIPMENT_FIELDS)
    errors: dict[str, list[str]] = {}
    if not obj.organization_id:
        errors.setdefault("organization", []).append(_("This field cannot be empty."))
    _check_registration(obj, errors)
    if obj.code:
        obj.code = normalise_code(obj.code)
        if not EQUIPMENT_CODE.fullmatch(obj.code):
            errors.setdefault("code", []).append(
                _("An equipment code has up to 32 letters, digits and hyphens.")
            )
    if obj.kind and obj.kind not in EquipmentKind.values:
        errors.setdefault("kind", []).append(_("Unknown kind."))
    try:
        obj.parameters = parameters.check(obj.kind, obj.parameters)
    except ValueError as exc:
        errors.setdefault("parameters", []).append(str(exc))
    if obj.interval_months is not None and not 1 <= obj.interval_months <= 120:
        errors.setdefault("interval_months", []).append(
            _("The interval must lie between 1 and 120 months.")
        )
    _check_dates(obj, errors)
    if obj.place_id and not Place.objects.filter(pk=obj.place_id).exists():
        errors.setdefault("place", []).append(_("No such place."))
    _locate_from_parents(obj, errors)
    place_in_tree(obj, errors, named=names_jurisdiction(data))
    if not errors and actor is not None:
        require_change(actor, obj)  # where it would stand after the change
    # The registration number's uniqueness is checked above with a clearer message; the
    # unique constraint stays as the backstop.
    exclude = ["registration_no", "jurisdiction"] if errors else ["registration_no"]
    saved = validate_and_save(obj, actor, errors, exclude=exclude)
    if saved.status not in (EquipmentStatus.IN_USE,):
        _resolve(Reminder.objects.filter(equipment=saved, resolved_at__isnull=True))
    return saved


# --- inspections -----------------------------------------------------------------------


def default_next_due(equipment: Equipment, inspected_on: dt.date, result: str) -> dt.date:
    """A failed unit must be inspected again before use: due at once. Otherwise the
    interval of the unit (or of its kind) after the inspection."""
    if result == InspectionResult.FAIL:
        return inspected_on
    return add_months(inspected_on, interval_of(equipment))


@transaction.atomic
def record_inspection(
    actor: Any,
    equipment: Equipment,
    *,
    inspected_on: dt.date | None,
    result: str,
    body: str = "",
    report_no: str = "",
    next_due: dt.date | None = None,
    notes: str = "",
) -> Inspection:
    """Record a periodic inspection; the unit's last inspection and next due date follow
    its latest inspection. Refused (ValidationError, nothing changed): a date in the
    future, a next due date before the inspection, a scrapped unit."""
    if actor is not None:
        require_write(actor)
        require_change(actor, equipment)
    errors: dict[str, list[str]] = {}
    now = today()
    if inspected_on is None:
        errors["inspected_on"] = [_("This field is required.")]
    elif inspected_on > now:
        errors["inspected_on"] = [
            _(
                "The inspection date %(date)s lies in the future (today is %(today)s): "
                "record an inspection once it has taken place."
            )
            % {"date": inspected_on.isoformat(), "today": now.isoformat()}
        ]
    elif inspected_on < EARLIEST:
        errors["inspected_on"] = [_("This date is too early.")]
    if result not in InspectionResult.values:
        errors["result"] = [_("Unknown result.")]
    if equipment.status == EquipmentStatus.SCRAPPED:
        errors.setdefault("equipment", []).append(
            _("The unit is scrapped or cancelled; it is no longer inspected.")
        )
    for name, value, limit in (("body", body, 200), ("report_no", report_no, 60)):
        if len(value or "") > limit:
            errors[name] = [_("Enter at most %(n)s characters.") % {"n": limit}]
    if errors:
        raise ValidationError(errors)
    assert inspected_on is not None
    if next_due is None:
        next_due = default_next_due(equipment, inspected_on, result)
    elif next_due < inspected_on:
        errors["next_due"] = [
            _("The next due date %(due)s is before the inspection date %(date)s.")
            % {"due": next_due.isoformat(), "date": inspected_on.isoformat()}
        ]
    elif next_due == inspected_on and result != InspectionResult.FAIL:
        errors["next_due"] = [_("After a passed inspection the next one falls due later.")]
    elif next_due > add_months(inspected_on, 120):
        errors["next_due"] = [_("The next due date lies more than ten years ahead.")]
    if errors:
        raise ValidationError(errors)
    user = actor if actor is not None and getattr(actor, "pk", None) else None
    inspection = Inspection.objects.create(
        equipment=equipment,
        inspected_on=inspected_on,
        result=result,
        body=(body or "").strip(),
        report_no=(report_no or "").strip(),
        next_due=next_due,
        notes=notes or "",
        created_by=user,
    )
    follow_latest(equipment, actor)
    return inspection


def follow_latest(equipment: Equipment, actor: Any = None) -> Equipment:
    """Set the unit's last inspection, result and next due date from its latest inspection."""
    latest = Inspection.objects.filter(equipment=equipment).order_by("-inspected_on", "-id").first()
    values = (latest.inspected_on, latest.result, latest.next_due) if latest else (None, "", None)
    current = (
        equipment.last_inspection_on,
        equipment.last_result,
        equipment.next_inspection_due,
    )
    if values != current:
        (
            equipment.last_inspection_on,
            equipment.last_result,
            equipment.next_inspection_due,
        ) = values
        equipment._history_user = actor if getattr(actor, "pk", None) else None  # type: ignore[attr-defined]
        equipment.save()
        _resolve(
            Reminder.objects.filter(equipment=equipment, resolved_at__isnull=True).exclude(
                due_on=equipment.next_inspection_due or dt.date.min
            )
        )
    return equipment


# --- due and overdue -------------------------------------------------------------------


def in_use(qs: QuerySet) -> QuerySet:
    return qs.filter(status=EquipmentStatus.IN_USE).exclude(registration_no__isnull=True)


def overdue(qs: QuerySet, on: dt.date | None = None) -> QuerySet:
    """Registered units in use past their due date, or never inspected."""
    on = on or today()
    return in_use(qs).filter(Q(next_inspection_due__lt=on) | Q(next_inspection_due__isnull=True))


def due_soon(qs: QuerySet, days: int | None = None, on: dt.date | None = None) -> QuerySet:
    """Registered units in use whose inspection falls due within `days` days (not yet past)."""
    on = on or today()
    days = config.due_days() if days is None else days
    return in_use(qs).filter(
        next_inspection_due__gte=on, next_inspection_due__lte=on + dt.timedelta(days=days)
    )


def unregistered(qs: QuerySet) -> QuerySet:
    return qs.filter(
        Q(status=EquipmentStatus.UNREGISTERED)
        | Q(status=EquipmentStatus.IN_USE, registration_no__isnull=True)
    )


def in_date(qs: QuerySet, on: dt.date | None = None) -> QuerySet:
    on = on or today()
    return in_use(qs).filter(next_inspection_due__gte=on)


def with_state(qs: QuerySet, state: str, days: int | None = None) -> QuerySet:
    """Units in one inspection state (see models.inspection_state)."""
    if state == "overdue":
        return overdue(qs)
    if state == "due_soon":
        return due_soon(qs, days)
    if state == "unregistered":
        return unregistered(qs)
    if state == "ok":
        on = today()
        days = config.due_days() if days is None else days
        return in_use(qs).filter(next_inspection_due__gt=on + dt.timedelta(days=days))
    if state == "out_of_use":
        return qs.exclude(status__in=[EquipmentStatus.IN_USE, EquipmentStatus.UNREGISTERED])
    return qs


# --- reminders -------------------------------------------------------------------------


def _resolve(qs: QuerySet) -> int:
    return int(qs.update(resolved_at=timezone.now()))


def _recipients(equipment: Equipment) -> list[channels.Recipient]:
    contacts = Contact.objects.filter(
        organization_id=equipment.organization_id, role__in=config.reminder_roles()
    ).exclude(email="")
    return [
        channels.Recipient(
            name=c.name,
            email=c.email,
            phone=c.phone,
            meta={"role": c.role, "organization": equipment.organization_id},
        )
        for c in contacts
    ]


def _message(reminder: Reminder) -> channels.Message:
    from django.conf import settings

    eq = reminder.equipment
    with translation.override(settings.LANGUAGE_CODE):
        if reminder.kind == ReminderKind.OVERDUE:
            subject = _("Special equipment inspection overdue: %(name)s") % {"name": eq.name}
        else:
            subject = _("Special equipment inspection due: %(name)s") % {"name": eq.name}
        body = _(
            "%(kind)s “%(name)s” (registration number %(number)s) of %(org)s: the periodic "
            "statutory inspection falls due on %(due)s. Arrange the inspection with an "
            "inspecting body in time; a unit past its inspection date may not be used."
        ) % {
            "kind": EquipmentKind(eq.kind).label,
            "name": eq.name,
            "number": eq.registration_no or "—",
            "org": eq.organization.name,
            "due": reminder.due_on.isoformat(),
        }
    return channels.Message(
        subject=str(subject),
        body=str(body),
        data={
            "equipment": eq.pk,
            "registration_no": eq.registration_no,
            "due_on": reminder.due_on.isoformat(),
            "kind": reminder.kind,
        },
    )


def notify(reminder: Reminder) -> int:
    """E-mail the reminder to the user unit's safety managers; returns how many were sent
    and keeps every failure's reason on the reminder."""
    sent, failures = channels.send_each(
        channels.get("email"), _recipients(reminder.equipment), _message(reminder)
    )
    reminder.notified += sent
    if failures:
        reminder.delivery_errors = "\n".join([reminder.delivery_errors, *failures]).strip()
    reminder.save(update_fields=["notified", "delivery_errors"])
    return sent


def raise_reminders(on: dt.date | None = None, days: int | None = None) -> dict[str, int]:
    """The daily job: one reminder per unit and due date for units due within `days`
    (config.due_days) or overdue (a unit never inspected counts from its registration);
    a due-soon reminder that has become overdue is escalated and sent again. Reminders
    of units inspected since, or no longer in use, are resolved. Running it twice a day
    changes nothing the second time."""
    on = on or today()
    days = config.due_days() if days is None else days
    counts = {"raised": 0, "escalated": 0, "resolved": 0, "emails": 0}
    units = Equipment.objects.select_related("organization")
    wanted: dict[int, tuple[Equipment, dt.date, str]] = {}
    for eq in overdue(units, on):
        due = eq.next_inspection_due or eq.registered_on or eq.created_at.date()
        wanted[eq.pk] = (eq, due, ReminderKind.OVERDUE)
    for eq in due_soon(units, days, on):
        assert eq.next_inspection_due is not None
        wanted[eq.pk] = (eq, eq.next_inspection_due, ReminderKind.DUE_SOON)
    to_send: list[Reminder] = []
    with transaction.atomic():
        open_ = {
            (r.equipment_id, r.due_on): r for r in Reminder.objects.filter(resolved_at__isnull=True)
        }
        stale = [r.pk for key, r in open_.items() if key[0] not in wanted]
        stale += [r.pk for (pk, due), r in open_.items() if pk in wanted and wanted[pk][1] != due]
        if stale:
            counts["resolved"] = _resolve(Reminder.objects.filter(pk__in=stale))
        now = timezone.now()
        for eq, due, kind in wanted.values():
            reminder, created = Reminder.objects.get_or_create(
                equipment=eq, due_on=due, defaults={"kind": kind, "raised_at": now}
            )
            reminder.equipment = eq
            if created:
                counts["raised"] += 1
                to_send.append(reminder)
                continue
            if reminder.resolved_at is not None:
                # Back in use with the same due date: the reminder stands again, not re-sent.
                reminder.resolved_at = None
                reminder.save(update_fields=["resolved_at"])
            if reminder.kind == ReminderKind.DUE_SOON and kind == ReminderKind.OVERDUE:
                reminder.kind = kind
                reminder.escalated_at = now
                reminder.save(update_fields=["kind", "escalated_at"])
                counts["escalated"] += 1
                to_send.append(reminder)
    for reminder in to_send:
        counts["emails"] += notify(reminder)
    return counts


__all__ = [
    "add_months",
    "due_soon",
    "follow_latest",
    "in_date",
    "notify",
    "overdue",
    "raise_reminders",
    "record_inspection",
    "save_equipment",
    "unregistered",
    "with_state",
]
