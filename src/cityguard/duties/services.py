"""Operations of the duties app: items of the four lists, list versions (draft → publish
→ next draft), task completion with evidence, verification, and the completion rates.

Each write runs in a transaction, checks the actor's reach through `core.access` (district
roles everywhere, a street officer their street's lists, a department's users their
department's) before and after the change, validates the whole record and sets the
history user. Refusals are `PermissionDenied` or `ValidationError`; nothing is changed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max, QuerySet
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from cityguard.core.access import require_change
from cityguard.core.choices import Level, OrganizationKind
from cityguard.core.models import Contact, Jurisdiction, Organization
from cityguard.core.services import apply_changes, require_write

from . import config, filecheck
from .choices import LEGAL_KINDS, ListKind, TaskStatus, VersionState
from .models import DutyItem, Evidence, ListVersion

Errors = dict[str, list[str]]

ITEM_FIELDS = {
    "kind",
    "organization",
    "street",
    "title",
    "content",
    "legal_basis",
    "legal_article",
    "responsible_post",
    "responsible_person",
    "owner_user",
    "owner_contact",
    "due_date",
    "status",
    "position",
}
# Fields that make up a list's content: frozen once the version is published.
CONTENT_FIELDS = ITEM_FIELDS - {"status"}


def _add(errors: Errors, field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


# --- units ----------------------------------------------------------------------------------


def check_unit(organization: Any, street: Any, errors: Errors) -> None:
    if (organization is None) == (street is None):
        _add(errors, "unit", _("Give either a department or a street, not both."))
        return
    if organization is not None and (
        not isinstance(organization, Organization)
        or organization.kind != OrganizationKind.DEPARTMENT
    ):
        _add(errors, "organization", _("The unit must be a government department."))
    if street is not None and (
        not isinstance(street, Jurisdiction) or street.level != Level.STREET
    ):
        _add(errors, "street", _("The unit must be a street."))


def unit_filter(organization: Any, street: Any) -> dict[str, Any]:
    if organization is not None:
        return {"organization": organization, "street__isnull": True}
    return {"street": street, "organization__isnull": True}


def find_unit(key: str) -> Organization | Jurisdiction | None:
    """'org-<id>' → the department, 'street-<code>' → the street, else None."""
    kind, _sep, rest = (key or "").partition("-")
    if kind == "org" and rest.isdigit() and len(rest) < 18:
        return Organization.objects.filter(pk=int(rest), kind=OrganizationKind.DEPARTMENT).first()
    if kind == "street" and rest:
        return Jurisdiction.objects.filter(code=rest, level=Level.STREET).first()
    return None


def unit_parts(unit: Any) -> tuple[Organization | None, Jurisdiction | None]:
    if isinstance(unit, Organization):
        return unit, None
    return None, unit


# --- versions -------------------------------------------------------------------------------


def latest_published(organization: Any, street: Any, kind: str) -> ListVersion | None:
    return (
        ListVersion.objects.filter(kind=kind, state=VersionState.PUBLISHED)
        .filter(**unit_filter(organization, street))
        .order_by("-number")
        .first()
    )


def current_draft(organization: Any, street: Any, kind: str) -> ListVersion | None:
    return (
        ListVersion.objects.filter(kind=kind, state=VersionState.DRAFT)
        .filter(**unit_filter(organization, street))
        .order_by("-number")
        .first()
    )


@transaction.atomic
def open_draft(actor: Any, organization: Any, street: Any, kind: str) -> ListVersion:
    """The unit's draft of the list, created as a copy of the published version if none."""
    require_write(actor)
    errors: Errors = {}
    check_unit(organization, street, errors)
    if kind not in LEGAL_KINDS:
        _add(
            errors, "kind", _("Only the responsibility, power and supervision lists have versions.")
        )
    if errors:
        raise ValidationError(errors)
    probe = ListVersion(organization=organization, street=street, kind=kind, number=0)
    require_change(actor, probe)
    draft = current_draft(organization, street, kind)
    if draft is not None:
        return draft
    top = (
        ListVersion.objects.filter(kind=kind)
        .filter(**unit_filter(organization, street))
        .aggregate(n=Max("number"))["n"]
        or 0
    )
    draft = ListVersion(organization=organization, street=street, kind=kind, number=top + 1)
    draft._history_user = actor  # type: ignore[attr-defined]
    draft.save()
    published = latest_published(organization, street, kind)
    if published is not None:
        for item in published.items.order_by("position", "id"):
            source_pk = item.pk
            item.pk = None
            item.id = None
            item._state.adding = True
            item.version = draft
            item.origin_id = source_pk
            item._history_user = actor  # type: ignore[attr-defined]
            item.save()
    return draft


@transaction.atomic
def publish(actor: Any, version: ListVersion, note: str = "") -> ListVersion:
    """Publish a draft: it is frozen from now on; later edits go into a new draft."""
    require_write(actor)
    require_change(actor, version)
    version = ListVersion.objects.select_for_update().get(pk=version.pk)
    if version.state != VersionState.DRAFT:
        raise ValidationError({"version": [_("This version is already published.")]})
    if not version.items.exists():
        raise ValidationError({"version": [_("An empty list cannot be published.")]})
    missing = version.items.filter(legal_basis="").count()
    if missing:
        raise ValidationError({"version": [_("%(n)d items have no legal basis.") % {"n": missing}]})
    version.state = VersionState.PUBLISHED
    version.published_at = timezone.now()
    version.published_by = actor
    version.note = str(note or "").replace("\x00", "").strip()[:255]
    version._history_user = actor  # type: ignore[attr-defined]
    version.save()
    return version


def _frozen(item: DutyItem) -> bool:
    """Is the item's version published (read afresh: another request may have published it)?"""
    return bool(
        item.version_id
        and ListVersion.objects.filter(pk=item.version_id, state=VersionState.PUBLISHED).exists()
    )


# --- items ----------------------------------------------------------------------------------


def _check_item(item: DutyItem, errors: Errors) -> None:
    check_unit(item.organization, item.street, errors)
    if item.kind not in ListKind.values:
        _add(errors, "kind", _("Choose the list."))
        return
    for field in ("title", "content", "legal_basis", "legal_article"):
        value = getattr(item, field)
        if isinstance(value, str):
            setattr(item, field, value.strip())
    if not item.title:
        _add(errors, "title", _("This field is required."))
    if item.kind in LEGAL_KINDS and not item.legal_basis:
        _add(
            errors,
            "legal_basis",
            _(
                "Items of the responsibility, power and supervision lists must cite their legal basis."
            ),
        )
    if item.kind == ListKind.TASK:
        if item.due_date is None:
            _add(errors, "due_date", _("A task needs a due date."))
        if item.owner_user_id is None and item.owner_contact_id is None:
            _add(errors, "owner", _("A task needs an owner (a user or a contact)."))
        if not item.status:
            item.status = TaskStatus.OPEN
        if item.owner_contact_id and item.owner_contact is not None:
            contact = item.owner_contact
            ok = Contact.objects.filter(pk=contact.pk).exists()
            if not ok:
                _add(errors, "owner_contact", _("No such contact."))
    else:
        for field in ("owner_user", "owner_contact", "due_date"):
            if getattr(item, f"{field}_id" if field != "due_date" else field):
                _add(errors, field, _("Only tasks have owners and due dates."))
        item.status = ""


@transaction.atomic
def save_item(actor: Any, data: dict[str, Any], instance: DutyItem | None = None) -> DutyItem:
    """Create or change an item. A new item of a versioned list goes into the unit's
    draft (opened if need be); an item of a published version cannot be changed."""
    require_write(actor)
    item = instance or DutyItem()
    if instance is not None:
        require_change(actor, instance)
        if _frozen(instance):
            raise ValidationError(
                {
                    "version": [
                        _(
                            "Version %(n)d of this list is published and frozen; edit the item "
                            "in the next draft."
                        )
                        % {"n": instance.version.number if instance.version else 0}
                    ]
                }
            )
        if "kind" in data and data["kind"] != instance.kind:
            raise ValidationError({"kind": [_("The list of an item cannot be changed.")]})
        for field in ("organization", "street"):
            if field in data and data[field] != getattr(instance, field):
                raise ValidationError({field: [_("The unit of an item cannot be changed.")]})
    if "status" in data and data.get("status") == TaskStatus.DONE:
        raise ValidationError(
            {"status": [_("A task is completed with its evidence, not by setting its status.")]}
        )
    data = {
        k: (
            ""
            if v is None
            and k
            in {"content", "legal_basis", "legal_article", "responsible_post", "responsible_person"}
            else v
        )
        for k, v in data.items()
    }
    apply_changes(item, data, ITEM_FIELDS)
    errors: Errors = {}
    _check_item(item, errors)
    if errors:
        raise ValidationError(errors)
    require_change(actor, item)
    if instance is None and item.kind in LEGAL_KINDS:
        item.version = open_draft(actor, item.organization, item.street, item.kind)
        if not item.position:
            item.position = (item.version.items.aggregate(n=Max("position"))["n"] or 0) + 1
    try:
        item.full_clean(exclude=["version", "origin", "status"])
    except ValidationError as exc:
        raise ValidationError(exc.message_dict) from None
    item._history_user = actor  # type: ignore[attr-defined]
    item.save()
    return item


@transaction.atomic
def delete_item(actor: Any, item: DutyItem) -> None:
    require_write(actor)
    require_change(actor, item)
    if _frozen(item):
        raise ValidationError({"version": [_("Items of a published version cannot be removed.")]})
    item._history_user = actor  # type: ignore[attr-defined]
    item.delete()


# --- evidence and completion -------------------------------------------------------------------


@dataclass
class CheckedFile:
    data: bytes
    kind: str
    name: str


def check_files(uploads: Iterable[Any], field: str = "files") -> list[CheckedFile]:
    """Read and verify evidence uploads (size, count, real type) before anything is stored."""
    uploads = [u for u in uploads if u is not None]
    errors: Errors = {}
    limit = config.per_upload()
    if len(uploads) > limit:
        raise ValidationError({field: [_("At most %(n)d files at a time.") % {"n": limit}]})
    max_bytes = config.max_bytes()
    allowed = config.types()
    checked = []
    for upload in uploads:
        name = str(getattr(upload, "name", "") or "file")[:200]
        size = getattr(upload, "size", None)
        if size is not None and size > max_bytes:
            _add(errors, field, _too_large(name, max_bytes))
            continue
        data = upload.read(max_bytes + 1)
        if len(data) > max_bytes:
            _add(errors, field, _too_large(name, max_bytes))
            continue
        if not data:
            _add(errors, field, _("%(name)s: the file is empty.") % {"name": name})
            continue
        kind = filecheck.sniff(data)
        if kind is None or kind not in allowed:
            _add(
                errors,
                field,
                _("%(name)s: only these file types are accepted: %(types)s.")
                % {"name": name, "types": ", ".join(t.upper() for t in allowed)},
            )
            continue
        checked.append(CheckedFile(data, kind, name))
    if errors:
        raise ValidationError(errors)
    return checked


def _too_large(name: str, max_bytes: int) -> str:
    return _("%(name)s: the file is larger than %(max)s.") % {
        "name": name,
        "max": filesizeformat(max_bytes),
    }


def _require_task(item: DutyItem) -> None:
    if not item.is_task:
        raise ValidationError({"kind": [_("Only tasks are completed.")]})


@transaction.atomic
def start_task(actor: Any, item: DutyItem) -> DutyItem:
    require_write(actor)
    require_change(actor, item)
    _require_task(item)
    if item.status != TaskStatus.OPEN:
        raise ValidationError({"status": [_("Only an open task can be started.")]})
    item.status = TaskStatus.IN_PROGRESS
    item._history_user = actor  # type: ignore[attr-defined]
    item.save()
    return item


@transaction.atomic
def complete_task(
    actor: Any, item: DutyItem, evidence_text: str, files: Iterable[Any] = ()
) -> DutyItem:
    """Mark a task done with its evidence (a description, files, or both)."""
    require_write(actor)
    require_change(actor, item)
    _require_task(item)
    if item.status == TaskStatus.DONE:
        raise ValidationError({"status": [_("This task is already done.")]})
    checked = check_files(files)
    text = str(evidence_text or "").replace("\x00", "").strip()
    if not text and not checked:
        raise ValidationError(
            {"evidence_text": [_("Describe or attach the evidence of completion.")]}
        )
    for f in checked:
        ev = Evidence(
            item=item,
            original_name=f.name,
            content_type=filecheck.CONTENT_TYPES[f.kind],
            size=len(f.data),
            uploaded_by=actor,
        )
        ev.file.save(f.name, ContentFile(f.data), save=False)
        ev.save()
    item.status = TaskStatus.DONE
    item.evidence_text = text
    item.completed_at = timezone.now()
    item.completed_by = actor
    item.verified = False
    item.verified_by = None
    item._history_user = actor  # type: ignore[attr-defined]
    item.save()
    return item


@transaction.atomic
def verify_task(actor: Any, item: DutyItem) -> DutyItem:
    """Confirm a completed task's evidence; not by the person who completed it."""
    require_write(actor)
    require_change(actor, item)
    _require_task(item)
    if item.status != TaskStatus.DONE:
        raise ValidationError({"status": [_("Only a completed task can be verified.")]})
    if item.completed_by_id == actor.pk:
        raise PermissionDenied(_("The person who completed a task may not verify it."))
    item.verified = True
    item.verified_by = actor
    item._history_user = actor  # type: ignore[attr-defined]
    item.save()
    return item


# --- completion rates ---------------------------------------------------------------------------


def rate(on_time: int, due: int) -> float | None:
    """Completion rate in %: tasks done on time ÷ tasks due (None when nothing was due)."""
    if due <= 0:
        return None
    return round(100.0 * on_time / due, 1)


@dataclass
class Rate:
    unit: Any
    key: str
    due: int
    on_time: int
    late: int
    overdue: int

    @property
    def value(self) -> float | None:
        return rate(self.on_time, self.due)


def due_in(qs: QuerySet, start: dt.date, end: dt.date, today: dt.date | None = None) -> QuerySet:
    """Tasks due in [start, end) and already due (due date before today or done)."""
    today = today or timezone.localdate()
    return qs.filter(
        kind=ListKind.TASK, due_date__gte=start, due_date__lt=min(end, today + dt.timedelta(days=1))
    )


def counts(
    qs: QuerySet, start: dt.date, end: dt.date, today: dt.date | None = None
) -> tuple[int, int, int, int]:
    """(due, on time, done late, still open and overdue) for tasks due in the period."""
    today = today or timezone.localdate()
    due_tasks = list(
        due_in(qs, start, end, today).values_list("status", "completed_at", "due_date")
    )
    return _count(due_tasks, today)


def counts_by(
    qs: QuerySet,
    start: dt.date,
    end: dt.date,
    field: str,
    key: Any = None,
    today: dt.date | None = None,
) -> dict[Any, tuple[int, int, int, int]]:
    """`counts` grouped, in one query: `key(value of field)` → (due, on time, late,
    overdue); `key` None groups by the field's value itself."""
    today = today or timezone.localdate()
    groups: dict[Any, list[tuple[Any, Any, dt.date]]] = {}
    for status, completed_at, due_date, value in due_in(qs, start, end, today).values_list(
        "status", "completed_at", "due_date", field
    ):
        k = key(value) if key is not None else value
        groups.setdefault(k, []).append((status, completed_at, due_date))
    return {k: _count(rows, today) for k, rows in groups.items()}


def _count(due_tasks: list[Any], today: dt.date) -> tuple[int, int, int, int]:
    on_time = late = overdue = 0
    for status, completed_at, due_date in due_tasks:
        if status == TaskStatus.DONE and completed_at is not None:
            if timezone.localtime(completed_at).date() <= due_date:
                on_time += 1
            else:
                late += 1
        elif due_date < today:
            overdue += 1
    # A task due today and still open is not late yet: it is not counted as due.
    pending_today = sum(1 for s, _c, d in due_tasks if d >= today and s != TaskStatus.DONE)
    return len(due_tasks) - pending_today, on_time, late, overdue


def rates(user: Any, start: dt.date, end: dt.date) -> list[Rate]:
    """One row per unit that had tasks due in the period, best rate first."""
    qs = DutyItem.objects.visible_to(user).tasks()  # type: ignore[attr-defined]
    keys = set(due_in(qs, start, end).values_list("organization_id", "street_id").distinct())
    orgs = Organization.objects.in_bulk([o for o, _s in keys if o])
    streets = Jurisdiction.objects.in_bulk([s for _o, s in keys if s])
    out = []
    for org_id, street_id in keys:
        unit = orgs.get(org_id) if org_id else streets.get(street_id)
        sub = qs.filter(organization_id=org_id, street_id=street_id)
        due, on_time, late, overdue = counts(sub, start, end)
        key = f"org-{org_id}" if org_id else f"street-{getattr(unit, 'code', '')}"
        out.append(Rate(unit, key, due, on_time, late, overdue))
    out.sort(key=lambda r: (-(r.value if r.value is not None else -1), str(r.unit)))
    return out


def reach_can_write(actor: Any) -> bool:
    from cityguard.core.access import reach

    return bool(reach(actor).can_write)
