"""Operations of the warnings app. Pages, API, jobs, the demo and other apps call these;
nothing else changes a warning.

Each runs in a transaction. Only district staff and administrators issue, update, cancel
and import warnings (`core.access` says who they are); refusals are `PermissionDenied`
(role) or `ValidationError` with field → messages (input), and change nothing.

Lifecycle: draft → issued → updated (any number of times) → cancelled or expired. Each
transition writes a `WarningEvent` and, for issue / update / cancel, a CAP message
(Alert / Update / Cancel, the later ones referencing the earlier) which is then published
after commit by a huey job (`tasks.publish_message`). An active warning sets rule contexts
for the monitoring app in its streets (the disaster chain); ending or updating it
releases them (and an update sets them anew).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cityguard.core import channels, geo
from cityguard.core.access import DISTRICT_ROLES, reach, require_change
from cityguard.core.choices import Level
from cityguard.core.models import Contact, Jurisdiction, Organization, Place
from cityguard.core.schemas import street_code
from cityguard.core.services import apply_changes, geometry_message, jurisdiction_index

from . import cap, config
from .choices import (
    ACTIVE_STATES,
    ALLOWED_COLOURS,
    Audience,
    DeliveryStatus,
    EventKind,
    MsgType,
    Origin,
    WarningColour,
    WarningState,
    WarningType,
)
from .models import CapMessage, Delivery, Warning, WarningEvent

Errors = dict[str, list[str]]

FIELDS = {
    "kind",
    "colour",
    "authority",
    "headline",
    "description",
    "instruction",
    "headline_en",
    "description_en",
    "instruction_en",
    "streets",
    "polygon",
    "effective",
    "expires",
}
# Fields whose change is recorded on the timeline (streets as codes).
TRACKED = [f for f in sorted(FIELDS)]


def _add(errors: Errors, name: str, message: str) -> None:
    errors.setdefault(name, []).append(message)


def can_issue(user: Any) -> bool:
    r = reach(user)
    return r.superuser or (r.can_write and r.role in DISTRICT_ROLES)


def require_issuer(actor: Any) -> None:
    if not can_issue(actor):
        raise PermissionDenied(_("Only district staff may issue or change warnings."))


# --- the area ------------------------------------------------------------------------------


def _street_nodes() -> list[Jurisdiction]:
    return list(Jurisdiction.objects.filter(level=Level.STREET).order_by("code"))


def streets_from_codes(codes: Iterable[str], errors: Errors, name: str = "streets") -> list:
    found = []
    by_code = {s.code: s for s in _street_nodes()}
    for code in codes:
        code = str(code).strip()
        if not code:
            continue
        node = by_code.get(code)
        if node is None:
            _add(errors, name, _("%(code)s is not the code of a street.") % {"code": code})
        elif node not in found:
            found.append(node)
    return found


def streets_meeting(geom: Any) -> list[Jurisdiction]:
    """The streets whose boundary overlaps the geometry (touching along an edge is not)."""
    out = []
    for street in _street_nodes():
        if not street.boundary:
            continue
        try:
            boundary = geo.parse_area(street.boundary)
        except geo.GeometryError:
            continue
        if boundary.intersects(geom) and boundary.intersection(geom).area > 1e-10:
            out.append(street)
    return out


def check_polygon(value: Any, errors: Errors, name: str = "polygon") -> Any:
    """A GeoJSON polygon inside the district → shapely geometry; None (and an error)
    when it is unreadable, does not close, or reaches outside the district."""
    if isinstance(value, dict):
        value = json.dumps(value)
    try:
        geom = geo.parse_area(value)
    except geo.GeometryError as err:
        _add(errors, name, geometry_message(err))
        return None
    _index, district = jurisdiction_index()
    if district is not None and not district.buffer(1e-4).covers(geom):
        _add(errors, name, _("The polygon lies outside the district."))
        return None
    return geom


def _common_node(streets: list[Jurisdiction]) -> Jurisdiction | None:
    if len(streets) == 1:
        return streets[0]
    if not streets:
        return None
    return streets[0].parent


# --- validation --------------------------------------------------------------------------


def _clean(warning: Warning, data: dict[str, Any], errors: Errors) -> list[Jurisdiction] | None:
    """Apply `data` to the unsaved warning fields; return its streets (None: unchanged)."""
    data = dict(data)
    streets_in = data.pop("streets", None)
    polygon_in = data.pop("polygon", None)
    apply_changes(warning, data, FIELDS)
    for text in (
        "authority",
        "headline",
        "description",
        "instruction",
        "headline_en",
        "description_en",
        "instruction_en",
    ):
        setattr(warning, text, (getattr(warning, text) or "").strip())
    if warning.kind and warning.kind not in WarningType.values:
        _add(errors, "kind", _("Unknown warning type."))
    elif warning.kind and warning.colour:
        allowed = ALLOWED_COLOURS[warning.kind]
        if warning.colour not in allowed:
            _add(
                errors,
                "colour",
                _("A %(type)s warning has no %(colour)s level; choose %(allowed)s.")
                % {
                    "type": WarningType(warning.kind).label,
                    "colour": WarningColour(warning.colour).label
                    if warning.colour in WarningColour.values
                    else warning.colour,
                    "allowed": ", ".join(str(WarningColour(c).label) for c in allowed),
                },
            )
    if warning.effective and warning.expires and warning.expires <= warning.effective:
        _add(errors, "expires", _("The expiry must be after the effective time."))
    if not warning.authority:
        warning.authority = str(config.get("CITYGUARD_WARNING_AUTHORITY"))
    streets: list[Jurisdiction] | None = None
    if streets_in is not None or polygon_in is not None:
        if polygon_in is None:
            polygon_in = warning.polygon
        if streets_in is None:
            streets_in = list(warning.streets.all()) if warning.pk else []
        given = [s for s in streets_in if isinstance(s, Jurisdiction)]
        codes = [s for s in streets_in if not isinstance(s, Jurisdiction)]
        given += [s for s in streets_from_codes(codes, errors) if s not in given]
        for s in given:
            if s.level != Level.STREET:
                _add(errors, "streets", _("%(name)s is not a street.") % {"name": s.name})
        streets = list(given)
        warning.polygon = ""
        if polygon_in:
            geom = check_polygon(polygon_in, errors)
            if geom is not None:
                warning.polygon = json.dumps(geo.to_geojson(geom), separators=(",", ":"))
                streets += [s for s in streets_meeting(geom) if s not in streets]
        if not streets and "polygon" not in errors and "streets" not in errors:
            _add(errors, "streets", _("Choose the streets or draw the area."))
        streets.sort(key=lambda s: s.code)
        warning.jurisdiction = _common_node(streets)
    try:
        warning.full_clean(exclude=["jurisdiction", "streets"])
    except ValidationError as exc:
        for name, msgs in exc.message_dict.items():
            if name == "__all__":
                name = "expires"
                if "expires" in errors:
                    continue
            errors.setdefault(name, []).extend(msgs)
    return streets


def _snapshot(warning: Warning) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in TRACKED:
        if name == "streets":
            out[name] = sorted(s.code for s in warning.streets.all()) if warning.pk else []
        else:
            value = getattr(warning, name)
            out[name] = value.isoformat() if isinstance(value, datetime) else value
    return out


def _diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}


def _event(
    warning: Warning,
    kind: str,
    actor: Any,
    from_state: str = "",
    note: str = "",
    changes: dict[str, Any] | None = None,
) -> WarningEvent:
    return WarningEvent.objects.create(
        warning=warning,
        kind=kind,
        actor=actor if getattr(actor, "pk", None) else None,
        from_state=from_state,
        to_state=warning.state,
        note=note,
        changes=changes or {},
    )


def _save(warning: Warning, actor: Any, streets: list[Jurisdiction] | None) -> None:
    warning._history_user = actor if getattr(actor, "pk", None) else None  # type: ignore[attr-defined]
    warning.save()
    if streets is not None:
        warning.streets.set(streets)


def _fail(errors: Errors) -> None:
    if errors:
        raise ValidationError(errors)


# --- drafts --------------------------------------------------------------------------------


@transaction.atomic
def save_draft(actor: Any, data: dict[str, Any], instance: Warning | None = None) -> Warning:
    """Create a draft (no instance) or change one; an issued warning changes by `update`."""
    require_issuer(actor)
    warning = instance or Warning(created_by=actor if getattr(actor, "pk", None) else None)
    if instance is not None:
        require_change(actor, instance)
        if instance.state != WarningState.DRAFT:
            raise ValidationError(
                {"state": [_("Only a draft can be edited; update the issued warning instead.")]}
            )
    before = _snapshot(warning)
    errors: Errors = {}
    if instance is None and "streets" not in data and "polygon" not in data:
        data = {**data, "streets": []}
    streets = _clean(warning, data, errors)
    _fail(errors)
    _save(warning, actor, streets)
    require_change(actor, warning)
    _event(
        warning,
        EventKind.EDITED if instance else EventKind.CREATED,
        actor,
        from_state=WarningState.DRAFT if instance else "",
        changes=_diff(before, _snapshot(warning)),
    )
    return warning


# --- CAP messages ------------------------------------------------------------------------


def public_url() -> str:
    base = str(config.get("CITYGUARD_PUBLIC_URL") or "").rstrip("/")
    return f"{base}{reverse('warnings:public')}" if base else ""


def _new_message(warning: Warning, msg_type: str, note: str = "") -> CapMessage:
    sender = config.sender()
    warning.version += 1
    Warning.objects.filter(pk=warning.pk).update(version=warning.version)
    identifier = f"{sender}.W{warning.pk:06d}.v{warning.version}"
    sent = timezone.now().replace(microsecond=0)
    references = [m.reference for m in warning.messages.all()]
    xml = cap.build(
        warning,
        msg_type=msg_type,
        identifier=identifier,
        sender=sender,
        sent=sent,
        references=references,
        note=note,
        web=public_url(),
    )
    return CapMessage.objects.create(
        warning=warning,
        msg_type=msg_type,
        sender=sender,
        identifier=identifier,
        sent=sent,
        version=warning.version,
        xml=xml,
    )


def preview(warning: Warning, msg_type: str | None = None) -> str:
    """The CAP document the next step would send (nothing is stored)."""
    if msg_type is None:
        msg_type = MsgType.ALERT if warning.state == WarningState.DRAFT else MsgType.UPDATE
    sender = config.sender()
    ident = f"{sender}.W{warning.pk or 0:06d}.v{warning.version + 1}"
    refs = [m.reference for m in warning.messages.all()] if warning.pk else []
    return cap.build(
        warning,
        msg_type=msg_type,
        identifier=ident,
        sender=sender,
        sent=timezone.now(),
        references=refs,
        status="Draft" if warning.state == WarningState.DRAFT else "Actual",
        web=public_url(),
    )


def current_document(warning: Warning) -> str:
    """The latest CAP message of the warning; a draft's is a preview with status Draft."""
    latest = warning.messages.order_by("-sent", "-id").first()
    return latest.xml if latest is not None else preview(warning)


def _schedule(message: CapMessage) -> None:
    from . import tasks

    message_id = message.pk
    transaction.on_commit(lambda: tasks.publish_message(message_id))


# --- transitions ---------------------------------------------------------------------------


@transaction.atomic
def issue(actor: Any, warning: Warning) -> Warning:
    require_issuer(actor)
    warning = Warning.objects.select_for_update().get(pk=warning.pk)
    require_change(actor, warning)
    if warning.state != WarningState.DRAFT:
        raise ValidationError({"state": [_("Only a draft can be issued.")]})
    errors: Errors = {}
    if not warning.streets.exists():
        _add(errors, "streets", _("Choose the streets or draw the area."))
    if warning.expires <= timezone.now():
        _add(errors, "expires", _("The warning would already have expired."))
    _fail(errors)
    warning.state = WarningState.ISSUED
    warning.issued_at = timezone.now()
    _save(warning, actor, None)
    message = _new_message(warning, MsgType.ALERT)
    _event(warning, EventKind.ISSUED, actor, from_state=WarningState.DRAFT, note=message.identifier)
    set_chain(actor, warning)
    _schedule(message)
    return warning


@transaction.atomic
def update(actor: Any, warning: Warning, data: dict[str, Any], note: str = "") -> Warning:
    """Change an issued warning: a CAP Update referencing the earlier messages."""
    require_issuer(actor)
    warning = Warning.objects.select_for_update().get(pk=warning.pk)
    require_change(actor, warning)
    if warning.state not in ACTIVE_STATES:
        raise ValidationError({"state": [_("Only an issued warning can be updated.")]})
    before = _snapshot(warning)
    errors: Errors = {}
    streets = _clean(warning, data, errors)
    if warning.expires and warning.expires <= timezone.now():
        _add(errors, "expires", _("The warning would already have expired."))
    _fail(errors)
    changes = _diff(
        before,
        {
            **_snapshot(warning),
            **({"streets": sorted(s.code for s in streets)} if streets is not None else {}),
        },
    )
    if not changes:
        raise ValidationError({"__all__": [_("Nothing was changed.")]})
    from_state = warning.state
    warning.state = WarningState.UPDATED
    _save(warning, actor, streets)
    require_change(actor, warning)
    message = _new_message(warning, MsgType.UPDATE, note=note)
    _event(warning, EventKind.UPDATED, actor, from_state=from_state, note=note, changes=changes)
    release_chain(warning)
    set_chain(actor, warning)
    _schedule(message)
    return warning


@transaction.atomic
def cancel(actor: Any, warning: Warning, reason: str = "") -> Warning:
    require_issuer(actor)
    warning = Warning.objects.select_for_update().get(pk=warning.pk)
    require_change(actor, warning)
    reason = (reason or "").strip()
    if warning.state not in ACTIVE_STATES:
        raise ValidationError({"state": [_("Only an issued warning can be cancelled.")]})
    if not reason:
        raise ValidationError({"reason": [_("Give the reason for the cancellation.")]})
    from_state = warning.state
    warning.state = WarningState.CANCELLED
    warning.ended_at = timezone.now()
    _save(warning, actor, None)
    message = _new_message(warning, MsgType.CANCEL, note=reason)
    _event(warning, EventKind.CANCELLED, actor, from_state=from_state, note=reason)
    release_chain(warning)
    _schedule(message)
    return warning


@transaction.atomic
def delete_draft(actor: Any, warning: Warning) -> None:
    require_issuer(actor)
    require_change(actor, warning)
    if warning.state != WarningState.DRAFT:
        raise ValidationError({"state": [_("Only a draft can be deleted.")]})
    warning.delete()


def expire_due(now: datetime | None = None) -> int:
    """Expire every issued warning whose expiry has passed (the periodic job)."""
    now = now or timezone.now()
    count = 0
    due = Warning.objects.filter(state__in=ACTIVE_STATES, expires__lte=now).values_list(
        "pk", flat=True
    )
    for pk in list(due):
        with transaction.atomic():
            warning = Warning.objects.select_for_update().filter(pk=pk).first()
            if warning is None or warning.state not in ACTIVE_STATES or warning.expires > now:
                continue
            from_state = warning.state
            warning.state = WarningState.EXPIRED
            warning.ended_at = now
            _save(warning, None, None)
            _event(warning, EventKind.EXPIRED, None, from_state=from_state)
            release_chain(warning)
            count += 1
    return count


# --- the disaster chain ---------------------------------------------------------------------


def chain_source(warning: Warning) -> str:
    return f"warning:{warning.pk}"


def set_chain(actor: Any, warning: Warning) -> int:
    """Tighten the monitoring rules in the warning's streets while it is in force."""
    from cityguard.monitoring import services as monitoring

    table = config.chain_for(warning.kind, warning.colour)
    if not table or warning.state not in ACTIVE_STATES:
        return 0
    with translation.override("zh-hans"):
        reason = _("%(event)s: %(headline)s") % {
            "event": cap.event_name(warning.kind, warning.colour),
            "headline": warning.headline,
        }
    count = 0
    for street in warning.streets.all():
        for sensor_kind, amount in table.items():
            monitoring.set_context(
                actor,
                street=street,
                sensor_kind=sensor_kind,
                tighten=amount,
                reason=reason[:300],
                source=chain_source(warning),
                ends_at=warning.expires,
                starts_at=warning.effective if warning.effective > timezone.now() else None,
            )
            count += 1
    return count


def release_chain(warning: Warning) -> Any:
    from cityguard.monitoring import services as monitoring

    return monitoring.release_contexts(chain_source(warning))


# --- publication ----------------------------------------------------------------------------


@dataclass
class Target:
    key: str
    recipient: channels.Recipient
    audience: str
    contact: Contact | None = None
    organization: Organization | None = None
    street: Jurisdiction | None = None


def _under_streets(prefix: str, streets: list[Jurisdiction]) -> Q:
    cond = Q(pk__in=[])
    for s in streets:
        cond |= Q(**{f"{prefix}__path__startswith": s.path})
    return cond


def contacts_in_area(warning: Warning) -> list[Contact]:
    """Contacts (of the configured roles) of organisations and places in the warned area:
    a place's contact stands where the place is, any other where its organisation is."""
    streets = list(warning.streets.all())
    if not streets:
        return []
    roles = config.contact_roles()
    placed = Q(place__isnull=False) & _under_streets("place__jurisdiction", streets)
    unplaced = Q(place__isnull=True) & _under_streets("organization__jurisdiction", streets)
    qs = (
        Contact.objects.filter(placed | unplaced, organization__is_active=True, role__in=roles)
        .select_related("organization__jurisdiction", "place__jurisdiction")
        .order_by("id")
    )
    return list(qs)


def targets(warning: Warning) -> list[Target]:
    streets = {s.code: s for s in warning.streets.all()}
    out: list[Target] = []
    for contact in contacts_in_area(warning):
        node = contact.place.jurisdiction if contact.place_id else contact.organization.jurisdiction  # type: ignore[union-attr]
        street = streets.get(street_code(node.path) or "")
        out.append(
            Target(
                key=f"contact:{contact.pk}",
                recipient=channels.Recipient(
                    name=contact.name,
                    email=contact.email,
                    phone=contact.phone,
                    meta={"role": contact.role, "organization": contact.organization.name},
                ),
                audience=Audience.CONTACT,
                contact=contact,
                organization=contact.organization,
                street=street,
            )
        )
    out.append(
        Target(
            key="public",
            recipient=channels.Recipient(
                name=str(_("Public warnings page")), meta={"public": True}
            ),
            audience=Audience.PUBLIC,
        )
    )
    url = str(config.get("CITYGUARD_WARNING_WEBHOOK_URL") or "")
    if url:
        out.append(
            Target(
                key=f"webhook:{url}"[:255],
                recipient=channels.Recipient(name=url[:200], webhook_url=url),
                audience=Audience.SYSTEM,
            )
        )
    return out


def message_for(msg: CapMessage) -> channels.Message:
    warning = msg.warning
    with translation.override("zh-hans"):
        event = cap.event_name(warning.kind, warning.colour)
        prefixes: dict[str, str] = {
            MsgType.ALERT: _("Warning"),
            MsgType.UPDATE: _("Warning updated"),
            MsgType.CANCEL: _("Warning cancelled"),
        }
        prefix = prefixes[str(msg.msg_type)]
        subject = f"【{prefix}】{event}：{warning.headline}"
        lines = [warning.headline, "", warning.description]
        if warning.instruction:
            lines += ["", warning.instruction]
        lines += [
            "",
            _("Issued by: %(authority)s") % {"authority": warning.authority},
            _("In force: %(start)s – %(end)s")
            % {"start": cap.cap_time(warning.effective), "end": cap.cap_time(warning.expires)},
        ]
        if msg.msg_type == MsgType.CANCEL:
            lines.insert(0, _("This warning has been cancelled."))
        url = public_url()
        if url:
            lines += ["", url]
    return channels.Message(
        subject=subject,
        body="\n".join(lines),
        data={
            "warning": warning.pk,
            "msgType": msg.msg_type,
            "identifier": msg.identifier,
            "sender": msg.sender,
            "kind": warning.kind,
            "colour": warning.colour,
            "cap": msg.xml,
        },
    )


def publish(message_id: int) -> int:
    """Deliver one CAP message to everyone in the area through every channel that
    reaches them, and to the public page; one Delivery row per recipient and channel.
    Returns the number of deliveries made. Safe to run twice: a message already
    published is not delivered again."""
    msg = CapMessage.objects.select_related("warning").filter(pk=message_id).first()
    if msg is None or msg.deliveries.exists():
        return 0
    warning = msg.warning
    message = message_for(msg)
    plan: list[tuple[Delivery, channels.Channel | None, channels.Recipient]] = []
    for target in targets(warning):
        usable = [
            ch
            for ch in channels.all_channels()
            if ch.can_reach(target.recipient)
            and (ch.name == "public_page") == (target.audience == Audience.PUBLIC)
        ]
        base = {
            "warning": warning,
            "message": msg,
            "audience": target.audience,
            "recipient_key": target.key,
            "recipient_name": target.recipient.name[:200],
            "contact": target.contact,
            "organization": target.organization,
            "street": target.street,
        }
        if not usable:
            failed = Delivery(
                **base,
                channel="",
                status=DeliveryStatus.FAILED,
                reason=str(_("No channel can reach this recipient.")),
            )
            plan.append((failed, None, target.recipient))
        for ch in usable:
            address = {"email": target.recipient.email, "webhook": target.recipient.webhook_url}
            plan.append(
                (
                    Delivery(**base, channel=ch.name, address=address.get(ch.name, "")[:255]),
                    ch,
                    target.recipient,
                )
            )
    with transaction.atomic():
        Delivery.objects.bulk_create([d for d, _ch, _r in plan])
    for delivery, channel, recipient in plan:
        if channel is None:
            continue
        try:
            channel.send(recipient, message)
        except channels.DeliveryError as exc:
            delivery.status = DeliveryStatus.FAILED
            delivery.reason = str(exc)[:2000] or str(_("Delivery failed."))
        else:
            delivery.status = DeliveryStatus.SENT
            delivery.sent_at = timezone.now()
        delivery.save(update_fields=["status", "reason", "sent_at"])
    with transaction.atomic():
        _event(
            warning,
            EventKind.PUBLISHED,
            None,
            note=msg.identifier,
            changes={
                "sent": sum(1 for d, _ch, _r in plan if d.status == DeliveryStatus.SENT),
                "failed": sum(1 for d, _ch, _r in plan if d.status == DeliveryStatus.FAILED),
            },
        )
    return len(plan)


# --- coverage --------------------------------------------------------------------------------


@dataclass
class Coverage:
    total: int = 0
    reached: int = 0
    by_street: list[dict[str, Any]] = field(default_factory=list)

    @property
    def percent(self) -> float | None:
        return None if not self.total else round(100.0 * self.reached / self.total, 1)

    @property
    def target(self) -> float:
        return config.coverage_target()

    @property
    def on_target(self) -> bool | None:
        p = self.percent
        return None if p is None else p >= self.target - 1e-9


def coverage_of(deliveries: Any) -> Coverage:
    """Recipients reached ÷ recipients in the area, from delivery rows of contacts: a
    recipient counts once whatever the channels, and is reached when any delivery to
    them was sent (failed or queued ones do not count)."""
    rows = deliveries.filter(audience=Audience.CONTACT).values_list(
        "warning_id", "recipient_key", "status", "street__code", "street__name"
    )
    everyone: set[tuple[int, str]] = set()
    reached: set[tuple[int, str]] = set()
    streets: dict[str, tuple[str, set, set]] = {}
    for warning_id, key, status, code, name in rows:
        ident = (warning_id, key)
        everyone.add(ident)
        entry = streets.setdefault(code or "", (name or "", set(), set()))
        entry[1].add(ident)
        if status == DeliveryStatus.SENT:
            reached.add(ident)
            entry[2].add(ident)
    out = Coverage(total=len(everyone), reached=len(reached))
    for code in sorted(streets):
        name, all_, got = streets[code]
        out.by_street.append(
            {
                "code": code,
                "name": name,
                "total": len(all_),
                "reached": len(got),
                "percent": round(100.0 * len(got) / len(all_), 1) if all_ else None,
                "on_target": (100.0 * len(got) / len(all_)) >= config.coverage_target() - 1e-9
                if all_
                else None,
            }
        )
    return out


def coverage(warning: Warning) -> Coverage:
    return coverage_of(Delivery.objects.filter(warning=warning))


# --- what the warning threatens -------------------------------------------------------------


@dataclass
class Threatened:
    places: list[Any]
    risk_points: list[Any]
    organizations: list[Any]


def threatened(warning: Warning, user: Any, limit: int = 200) -> Threatened:
    """Risk points, places and organisations in the area that the type threatens
    (`CITYGUARD_WARNING_THREATS`), each with its contacts, as far as `user` may see."""
    from cityguard.risk.models import RiskPoint

    table = config.threats_for(warning.kind)
    streets = list(warning.streets.all())
    if not streets:
        return Threatened([], [], [])
    area = _under_streets("jurisdiction", streets)
    roles_contacts = Contact.objects.order_by("role", "name")
    places = list(
        Place.objects.visible_to(user)
        .filter(area, kind__in=table["places"])
        .select_related("organization", "jurisdiction")
        .prefetch_related("contacts")
        .order_by("kind", "name")[:limit]
    )
    points = list(
        RiskPoint.objects.visible_to(user)
        .filter(area, is_active=True, domain__code__in=table["domains"])
        .select_related("domain", "organization", "place")
        .order_by("-level_rank", "name")[:limit]
    )
    orgs = list(
        Organization.objects.visible_to(user)
        .filter(area, is_active=True, kind__in=table["organizations"])
        .order_by("name")[:limit]
    )
    org_ids = {p.organization_id for p in points if p.organization_id} | {o.pk for o in orgs}
    org_ids |= {p.organization_id for p in places}
    by_org: dict[int, list[Contact]] = defaultdict(list)
    for c in roles_contacts.filter(organization_id__in=org_ids, place__isnull=True):
        by_org[c.organization_id].append(c)
    for p in places:
        p.responsible = list(p.contacts.all()) or by_org.get(p.organization_id, [])
    for rp in points:
        rp.responsible = by_org.get(rp.organization_id, []) if rp.organization_id else []
    for o in orgs:
        o.responsible = by_org.get(o.pk, [])
    return Threatened(places, points, orgs)


# --- import --------------------------------------------------------------------------------


def _streets_of_import(parsed: cap.Parsed) -> tuple[list[Jurisdiction], str]:
    """Streets named by geocode, else those the polygons/circles overlap (clipped to the
    district); the clipped polygon text ('' when the streets came from geocodes)."""
    streets = _street_nodes()
    by_code = {s.code: s for s in streets}
    found: list[Jurisdiction] = []
    for area in parsed.areas:
        for _name, value in area.geocodes:
            value = value.strip()
            node = by_code.get(value)
            if node is None and value:
                deeper = Jurisdiction.objects.filter(code=value).first()
                if deeper is not None:
                    node = by_code.get(street_code(deeper.path) or "")
            if node is not None and node not in found:
                found.append(node)
    if found:
        return sorted(found, key=lambda s: s.code), ""
    shapes = [p for area in parsed.areas for p in area.polygons]
    if not shapes:
        return [], ""
    from shapely.ops import unary_union

    _index, district = jurisdiction_index()
    geom = unary_union(shapes)
    if district is not None:
        geom = geom.intersection(district)
    polys = cap.polygons_of(geom)
    if not polys:
        return [], ""
    from shapely.geometry import MultiPolygon

    clipped = polys[0] if len(polys) == 1 else MultiPolygon(polys)
    text = json.dumps(geo.to_geojson(clipped), separators=(",", ":"))
    return streets_meeting(clipped), text


def _import_fields(parsed: cap.Parsed) -> dict[str, Any]:
    return {
        "kind": parsed.kind,
        "colour": parsed.colour,
        "authority": parsed.authority[:200],
        "headline": parsed.headline[:200],
        "description": parsed.description,
        "instruction": parsed.instruction,
        "headline_en": parsed.headline_en[:200],
        "description_en": parsed.description_en,
        "instruction_en": parsed.instruction_en,
        "effective": parsed.effective,
        "expires": parsed.expires,
    }


def _errors_list(exc: ValidationError) -> list[str]:
    out = []
    for name, msgs in exc.message_dict.items():
        for m in msgs:
            out.append(m if name == "__all__" else f"{name}: {m}")
    return out


@transaction.atomic
def import_cap(actor: Any, body: bytes) -> Warning:
    """Take a CAP 1.2 document: an Alert becomes an issued warning; an Update or Cancel
    that references a message we know changes or cancels its warning. Raises
    `cap.CapError` with the reasons when the document cannot be taken."""
    require_issuer(actor)
    parsed = cap.parse(body)
    if CapMessage.objects.filter(sender=parsed.sender, identifier=parsed.identifier).exists():
        raise cap.CapError(
            [_("This message (%(id)s) was already received.") % {"id": parsed.identifier}]
        )
    xml_text = body.decode("utf-8", errors="replace")
    if parsed.msg_type == MsgType.ALERT:
        warning = _import_alert(actor, parsed)
    else:
        warning = _import_followup(actor, parsed)
    msg = CapMessage.objects.create(
        warning=warning,
        msg_type=parsed.msg_type,
        sender=parsed.sender[:255],
        identifier=parsed.identifier[:255],
        sent=parsed.sent,
        version=warning.version,
        received=True,
        xml=xml_text,
    )
    _schedule(msg)
    return warning


def _area_or_fail(parsed: cap.Parsed) -> tuple[list[Jurisdiction], str]:
    streets, polygon = _streets_of_import(parsed)
    if not streets:
        raise cap.CapError([_("The alert's area does not reach any street of the district.")])
    return streets, polygon


def _import_alert(actor: Any, parsed: cap.Parsed) -> Warning:
    streets, polygon = _area_or_fail(parsed)
    warning = Warning(
        origin=Origin.IMPORTED, created_by=actor if getattr(actor, "pk", None) else None
    )
    errors: Errors = {}
    _clean(warning, {**_import_fields(parsed)}, errors)
    if parsed.expires and parsed.expires <= timezone.now():
        _add(errors, "expires", _("The alert has already expired."))
    if errors:
        raise cap.CapError(_errors_list(ValidationError(errors)))
    warning.polygon = polygon
    warning.jurisdiction = _common_node(streets)
    warning.state = WarningState.ISSUED
    warning.issued_at = timezone.now()
    warning.version = 1
    _save(warning, actor, streets)
    _event(warning, EventKind.IMPORTED, actor, note=f"{parsed.sender},{parsed.identifier}")
    set_chain(actor, warning)
    return warning


def _import_followup(actor: Any, parsed: cap.Parsed) -> Warning:
    known = None
    for sender, identifier, _sent in parsed.references:
        known = CapMessage.objects.filter(sender=sender, identifier=identifier).first()
        if known is not None:
            break
    if known is None:
        raise cap.CapError(
            [_("The %(t)s references no message received here.") % {"t": parsed.msg_type}]
        )
    warning = Warning.objects.select_for_update().get(pk=known.warning_id)
    if warning.state not in ACTIVE_STATES:
        raise cap.CapError([_("The referenced warning has already ended.")])
    from_state = warning.state
    if parsed.msg_type == MsgType.CANCEL:
        warning.state = WarningState.CANCELLED
        warning.ended_at = timezone.now()
        warning.version += 1
        _save(warning, actor, None)
        _event(
            warning,
            EventKind.CANCELLED,
            actor,
            from_state=from_state,
            note=f"{parsed.sender},{parsed.identifier}",
        )
        release_chain(warning)
        return warning
    before = _snapshot(warning)
    streets, polygon = _area_or_fail(parsed)
    errors: Errors = {}
    _clean(warning, _import_fields(parsed), errors)
    if errors:
        raise cap.CapError(_errors_list(ValidationError(errors)))
    warning.polygon = polygon
    warning.jurisdiction = _common_node(streets)
    warning.state = WarningState.UPDATED
    warning.version += 1
    _save(warning, actor, streets)
    _event(
        warning,
        EventKind.UPDATED,
        actor,
        from_state=from_state,
        note=f"{parsed.sender},{parsed.identifier}",
        changes=_diff(before, _snapshot(warning)),
    )
    release_chain(warning)
    set_chain(actor, warning)
    return warning


def preview_from(data: dict[str, Any], instance: Warning | None = None) -> tuple[str, Errors]:
    """The CAP document the form's values would send, and the problems with them
    (nothing is stored)."""
    warning = (
        Warning.objects.get(pk=instance.pk) if instance is not None and instance.pk else Warning()
    )
    errors: Errors = {}
    streets = _clean(warning, data, errors)
    if streets is not None:
        warning._preview_streets = streets  # type: ignore[attr-defined]
    if (
        not warning.kind
        or not warning.colour
        or warning.colour not in ALLOWED_COLOURS.get(warning.kind, ())
        or not warning.effective
        or not warning.expires
    ):
        return "", errors
    if "polygon" in errors:
        warning.polygon = ""
    return preview(warning), errors


def deliveries_visible_to(user: Any, warning: Warning) -> Any:
    """The warning's deliveries a reader may see: all for district roles; a street
    officer those in their street (and the public / system ones); an enterprise manager
    those to their own organisation (and the public / system ones)."""
    from cityguard.core.choices import Role

    qs = Delivery.objects.filter(warning=warning)
    r = reach(user)
    if r.superuser or (r.role in DISTRICT_ROLES and r.path is None):
        return qs
    general = Q(audience__in=[Audience.PUBLIC, Audience.SYSTEM])
    if r.role == Role.ENTERPRISE_MANAGER:
        return qs.filter(general | Q(organization_id=r.organization_id))
    if r.path is None:
        return qs if r.role != Role.STREET_OFFICER else qs.filter(general)
    codes = [c for c in r.path.split("/") if c][:2]
    return qs.filter(general | Q(street__path__startswith="/" + "/".join(codes) + "/"))
