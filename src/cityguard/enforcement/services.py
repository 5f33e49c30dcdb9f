"""Operations of the enforcement app. Pages, API, the demo and other apps call these;
nothing else changes an officer, a plan, an inspection or a case.

Each runs in a transaction and checks the actor: enforcement is done by district staff
(everywhere) and street officers (in their street); enterprise managers and viewers only
read. Refusals are `PermissionDenied` (role or reach) or `ValidationError` with a
field → messages dict (the input or the case's state); either way nothing is changed.

Every step of a case is recorded as a `CaseEvent` with its actor, time, summary and
evidence (full-process recording). A major decision (see `major_reasons`) is refused
unless a legal review passed it after its last change.
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from cityguard.core.access import DISTRICT_ROLES, can_change, reach
from cityguard.core.choices import Level, OrganizationKind, Role
from cityguard.core.models import Jurisdiction, Organization
from cityguard.hazards import services as hazard_services
from cityguard.hazards.choices import Severity, Source

from . import config, draw
from .choices import (
    SUSPENDING_ORDERS,
    TYPE_DOMAIN,
    CaseState,
    Channel,
    Circumstance,
    DecisionState,
    EventKind,
    FindingSeverity,
    InspectionType,
    ItemResult,
    OrderKind,
    PenaltyKind,
    PlanStatus,
    RecheckResult,
    ReviewOutcome,
)
from .models import (
    Case,
    CaseEvent,
    Decision,
    DiscretionRule,
    Evidence,
    Finding,
    Inspection,
    InspectionItem,
    InspectionPlan,
    LegalReview,
    Officer,
    Order,
    Penalty,
    PlanTarget,
    Publication,
    qualified_q,
)

Errors = dict[str, list[str]]
ENFORCER_ROLES = frozenset(DISTRICT_ROLES | {Role.STREET_OFFICER})
MAX_TEXT = 5000
MAX_ITEMS = 100


def _fail(errors: Errors) -> None:
    if errors:
        raise ValidationError(errors)


def _add(errors: Errors, field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def is_enforcer(actor: Any) -> bool:
    r = reach(actor)
    return r.superuser or r.role in ENFORCER_ROLES


def _require_enforcer(actor: Any) -> None:
    if not is_enforcer(actor):
        raise PermissionDenied(_("Your role may not carry out enforcement."))


def _require_reach(actor: Any, obj: Any) -> None:
    if not can_change(actor, obj):
        raise PermissionDenied(_("This record is outside your area."))


def _text(
    data: dict[str, Any],
    field: str,
    errors: Errors,
    *,
    required: bool = False,
    limit: int = MAX_TEXT,
    message: str = "",
) -> str:
    value = data.get(field)
    value = "" if value is None else str(value)
    if "\x00" in value:
        _add(errors, field, _("Null characters are not allowed."))
        return ""
    value = value.strip()
    if required and not value:
        _add(errors, field, message or _("This field is required."))
    if len(value) > limit:
        _add(errors, field, _("Enter at most %(n)s characters.") % {"n": limit})
    return value[:limit]


def _choice(value: Any, choices: Any, field: str, errors: Errors) -> str:
    if value not in choices.values:
        _add(
            errors,
            field,
            _("Choose one of: %(expected)s.") % {"expected": ", ".join(choices.values)},
        )
        return ""
    return str(value)


def _date(value: Any, field: str, errors: Errors, *, required: bool = True) -> dt.date | None:
    if value in (None, ""):
        if required:
            _add(errors, field, _("Enter a date (YYYY-MM-DD)."))
        return None
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            _add(errors, field, _("Enter a date (YYYY-MM-DD)."))
            return None
    return value


def _money(value: Any, field: str, errors: Errors) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        _add(errors, field, _("Enter a number."))
        return None
    if not amount.is_finite() or amount < 0 or amount >= Decimal("1e12"):
        _add(errors, field, _("Enter an amount between 0 and 999,999,999,999."))
        return None
    return amount.quantize(Decimal("0.01"))


def street_node(node: Jurisdiction | None) -> Jurisdiction | None:
    return hazard_services.street_of(node)


# --- evidence ----------------------------------------------------------------------------


class _Upload:
    def __init__(self, data: bytes, name: str) -> None:
        self._data = data
        self.name = name
        self.size = len(data)

    def read(self, n: int = -1) -> bytes:
        return self._data if n < 0 else self._data[:n]


def check_evidence(uploads: Iterable[Any], field: str = "evidence") -> list[dict[str, Any]]:
    """Photos (checked by the hazards app's `check_photos`) and PDF documents; a
    ValidationError naming each bad file, before anything is stored."""
    photos: list[Any] = []
    documents: list[dict[str, Any]] = []
    errors: Errors = {}
    from cityguard.hazards import config as hazard_config

    max_bytes = hazard_config.photo_max_bytes()
    for upload in [u for u in uploads if u is not None]:
        name = str(getattr(upload, "name", "") or "file")[:200]
        data = upload.read(max_bytes + 1)
        if data.startswith(b"%PDF-"):
            if len(data) > max_bytes:
                _add(errors, field, _("%(name)s: the file is too large.") % {"name": name})
            elif b"%%EOF" not in data[-1024:]:
                _add(
                    errors, field, _("%(name)s: the PDF is damaged or incomplete.") % {"name": name}
                )
            else:
                documents.append(
                    {
                        "data": data,
                        "name": name,
                        "content_type": "application/pdf",
                        "extension": "pdf",
                        "width": None,
                        "height": None,
                    }
                )
        else:
            photos.append(_Upload(data, name))
    try:
        checked = hazard_services.check_photos(photos, field=field) if photos else []
    except ValidationError as exc:
        for msgs in exc.message_dict.values():
            errors.setdefault(field, []).extend(msgs)
        checked = []
    _fail(errors)
    return documents + [
        {
            "data": p.data,
            "name": p.name,
            "content_type": p.info.content_type,
            "extension": p.info.extension,
            "width": p.info.width,
            "height": p.info.height,
        }
        for p in checked
    ]


def _store(files: Sequence[dict[str, Any]], actor: Any, **links: Any) -> list[Evidence]:
    saved = []
    for f in files:
        path = default_storage.save(
            f"enforcement/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{f['extension']}",
            ContentFile(f["data"]),
        )
        obj = Evidence(
            original_name=f["name"],
            content_type=f["content_type"],
            size=len(f["data"]),
            width=f["width"],
            height=f["height"],
            uploaded_by=_user(actor),
            **links,
        )
        obj.file.name = path
        obj.save()
        saved.append(obj)
    return saved


# --- officers ----------------------------------------------------------------------------

OFFICER_FIELDS = {
    "name",
    "user",
    "jurisdiction",
    "department",
    "certificate_no",
    "issuing_body",
    "valid_until",
    "training_hours",
    "phone",
    "is_active",
}


def officer_choices(user: Any) -> QuerySet:
    """Officers `user` may name on a plan or an inspection: those in their reach and the
    district's own officers (who work in every street)."""
    visible = Officer.objects.visible_to(user).values("pk")  # type: ignore[attr-defined]
    return Officer.objects.filter(is_active=True).filter(
        Q(pk__in=visible) | Q(jurisdiction__level=Level.DISTRICT)
    )


@transaction.atomic
def save_officer(actor: Any, data: dict[str, Any], instance: Officer | None = None) -> Officer:
    _require_enforcer(actor)
    unknown = set(data) - OFFICER_FIELDS
    if unknown:
        raise ValidationError({f: [_("Unknown field.")] for f in sorted(unknown)})
    officer = instance or Officer()
    if instance is not None:
        officer = Officer.objects.select_for_update().get(pk=instance.pk)
        _require_reach(actor, officer)
    errors: Errors = {}
    for field in ("name", "department", "certificate_no", "issuing_body", "phone"):
        if field in data or instance is None:
            setattr(officer, field, _text(data, field, errors, required=field == "name", limit=100))
    if "valid_until" in data:
        officer.valid_until = _date(data["valid_until"], "valid_until", errors, required=False)
    if "training_hours" in data:
        hours = _money(data["training_hours"], "training_hours", errors)
        officer.training_hours = (hours if hours is not None else Decimal(0)).quantize(
            Decimal("0.1")
        )
    if "is_active" in data:
        officer.is_active = bool(data["is_active"])
    if "user" in data:
        officer.user = data["user"]
    if "jurisdiction" in data:
        officer.jurisdiction = data["jurisdiction"]
    if not officer.jurisdiction_id:
        _add(errors, "jurisdiction", _("Choose the district or street the officer works for."))
    elif officer.jurisdiction.level not in (Level.DISTRICT, Level.STREET):
        _add(errors, "jurisdiction", _("An officer works for the district or a street."))
    if officer.certificate_no and (
        Officer.objects.exclude(pk=officer.pk)
        .filter(certificate_no=officer.certificate_no)
        .exists()
    ):
        _add(errors, "certificate_no", _("Another officer holds this certificate number."))
    if officer.user is not None and (
        Officer.objects.exclude(pk=officer.pk).filter(user=officer.user).exists()
    ):
        _add(errors, "user", _("This user account is linked to another officer."))
    _fail(errors)
    _require_reach(actor, officer)
    try:
        officer.full_clean()
    except ValidationError as exc:
        raise ValidationError(exc.message_dict) from None
    officer._history_user = actor  # type: ignore[attr-defined]
    officer.save()
    return officer


# --- plans and the double-random draw -----------------------------------------------------


def target_pool(plan: InspectionPlan) -> QuerySet:
    """Active organisations in the plan's area, of its kinds, with a risk point at one of
    its risk levels (where given)."""
    qs = Organization.objects.filter(
        is_active=True, jurisdiction__path__startswith=plan.jurisdiction.path
    )
    if plan.kinds:
        qs = qs.filter(kind__in=plan.kinds)
    if plan.risk_levels:
        from cityguard.risk.models import RiskPoint

        qs = qs.filter(
            pk__in=RiskPoint.objects.filter(level__in=plan.risk_levels).values("organization")
        )
    return qs


def officer_pool(plan: InspectionPlan) -> QuerySet:
    """Officers in service and qualified on the day of the draw: the area's own and the
    district's."""
    on = timezone.localdate()
    return (
        Officer.objects.filter(is_active=True)
        .filter(qualified_q(on))
        .filter(
            Q(jurisdiction__path__startswith=plan.jurisdiction.path)
            | Q(jurisdiction__level=Level.DISTRICT)
        )
    )


@transaction.atomic
def create_plan(actor: Any, data: dict[str, Any]) -> InspectionPlan:
    _require_enforcer(actor)
    from cityguard.risk.choices import RiskLevel

    errors: Errors = {}
    plan = InspectionPlan(created_by=_user(actor))
    plan.title = _text(
        data, "title", errors, required=True, limit=200, message=_("Give the plan a title.")
    )
    plan.inspection_type = _choice(
        data.get("inspection_type"), InspectionType, "inspection_type", errors
    )
    plan.period_start = _date(data.get("period_start"), "period_start", errors)  # type: ignore[assignment]
    plan.period_end = _date(data.get("period_end"), "period_end", errors)  # type: ignore[assignment]
    if plan.period_start and plan.period_end and plan.period_end < plan.period_start:
        _add(errors, "period_end", _("The period ends before it starts."))
    kinds = list(data.get("kinds") or [])
    for kind in kinds:
        if kind not in OrganizationKind.values:
            _add(errors, "kinds", _("Unknown organisation kind “%(value)s”.") % {"value": kind})
    plan.kinds = sorted(set(kinds))
    levels = list(data.get("risk_levels") or [])
    for level in levels:
        if level not in RiskLevel.values:
            _add(errors, "risk_levels", _("Unknown risk level “%(value)s”.") % {"value": level})
    plan.risk_levels = sorted(set(levels))
    count = data.get("target_count")
    if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= 10000:
        _add(errors, "target_count", _("Enter a whole number from 1 to 10000."))
    else:
        plan.target_count = count
    per = data.get("officers_per_target", config.officers_per_target())
    if not isinstance(per, int) or isinstance(per, bool) or not 2 <= per <= 10:
        _add(errors, "officers_per_target", _("At least 2 and at most 10 officers per target."))
    else:
        plan.officers_per_target = per
    node = data.get("jurisdiction")
    if node is None:
        r = reach(actor)
        node = (
            Jurisdiction.objects.filter(pk=r.jurisdiction_id).first()
            if r.jurisdiction_id
            else Jurisdiction.objects.filter(level=Level.DISTRICT).order_by("path").first()
        )
    if node is None:
        _add(errors, "jurisdiction", _("Choose the area of the plan."))
    elif node.level not in (Level.DISTRICT, Level.STREET):
        _add(errors, "jurisdiction", _("A plan covers the district or a street."))
    else:
        plan.jurisdiction = node
    _fail(errors)
    _require_reach(actor, plan)
    plan._history_user = actor  # type: ignore[attr-defined]
    plan.save()
    return plan


DRAW_MESSAGES = {
    "pool": gettext_noop("The pool holds %(have)s organisations; %(need)s cannot be drawn."),
    "officers": gettext_noop(
        "Only %(have)s qualified officers are available; %(need)s are needed per target."
    ),
    "per_target": gettext_noop("At least %(need)s officers per target."),
    "count": gettext_noop("Draw at least one target."),
}


@transaction.atomic
def draw_plan(actor: Any, plan: InspectionPlan, seed: int | None = None) -> InspectionPlan:
    """Draw targets and officers; the seed and both pools are stored so anyone can re-run
    `draw.draw` and get the same result."""
    _require_enforcer(actor)
    plan = InspectionPlan.objects.select_for_update().get(pk=plan.pk)
    _require_reach(actor, plan)
    if plan.status != PlanStatus.DRAFT:
        raise ValidationError({"plan": [_("This plan has already been drawn.")]})
    if seed is None:
        seed = secrets.randbits(62)
    elif not 0 <= seed < 2**63:
        raise ValidationError({"seed": [_("The seed must be a whole number from 0 to 2^63 − 1.")]})
    pool = list(target_pool(plan).values_list("pk", flat=True))
    officers = list(officer_pool(plan).values_list("pk", flat=True))
    try:
        result = draw.draw(pool, officers, plan.target_count, plan.officers_per_target, seed)
    except draw.DrawError as exc:
        raise ValidationError({"plan": [_(DRAW_MESSAGES[exc.code]) % exc.params]}) from None
    plan.seed = seed
    plan.pool = sorted(pool)
    plan.officer_pool = sorted(officers)
    for position, (org_id, officer_ids) in enumerate(result, start=1):
        target = PlanTarget.objects.create(plan=plan, position=position, organization_id=org_id)
        target.officers.set(officer_ids)
    plan.status = PlanStatus.DRAWN
    plan.drawn_at = timezone.now()
    plan.drawn_by = _user(actor)
    plan._history_user = actor  # type: ignore[attr-defined]
    plan.save()
    return plan


def verify_draw(plan: InspectionPlan) -> bool:
    """Re-run the draw from the stored pools and seed: does it give the stored result?"""
    if plan.seed is None:
        return False
    again = draw.draw(
        plan.pool, plan.officer_pool, plan.target_count, plan.officers_per_target, plan.seed
    )
    stored = [
        (t.organization_id, sorted(o.pk for o in t.officers.all()))
        for t in plan.targets.order_by("position").prefetch_related("officers")
    ]
    return again == stored


@transaction.atomic
def publish_plan(actor: Any, plan: InspectionPlan) -> InspectionPlan:
    _require_enforcer(actor)
    plan = InspectionPlan.objects.select_for_update().get(pk=plan.pk)
    _require_reach(actor, plan)
    if plan.status != PlanStatus.DRAWN:
        raise ValidationError({"plan": [_("Only a drawn plan can be published.")]})
    plan.status = PlanStatus.PUBLISHED
    plan.published_at = timezone.now()
    plan._history_user = actor  # type: ignore[attr-defined]
    plan.save()
    return plan


# --- inspections on site ------------------------------------------------------------------


def _officers(
    value: Any, on: dt.date | None, errors: Errors, field: str = "officers"
) -> list[Officer]:
    officers = list({o.pk: o for o in (value or [])}.values())
    if len(officers) < 2:
        _add(errors, field, _("At least two officers must be present."))
    for officer in officers:
        if not officer.is_active:
            _add(errors, field, _("%(name)s is not in service.") % {"name": officer.name})
        elif on is not None and not officer.certificate_valid(on):
            _add(
                errors,
                field,
                _("%(name)s holds no enforcement certificate valid on %(date)s.")
                % {"name": officer.name, "date": on.isoformat()},
            )
    return officers


@transaction.atomic
def record_inspection(
    actor: Any,
    data: dict[str, Any],
    items: Sequence[dict[str, Any]] = (),
    findings: Sequence[dict[str, Any]] = (),
    photos: Iterable[Any] = (),
    *,
    to_hazards: bool = True,
) -> Inspection:
    """Record an inspection on site: officers present (≥ 2, with valid certificates),
    items checked with results, findings (a failed item is a finding too) and evidence
    photos. Each finding becomes a hazard (source "enforcement") when `to_hazards`."""
    _require_enforcer(actor)
    errors: Errors = {}
    target: PlanTarget | None = data.get("target")
    org: Organization | None = data.get("organization") or (target.organization if target else None)
    if org is None:
        _add(errors, "organization", _("Choose the organisation inspected."))
    elif target is not None and target.organization_id != org.pk:
        _add(errors, "target", _("The plan target is another organisation."))
    kind = data.get("inspection_type") or (target.plan.inspection_type if target else None)
    kind = _choice(kind, InspectionType, "inspection_type", errors)
    day = _date(data.get("date"), "date", errors)
    today = timezone.localdate()
    if day is not None and day > today:
        _add(errors, "date", _("The inspection date cannot be in the future."))
        day = None
    officers = _officers(data.get("officers"), day, errors)
    summary = _text(data, "summary", errors)
    if len(items) > MAX_ITEMS:
        _add(errors, "items", _("At most %(n)d items.") % {"n": MAX_ITEMS})
    rows: list[InspectionItem] = []
    auto: list[dict[str, Any]] = []
    for i, item in enumerate(items[:MAX_ITEMS]):
        text = _text(item, "text", errors, limit=300)
        if not text:
            _add(errors, "items", _("Item %(n)d: describe what was checked.") % {"n": i + 1})
        result = item.get("result")
        if result not in ItemResult.values:
            _add(
                errors,
                "items",
                _("Item %(n)d: choose passed, failed or not applicable.") % {"n": i + 1},
            )
        note = _text(item, "note", errors, limit=500)
        rows.append(InspectionItem(position=i + 1, text=text, result=result or "", note=note))
        if result == ItemResult.FAIL:
            auto.append(
                {
                    "description": f"{text}{'：' + note if note else ''}"[:500],
                    "severity": item.get("severity") or FindingSeverity.GENERAL,
                }
            )
    found: list[Finding] = []
    for i, f in enumerate(list(findings)[:MAX_ITEMS] + auto):
        description = _text(f, "description", errors, limit=500)
        if not description:
            _add(errors, "findings", _("Finding %(n)d: describe the problem.") % {"n": i + 1})
        severity = f.get("severity") or FindingSeverity.GENERAL
        if severity not in FindingSeverity.values:
            _add(errors, "findings", _("Finding %(n)d: choose general or major.") % {"n": i + 1})
        found.append(Finding(description=description, severity=severity))
    _fail(errors)
    assert org is not None and day is not None
    inspection = Inspection(
        organization=org,
        jurisdiction_id=org.jurisdiction_id,
        target=target,
        inspection_type=kind,
        date=day,
        unannounced=bool(data.get("unannounced")),
        summary=summary,
        created_by=_user(actor),
    )
    _require_reach(actor, inspection)
    checked = check_evidence(photos, field="photos")
    inspection._history_user = actor  # type: ignore[attr-defined]
    inspection.save()
    inspection.officers.set(officers)
    for row in rows:
        row.inspection = inspection
    InspectionItem.objects.bulk_create(rows)
    for finding in found:
        finding.inspection = inspection
        finding._history_user = actor  # type: ignore[attr-defined]
        finding.save()
        if to_hazards:
            finding_to_hazard(actor, finding)
    _store(checked, actor, inspection=inspection)
    return inspection


@transaction.atomic
def add_inspection_evidence(
    actor: Any, inspection: Inspection, photos: Iterable[Any]
) -> list[Evidence]:
    """Add evidence photos (or PDF documents) to an inspection."""
    _require_enforcer(actor)
    _require_reach(actor, inspection)
    checked = check_evidence(photos, field="photos")
    if not checked:
        raise ValidationError({"photos": [_("Choose at least one file.")]})
    return _store(checked, actor, inspection=inspection)


@transaction.atomic
def finding_to_hazard(actor: Any, finding: Finding) -> Finding:
    """Report the finding as a hazard (source "enforcement") and link it back."""
    _require_enforcer(actor)
    finding = (
        Finding.objects.select_for_update()
        .select_related("inspection__organization")
        .get(pk=finding.pk)
    )
    inspection = finding.inspection
    _require_reach(actor, inspection)
    if finding.hazard_id is not None:
        raise ValidationError({"finding": [_("This finding is already a hazard.")]})
    if finding.resolved_at is not None:
        raise ValidationError({"finding": [_("This finding is resolved.")]})
    hazard = hazard_services.report_hazard(
        actor,
        {
            "title": finding.description[:200],
            "description": _("Found in the enforcement inspection of %(date)s.")
            % {"date": inspection.date.isoformat()},
            "domain": TYPE_DOMAIN.get(inspection.inspection_type, "urban_buildings"),
            "severity": Severity.MAJOR
            if finding.severity == FindingSeverity.MAJOR
            else Severity.GENERAL,
            "organization": inspection.organization,
            "source": Source.ENFORCEMENT,
        },
    )
    finding.hazard = hazard
    finding._history_user = actor  # type: ignore[attr-defined]
    finding.save(update_fields=["hazard"])
    return finding


@transaction.atomic
def resolve_finding(actor: Any, finding: Finding) -> Finding:
    """Mark a finding that is not a hazard as resolved (a hazard closes on its own path)."""
    _require_enforcer(actor)
    finding = Finding.objects.select_for_update().get(pk=finding.pk)
    _require_reach(actor, finding.inspection)
    if finding.hazard_id is not None:
        raise ValidationError(
            {"finding": [_("This finding is a hazard: it is resolved when the hazard is closed.")]}
        )
    if finding.resolved_at is None:
        finding.resolved_at = timezone.now()
        finding._history_user = actor  # type: ignore[attr-defined]
        finding.save(update_fields=["resolved_at"])
    return finding


def inspection_passed(inspection: Inspection) -> bool:
    """Passed: no open finding."""
    from .models import open_finding_q

    return not inspection.findings.filter(open_finding_q()).exists()


# --- cases --------------------------------------------------------------------------------


def _event(
    case: Case,
    kind: str,
    actor: Any,
    summary: str = "",
    data: dict[str, Any] | None = None,
    files: Sequence[dict[str, Any]] = (),
    at: dt.datetime | None = None,
) -> CaseEvent:
    event = CaseEvent.objects.create(
        case=case,
        kind=kind,
        actor=_user(actor),
        at=at or timezone.now(),
        summary=summary,
        data=data or {},
    )
    _store(files, actor, event=event)
    return event


def _new_case_number(year: int) -> str:
    n = Case.objects.filter(number__startswith=f"AJ-{year}-").count() + 1
    while Case.objects.filter(number=f"AJ-{year}-{n:04d}").exists():
        n += 1
    return f"AJ-{year}-{n:04d}"


def _open_case(actor: Any, case: Case) -> Case:
    _require_enforcer(actor)
    case = Case.objects.select_for_update().get(pk=case.pk)
    _require_reach(actor, case)
    return case


def _require_state(case: Case, *states: str) -> None:
    if case.state not in states:
        raise ValidationError(
            {
                "case": [
                    _("The case is “%(state)s”: this step is not possible now.")
                    % {"state": case.get_state_display()}
                ]
            }
        )


@transaction.atomic
def file_case(actor: Any, data: dict[str, Any], evidence: Iterable[Any] = ()) -> Case:
    """File a case (立案) against an organisation, from an inspection or standalone."""
    _require_enforcer(actor)
    errors: Errors = {}
    inspection: Inspection | None = data.get("inspection")
    org: Organization | None = data.get("organization") or (
        inspection.organization if inspection else None
    )
    if org is None:
        _add(errors, "organization", _("Choose the party of the case."))
    elif inspection is not None and inspection.organization_id != org.pk:
        _add(errors, "inspection", _("The inspection was of another organisation."))
    title = _text(
        data, "title", errors, required=True, limit=200, message=_("Give the case a title.")
    )
    facts = _text(data, "facts", errors)
    _fail(errors)
    assert org is not None
    now = timezone.now()
    case = Case(
        number=_new_case_number(timezone.localdate().year),
        title=title,
        organization=org,
        jurisdiction_id=org.jurisdiction_id,
        inspection=inspection,
        facts=facts,
        filed_at=now,
        filed_by=_user(actor),
    )
    _require_reach(actor, case)
    files = check_evidence(evidence)
    case._history_user = actor  # type: ignore[attr-defined]
    case.save()
    _event(
        case,
        EventKind.FILED,
        actor,
        title,
        {"inspection": inspection.pk if inspection else None},
        files,
        at=now,
    )
    return case


@transaction.atomic
def record_step(
    actor: Any, case: Case, kind: str, summary: str, evidence: Iterable[Any] = ()
) -> CaseEvent:
    """Record an investigation step (with its evidence) or a note."""
    case = _open_case(actor, case)
    if kind not in (EventKind.INVESTIGATION, EventKind.NOTE):
        raise ValidationError({"kind": [_("Choose investigation or note.")]})
    errors: Errors = {}
    text = _text(
        {"summary": summary}, "summary", errors, required=True, message=_("Describe what was done.")
    )
    _fail(errors)
    files = check_evidence(evidence)
    if kind == EventKind.INVESTIGATION:
        _require_state(case, CaseState.OPEN)
    return _event(case, kind, actor, text, files=files)


@transaction.atomic
def issue_order(
    actor: Any, case: Case, data: dict[str, Any], evidence: Iterable[Any] = ()
) -> Order:
    case = _open_case(actor, case)
    _require_state(case, CaseState.OPEN, CaseState.DECIDED)
    errors: Errors = {}
    kind = _choice(data.get("kind"), OrderKind, "kind", errors)
    content = _text(data, "content", errors, required=True, message=_("State what is ordered."))
    today = timezone.localdate()
    issued_on = _date(data.get("issued_on") or today, "issued_on", errors)
    if issued_on and issued_on > today:
        _add(errors, "issued_on", _("The date cannot be in the future."))
    deadline = _date(data.get("deadline"), "deadline", errors, required=kind == OrderKind.RECTIFY)
    if deadline and issued_on and deadline < issued_on:
        _add(errors, "deadline", _("The deadline is before the order was issued."))
    _fail(errors)
    files = check_evidence(evidence)
    assert issued_on is not None
    order = Order(
        case=case,
        kind=kind,
        content=content,
        issued_on=issued_on,
        deadline=deadline,
        issued_by=_user(actor),
    )
    order._history_user = actor  # type: ignore[attr-defined]
    order.save()
    _event(
        case,
        EventKind.ORDER,
        actor,
        f"{order.get_kind_display()}：{content}",
        {"order": order.pk, "kind": kind, "deadline": deadline.isoformat() if deadline else None},
        files,
    )
    return order


@transaction.atomic
def recheck_order(
    actor: Any,
    order: Order,
    result: str,
    note: str = "",
    on: Any = None,
    evidence: Iterable[Any] = (),
) -> Order:
    """Record the follow-up re-check of an order: rectified or not."""
    case = _open_case(actor, order.case)
    order = Order.objects.select_for_update().get(pk=order.pk)
    errors: Errors = {}
    if result not in (RecheckResult.PASSED, RecheckResult.FAILED):
        _add(errors, "result", _("Choose rectified or not rectified."))
    day = _date(on or timezone.localdate(), "rechecked_on", errors)
    if day and day > timezone.localdate():
        _add(errors, "rechecked_on", _("The date cannot be in the future."))
    if day and day < order.issued_on:
        _add(errors, "rechecked_on", _("The re-check is before the order was issued."))
    text = _text({"note": note}, "note", errors, limit=500)
    if order.recheck_result != RecheckResult.PENDING:
        _add(errors, "result", _("This order has already been re-checked."))
    _fail(errors)
    files = check_evidence(evidence)
    order.recheck_result = result
    order.rechecked_on = day
    order.recheck_note = text
    order._history_user = actor  # type: ignore[attr-defined]
    order.save()
    _event(
        case,
        EventKind.RECHECK,
        actor,
        f"{order.get_recheck_result_display()} {text}".strip(),
        {"order": order.pk, "result": result},
        files,
    )
    return order


def _fmt(amount: Decimal) -> str:
    return f"{amount:,.2f}"


def check_penalty(
    kind: str,
    rule: DiscretionRule | None,
    circumstance: str,
    amount: Decimal | None,
    mitigation: str,
    errors: Errors,
) -> None:
    """The discretion table's rules: a fine names its violation and circumstance; above the
    legal maximum (or above the band without a serious circumstance) it is refused; below
    the band's minimum it needs a recorded mitigation reason."""
    if kind != PenaltyKind.FINE:
        if amount:
            _add(errors, "amount", _("Only a fine has an amount."))
        return
    if rule is None:
        _add(errors, "rule", _("Choose the violation from the discretion table."))
        return
    if circumstance not in Circumstance.values:
        _add(errors, "circumstance", _("Choose the circumstance: minor, general or serious."))
        return
    if amount is None or amount <= 0:
        _add(errors, "amount", _("Enter the amount of the fine."))
        return
    if amount > rule.legal_max:
        _add(
            errors,
            "amount",
            _("%(amount)s yuan is above the legal maximum of %(max)s yuan (%(basis)s).")
            % {"amount": _fmt(amount), "max": _fmt(rule.legal_max), "basis": rule.legal_basis},
        )
        return
    band = rule.bands.filter(circumstance=circumstance).first()
    if band is None:
        return
    if amount > band.max_amount:
        _add(
            errors,
            "amount",
            _("%(amount)s yuan is above the range for this circumstance (%(min)s–%(max)s yuan).")
            % {"amount": _fmt(amount), "min": _fmt(band.min_amount), "max": _fmt(band.max_amount)},
        )
    elif amount < band.min_amount and not mitigation:
        _add(
            errors,
            "mitigation_reason",
            _(
                "%(amount)s yuan is below the range for this circumstance (%(min)s–%(max)s yuan): "
                "record the reason for mitigation."
            )
            % {"amount": _fmt(amount), "min": _fmt(band.min_amount), "max": _fmt(band.max_amount)},
        )


@transaction.atomic
def propose_penalty(actor: Any, case: Case, data: dict[str, Any]) -> Penalty:
    case = _open_case(actor, case)
    _require_state(case, CaseState.OPEN)
    decision = Decision.objects.filter(case=case).first()
    errors: Errors = {}
    kind = _choice(data.get("kind"), PenaltyKind, "kind", errors)
    rule = data.get("rule")
    if rule is not None and not isinstance(rule, DiscretionRule):
        rule = (
            DiscretionRule.objects.filter(is_active=True)
            .filter(Q(code=str(rule)) | Q(pk=rule if isinstance(rule, int) else 0))
            .first()
        )
        if rule is None:
            _add(errors, "rule", _("Unknown violation type."))
    circumstance = str(data.get("circumstance") or "")
    amount = _money(data.get("amount"), "amount", errors)
    mitigation = _text(data, "mitigation_reason", errors, limit=500)
    if kind:
        check_penalty(kind, rule, circumstance, amount, mitigation, errors)
    _fail(errors)
    penalty = Penalty(
        case=case,
        kind=kind,
        rule=rule,
        circumstance=circumstance if kind == PenaltyKind.FINE else "",
        amount=amount if kind == PenaltyKind.FINE else None,
        mitigation_reason=mitigation,
        created_at=timezone.now(),
        created_by=_user(actor),
    )
    penalty._history_user = actor  # type: ignore[attr-defined]
    penalty.save()
    summary = penalty.get_kind_display()
    if penalty.amount is not None:
        summary += f" {_fmt(penalty.amount)}"
    _event(
        case,
        EventKind.PENALTY,
        actor,
        str(summary),
        {
            "penalty": penalty.pk,
            "kind": kind,
            "amount": str(amount) if amount else None,
            "rule": rule.code if rule else None,
            "mitigation": mitigation,
        },
    )
    if decision is not None:
        _refresh_major(decision)
    return penalty


def major_reasons(case: Case) -> list[str]:
    """Why the case's decision is major (重大执法决定), as codes: "fine" (fines totalling at
    least the configured amount), a penalty kind listed as major, or "suspend" (an order to
    suspend)."""
    reasons = []
    fines = sum(
        (p.amount or Decimal(0) for p in case.penalties.all() if p.kind == PenaltyKind.FINE),
        Decimal(0),
    )
    if fines >= Decimal(str(config.major_fine())):
        reasons.append("fine")
    kinds = {p.kind for p in case.penalties.all()}
    reasons.extend(sorted(kinds & config.major_penalties()))
    if case.orders.filter(kind__in=SUSPENDING_ORDERS).exists():
        reasons.append("suspend")
    return reasons


MAJOR_LABELS = {
    "fine": gettext_noop("Fines of at least %(amount)s yuan"),
    "suspend": gettext_noop("Order to suspend production or business"),
}


def major_reason_labels(reasons: Sequence[str]) -> list[str]:
    out = []
    for code in reasons:
        if code == "fine":
            out.append(
                _(MAJOR_LABELS["fine"]) % {"amount": _fmt(Decimal(str(config.major_fine())))}
            )
        elif code == "suspend":
            out.append(_(MAJOR_LABELS["suspend"]))
        else:
            try:
                out.append(str(PenaltyKind(code).label))
            except ValueError:
                out.append(code)
    return out


def _refresh_major(decision: Decision) -> None:
    case = decision.case
    reasons = major_reasons(case)
    decision.is_major = bool(reasons)
    decision.major_reasons = reasons
    decision.fine_total = sum(
        (p.amount or Decimal(0) for p in case.penalties.all() if p.kind == PenaltyKind.FINE),
        Decimal(0),
    )
    decision.save(update_fields=["is_major", "major_reasons", "fine_total"])


def _new_decision_number(year: int) -> str:
    n = Decision.objects.filter(number__startswith=f"JD-{year}-").count() + 1
    while Decision.objects.filter(number=f"JD-{year}-{n:04d}").exists():
        n += 1
    return f"JD-{year}-{n:04d}"


@transaction.atomic
def draft_decision(actor: Any, case: Case, content: str) -> Decision:
    """Draft (or re-draft) the case's decision; whether it is major is worked out here."""
    case = _open_case(actor, case)
    _require_state(case, CaseState.OPEN)
    errors: Errors = {}
    text = _text(
        {"content": content}, "content", errors, required=True, message=_("Write the decision.")
    )
    if not case.penalties.exists():
        _add(errors, "case", _("Propose at least one penalty before drafting the decision."))
    _fail(errors)
    decision = Decision.objects.select_for_update().filter(case=case).first()
    now = timezone.now()
    if decision is None:
        decision = Decision(
            case=case, number=_new_decision_number(timezone.localdate().year), drafted_at=now
        )
    decision.content = text
    decision.drafted_at = now
    decision.drafted_by = _user(actor)
    reasons = major_reasons(case)
    decision.is_major = bool(reasons)
    decision.major_reasons = reasons
    decision.fine_total = sum(
        (p.amount or Decimal(0) for p in case.penalties.all() if p.kind == PenaltyKind.FINE),
        Decimal(0),
    )
    decision._history_user = actor  # type: ignore[union-attr,attr-defined]
    decision.save()
    _event(
        case,
        EventKind.DRAFTED,
        actor,
        decision.number,
        {"decision": decision.pk, "major": decision.is_major, "reasons": reasons},
        at=now,
    )
    return decision


def last_change(decision: Decision) -> dt.datetime:
    """When the decision or what makes it up (penalties, orders) last changed."""
    times = [decision.drafted_at]
    times += [p.created_at for p in decision.case.penalties.all()]
    return max(times)


def passed_review(decision: Decision) -> LegalReview | None:
    """The latest review, if it passed the decision as it now stands."""
    review = decision.reviews.order_by("-reviewed_at", "-id").first()
    if review is None or review.outcome != ReviewOutcome.PASSED:
        return None
    if review.reviewed_at < last_change(decision):
        return None
    return review


@transaction.atomic
def review_decision(actor: Any, decision: Decision, outcome: str, opinion: str) -> LegalReview:
    """The legal review (法制审核) by district staff other than the decision's drafter."""
    case = _open_case(actor, decision.case)
    if reach(actor).role not in DISTRICT_ROLES and not reach(actor).superuser:
        raise PermissionDenied(_("Only district staff carry out legal reviews."))
    decision = Decision.objects.select_for_update().get(pk=decision.pk)
    errors: Errors = {}
    if decision.state != DecisionState.DRAFT:
        _add(errors, "decision", _("The decision has already been issued."))
    if outcome not in ReviewOutcome.values:
        _add(errors, "outcome", _("Choose passed or returned."))
    text = _text(
        {"opinion": opinion},
        "opinion",
        errors,
        required=True,
        message=_("Write the review opinion."),
    )
    if decision.drafted_by_id is not None and decision.drafted_by_id == getattr(actor, "pk", None):
        _add(errors, "reviewer", _("The reviewer cannot be the officer who drafted the decision."))
    _fail(errors)
    now = timezone.now()
    review = LegalReview(
        decision=decision, reviewer=actor, opinion=text, outcome=outcome, reviewed_at=now
    )
    review._history_user = actor  # type: ignore[attr-defined]
    review.save()
    _event(
        case,
        EventKind.LEGAL_REVIEW,
        actor,
        f"{review.get_outcome_display()}：{text}",
        {"decision": decision.pk, "review": review.pk, "outcome": outcome},
        at=now,
    )
    return review


@transaction.atomic
def issue_decision(actor: Any, decision: Decision, evidence: Iterable[Any] = ()) -> Decision:
    """Issue the decision; a major one only with a passed legal review of it as it stands."""
    case = _open_case(actor, decision.case)
    _require_state(case, CaseState.OPEN)
    decision = Decision.objects.select_for_update().get(pk=decision.pk)
    _refresh_major(decision)
    if decision.state != DecisionState.DRAFT:
        raise ValidationError({"decision": [_("The decision has already been issued.")]})
    if decision.is_major and passed_review(decision) is None:
        raise ValidationError(
            {
                "decision": [
                    _(
                        "This is a major enforcement decision (%(reasons)s): it cannot be issued "
                        "without a passed legal review of it as it now stands."
                    )
                    % {"reasons": "; ".join(major_reason_labels(decision.major_reasons))}
                ]
            }
        )
    files = check_evidence(evidence)
    now = timezone.now()
    decision.state = DecisionState.ISSUED
    decision.issued_at = now
    decision.issued_by = _user(actor)
    decision._history_user = actor  # type: ignore[attr-defined]
    decision.save()
    case.state = CaseState.DECIDED
    case.concluded_at = now
    case._history_user = actor  # type: ignore[attr-defined]
    case.save()
    _event(
        case,
        EventKind.DECISION,
        actor,
        decision.number,
        {"decision": decision.pk, "major": decision.is_major},
        files,
        at=now,
    )
    return decision


@transaction.atomic
def publish_decision(actor: Any, decision: Decision, data: dict[str, Any]) -> Publication:
    """Record the publication (公示) of an issued decision: date, channel, reference."""
    case = _open_case(actor, decision.case)
    decision = Decision.objects.select_for_update().get(pk=decision.pk)
    errors: Errors = {}
    if decision.state != DecisionState.ISSUED:
        _add(errors, "decision", _("Only an issued decision can be published."))
    channel = _choice(data.get("channel"), Channel, "channel", errors)
    day = _date(data.get("published_on") or timezone.localdate(), "published_on", errors)
    if day and day > timezone.localdate():
        _add(errors, "published_on", _("The date cannot be in the future."))
    if day and decision.issued_at and day < timezone.localdate(decision.issued_at):
        _add(errors, "published_on", _("The decision cannot be published before it was issued."))
    reference = _text(data, "reference", errors, limit=300)
    _fail(errors)
    assert day is not None
    pub = Publication(
        decision=decision,
        published_on=day,
        channel=channel,
        reference=reference,
        published_by=_user(actor),
    )
    pub._history_user = actor  # type: ignore[attr-defined]
    pub.save()
    _event(
        case,
        EventKind.PUBLICATION,
        actor,
        f"{pub.get_channel_display()} {day}",
        {"publication": pub.pk, "channel": channel, "published_on": str(day)},
    )
    return pub


@transaction.atomic
def close_case(actor: Any, case: Case, reason: str = "") -> Case:
    """Close a decided case; an open one only with a reason (e.g. no violation found)."""
    case = _open_case(actor, case)
    errors: Errors = {}
    text = _text({"reason": reason}, "reason", errors, limit=300)
    if case.state == CaseState.CLOSED:
        _add(errors, "case", _("The case is already closed."))
    elif case.state == CaseState.OPEN and not text:
        _add(errors, "reason", _("Give the reason for closing a case without a decision."))
    _fail(errors)
    now = timezone.now()
    case.state = CaseState.CLOSED
    case.close_reason = text
    if case.concluded_at is None:
        case.concluded_at = now
    case._history_user = actor  # type: ignore[attr-defined]
    case.save()
    _event(case, EventKind.CLOSED, actor, text, at=now)
    return case


def actions_for(actor: Any, case: Case) -> set[str]:
    """The steps `actor` may take on `case` now (for the case page)."""
    if not is_enforcer(actor) or not can_change(actor, case):
        return set()
    decision = getattr(case, "decision", None) if hasattr(case, "decision") else None
    out: set[str] = {"note"}
    if case.state == CaseState.OPEN:
        out |= {"investigation", "order", "penalty", "close"}
        if case.penalties.exists():
            out.add("draft")
        if decision is not None and decision.state == DecisionState.DRAFT:
            out.add("issue")
            r = reach(actor)
            if (r.superuser or r.role in DISTRICT_ROLES) and decision.drafted_by_id != actor.pk:
                out.add("review")
    if case.state == CaseState.DECIDED:
        out |= {"order", "close"}
    if decision is not None and decision.state == DecisionState.ISSUED:
        out.add("publish")
    if case.orders.filter(recheck_result=RecheckResult.PENDING).exists():
        out.add("recheck")
    return out


# --- reminders ------------------------------------------------------------------------------


def _order_recipients(order: Order) -> list[Any]:
    """Who handles the order: the case's filer and the order's issuer (with an e-mail)."""
    from cityguard.core import channels

    out: dict[str, Any] = {}
    for user in (order.case.filed_by, order.issued_by):
        if user is not None and user.email and user.email not in out:
            out[user.email] = channels.Recipient(
                name=user.get_full_name() or user.username,
                email=user.email,
                user_id=user.pk,
                meta={"case": order.case.number},
            )
    return list(out.values())


def _order_message(order: Order, on: dt.date) -> Any:
    from django.conf import settings

    from cityguard.core import channels

    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Order past its deadline, not re-checked: case %(number)s") % {
            "number": order.case.number
        }
        body = _(
            "The order “%(kind)s” of case %(number)s (%(title)s), issued on %(issued)s to "
            "%(org)s, had to be carried out by %(deadline)s; it has not been re-checked "
            "(%(days)d days past the deadline). Re-check it and record the result."
        ) % {
            "kind": OrderKind(order.kind).label,
            "number": order.case.number,
            "title": order.case.title,
            "issued": order.issued_on.isoformat(),
            "org": order.case.organization.name if order.case.organization_id else "—",
            "deadline": order.deadline.isoformat() if order.deadline else "—",
            "days": (on - order.deadline).days if order.deadline else 0,
        }
    return channels.Message(
        subject=str(subject),
        body=str(body),
        data={"case": order.case.number, "order": order.pk, "deadline": str(order.deadline)},
    )


def remind_overdue_orders(on: dt.date | None = None) -> dict[str, int]:
    """The daily job: e-mail the handlers of every order past its deadline and not yet
    re-checked, once per deadline (a moved deadline that passes again is reminded again).
    Returns how many orders were reminded and e-mails sent; running it twice a day sends
    nothing the second time."""
    from cityguard.core import channels

    on = on or timezone.localdate()
    email = channels.get("email")
    counts = {"orders": 0, "emails": 0, "failures": 0}
    due = (
        Order.objects.filter(recheck_result=RecheckResult.PENDING, deadline__lt=on)
        .exclude(case__state=CaseState.CLOSED)
        .exclude(reminded_for=F("deadline"))
        .select_related("case__organization", "case__filed_by", "issued_by")
        .order_by("deadline", "id")
    )
    for order in due:
        with transaction.atomic():
            locked = Order.objects.select_for_update().get(pk=order.pk)
            if locked.reminded_for == order.deadline or locked.recheck_result != (
                RecheckResult.PENDING
            ):
                continue
            locked.reminded_for = order.deadline
            locked.save(update_fields=["reminded_for"])
        counts["orders"] += 1
        sent, failures = channels.send_each(
            email, _order_recipients(order), _order_message(order, on)
        )
        counts["emails"] += sent
        counts["failures"] += len(failures)
    return counts
