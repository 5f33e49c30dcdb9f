"""API of the enforcement app, mounted at /api/v1/enforcement.

Staff (`/staff`), "double random" plans (`/plans`, `/plans/{id}/draw`, `/plans/{id}/publish`),
inspections on site (`/inspections`, photos, findings → hazards), cases (`/cases`) with
their steps: events, orders and re-checks, penalties (checked against `/discretion`), the
decision (draft, legal review, issue, publication) and closing; the "three 100 %"
(`/rates`) and the public list of published decisions (`/public/decisions`, no login).
Refusals answer 422 (input or state, with the reason) or 403 (role or reach); records
outside the caller's reach answer 404.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Form, Path, Query, Router, Status
from ninja.files import UploadedFile

from cityguard.core.api import ERRORS
from cityguard.core.models import Jurisdiction, Organization
from cityguard.core.schemas import MAX_ID, street_code
from cityguard.indicators.registry import Period

from . import config, rates, services
from .choices import DecisionState, EventKind
from .models import (
    Case,
    Decision,
    DiscretionRule,
    Finding,
    Inspection,
    InspectionPlan,
    Officer,
    Order,
    Penalty,
    PlanTarget,
    Publication,
    qualified_q,
)
from .schemas import (
    CaseDetailOut,
    CaseIn,
    CasePage,
    CloseIn,
    DraftIn,
    DrawIn,
    EventIn,
    FindingOut,
    InspectionDetailOut,
    InspectionIn,
    InspectionPage,
    OfficerIn,
    OfficerOut,
    OfficerPatch,
    OrderIn,
    PenaltyIn,
    PlanIn,
    PlanOut,
    PlanPage,
    PublicationIn,
    PublicPage,
    RatesOut,
    RecheckIn,
    ReviewIn,
    RuleOut,
    StaffPage,
)

router = Router(tags=["enforcement"])

RecordId = Path(..., ge=1, le=MAX_ID)  # type: ignore[type-arg]
Limit = Query(100, ge=1, le=1000)  # type: ignore[type-arg]
Offset = Query(0, ge=0, le=10_000_000)  # type: ignore[type-arg]


def paged(qs: QuerySet, limit: int, offset: int, out: Any) -> dict[str, Any]:
    """`{"items": [...], "count": n}` like `core.api.Page`, converting only the page."""
    return {"items": [out(obj) for obj in qs[offset : offset + limit]], "count": qs.count()}


StreetQ = Query(None, max_length=32)  # type: ignore[type-arg]
PeriodQ = Query(None, max_length=7, description="YYYY-MM")  # type: ignore[type-arg]


# --- shared with the pages ------------------------------------------------------------------


def jurisdiction_by_code(code: str | None, field: str = "jurisdiction") -> Jurisdiction | None:
    if not code:
        return None
    node = Jurisdiction.objects.filter(code=code).first()
    if node is None:
        raise ValidationError(
            {field: [_("No jurisdiction has the code %(code)s.") % {"code": code}]}
        )
    return node


def under_street(qs: QuerySet, code: str | None, path_field: str) -> QuerySet:
    if not code:
        return qs
    node = Jurisdiction.objects.filter(code=code).first()
    if node is None:
        return qs.none()
    return qs.filter(**{f"{path_field}__startswith": node.path})


def officer_out(o: Officer, today: dt.date | None = None) -> dict[str, Any]:
    today = today or timezone.localdate()
    return {
        "id": o.pk,
        "name": o.name,
        "jurisdiction": o.jurisdiction.code,
        "department": o.department,
        "certificate_no": o.certificate_no,
        "issuing_body": o.issuing_body,
        "valid_until": o.valid_until,
        "training_hours": float(o.training_hours),
        "is_active": o.is_active,
        "qualified": o.qualified(today),
        "user": o.user.get_username() if o.user_id else None,  # type: ignore[union-attr]
    }


def plans_for(user: Any) -> QuerySet:
    return InspectionPlan.objects.visible_to(user).select_related("jurisdiction")  # type: ignore[attr-defined]


def plan_targets(plan: InspectionPlan) -> list[dict[str, Any]]:
    inspected = set(
        Inspection.objects.filter(target__plan=plan).values_list("target_id", flat=True)
    )
    out = []
    for t in plan.targets.select_related("organization").prefetch_related("officers"):
        out.append(
            {
                "id": t.pk,
                "position": t.position,
                "organization_id": t.organization_id,
                "organization": t.organization.name,
                "officers": [
                    {"id": o.pk, "name": o.name, "certificate_no": o.certificate_no}
                    for o in t.officers.all()
                ],
                "inspected": t.pk in inspected,
            }
        )
    return out


def plan_out(plan: InspectionPlan, detail: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": plan.pk,
        "title": plan.title,
        "jurisdiction": plan.jurisdiction.code,
        "inspection_type": plan.inspection_type,
        "period_start": plan.period_start,
        "period_end": plan.period_end,
        "kinds": plan.kinds,
        "risk_levels": plan.risk_levels,
        "target_count": plan.target_count,
        "officers_per_target": plan.officers_per_target,
        "status": plan.status,
        "seed": plan.seed,
        "pool_size": len(plan.pool),
        "officer_pool_size": len(plan.officer_pool),
        "drawn_at": plan.drawn_at,
        "published_at": plan.published_at,
    }
    if detail:
        out["targets"] = plan_targets(plan)
        out["reproducible"] = services.verify_draw(plan) if plan.seed is not None else None
    return out


def inspections_for(user: Any) -> QuerySet:
    return (
        Inspection.objects.visible_to(user)  # type: ignore[attr-defined]
        .select_related("organization", "target")
        .prefetch_related("officers")
    )


def inspection_out(i: Inspection, detail: bool = False) -> dict[str, Any]:
    findings = list(i.findings.select_related("hazard"))
    out: dict[str, Any] = {
        "id": i.pk,
        "organization_id": i.organization_id,
        "organization": i.organization.name,
        "inspection_type": i.inspection_type,
        "date": i.date,
        "unannounced": i.unannounced,
        "officers": [o.name for o in i.officers.all()],
        "passed": not any(f.is_open for f in findings),
        "plan_id": i.target.plan_id if i.target_id else None,  # type: ignore[union-attr]
    }
    if detail:
        out["summary"] = i.summary
        out["items"] = [
            {"text": it.text, "result": it.result, "note": it.note} for it in i.items.all()
        ]
        out["findings"] = [finding_out(f) for f in findings]
        out["evidence"] = [evidence_out(e) for e in i.evidence.all()]
    return out


def finding_out(f: Finding) -> dict[str, Any]:
    return {
        "id": f.pk,
        "description": f.description,
        "severity": f.severity,
        "hazard_id": f.hazard_id,
        "is_open": f.is_open,
    }


def evidence_out(e: Any) -> dict[str, Any]:
    return {
        "id": e.pk,
        "name": e.original_name,
        "content_type": e.content_type,
        "size": e.size,
        "url": e.file.url,
    }


def cases_for(user: Any) -> QuerySet:
    return Case.objects.visible_to(user).select_related("organization", "jurisdiction", "decision")  # type: ignore[attr-defined]


def _decision(case: Case) -> Decision | None:
    try:
        return case.decision
    except Decision.DoesNotExist:
        return None


def case_out(c: Case) -> dict[str, Any]:
    decision = _decision(c)
    return {
        "id": c.pk,
        "number": c.number,
        "title": c.title,
        "organization_id": c.organization_id,
        "organization": c.organization.name,
        "street": street_code(c.jurisdiction.path),
        "state": c.state,
        "filed_at": c.filed_at,
        "concluded_at": c.concluded_at,
        "decision": decision.number if decision else None,
        "major": bool(decision and decision.is_major),
    }


def _complete_one(case: Case) -> bool:
    kinds = set(
        case.events.filter(evidence__isnull=False).values_list("kind", flat=True).distinct()
    )
    decision = _decision(case)
    decided = decision is not None and decision.state == DecisionState.ISSUED
    needed = [
        EventKind.CLOSED if s == EventKind.DECISION and not decided else s
        for s in config.recorded_steps()
    ]
    return all(s in kinds for s in needed)


def case_detail(c: Case) -> dict[str, Any]:
    out = case_out(c)
    decision = _decision(c)
    out.update(
        {
            "facts": c.facts,
            "inspection_id": c.inspection_id,
            "close_reason": c.close_reason,
            "events": [
                {
                    "id": e.pk,
                    "kind": e.kind,
                    "kind_label": str(e.get_kind_display()),
                    "at": e.at,
                    "actor": e.actor.get_username() if e.actor_id else None,  # type: ignore[union-attr]
                    "summary": e.summary,
                    "evidence": [evidence_out(x) for x in e.evidence.all()],
                }
                for e in c.events.select_related("actor").prefetch_related("evidence")
            ],
            "orders": [
                {
                    "id": o.pk,
                    "kind": o.kind,
                    "content": o.content,
                    "issued_on": o.issued_on,
                    "deadline": o.deadline,
                    "recheck_result": o.recheck_result,
                    "rechecked_on": o.rechecked_on,
                }
                for o in c.orders.all()
            ],
            "penalties": [
                {
                    "id": p.pk,
                    "kind": p.kind,
                    "rule": p.rule.code if p.rule_id else None,  # type: ignore[union-attr]
                    "circumstance": p.circumstance,
                    "amount": str(p.amount) if p.amount is not None else None,
                    "mitigation_reason": p.mitigation_reason,
                }
                for p in c.penalties.select_related("rule")
            ],
            "decision_detail": None,
            "complete_record": _complete_one(c) if c.concluded_at else False,
        }
    )
    if decision is not None:
        out["decision_detail"] = {
            "id": decision.pk,
            "number": decision.number,
            "content": decision.content,
            "state": decision.state,
            "is_major": decision.is_major,
            "major_reasons": decision.major_reasons,
            "fine_total": str(decision.fine_total),
            "issued_at": decision.issued_at,
            "reviews": [
                {
                    "id": r.pk,
                    "reviewer": r.reviewer.get_username(),
                    "outcome": r.outcome,
                    "opinion": r.opinion,
                    "reviewed_at": r.reviewed_at,
                }
                for r in decision.reviews.select_related("reviewer")
            ],
            "publications": [
                {
                    "id": p.pk,
                    "published_on": p.published_on,
                    "channel": p.channel,
                    "reference": p.reference,
                }
                for p in decision.publications.all()
            ],
        }
    return out


def public_decisions() -> QuerySet:
    """Issued decisions with a publication inside the public period (newest first)."""
    since = timezone.localdate() - dt.timedelta(days=config.public_days())
    pubs = Publication.objects.filter(
        published_on__gte=since, published_on__lte=timezone.localdate()
    )
    return (
        Decision.objects.filter(state=DecisionState.ISSUED, pk__in=pubs.values("decision_id"))
        .select_related("case__organization")
        .prefetch_related(
            Prefetch("publications", queryset=pubs.order_by("published_on")),
            Prefetch("case__penalties", queryset=Penalty.objects.select_related("rule")),
        )
        .order_by("-issued_at", "-id")
    )


def public_out(d: Decision) -> dict[str, Any]:
    """Only what a published decision makes public: no officers, no personal data."""
    penalties = list(d.case.penalties.all())
    pub = next(iter(d.publications.all()))
    violations = sorted({p.rule.label for p in penalties if p.rule_id})  # type: ignore[union-attr]
    return {
        "number": d.number,
        "party": d.case.organization.name,
        "violation": "; ".join(violations) or d.case.title,
        "penalties": [
            f"{p.get_kind_display()}{' ' + services._fmt(p.amount) if p.amount else ''}"
            for p in penalties
        ],
        "issued_on": timezone.localdate(d.issued_at),  # type: ignore[arg-type]
        "published_on": pub.published_on,
        "channel": str(pub.get_channel_display()),
    }


def period_range(period: str | None, span: str) -> tuple[dt.date, dt.date]:
    try:
        p = Period.parse(period) if period else Period.of(timezone.localdate())
    except ValueError:
        raise ValidationError({"period": [_("Enter a month as YYYY-MM.")]}) from None
    if span == "year":
        return p.year_start, p.end
    return p.start, p.end


RATE_CODES = {
    "publicity": "enforcement-publicity",
    "recording": "enforcement-recording",
    "legal_review": "enforcement-legal-review",
}


def rates_out(user: Any, street: str | None, start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    out = []
    for key, rate in rates.three_rates(user, street, start, end).items():
        value = rate.value
        out.append(
            {
                "code": RATE_CODES[key],
                "key": key,
                "numerator": rate.numerator,
                "denominator": rate.denominator,
                "value": value,
                "target": 100.0,
                "on_target": None if value is None else value >= 100.0 - 1e-9,
            }
        )
    return out


def _get(qs: QuerySet, pk: int) -> Any:
    obj = qs.filter(pk=pk).first()
    if obj is None:
        raise Http404
    return obj


def _org(request: HttpRequest, pk: int | None, field: str = "organization") -> Organization | None:
    if pk is None:
        return None
    org = Organization.objects.visible_to(request.user).filter(pk=pk).first()  # type: ignore[attr-defined]
    if org is None:
        raise ValidationError({field: [_("No such organisation.")]})
    return org


def _username(name: str | None) -> Any:
    if not name:
        return None
    user = get_user_model().objects.filter(username=name).first()
    if user is None:
        raise ValidationError({"user": [_("No user has this name.")]})
    return user


# --- staff ----------------------------------------------------------------------------------


@router.get("/staff", response={200: StaffPage, **ERRORS}, url_name="enforcement_staff")
def list_staff(
    request: HttpRequest,
    street: str | None = StreetQ,
    qualified: bool | None = None,
    limit: int = Limit,
    offset: int = Offset,
) -> Any:
    qs = under_street(
        Officer.objects.visible_to(request.user).select_related("jurisdiction", "user"),  # type: ignore[attr-defined]
        street,
        "jurisdiction__path",
    )
    today = timezone.localdate()
    if qualified is not None:
        q = qualified_q(today)
        qs = qs.filter(q) if qualified else qs.exclude(q)
    return paged(qs, limit, offset, lambda o: officer_out(o, today))


def _officer_data(request: HttpRequest, payload: Any, partial: bool) -> dict[str, Any]:
    data = payload.dict(exclude_unset=partial)
    if "jurisdiction" in data:
        code = data.pop("jurisdiction")
        node = jurisdiction_by_code(code)
        if node is not None:
            data["jurisdiction"] = node
        elif not partial:
            r = services.reach(request.user)
            found = (
                Jurisdiction.objects.filter(pk=r.jurisdiction_id).first()
                if r.jurisdiction_id
                else None
            )
            data["jurisdiction"] = (
                found or Jurisdiction.objects.filter(level="district").order_by("path").first()
            )
    if "user" in data:
        data["user"] = _username(data["user"])
    return data


@router.post("/staff", response={201: OfficerOut, **ERRORS}, url_name="enforcement_staff_create")
def create_officer(request: HttpRequest, payload: OfficerIn) -> Any:
    officer = services.save_officer(request.user, _officer_data(request, payload, False))
    return Status(201, officer_out(officer))


@router.get("/staff/{int:officer_id}", response={200: OfficerOut, **ERRORS})
def get_officer(request: HttpRequest, officer_id: int = RecordId) -> Any:
    return officer_out(_get(Officer.objects.visible_to(request.user), officer_id))  # type: ignore[attr-defined]


@router.patch("/staff/{int:officer_id}", response={200: OfficerOut, **ERRORS})
def update_officer(request: HttpRequest, payload: OfficerPatch, officer_id: int = RecordId) -> Any:
    officer = _get(Officer.objects.visible_to(request.user), officer_id)  # type: ignore[attr-defined]
    officer = services.save_officer(request.user, _officer_data(request, payload, True), officer)
    return officer_out(officer)


# --- plans ----------------------------------------------------------------------------------


@router.get("/plans", response={200: PlanPage, **ERRORS}, url_name="enforcement_plans")
def list_plans(request: HttpRequest, limit: int = Limit, offset: int = Offset) -> Any:
    return paged(plans_for(request.user), limit, offset, plan_out)


@router.post("/plans", response={201: PlanOut, **ERRORS}, url_name="enforcement_plan_create")
def create_plan(request: HttpRequest, payload: PlanIn) -> Any:
    data = payload.dict()
    data["jurisdiction"] = jurisdiction_by_code(data.pop("jurisdiction"))
    if data["jurisdiction"] is None:
        del data["jurisdiction"]
    return Status(201, plan_out(services.create_plan(request.user, data), detail=True))


@router.get("/plans/{int:plan_id}", response={200: PlanOut, **ERRORS})
def get_plan(request: HttpRequest, plan_id: int = RecordId) -> Any:
    return plan_out(_get(plans_for(request.user), plan_id), detail=True)


@router.post("/plans/{int:plan_id}/draw", response={200: PlanOut, **ERRORS})
def draw_plan(request: HttpRequest, payload: DrawIn, plan_id: int = RecordId) -> Any:
    """Draw the targets and officers; give `seed` to reproduce a draw, else one is chosen
    and stored."""
    plan = _get(plans_for(request.user), plan_id)
    return plan_out(services.draw_plan(request.user, plan, payload.seed), detail=True)


@router.post("/plans/{int:plan_id}/publish", response={200: PlanOut, **ERRORS})
def publish_plan(request: HttpRequest, plan_id: int = RecordId) -> Any:
    plan = _get(plans_for(request.user), plan_id)
    return plan_out(services.publish_plan(request.user, plan), detail=True)


# --- inspections ----------------------------------------------------------------------------


@router.get(
    "/inspections", response={200: InspectionPage, **ERRORS}, url_name="enforcement_inspections"
)
def list_inspections(
    request: HttpRequest,
    street: str | None = StreetQ,
    organization: int | None = Query(None, ge=1, le=MAX_ID),  # type: ignore[type-arg]
    limit: int = Limit,
    offset: int = Offset,
) -> Any:
    qs = under_street(inspections_for(request.user), street, "jurisdiction__path")
    if organization:
        qs = qs.filter(organization_id=organization)
    return paged(qs.prefetch_related("findings__hazard"), limit, offset, inspection_out)


def _target(request: HttpRequest, pk: int | None) -> PlanTarget | None:
    if pk is None:
        return None
    target = (
        PlanTarget.objects.visible_to(request.user)  # type: ignore[attr-defined]
        .select_related("plan", "organization")
        .filter(pk=pk)
        .first()
    )
    if target is None:
        raise ValidationError({"target": [_("No such plan target.")]})
    return target


def resolve_officers(user: Any, ids: list[int], target: PlanTarget | None = None) -> list[Officer]:
    pool = services.officer_choices(user)
    found = {o.pk: o for o in pool.filter(pk__in=ids)}
    if target is not None:
        found.update({o.pk: o for o in target.officers.filter(pk__in=ids)})
    missing = [str(i) for i in ids if i not in found]
    if missing:
        raise ValidationError(
            {"officers": [_("No such officer: %(ids)s.") % {"ids": ", ".join(missing)}]}
        )
    return [found[i] for i in ids]


@router.post("/inspections", response={201: InspectionDetailOut, **ERRORS})
def create_inspection(request: HttpRequest, payload: InspectionIn) -> Any:
    """Record an inspection on site (JSON); add photos with `POST /inspections/{id}/photos`."""
    target = _target(request, payload.target)
    data = {
        "organization": _org(request, payload.organization),
        "target": target,
        "inspection_type": payload.inspection_type,
        "date": payload.date,
        "unannounced": payload.unannounced,
        "officers": resolve_officers(request.user, payload.officers, target),
        "summary": payload.summary,
    }
    inspection = services.record_inspection(
        request.user,
        data,
        [i.dict() for i in payload.items],
        [f.dict() for f in payload.findings],
        to_hazards=payload.to_hazards,
    )
    return Status(201, inspection_out(inspection, detail=True))


@router.get("/inspections/{int:inspection_id}", response={200: InspectionDetailOut, **ERRORS})
def get_inspection(request: HttpRequest, inspection_id: int = RecordId) -> Any:
    return inspection_out(_get(inspections_for(request.user), inspection_id), detail=True)


@router.post(
    "/inspections/{int:inspection_id}/photos", response={201: InspectionDetailOut, **ERRORS}
)
def add_inspection_photos(
    request: HttpRequest,
    inspection_id: int = RecordId,
    photos: File[list[UploadedFile]] = None,  # type: ignore[type-arg,assignment]
) -> Any:
    """Evidence photos (multipart field `photos`; JPEG/PNG/WebP or PDF, size-limited)."""
    inspection = _get(inspections_for(request.user), inspection_id)
    services.add_inspection_evidence(request.user, inspection, photos or [])
    return Status(201, inspection_out(inspection, detail=True))


def _finding(request: HttpRequest, pk: int) -> Finding:
    finding = Finding.objects.filter(
        pk=pk,
        inspection__in=Inspection.objects.visible_to(request.user),  # type: ignore[attr-defined]
    ).first()
    if finding is None:
        raise Http404
    return finding


@router.post("/findings/{int:finding_id}/hazard", response={200: FindingOut, **ERRORS})
def finding_to_hazard(request: HttpRequest, finding_id: int = RecordId) -> Any:
    return finding_out(services.finding_to_hazard(request.user, _finding(request, finding_id)))


@router.post("/findings/{int:finding_id}/resolve", response={200: FindingOut, **ERRORS})
def resolve_finding(request: HttpRequest, finding_id: int = RecordId) -> Any:
    return finding_out(services.resolve_finding(request.user, _finding(request, finding_id)))


# --- cases ----------------------------------------------------------------------------------


@router.get("/cases", response={200: CasePage, **ERRORS}, url_name="enforcement_cases")
def list_cases(
    request: HttpRequest,
    street: str | None = StreetQ,
    state: str | None = Query(None, max_length=16),  # type: ignore[type-arg]
    limit: int = Limit,
    offset: int = Offset,
) -> Any:
    qs = under_street(cases_for(request.user), street, "jurisdiction__path")
    if state:
        qs = qs.filter(state=state)
    return paged(qs, limit, offset, case_out)


@router.post("/cases", response={201: CaseDetailOut, **ERRORS}, url_name="enforcement_case_create")
def create_case(request: HttpRequest, payload: CaseIn) -> Any:
    inspection = None
    if payload.inspection is not None:
        inspection = inspections_for(request.user).filter(pk=payload.inspection).first()
        if inspection is None:
            raise ValidationError({"inspection": [_("No such inspection.")]})
    data = {
        "title": payload.title,
        "facts": payload.facts,
        "organization": _org(request, payload.organization),
        "inspection": inspection,
    }
    return Status(201, case_detail(services.file_case(request.user, data)))


def _case(request: HttpRequest, pk: int) -> Case:
    return _get(cases_for(request.user), pk)  # type: ignore[no-any-return]


@router.get("/cases/{int:case_id}", response={200: CaseDetailOut, **ERRORS})
def get_case(request: HttpRequest, case_id: int = RecordId) -> Any:
    return case_detail(_case(request, case_id))


@router.post("/cases/{int:case_id}/events", response={201: CaseDetailOut, **ERRORS})
def add_event(request: HttpRequest, payload: EventIn, case_id: int = RecordId) -> Any:
    case = _case(request, case_id)
    services.record_step(request.user, case, payload.kind, payload.summary)
    return Status(201, case_detail(_case(request, case_id)))


@router.post("/cases/{int:case_id}/evidence", response={201: CaseDetailOut, **ERRORS})
def add_evidence(
    request: HttpRequest,
    case_id: int = RecordId,
    kind: Form[str] = "investigation",  # type: ignore[type-arg,assignment]
    summary: Form[str] = "",  # type: ignore[type-arg,assignment]
    files: File[list[UploadedFile]] = None,  # type: ignore[type-arg,assignment]
) -> Any:
    """A step with its evidence (multipart: `kind` investigation|note, `summary`, `files`)."""
    case = _case(request, case_id)
    if len(summary) > 5000:
        raise ValidationError({"summary": [_("Enter at most %(n)s characters.") % {"n": 5000}]})
    services.record_step(request.user, case, kind, summary, files or [])
    return Status(201, case_detail(_case(request, case_id)))


@router.post("/cases/{int:case_id}/orders", response={201: CaseDetailOut, **ERRORS})
def add_order(request: HttpRequest, payload: OrderIn, case_id: int = RecordId) -> Any:
    services.issue_order(request.user, _case(request, case_id), payload.dict())
    return Status(201, case_detail(_case(request, case_id)))


@router.post("/orders/{int:order_id}/recheck", response={200: CaseDetailOut, **ERRORS})
def recheck(request: HttpRequest, payload: RecheckIn, order_id: int = RecordId) -> Any:
    order = Order.objects.filter(pk=order_id, case__in=cases_for(request.user)).first()
    if order is None:
        raise Http404
    services.recheck_order(request.user, order, payload.result, payload.note, payload.rechecked_on)
    return case_detail(_case(request, order.case_id))


@router.post("/cases/{int:case_id}/penalties", response={201: CaseDetailOut, **ERRORS})
def add_penalty(request: HttpRequest, payload: PenaltyIn, case_id: int = RecordId) -> Any:
    """Propose a penalty. A fine names its violation (`rule`, see `/discretion`) and
    circumstance; above the legal maximum it is refused, below the range it needs
    `mitigation_reason`."""
    services.propose_penalty(request.user, _case(request, case_id), payload.dict())
    return Status(201, case_detail(_case(request, case_id)))


@router.post("/cases/{int:case_id}/decision", response={201: CaseDetailOut, **ERRORS})
def draft_decision(request: HttpRequest, payload: DraftIn, case_id: int = RecordId) -> Any:
    services.draft_decision(request.user, _case(request, case_id), payload.content)
    return Status(201, case_detail(_case(request, case_id)))


def _decision_of(request: HttpRequest, pk: int) -> Decision:
    decision = Decision.objects.visible_to(request.user).filter(pk=pk).first()  # type: ignore[attr-defined]
    if decision is None:
        raise Http404
    return decision  # type: ignore[no-any-return]


@router.post("/decisions/{int:decision_id}/reviews", response={201: CaseDetailOut, **ERRORS})
def review(request: HttpRequest, payload: ReviewIn, decision_id: int = RecordId) -> Any:
    decision = _decision_of(request, decision_id)
    services.review_decision(request.user, decision, payload.outcome, payload.opinion)
    return Status(201, case_detail(_case(request, decision.case_id)))


@router.post("/decisions/{int:decision_id}/issue", response={200: CaseDetailOut, **ERRORS})
def issue(request: HttpRequest, decision_id: int = RecordId) -> Any:
    """Issue the decision; a major one is refused (422, with the reason) without a passed
    legal review."""
    decision = _decision_of(request, decision_id)
    services.issue_decision(request.user, decision)
    return case_detail(_case(request, decision.case_id))


@router.post("/decisions/{int:decision_id}/publications", response={201: CaseDetailOut, **ERRORS})
def publish(request: HttpRequest, payload: PublicationIn, decision_id: int = RecordId) -> Any:
    decision = _decision_of(request, decision_id)
    services.publish_decision(request.user, decision, payload.dict())
    return Status(201, case_detail(_case(request, decision.case_id)))


@router.post("/cases/{int:case_id}/close", response={200: CaseDetailOut, **ERRORS})
def close(request: HttpRequest, payload: CloseIn, case_id: int = RecordId) -> Any:
    services.close_case(request.user, _case(request, case_id), payload.reason)
    return case_detail(_case(request, case_id))


# --- reference, rates, public ---------------------------------------------------------------


def rule_out(r: DiscretionRule) -> dict[str, Any]:
    return {
        "code": r.code,
        "violation": r.label,
        "legal_basis": r.legal_basis,
        "legal_min": r.legal_min,
        "legal_max": r.legal_max,
        "bands": [
            {"circumstance": b.circumstance, "min": str(b.min_amount), "max": str(b.max_amount)}
            for b in r.bands.all()
        ],
    }


@router.get("/discretion", response=list[RuleOut], url_name="enforcement_discretion")
def discretion(request: HttpRequest) -> Any:
    """The discretion table: violation types, legal basis and range per circumstance."""
    return [
        rule_out(r) for r in DiscretionRule.objects.filter(is_active=True).prefetch_related("bands")
    ]


@router.get("/rates", response={200: RatesOut, **ERRORS}, url_name="enforcement_rates")
def get_rates(
    request: HttpRequest,
    street: str | None = StreetQ,
    period: str | None = PeriodQ,
    span: str = Query("month", pattern="^(month|year)$"),  # type: ignore[type-arg]
) -> Any:
    """The "three 100 %" for a month (`span=month`) or the year to that month's end."""
    start, end = period_range(period, span)
    if street and not Jurisdiction.objects.filter(code=street).exists():
        raise ValidationError(
            {"street": [_("No jurisdiction has the code %(code)s.") % {"code": street}]}
        )
    return {
        "start": start,
        "end": end,
        "street": street,
        "rates": rates_out(request.user, street, start, end),
    }


@router.get(
    "/public/decisions",
    auth=None,
    response={200: PublicPage, **ERRORS},
    url_name="enforcement_public_decisions",
)
def public_list(request: HttpRequest, limit: int = Limit, offset: int = Offset) -> Any:
    """Published decisions within the public period (no login; no personal data)."""
    return paged(public_decisions(), limit, offset, public_out)
