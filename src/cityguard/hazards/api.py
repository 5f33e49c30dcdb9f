"""API of the hazards app, mounted at /api/v1/hazards.

Hazards: list (filters), detail with the timeline, create, transitions
(`POST /hazards/{id}/transitions {"action", "comment"}`), notes, photos, the rectification
plan. Checklists, inspections and their results. Look-back dues. Figures for charts.
Public tips: `GET /hazards/tips/challenge` and `POST /hazards/tips` (multipart, no login,
rate-limited, spam-checked — see `antispam`), `GET /hazards/tips/{code}` for the status;
staff list, triage and reward decisions.
"""

from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import File, Form, Path, Query, Router, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from cityguard.core.api import ERRORS, Page
from cityguard.core.models import Jurisdiction, Organization, Place
from cityguard.core.schemas import MAX_ID, ErrorOut

from . import antispam, config, services, stats
from .models import ChecklistTemplate, Hazard, Inspection, LookBackDue, Tip
from .schemas import (
    ChallengeOut,
    ChecklistOut,
    EventOut,
    HazardDetailOut,
    HazardFilter,
    HazardIn,
    HazardOut,
    InspectionDetailOut,
    InspectionFilter,
    InspectionIn,
    InspectionOut,
    LookBackFilter,
    LookBackOut,
    NoteIn,
    PlanIn,
    PlanOut,
    ResultsIn,
    RewardIn,
    StatsOut,
    TipCreatedOut,
    TipFilter,
    TipForm,
    TipOut,
    TipStatusOut,
    TransitionIn,
    TriageIn,
)

router = Router(tags=["hazards"])

HazardId = Path(..., ge=1, le=MAX_ID)  # type: ignore[type-arg]
ObjId = Path(..., ge=1, le=MAX_ID)  # type: ignore[type-arg]
TipCode = Path(..., min_length=1, max_length=32)  # type: ignore[type-arg]

PUBLIC_ERRORS: dict[int, Any] = {404: ErrorOut, 422: ErrorOut, 429: ErrorOut}


# --- filters, shared with the pages ----------------------------------------------------------


def _clean(text: str | None) -> str:
    return (text or "").replace("\x00", "").strip()


def filter_hazards(qs: QuerySet, f: HazardFilter, user: Any = None) -> QuerySet:
    q = _clean(f.q)
    if q:
        cond = Q(title__icontains=q) | Q(description__icontains=q) | Q(address__icontains=q)
        ref = q.upper().removeprefix("YH")
        if ref.isdigit() and len(ref) <= 18:
            cond |= Q(pk=int(ref))
        qs = qs.filter(cond)
    if f.state:
        qs = qs.filter(state=f.state)
    if f.severity:
        qs = qs.filter(severity=f.severity)
    if f.domain:
        qs = qs.filter(domain__code=_clean(f.domain))
    if f.source:
        qs = qs.filter(source=f.source)
    if f.organization is not None:
        qs = qs.filter(organization_id=f.organization)
    if f.open is not None:
        qs = qs.filter(is_open__in=[f.open])
    if f.overdue:
        qs = qs.overdue()  # type: ignore[attr-defined]
    elif f.overdue is False:
        qs = qs.exclude(pk__in=qs.overdue().values("pk"))  # type: ignore[attr-defined]
    if f.escalated is not None:
        qs = qs.filter(escalated_at__isnull=not f.escalated)
    if f.recurrence is not None:
        qs = qs.filter(is_recurrence=f.recurrence)
    if f.mine and user is not None:
        tasks = services.task_filter(user)
        qs = qs.filter(tasks) if tasks is not None else qs.none()
    code = _clean(f.jurisdiction)
    if code:
        node = Jurisdiction.objects.filter(code=code).first()
        if node is None:
            return qs.none()
        if node.level == "street":
            qs = qs.filter(street=node)
        elif node.parent_id is not None:
            qs = qs.filter(jurisdiction__path__startswith=node.path)
    return qs


def hazard_queryset(user: Any) -> QuerySet:
    return Hazard.objects.visible_to(user).select_related(
        "domain",
        "organization",
        "jurisdiction",
        "street",
        "responsible_unit",
        "assignee",
        "reported_by",
    )


def _visible_hazard(request: HttpRequest, pk: int) -> Hazard:
    hazard = hazard_queryset(request.user).filter(pk=pk).first()
    if hazard is None:
        raise Http404
    hazard.caller_actions = services.actions_for(request.user, hazard)  # type: ignore[attr-defined]
    return hazard


def _org(request: HttpRequest, pk: int | None, field: str) -> Organization | None:
    if pk is None:
        return None
    org = Organization.objects.visible_to(request.user).filter(pk=pk).first()
    if org is None:
        raise ValidationError({field: [_("No such organisation.")]})
    return org


def _user(username: str | None, field: str) -> Any:
    if not username:
        return None
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise ValidationError({field: [_("No such user.")]})
    return user


# --- hazards ------------------------------------------------------------------------------


@router.get("", response=list[HazardOut], url_name="hazards_list")
@paginate(Page)
def list_hazards(request: HttpRequest, filters: Query[HazardFilter]) -> Any:  # type: ignore[type-arg]
    """Hazards the caller may see, most urgent deadline first."""
    qs = filter_hazards(hazard_queryset(request.user), filters, request.user)
    return qs.order_by("deadline", "id")


@router.post("", response={201: HazardDetailOut, **ERRORS}, url_name="hazards_create")
def create_hazard(request: HttpRequest, payload: HazardIn) -> Any:
    data = payload.dict()
    data["organization"] = _org(request, data.pop("organization"), "organization")
    data["responsible_unit"] = _org(request, data.pop("responsible_unit"), "responsible_unit")
    place_id = data.pop("place")
    if place_id is not None:
        place = Place.objects.visible_to(request.user).filter(pk=place_id).first()
        if place is None:
            raise ValidationError({"place": [_("No such place.")]})
        data["place"] = place
    code = data.pop("jurisdiction")
    if code:
        node = Jurisdiction.objects.filter(code=code).first()
        if node is None:
            raise ValidationError(
                {"jurisdiction": [_("No jurisdiction has the code %(code)s.") % {"code": code}]}
            )
        data["jurisdiction"] = node
    if data.get("deadline") is None:
        data.pop("deadline", None)
    hazard = services.report_hazard(request.user, data)
    return Status(201, _visible_hazard(request, hazard.pk))


@router.get("/stats", response={200: StatsOut, **ERRORS}, url_name="hazards_stats")
def hazard_stats(request: HttpRequest, filters: Query[HazardFilter]) -> Any:  # type: ignore[type-arg]
    """Counts for charts: by state, domain, street and month (reported, last 12 months)."""
    qs = filter_hazards(Hazard.objects.visible_to(request.user), filters, request.user)
    out = stats.summary(qs)
    out["by_state"] = stats.by_state(qs)
    out["by_domain"] = stats.by_domain(qs)
    out["by_street"] = stats.by_street(qs)
    out["by_month"] = stats.by_month(qs)
    return out


# --- checklists -----------------------------------------------------------------------------


@router.get("/checklists", response=list[ChecklistOut], url_name="hazards_checklists")
def list_checklists(request: HttpRequest) -> Any:
    """Checklist templates per domain, with their items."""
    return (
        ChecklistTemplate.objects.filter(is_active=True)
        .select_related("domain")
        .prefetch_related("items")
    )


@router.get("/checklists/{int:template_id}", response={200: ChecklistOut, **ERRORS})
def get_checklist(request: HttpRequest, template_id: int = ObjId) -> Any:
    template = ChecklistTemplate.objects.filter(pk=template_id).select_related("domain").first()
    if template is None:
        raise Http404
    return template


# --- inspections ----------------------------------------------------------------------------


def _inspections(request: HttpRequest) -> QuerySet:
    return Inspection.objects.visible_to(request.user).select_related(  # type: ignore[attr-defined,no-any-return]
        "organization", "template", "inspector"
    )


def _visible_inspection(request: HttpRequest, pk: int) -> Inspection:
    inspection = _inspections(request).filter(pk=pk).first()
    if inspection is None:
        raise Http404
    return inspection  # type: ignore[no-any-return]


@router.get("/inspections", response=list[InspectionOut], url_name="hazards_inspections")
@paginate(Page)
def list_inspections(request: HttpRequest, filters: Query[InspectionFilter]) -> Any:  # type: ignore[type-arg]
    qs = _inspections(request)
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.organization is not None:
        qs = qs.filter(organization_id=filters.organization)
    return qs.order_by("-created_at", "-id")


@router.post("/inspections", response={201: InspectionDetailOut, **ERRORS})
def create_inspection(request: HttpRequest, payload: InspectionIn) -> Any:
    data = payload.dict()
    data["organization"] = _org(request, data["organization"], "organization")
    if data["place"] is not None:
        place = Place.objects.visible_to(request.user).filter(pk=data["place"]).first()
        if place is None:
            raise ValidationError({"place": [_("No such place.")]})
        data["place"] = place
    code = data.pop("template")
    data["template"] = None
    if code:
        data["template"] = ChecklistTemplate.objects.filter(code=code).first()
        if data["template"] is None:
            raise ValidationError(
                {"template": [_("No checklist has the code %(code)s.") % {"code": code}]}
            )
    inspection = services.create_inspection(request.user, data)
    return Status(201, inspection)


@router.get("/inspections/{int:inspection_id}", response={200: InspectionDetailOut, **ERRORS})
def get_inspection(request: HttpRequest, inspection_id: int = ObjId) -> Any:
    return _visible_inspection(request, inspection_id)


@router.post(
    "/inspections/{int:inspection_id}/results", response={200: InspectionDetailOut, **ERRORS}
)
def record_results(request: HttpRequest, payload: ResultsIn, inspection_id: int = ObjId) -> Any:
    """Record every item's outcome and complete the inspection; each fail becomes a hazard."""
    inspection = _visible_inspection(request, inspection_id)
    services.record_inspection(
        request.user, inspection, [r.dict() for r in payload.results], notes=payload.notes
    )
    return _visible_inspection(request, inspection_id)


# --- look-back ------------------------------------------------------------------------------


@router.get("/lookbacks", response=list[LookBackOut], url_name="hazards_lookbacks")
@paginate(Page)
def list_lookbacks(request: HttpRequest, filters: Query[LookBackFilter]) -> Any:  # type: ignore[type-arg]
    """Units due for look-back re-inspection (after an accident or a closed major hazard)."""
    qs = LookBackDue.objects.visible_to(request.user).select_related("organization", "domain")  # type: ignore[attr-defined]
    if filters.status:
        qs = qs.filter(status=filters.status)
    return qs.order_by("due_by", "id")


# --- public tips ------------------------------------------------------------------------------


@router.get("/tips/challenge", auth=None, response=ChallengeOut, url_name="hazards_tip_challenge")
def tip_challenge(request: HttpRequest) -> Any:
    """A fresh challenge for the public tip form (no login)."""
    challenge = antispam.issue()
    return {
        "token": challenge.token,
        "question": challenge.question,
        "min_seconds": int(config.get("CITYGUARD_TIP_MIN_SECONDS")),
    }


def accept_tip(meta: dict[str, Any], fields: dict[str, Any], photos: list[Any]) -> Tip:
    """The whole public path, for the API and the page: rate limit, spam checks, the tip.

    Raises `antispam.RateLimited`, `antispam.SpamRefused` or ValidationError."""
    ip_hash = antispam.hash_ip(antispam.client_ip(meta))
    antispam.check_rate(ip_hash)
    try:
        nonce = antispam.check(
            fields.pop("token", ""), fields.pop("answer", ""), fields.pop("website", "")
        )
    except antispam.SpamRefused:
        antispam.record(ip_hash, accepted=False)
        raise
    tip = services.submit_tip(fields, photos, ip_hash=ip_hash)
    antispam.record(ip_hash, accepted=True, nonce=nonce)
    return tip


@router.post(
    "/tips",
    auth=None,
    response={201: TipCreatedOut, 422: ErrorOut, 429: ErrorOut},
    url_name="hazards_tip_create",
)
def create_tip(
    request: HttpRequest,
    response: HttpResponse,
    payload: Form[TipForm],  # type: ignore[type-arg]
    photo: File[UploadedFile] = None,  # type: ignore[type-arg,assignment]
) -> Any:
    """Report a hazard without an account (multipart/form-data): a description, the
    location (lon/lat, WGS 84, inside the district), optionally a photo (JPEG, PNG or
    WebP) and a name and phone for the reward. Fetch a challenge first; send its `token`
    and the value of its sum as `answer`, no sooner than `min_seconds` later, and leave
    `website` empty. Answers a tracking code for `GET /hazards/tips/{code}`."""
    fields = payload.dict()
    try:
        tip = accept_tip(request.META, fields, [photo] if photo is not None else [])
    except antispam.RateLimited as exc:
        response["Retry-After"] = str(exc.retry_after)
        return Status(429, {"detail": _("Too many tips from your address: try again later.")})
    except antispam.SpamRefused as exc:
        return Status(
            422,
            {
                "detail": [
                    {"loc": ["body", "token"], "msg": antispam.message(exc.code), "type": exc.code}
                ]
            },
        )
    return Status(
        201,
        {
            "code": tip.code,
            "status_url": reverse("hazards:tip_status", args=[tip.code]),
            "detail": _("Thank you. Keep the tracking code to follow your tip."),
        },
    )


@router.get(
    "/tips/{code}",
    auth=None,
    response={200: TipStatusOut, 404: ErrorOut},
    url_name="hazards_tip_status",
)
def tip_status(request: HttpRequest, code: str = TipCode) -> Any:
    """A tip's public status from its tracking code (no login)."""
    status = services.public_status(code)
    if status is None:
        raise Http404
    return status


def _tips(request: HttpRequest) -> QuerySet:
    if services.role_of(request.user) not in services.TIP_ROLES:
        raise PermissionDenied(_("Only street officers and district staff handle tips."))
    return services.tips_visible_to(request.user).select_related("jurisdiction")  # type: ignore[no-any-return]


@router.get("/tips", response=list[TipOut], url_name="hazards_tips")
@paginate(Page)
def list_tips(request: HttpRequest, filters: Query[TipFilter]) -> Any:  # type: ignore[type-arg]
    """Tips in the caller's area, newest first (staff)."""
    qs = _tips(request)
    if filters.status:
        qs = qs.filter(status=filters.status)
    return qs.order_by("-created_at", "-id")


def _visible_tip(request: HttpRequest, pk: int) -> Tip:
    tip = _tips(request).filter(pk=pk).first()
    if tip is None:
        raise Http404
    return tip  # type: ignore[no-any-return]


@router.post("/tips/{int:tip_id}/triage", response={200: TipOut, **ERRORS})
def triage_tip(request: HttpRequest, payload: TriageIn, tip_id: int = ObjId) -> Any:
    """Accept a tip as a hazard (title, domain, severity …) or dismiss it with a reason."""
    tip = _visible_tip(request, tip_id)
    hazard_data: dict[str, Any] | None = None
    if payload.decision == "accept":
        hazard_data = {
            "title": payload.title or "",
            "domain": payload.domain or "",
            "severity": payload.severity,
            "organization": _org(request, payload.organization, "organization"),
        }
        if payload.deadline is not None:
            hazard_data["deadline"] = payload.deadline
    services.triage_tip(
        request.user, tip, payload.decision, reason=payload.reason, hazard_data=hazard_data
    )
    return _visible_tip(request, tip_id)


@router.post("/tips/{int:tip_id}/reward", response={200: TipOut, **ERRORS})
def decide_reward(request: HttpRequest, payload: RewardIn, tip_id: int = ObjId) -> Any:
    """Approve (optionally with an amount), decline or pay the reward of a true tip."""
    tip = _visible_tip(request, tip_id)
    reward = getattr(tip, "reward", None)
    if reward is None:
        raise ValidationError({"status": [_("This tip has no reward to decide.")]})
    amount = None if payload.amount is None else Decimal(str(round(payload.amount, 2)))
    services.decide_reward(request.user, reward, payload.status, amount=amount, note=payload.note)
    return _visible_tip(request, tip_id)


# --- one hazard (after the fixed paths above) ------------------------------------------------


@router.get(
    "/{int:hazard_id}", response={200: HazardDetailOut, **ERRORS}, url_name="hazards_detail"
)
def get_hazard(request: HttpRequest, hazard_id: int = HazardId) -> Any:
    return _visible_hazard(request, hazard_id)


@router.post(
    "/{int:hazard_id}/transitions",
    response={200: HazardDetailOut, **ERRORS},
    url_name="hazards_transition",
)
def make_transition(request: HttpRequest, payload: TransitionIn, hazard_id: int = HazardId) -> Any:
    """Move the hazard along its lifecycle: `assign` (with deadline and responsible unit /
    person), `start`, `submit`, `verify` (closes it) or `reject` (back to rectifying; a
    comment is required). An action out of order is refused with 422 and what is possible
    now; one the caller's role may not take, with 403."""
    hazard = _visible_hazard(request, hazard_id)
    data: dict[str, Any] = {}
    if payload.action == "assign":
        if payload.deadline is not None:
            data["deadline"] = payload.deadline
        if payload.responsible_unit is not None:
            data["responsible_unit"] = _org(request, payload.responsible_unit, "responsible_unit")
        if payload.responsible_person is not None:
            data["responsible_person"] = payload.responsible_person
        if payload.responsible_phone is not None:
            data["responsible_phone"] = payload.responsible_phone
        if payload.assignee:
            data["assignee"] = _user(payload.assignee, "assignee")
    services.transition(request.user, hazard, payload.action, comment=payload.comment, data=data)
    return _visible_hazard(request, hazard_id)


@router.post("/{int:hazard_id}/notes", response={201: EventOut, **ERRORS})
def add_note(request: HttpRequest, payload: NoteIn, hazard_id: int = HazardId) -> Any:
    hazard = _visible_hazard(request, hazard_id)
    return Status(201, services.add_note(request.user, hazard, payload.comment))


@router.post(
    "/{int:hazard_id}/photos", response={201: EventOut, **ERRORS}, url_name="hazards_photos"
)
def upload_photos(
    request: HttpRequest,
    hazard_id: int = HazardId,
    photos: File[list[UploadedFile]] = None,  # type: ignore[type-arg,assignment]
    comment: Form[str] = "",  # type: ignore[type-arg,assignment]
) -> Any:
    """Add photos (multipart field `photos`, JPEG/PNG/WebP, size-limited) and an optional
    comment to the hazard's timeline."""
    hazard = _visible_hazard(request, hazard_id)
    if len(comment) > 5000 or "\x00" in comment:
        raise ValidationError({"comment": [_("Enter at most %(n)s characters.") % {"n": 5000}]})
    return Status(201, services.add_note(request.user, hazard, comment, photos or []))


@router.put("/{int:hazard_id}/plan", response={200: PlanOut, **ERRORS})
def put_plan(request: HttpRequest, payload: PlanIn, hazard_id: int = HazardId) -> Any:
    """Write the rectification plan (timetable and roadmap) with its milestones; a major
    hazard needs one before rectification starts."""
    hazard = _visible_hazard(request, hazard_id)
    data = payload.dict()
    milestones = data.pop("milestones")
    data["supervisor"] = _user(data.pop("supervisor"), "supervisor")
    return services.save_plan(request.user, hazard, data, milestones)
