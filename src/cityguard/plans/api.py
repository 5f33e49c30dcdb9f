"""API of the plans app, mounted at /api/v1/plans."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Path, Query, Router, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from cityguard.core.api import ERRORS, Page
from cityguard.core.models import Jurisdiction, Organization
from cityguard.core.schemas import MAX_ID

from . import services
from .models import Drill, DrillProblem, EmergencyPlan, PlanAttachment
from .schemas import (
    AttachmentOut,
    DrillIn,
    DrillOut,
    DrillPatch,
    HazardOut,
    PlanFilter,
    PlanIn,
    PlanOut,
    PlanPatch,
    ToHazardIn,
)

router = Router(tags=["plans"])

PlanId = Path(..., ge=1, le=MAX_ID)  # type: ignore[type-arg]


def plans_for(user: Any) -> QuerySet:
    return EmergencyPlan.objects.visible_to(user).select_related("jurisdiction", "organization")


def filter_plans(qs: QuerySet, f: PlanFilter) -> QuerySet:
    q = (f.q or "").replace("\x00", "").strip()
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(code__icontains=q) | Q(summary__icontains=q))
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.is_active is not None:
        qs = qs.filter(is_active=f.is_active)
    if f.incident_type:
        # JSON containment differs between SQLite and PostgreSQL; the list is short.
        keep = [
            pk
            for pk, types in qs.values_list("pk", "incident_types")
            if not types or f.incident_type in types
        ]
        qs = qs.filter(pk__in=keep)
    if f.due_within_days is not None:
        qs = services.due_for_revision(qs, f.due_within_days)
    return qs


def _plan(request: HttpRequest, pk: int) -> EmergencyPlan:
    found = (
        plans_for(request.user)
        .prefetch_related("response_levels__actions", "attachments")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404
    return found  # type: ignore[no-any-return]


def _plan_data(request: HttpRequest, data: dict[str, Any]) -> dict[str, Any]:
    data.pop("response_levels", None)
    if "jurisdiction" in data:
        code = data.pop("jurisdiction")
        if code:
            node = Jurisdiction.objects.filter(code=code).first()
            if node is None:
                raise ValidationError({"jurisdiction": [_("No such jurisdiction.")]})
            data["jurisdiction"] = node
    if data.get("organization") is not None:
        org = Organization.objects.visible_to(request.user).filter(pk=data["organization"]).first()
        if org is None:
            raise ValidationError({"organization": [_("No such organisation.")]})
        data["organization"] = org
    for key, value in list(data.items()):
        if value is None and key not in ("organization", "last_revised"):
            raise ValidationError({key: [_("This field cannot be empty.")]})
    return data


def _levels(request: HttpRequest, levels: list[Any]) -> list[dict[str, Any]]:
    out = []
    for lv in levels:
        actions = []
        for a in lv.actions:
            unit = None
            if a.responsible_unit is not None:
                unit = Organization.objects.filter(pk=a.responsible_unit).first()
                if unit is None:
                    raise ValidationError({"responsible_unit": [_("No such organisation.")]})
            actions.append({**a.dict(), "responsible_unit": unit})
        out.append({"level": lv.level, "trigger": lv.trigger, "actions": actions})
    return out


@router.get("", response=list[PlanOut], url_name="plans")
@paginate(Page)
def list_plans(request: HttpRequest, filters: Query[PlanFilter]) -> Any:  # type: ignore[type-arg]
    """Plans the caller works under: their area's and the areas' above."""
    return filter_plans(plans_for(request.user), filters).prefetch_related(
        "response_levels__actions", "attachments"
    )


@router.post("", response={201: PlanOut, **ERRORS}, url_name="plan_create")
def create_plan(request: HttpRequest, payload: PlanIn) -> Any:
    with transaction.atomic():
        plan = services.save_plan(request.user, _plan_data(request, payload.dict()))
        if payload.response_levels is not None:
            services.replace_response_levels(
                request.user, plan, _levels(request, payload.response_levels)
            )
    return Status(201, _plan(request, plan.pk))


@router.get("/drills", response=list[DrillOut], url_name="drills")
@paginate(Page)
def list_drills(request: HttpRequest, plan: int | None = Query(None, ge=1, le=MAX_ID)) -> Any:  # type: ignore[type-arg]
    qs = Drill.objects.visible_to(request.user).select_related("plan").prefetch_related("problems")
    if plan is not None:
        qs = qs.filter(plan_id=plan)
    return qs


def _drill(request: HttpRequest, pk: int) -> Drill:
    found = Drill.objects.visible_to(request.user).select_related("plan").filter(pk=pk).first()
    if found is None:
        raise Http404
    return found  # type: ignore[no-any-return]


@router.post("/drills", response={201: DrillOut, **ERRORS}, url_name="drill_create")
def create_drill(request: HttpRequest, payload: DrillIn) -> Any:
    data = payload.dict()
    problems = data.pop("problems")
    plan = plans_for(request.user).filter(pk=data.pop("plan")).first()
    if plan is None:
        raise ValidationError({"plan": [_("No such plan.")]})
    drill = services.save_drill(request.user, {**data, "plan": plan}, problems)
    return Status(201, _drill(request, drill.pk))


@router.get("/drills/{int:drill_id}", response={200: DrillOut, **ERRORS}, url_name="drill")
def get_drill(request: HttpRequest, drill_id: int = PlanId) -> Any:
    return _drill(request, drill_id)


@router.patch("/drills/{int:drill_id}", response={200: DrillOut, **ERRORS}, url_name="drill_update")
def update_drill(request: HttpRequest, payload: DrillPatch, drill_id: int = PlanId) -> Any:
    drill = _drill(request, drill_id)
    data = payload.dict(exclude_unset=True)
    problems = data.pop("problems", [])
    if any(v is None for v in data.values()):
        raise ValidationError(
            {k: [_("This field cannot be empty.")] for k, v in data.items() if v is None}
        )
    services.save_drill(request.user, data, problems, instance=drill)
    return _drill(request, drill_id)


@router.post(
    "/drills/{int:drill_id}/problems/{int:problem_id}/hazard",
    response={201: HazardOut, **ERRORS},
    url_name="drill_problem_hazard",
)
def problem_to_hazard(
    request: HttpRequest, payload: ToHazardIn, drill_id: int = PlanId, problem_id: int = PlanId
) -> Any:
    """Put a drill's problem on the hazard register (once)."""
    drill = _drill(request, drill_id)
    problem = DrillProblem.objects.filter(drill=drill, pk=problem_id).first()
    if problem is None:
        raise Http404
    hazard = services.problem_to_hazard(request.user, problem, domain=payload.domain)
    return Status(201, {"hazard": hazard.pk, "problem": problem.pk})


@router.delete("/drills/{int:drill_id}", response={204: None, **ERRORS}, url_name="drill_delete")
def delete_drill(request: HttpRequest, drill_id: int = PlanId) -> Any:
    services.delete_drill(request.user, _drill(request, drill_id))
    return Status(204, None)


@router.get("/{int:plan_id}", response={200: PlanOut, **ERRORS}, url_name="plan")
def get_plan(request: HttpRequest, plan_id: int = PlanId) -> Any:
    return _plan(request, plan_id)


@router.patch("/{int:plan_id}", response={200: PlanOut, **ERRORS}, url_name="plan_update")
def update_plan(request: HttpRequest, payload: PlanPatch, plan_id: int = PlanId) -> Any:
    plan = _plan(request, plan_id)
    with transaction.atomic():
        data = _plan_data(request, payload.dict(exclude_unset=True))
        plan = services.save_plan(request.user, data, plan)
        if payload.response_levels is not None:
            services.replace_response_levels(
                request.user, plan, _levels(request, payload.response_levels)
            )
    return _plan(request, plan_id)


@router.delete("/{int:plan_id}", response={204: None, **ERRORS}, url_name="plan_delete")
def delete_plan(request: HttpRequest, plan_id: int = PlanId) -> Any:
    """Only a plan never activated nor drilled; retire the others (`is_active: false`)."""
    services.delete_plan(request.user, _plan(request, plan_id))
    return Status(204, None)


@router.post(
    "/{int:plan_id}/attachments",
    response={201: AttachmentOut, **ERRORS},
    url_name="plan_attachment_create",
)
def add_attachment(
    request: HttpRequest,
    file: UploadedFile = File(...),  # type: ignore[type-arg]  # noqa: B008
    plan_id: int = PlanId,
) -> Any:
    """Multipart upload (`file`): PDF, Word, Excel, text or image, at most 20 MB."""
    return Status(201, services.add_attachment(request.user, _plan(request, plan_id), file))


@router.delete(
    "/{int:plan_id}/attachments/{int:attachment_id}",
    response={204: None, **ERRORS},
    url_name="plan_attachment_delete",
)
def delete_attachment(
    request: HttpRequest, plan_id: int = PlanId, attachment_id: int = PlanId
) -> Any:
    plan = _plan(request, plan_id)
    att = PlanAttachment.objects.filter(plan=plan, pk=attachment_id).first()
    if att is None:
        raise Http404
    services.delete_attachment(request.user, att)
    return Status(204, None)
