"""Operations on hazardous chemical business licences: issue and edit, status changes
(suspend, reinstate, revoke, cancel — each with reason and date), the daily expiry
reminders, and the check a flow's counterparty goes through.

Licences are recorded by the authorities (district and street roles); an enterprise
safety manager reads their own organisation's licences but does not write them.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cityguard.core.access import reach, require_change
from cityguard.core.choices import Role
from cityguard.core.services import apply_changes, require_write, validate_and_save

from . import config
from .choices import LicenceStatus, ReminderKind
from .models import Chemical, Licence, LicenceReminder

LICENCE_FIELDS = {
    "organization",
    "organization_id",
    "number",
    "kind",
    "scope",
    "authority",
    "issued_on",
    "valid_from",
    "valid_until",
}

# Allowed status changes: from → to.
TRANSITIONS: dict[str, set[str]] = {
    LicenceStatus.ISSUED: {LicenceStatus.SUSPENDED, LicenceStatus.REVOKED, LicenceStatus.CANCELLED},
    LicenceStatus.SUSPENDED: {LicenceStatus.ISSUED, LicenceStatus.REVOKED, LicenceStatus.CANCELLED},
    LicenceStatus.REVOKED: {LicenceStatus.CANCELLED},
    LicenceStatus.CANCELLED: set(),
}


def today() -> dt.date:
    return timezone.localdate()


def normalise_number(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text or "").split()).upper()


def require_authority(actor: Any) -> None:
    require_write(actor)
    if reach(actor).role == Role.ENTERPRISE_MANAGER:
        raise PermissionDenied(_("Licences are recorded by the licensing authority."))


@transaction.atomic
def save_licence(
    actor: Any,
    data: dict[str, Any],
    instance: Licence | None = None,
    chemicals: list[Chemical] | None = None,
) -> Licence:
    require_authority(actor)
    obj = instance or Licence()
    if instance is not None:
        require_change(actor, instance)
    apply_changes(obj, data, LICENCE_FIELDS)
    errors: dict[str, list[str]] = {}
    obj.number = normalise_number(obj.number)
    if not obj.number:
        errors.setdefault("number", []).append(_("Enter the licence number."))
    elif Licence.objects.filter(number=obj.number).exclude(pk=obj.pk).exists():
        errors.setdefault("number", []).append(_("Another licence has this number."))
    if obj.valid_from and obj.valid_until and obj.valid_until < obj.valid_from:
        errors.setdefault("valid_until", []).append(_("The end of validity precedes its start."))
    if obj.issued_on and obj.valid_until and obj.valid_until < obj.issued_on:
        errors.setdefault("valid_until", []).append(_("The end of validity precedes the issue."))
    if obj.organization_id and not errors:
        require_change(actor, obj)
    obj = validate_and_save(obj, actor, errors, exclude=[])
    if chemicals is not None:
        obj.chemicals.set(chemicals)
    return obj


@transaction.atomic
def change_status(
    actor: Any,
    licence: Licence,
    status: str,
    reason: str = "",
    on: dt.date | None = None,
) -> Licence:
    """Suspend, reinstate (back to issued), revoke or cancel a licence."""
    require_authority(actor)
    require_change(actor, licence)
    licence = Licence.objects.select_for_update().get(pk=licence.pk)
    if status not in LicenceStatus.values:
        raise ValidationError({"status": [_("Unknown status.")]})
    if status not in TRANSITIONS[licence.status]:
        raise ValidationError(
            {
                "status": [
                    _("A licence that is %(current)s cannot become %(new)s.")
                    % {
                        "current": LicenceStatus(licence.status).label,
                        "new": LicenceStatus(status).label,
                    }
                ]
            }
        )
    reason = (reason or "").strip()
    if status != LicenceStatus.ISSUED and not reason:
        raise ValidationError({"reason": [_("Give the reason.")]})
    on = on or today()
    if on > today():
        raise ValidationError({"date": [_("The date cannot be in the future.")]})
    licence.status = status
    licence.status_reason = reason
    licence.status_date = on
    licence._history_user = actor  # type: ignore[attr-defined]
    licence.save()
    if status != LicenceStatus.ISSUED:
        LicenceReminder.objects.filter(licence=licence, resolved_at__isnull=True).update(
            resolved_at=timezone.now()
        )
    return licence


def raise_reminders(on: dt.date | None = None) -> dict[str, int]:
    """Create the reminders due on `on` (today): one "expires soon" per licence within
    the reminder window, one "expired" per licence past its end, each once per expiry
    date; resolve the reminders of licences renewed or no longer issued."""
    on = on or today()
    horizon = on + dt.timedelta(days=config.reminder_days())
    issued = Licence.objects.filter(status=LicenceStatus.ISSUED)
    created = {"expiring": 0, "expired": 0, "resolved": 0}
    with transaction.atomic():
        for lic in issued.filter(valid_until__lt=on):
            _obj, new = LicenceReminder.objects.get_or_create(
                licence=lic, kind=ReminderKind.EXPIRED, due_on=lic.valid_until
            )
            created["expired"] += int(new)
        for lic in issued.filter(valid_until__gte=on, valid_until__lte=horizon):
            _obj, new = LicenceReminder.objects.get_or_create(
                licence=lic, kind=ReminderKind.EXPIRING, due_on=lic.valid_until
            )
            created["expiring"] += int(new)
        open_ = LicenceReminder.objects.filter(resolved_at__isnull=True).select_related("licence")
        stale = [
            r.pk
            for r in open_
            if r.licence.status != LicenceStatus.ISSUED
            or r.licence.valid_until != r.due_on
            or (r.kind == ReminderKind.EXPIRING and r.due_on < on)
        ]
        if stale:
            created["resolved"] = LicenceReminder.objects.filter(pk__in=stale).update(
                resolved_at=timezone.now()
            )
    return created


# --- checking a counterparty ---------------------------------------------------------------


@dataclass
class LicenceCheck:
    ok: bool
    message: str = ""
    licence: Licence | None = None


def describe_invalid(licence: Licence, on: dt.date) -> str:
    if licence.status != LicenceStatus.ISSUED:
        return _("Licence %(number)s is %(status)s (%(date)s).") % {
            "number": licence.number,
            "status": LicenceStatus(licence.status).label,
            "date": licence.status_date or "—",
        }
    if on > licence.valid_until:
        return _("Licence %(number)s expired on %(date)s.") % {
            "number": licence.number,
            "date": licence.valid_until,
        }
    return _("Licence %(number)s is valid only from %(date)s.") % {
        "number": licence.number,
        "date": licence.valid_from,
    }


def check_counterparty(
    chemical: Chemical,
    on: dt.date,
    *,
    organization_id: int | None,
    licence_number: str,
    required: bool,
) -> LicenceCheck:
    """Does the counterparty hold a valid licence covering `chemical` on `on`?

    A quoted licence number is looked up in the register; else, for a counterparty in the
    platform, its licences are. `required`: a counterparty with no licence at all fails
    (a supplier must be licensed); otherwise only a licence that is quoted or held and
    not valid fails.
    """
    number = normalise_number(licence_number)
    if number:
        lic = Licence.objects.filter(number=number).first()
        if lic is None:
            # Issued elsewhere: it cannot be verified here, so it passes with a warning.
            return LicenceCheck(
                True,
                _("Licence %(number)s is not in the register and could not be verified.")
                % {"number": number},
            )
        if organization_id and lic.organization_id != organization_id:
            return LicenceCheck(
                False,
                _("Licence %(number)s belongs to another organisation.") % {"number": number},
                lic,
            )
        if not lic.is_valid_on(on):
            return LicenceCheck(False, describe_invalid(lic, on), lic)
        if not lic.covers(chemical):
            return LicenceCheck(
                False,
                _("Licence %(number)s does not cover %(chemical)s.")
                % {"number": lic.number, "chemical": chemical.name_zh},
                lic,
            )
        return LicenceCheck(True, "", lic)
    if organization_id:
        held = list(
            Licence.objects.filter(organization_id=organization_id).order_by("-valid_until")
        )
        valid = [lic for lic in held if lic.is_valid_on(on) and lic.covers(chemical)]
        if valid:
            return LicenceCheck(True, "", valid[0])
        current = [lic for lic in held if lic.is_valid_on(on)]
        if current:
            return LicenceCheck(
                False,
                _("Licence %(number)s does not cover %(chemical)s.")
                % {"number": current[0].number, "chemical": chemical.name_zh},
                current[0],
            )
        if held:
            return LicenceCheck(False, describe_invalid(held[0], on), held[0])
    if required:
        return LicenceCheck(False, _("The counterparty has no valid licence on record."))
    return LicenceCheck(True)
