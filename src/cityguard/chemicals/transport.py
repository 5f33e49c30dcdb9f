"""Hazmat transport filings and the blacklist of vehicles, drivers and carriers.

A filing is checked field by field; a vehicle (or trailer), driver, escort or carrier on
the active blacklist refuses it with the reason and date of the listing, and nothing is
written. The blacklist is kept by the district and street roles: who listed an entry, when
and why, and who lifted it, when and why.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cityguard.core.access import reach, require_change
from cityguard.core.choices import Role
from cityguard.core.services import apply_changes, require_write, validate_and_save

from . import measure
from .choices import BlacklistKind, FilingStatus
from .ledger import to_tonnes
from .models import BlacklistEntry, Chemical, TransportFiling

MAX_WINDOW = dt.timedelta(days=31)
_PLATE_NOISE = re.compile(r"[\s\-·.•_]")


def identifier_key(text: str) -> str:
    """Plates, qualification numbers and codes compared without spaces, dots or dashes,
    in upper case and half-width: "沪A·12345" = "沪a 12345"."""
    return _PLATE_NOISE.sub("", unicodedata.normalize("NFKC", text or "")).upper()


def active_entries(kind: str, identifier: str) -> list[BlacklistEntry]:
    key = identifier_key(identifier)
    if not key:
        return []
    return list(
        BlacklistEntry.objects.filter(
            kind=kind, identifier_key=key, lifted_on__isnull=True
        ).order_by("listed_on", "id")
    )


def blacklist_message(entry: BlacklistEntry) -> str:
    return _("%(kind)s %(identifier)s is on the blacklist since %(date)s: %(reason)s") % {
        "kind": BlacklistKind(entry.kind).label,
        "identifier": entry.identifier,
        "date": entry.listed_on,
        "reason": entry.reason,
    }


FILING_FIELDS = {
    "organization",
    "chemical",
    "quantity",
    "quantity_unit",
    "density_t_m3",
    "vehicle_plate",
    "trailer_plate",
    "driver_name",
    "driver_id",
    "escort_name",
    "escort_id",
    "carrier_name",
    "carrier_code",
    "origin",
    "destination",
    "route",
    "window_start",
    "window_end",
}
REQUIRED_TEXT = (
    "vehicle_plate",
    "driver_name",
    "driver_id",
    "escort_name",
    "carrier_name",
    "origin",
    "destination",
)
# Which field is checked against which blacklist.
CHECKED: tuple[tuple[str, str], ...] = (
    ("vehicle_plate", BlacklistKind.VEHICLE),
    ("trailer_plate", BlacklistKind.VEHICLE),
    ("driver_id", BlacklistKind.DRIVER),
    ("escort_id", BlacklistKind.DRIVER),
    ("carrier_code", BlacklistKind.CARRIER),
    ("carrier_name", BlacklistKind.CARRIER),
)


def blacklist_errors(values: dict[str, str]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for field, kind in CHECKED:
        for entry in active_entries(kind, values.get(field, "")):
            errors.setdefault(field, []).append(blacklist_message(entry))
    return errors


@transaction.atomic
def file_transport(actor: Any, data: dict[str, Any]) -> TransportFiling:
    """Check and record a transport filing; refused whole on any error."""
    require_write(actor)
    unknown = set(data) - FILING_FIELDS
    if unknown:
        raise ValidationError({f: [_("Unknown field.")] for f in sorted(unknown)})
    errors: dict[str, list[str]] = {}
    org = data.get("organization")
    chem: Chemical | None = data.get("chemical")
    if org is None:
        errors.setdefault("organization", []).append(_("Choose the organisation."))
    if chem is None:
        errors.setdefault("chemical", []).append(_("Choose the chemical."))
    if errors:
        raise ValidationError(errors)
    assert chem is not None
    filing = TransportFiling(organization=org, chemical=chem)
    require_change(actor, filing)
    text: dict[str, str] = {}
    for field in (
        "vehicle_plate",
        "trailer_plate",
        "driver_name",
        "driver_id",
        "escort_name",
        "escort_id",
        "carrier_name",
        "carrier_code",
        "origin",
        "destination",
        "route",
    ):
        value = str(data.get(field) or "").strip()
        if "\x00" in value:
            errors.setdefault(field, []).append(_("Null characters are not allowed."))
        text[field] = value
        if field in REQUIRED_TEXT and not value:
            errors.setdefault(field, []).append(_("This field is required."))
    for field in ("vehicle_plate", "trailer_plate"):
        if text[field]:
            text[field] = identifier_key(text[field])
    try:
        tonnes, code, density = to_tonnes(
            data.get("quantity"),
            str(data.get("quantity_unit") or ""),
            data.get("density_t_m3"),
            chem,
        )
        if tonnes <= 0:
            errors.setdefault("quantity", []).append(_("Enter a quantity above zero."))
    except ValidationError as exc:
        for k, v in exc.message_dict.items():
            errors.setdefault(k, []).extend(v)
        tonnes, code, density = 0.0, "t", None
    start, end = data.get("window_start"), data.get("window_end")
    if isinstance(start, dt.datetime) and timezone.is_naive(start):
        start = timezone.make_aware(start)
    if isinstance(end, dt.datetime) and timezone.is_naive(end):
        end = timezone.make_aware(end)
    if not isinstance(start, dt.datetime):
        errors.setdefault("window_start", []).append(_("Enter a date and time."))
    if not isinstance(end, dt.datetime):
        errors.setdefault("window_end", []).append(_("Enter a date and time."))
    if isinstance(start, dt.datetime) and isinstance(end, dt.datetime):
        if end <= start:
            errors.setdefault("window_end", []).append(_("The window must end after it starts."))
        elif end - start > MAX_WINDOW:
            errors.setdefault("window_end", []).append(_("A filing covers at most 31 days."))
    for field, messages in blacklist_errors(text).items():
        errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    for field, value in text.items():
        setattr(filing, field, value)
    filing.quantity = measure.number(data["quantity"])
    filing.quantity_unit = code
    filing.density_t_m3 = density
    filing.quantity_t = tonnes
    assert isinstance(start, dt.datetime) and isinstance(end, dt.datetime)
    filing.window_start = start
    filing.window_end = end
    filing.filed_by = actor if getattr(actor, "pk", None) else None
    return validate_and_save(filing, actor, {}, exclude=["filed_by"])


@transaction.atomic
def set_filing_status(actor: Any, filing: TransportFiling, status: str) -> TransportFiling:
    require_write(actor)
    require_change(actor, filing)
    if status not in FilingStatus.values:
        raise ValidationError({"status": [_("Unknown status.")]})
    if filing.status != FilingStatus.FILED:
        raise ValidationError({"status": [_("Only a filed transport can be closed.")]})
    filing.status = status
    filing._history_user = actor  # type: ignore[attr-defined]
    filing.save()
    return filing


# --- the blacklist ---------------------------------------------------------------------------


def require_blacklist_keeper(actor: Any) -> None:
    require_write(actor)
    if reach(actor).role == Role.ENTERPRISE_MANAGER:
        raise PermissionDenied(_("The blacklist is kept by the district and street offices."))


def can_see_blacklist(user: Any) -> bool:
    r = reach(user)
    return r.authenticated and r.role is not None and r.role != Role.ENTERPRISE_MANAGER


BLACKLIST_FIELDS = {"kind", "identifier", "name", "reason", "listed_on"}


@transaction.atomic
def add_to_blacklist(actor: Any, data: dict[str, Any]) -> BlacklistEntry:
    require_blacklist_keeper(actor)
    entry = BlacklistEntry()
    apply_changes(entry, data, BLACKLIST_FIELDS)
    errors: dict[str, list[str]] = {}
    entry.identifier = (entry.identifier or "").strip()
    entry.identifier_key = identifier_key(entry.identifier)
    if not entry.identifier_key:
        errors.setdefault("identifier", []).append(_("This field is required."))
    if not (entry.reason or "").strip():
        errors.setdefault("reason", []).append(_("Give the reason."))
    entry.listed_on = entry.listed_on or timezone.localdate()
    if entry.listed_on > timezone.localdate():
        errors.setdefault("listed_on", []).append(_("The date cannot be in the future."))
    if entry.kind and active_entries(entry.kind, entry.identifier):
        errors.setdefault("identifier", []).append(_("This one is already on the blacklist."))
    entry.listed_by = actor if getattr(actor, "pk", None) else None
    return validate_and_save(entry, actor, errors, exclude=["listed_by", "lifted_by"])


@transaction.atomic
def lift(
    actor: Any, entry: BlacklistEntry, reason: str, on: dt.date | None = None
) -> BlacklistEntry:
    require_blacklist_keeper(actor)
    entry = BlacklistEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.lifted_on is not None:
        raise ValidationError({"lifted_on": [_("This entry is already lifted.")]})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"lift_reason": [_("Give the reason.")]})
    on = on or timezone.localdate()
    if on > timezone.localdate():
        raise ValidationError({"lifted_on": [_("The date cannot be in the future.")]})
    if on < entry.listed_on:
        raise ValidationError({"lifted_on": [_("An entry cannot be lifted before it was listed.")]})
    entry.lifted_on = on
    entry.lift_reason = reason
    entry.lifted_by = actor if getattr(actor, "pk", None) else None
    entry._history_user = actor  # type: ignore[attr-defined]
    entry.save()
    return entry
