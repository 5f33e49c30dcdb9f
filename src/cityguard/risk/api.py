"""API of the risk app, mounted at /api/v1/risk."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Status
from ninja.pagination import paginate

from cityguard.core.api import ERRORS, Page, history_out
from cityguard.core.models import Jurisdiction, Organization, Place
from cityguard.core.schemas import MAX_ID, HistoryOut

from . import scoring, services
from .models import Assessment, Domain, RiskPoint
from .schemas import (
    AssessmentIn,
    AssessmentOut,
    DomainOut,
    RiskPointFilter,
    RiskPointIn,
    RiskPointOut,
    RiskPointPatch,
    ScoreIn,
    ScoreOut,
    StatsOut,
)

router = Router(tags=["risk"])

PointId = Path(..., ge=1, le=MAX_ID)  # type: ignore[type-arg]


# --- filters, shared with the pages and exports ----------------------------------------


def _clean(text: str | None) -> str:
    return (text or "").replace("\x00", "").strip()


def filter_risk_points(qs: QuerySet, f: RiskPointFilter) -> QuerySet:
    q = _clean(f.q)
    if q:
        qs = qs.filter(
            Q(name__icontains=q)
            | Q(description__icontains=q)
            | Q(address__icontains=q)
            | Q(organization__name__icontains=q)
        )
    if f.level == "unassessed":
        qs = qs.filter(level="")
    elif f.level:
        qs = qs.filter(level=f.level)
    if f.domain:
        qs = qs.filter(domain__code=_clean(f.domain))
    if f.organization is not None:
        qs = qs.filter(organization_id=f.organization)
    if f.is_active is not None:
        qs = qs.filter(is_active=f.is_active)
    if f.overdue is True:
        qs = services.overdue(qs)
    elif f.overdue is False:
        qs = qs.exclude(pk__in=services.overdue(qs).values("pk"))
    code = _clean(f.jurisdiction)
    if code:
        node = Jurisdiction.objects.filter(code=code).first()
        qs = qs.filter(jurisdiction__path__startswith=node.path) if node else qs.none()
    return qs


def points_for(user: Any) -> QuerySet:
    return RiskPoint.objects.visible_to(user).select_related(
        "domain", "organization", "jurisdiction", "origin_type"
    )


def _visible_point(request: HttpRequest, pk: int) -> RiskPoint:
    point = (
        points_for(request.user)
        .prefetch_related(Prefetch("measures", to_attr="shown_measures"))
        .filter(pk=pk)
        .first()
    )
    if point is None:
        raise Http404
    return point  # type: ignore[no-any-return]


def _point_data(payload: Any, request: HttpRequest, partial: bool) -> dict[str, Any]:
    data = payload.dict(exclude_unset=partial)
    data.pop("measures", None)
    user = request.user
    if "domain" in data:
        code = data.pop("domain")
        if code is None:
            raise ValidationError({"domain": [_("This field cannot be empty.")]})
        domain = Domain.objects.filter(code=code).first()
        if domain is None:
            raise ValidationError(
                {"domain": [_("No risk domain has the code %(code)s.") % {"code": code}]}
            )
        data["domain"] = domain
    if "organization" in data:
        oid = data.pop("organization")
        data["organization"] = None
        if oid is not None:
            org = Organization.objects.visible_to(user).filter(pk=oid).first()
            if org is None:
                raise ValidationError({"organization": [_("No such organisation.")]})
            data["organization"] = org
    if "place" in data:
        pid = data.pop("place")
        data["place"] = None
        if pid is not None:
            place = Place.objects.visible_to(user).filter(pk=pid).first()
            if place is None:
                raise ValidationError({"place": [_("No such place.")]})
            data["place"] = place
    if "jurisdiction" in data:
        code = data.pop("jurisdiction")
        node = None
        if code:
            node = Jurisdiction.objects.filter(code=code).first()
            if node is None:
                raise ValidationError(
                    {"jurisdiction": [_("No jurisdiction has the code %(code)s.") % {"code": code}]}
                )
        data["jurisdiction_id"] = node.pk if node else None
    for key in ("name", "is_active"):
        if key in data and data[key] is None:
            raise ValidationError({key: [_("This field cannot be empty.")]})
    for key in (
        "address",
        "description",
        "control_tier",
        "responsible_person",
        "responsible_phone",
    ):
        if key in data and data[key] is None:
            data[key] = ""
    return data


def _replace_measures(request: HttpRequest, point: RiskPoint, measures: list[Any]) -> None:
    for old in list(point.measures.all()):
        services.delete_control_measure(request.user, old)
    for i, m in enumerate(measures):
        services.save_control_measure(request.user, point, {**m.dict(), "order": i})


# --- endpoints -------------------------------------------------------------------------


@router.get("/domains", response=list[DomainOut], url_name="risk_domains")
def list_domains(request: HttpRequest) -> Any:
    """The risk domain taxonomy (codes are stable)."""
    return list(Domain.objects.all())


@router.post("/score", response={200: ScoreOut, **ERRORS}, url_name="risk_score")
def score(request: HttpRequest, payload: ScoreIn) -> Any:
    """Score without saving: LEC `{"method": "lec", "l": 6, "e": 3, "c": 15}` or matrix
    `{"method": "matrix", "likelihood": 4, "severity": 5}`. A value off its scale is
    answered 422 naming the values allowed."""
    values = payload.dict()
    wrong = ("likelihood", "severity") if payload.method == scoring.LEC else ("l", "e", "c")
    extra = [k for k in wrong if values.get(k) is not None]
    if extra:
        raise ValidationError(
            {
                k: [_("Not used by the %(method)s method.") % {"method": payload.method}]
                for k in extra
            }
        )
    return services.compute(payload.method, values).as_dict()


@router.get("/points", response=list[RiskPointOut], url_name="risk_points")
@paginate(Page)
def list_points(request: HttpRequest, filters: Query[RiskPointFilter]) -> Any:  # type: ignore[type-arg]
    """Risk points the caller may see, most severe first."""
    qs = filter_risk_points(points_for(request.user), filters)
    return qs.prefetch_related(Prefetch("measures", to_attr="shown_measures"))


@router.get("/points/{int:point_id}", response={200: RiskPointOut, **ERRORS}, url_name="risk_point")
def get_point(request: HttpRequest, point_id: int = PointId) -> Any:
    return _visible_point(request, point_id)


@router.post("/points", response={201: RiskPointOut, **ERRORS}, url_name="risk_point_create")
def create_point(request: HttpRequest, payload: RiskPointIn) -> Any:
    with transaction.atomic():
        point = services.save_risk_point(request.user, _point_data(payload, request, partial=False))
        _replace_measures(request, point, payload.measures)
    return Status(201, _visible_point(request, point.pk))


@router.patch(
    "/points/{int:point_id}", response={200: RiskPointOut, **ERRORS}, url_name="risk_point_update"
)
def update_point(request: HttpRequest, payload: RiskPointPatch, point_id: int = PointId) -> Any:
    point = _visible_point(request, point_id)
    with transaction.atomic():
        point = services.save_risk_point(
            request.user, _point_data(payload, request, partial=True), point
        )
        if payload.measures is not None:
            _replace_measures(request, point, payload.measures)
    return _visible_point(request, point.pk)


@router.get(
    "/points/{int:point_id}/assessments",
    response={200: list[AssessmentOut], **ERRORS},
    url_name="risk_assessments",
)
@paginate(Page)
def list_assessments(request: HttpRequest, point_id: int = PointId) -> Any:
    """The point's assessments, newest first; the first is the current one."""
    point = _visible_point(request, point_id)
    return Assessment.objects.filter(risk_point=point).select_related("assessed_by")


@router.post(
    "/points/{int:point_id}/assessments",
    response={201: AssessmentOut, **ERRORS},
    url_name="risk_assessment_create",
)
def create_assessment(request: HttpRequest, payload: AssessmentIn, point_id: int = PointId) -> Any:
    point = _visible_point(request, point_id)
    values = payload.dict()
    assessment = services.add_assessment(
        request.user,
        point,
        method=payload.method,
        values=values,
        assessed_at=payload.assessed_at,
        assessor=payload.assessor,
        notes=payload.notes,
    )
    return Status(201, assessment)


@router.get(
    "/points/{int:point_id}/history",
    response={200: list[HistoryOut], **ERRORS},
    url_name="risk_point_history",
)
def point_history(request: HttpRequest, point_id: int = PointId) -> Any:
    return history_out(_visible_point(request, point_id))


@router.get("/overdue", response=list[RiskPointOut], url_name="risk_overdue")
@paginate(Page)
def list_overdue(
    request: HttpRequest, jurisdiction: str | None = Query(None, max_length=32)
) -> Any:  # type: ignore[type-arg]
    """Active points past their reassessment date, longest overdue first."""
    qs = services.overdue(points_for(request.user))
    code = _clean(jurisdiction)
    if code:
        node = Jurisdiction.objects.filter(code=code).first()
        qs = qs.filter(jurisdiction__path__startswith=node.path) if node else qs.none()
    return qs.order_by("next_due", "-level_rank", "id").prefetch_related(
        Prefetch("measures", to_attr="shown_measures")
    )


@router.get("/stats", response={200: StatsOut, **ERRORS}, url_name="risk_stats")
def stats(request: HttpRequest, street: str | None = Query(None, max_length=32)) -> Any:  # type: ignore[type-arg]
    """Counts of active points by level, by street (with the highest level) and by domain."""
    return services.stats(request.user, _clean(street) or None)
