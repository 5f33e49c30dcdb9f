"""API of the incidents app, mounted at /api/v1/incidents."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Status
from ninja.pagination import paginate

from cityguard.core.api import ERRORS, Page
from cityguard.core.models import Jurisdiction, Organization
from cityguard.core.schemas import MAX_ID

from . import grading, report, services
from .models import Dispatch, Incident, Task
from .schemas import (
    ActivateIn,
    ActivationOut,
    DispatchIn,
    DispatchOut,
    DispatchStatusIn,
    EventOut,
    GradeIn,
    GradeOut,
    IncidentFilter,
    IncidentIn,
    IncidentOut,
    IncidentPatch,
    NoteIn,
    ProposalOut,
    TaskIn,
    TaskOut,
    TaskStatusIn,
)

router = Router(tags=["incidents"])

IncidentId = Path(..., ge=1, le=MAX_ID)  # type: ignore[type-arg]
ChildId = Path(..., ge=1, le=MAX_ID)  # type: ignore[type-arg]


def _clean(text: str | None) -> str:
    return (text or "").replace("\x00", "").strip()


def incidents_for(user: Any) -> QuerySet:
    return Incident.objects.visible_to(user).select_related("jurisdiction", "plan")


def filter_incidents(qs: QuerySet, f: IncidentFilter) -> QuerySet:
    q = _clean(f.q)
    if q:
        qs = qs.filter(
            Q(title__icontains=q) | Q(description__icontains=q) | Q(address__icontains=q)
        )
    for field in ("status", "type", "subtype", "level"):
        value = getattr(f, field)
        if value:
            qs = qs.filter(**{field: value})
    if f.occurred_from:
        qs = qs.filter(occurred_at__gte=f.occurred_from)
    if f.occurred_to:
        qs = qs.filter(occurred_at__lt=f.occurred_to)
    code = _clean(f.jurisdiction)
    if code:
        node = Jurisdiction.objects.filter(code=code).first()
        qs = qs.filter(jurisdiction__path__startswith=node.path) if node else qs.none()
    return qs


def visible_incident(request: HttpRequest, pk: int) -> Incident:
    found = incidents_for(request.user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found  # type: ignore[no-any-return]


@router.post("/grade", response={200: GradeOut, **ERRORS}, url_name="incidents_grade")
def grade(request: HttpRequest, payload: GradeIn) -> Any:
    """Decree 493 grade from the figures: `{"deaths": 0, "serious_injuries": 12,
    "direct_loss_cny": 0}` → level 3 (较大), decided by serious injuries. Negative or
    non-integer figures are answered 422."""
    return grading.grade(
        payload.deaths, payload.serious_injuries, payload.direct_loss_cny
    ).as_dict()


@router.get("", response=list[IncidentOut], url_name="incidents")
@paginate(Page)
def list_incidents(request: HttpRequest, filters: Query[IncidentFilter]) -> Any:  # type: ignore[type-arg]
    """Incidents the caller may see, newest first."""
    return filter_incidents(incidents_for(request.user), filters)


@router.post("", response={201: IncidentOut, **ERRORS}, url_name="incident_create")
def create_incident(request: HttpRequest, payload: IncidentIn) -> Any:
    data = payload.dict()
    for key in ("type", "occurred_at", "reported_at"):
        if data.get(key) is None:
            data.pop(key)
    inc = services.create_incident(request.user, data)
    return Status(201, visible_incident(request, inc.pk))


@router.get("/{int:incident_id}", response={200: IncidentOut, **ERRORS}, url_name="incident")
def get_incident(request: HttpRequest, incident_id: int = IncidentId) -> Any:
    return visible_incident(request, incident_id)


@router.patch(
    "/{int:incident_id}", response={200: IncidentOut, **ERRORS}, url_name="incident_update"
)
def update_incident(
    request: HttpRequest, payload: IncidentPatch, incident_id: int = IncidentId
) -> Any:
    """Change details or figures; a change of the figures re-grades the incident and both
    are written on its timeline. `lessons` may be set after closure."""
    inc = visible_incident(request, incident_id)
    data = payload.dict(exclude_unset=True)
    lessons = data.pop("lessons", None)
    for key, value in list(data.items()):
        if value is None and key not in ("lon", "lat", "release_rate_g_s", "source_height_m"):
            raise ValidationError({key: [_("This field cannot be empty.")]})
    if data:
        inc = services.update_incident(request.user, inc, data)
    if lessons is not None:
        services.set_lessons(request.user, inc, lessons)
    return visible_incident(request, incident_id)


@router.get(
    "/{int:incident_id}/timeline",
    response={200: list[EventOut], **ERRORS},
    url_name="incident_timeline",
)
@paginate(Page)
def timeline(request: HttpRequest, incident_id: int = IncidentId) -> Any:
    """The append-only record of everything done, oldest first."""
    inc = visible_incident(request, incident_id)
    return inc.events.select_related("actor").order_by("at", "id")


@router.post(
    "/{int:incident_id}/notes", response={201: EventOut, **ERRORS}, url_name="incident_note"
)
def add_note(request: HttpRequest, payload: NoteIn, incident_id: int = IncidentId) -> Any:
    inc = visible_incident(request, incident_id)
    return Status(201, services.add_note(request.user, inc, payload.text))


@router.post(
    "/{int:incident_id}/close", response={200: IncidentOut, **ERRORS}, url_name="incident_close"
)
def close(
    request: HttpRequest, payload: NoteIn | None = None, incident_id: int = IncidentId
) -> Any:
    inc = visible_incident(request, incident_id)
    services.close_incident(request.user, inc, payload.text if payload else "")
    return visible_incident(request, incident_id)


@router.get(
    "/{int:incident_id}/activate",
    response={200: list[ProposalOut], **ERRORS},
    url_name="incident_proposals",
)
def proposals(request: HttpRequest, incident_id: int = IncidentId) -> Any:
    """The plans that match the incident's type, subtype and level, with the reason."""
    inc = visible_incident(request, incident_id)
    return [
        {
            "plan": p.plan.pk,
            "title": p.plan.title,
            "kind": p.plan.kind,
            "reason": p.reason,
            "response_level": p.response_level,
            "has_checklist": p.has_checklist,
        }
        for p in services.propose_plans(request.user, inc)
    ]


@router.post(
    "/{int:incident_id}/activate",
    response={200: list[ProposalOut], 201: ActivationOut, **ERRORS},
    url_name="incident_activate",
)
def activate(request: HttpRequest, payload: ActivateIn, incident_id: int = IncidentId) -> Any:
    """`{}`: the matching plans with the reason for each (as GET). With `{"plan": id,
    "response_level": 1–4}` (default: the incident's level): activate that plan; its
    checklist for the level becomes the incident's tasks, assigned to the units."""
    if payload.plan is None:
        return Status(200, proposals(request, incident_id))
    from cityguard.plans.models import EmergencyPlan

    inc = visible_incident(request, incident_id)
    plan = EmergencyPlan.objects.visible_to(request.user).filter(pk=payload.plan).first()
    if plan is None:
        raise ValidationError({"plan": [_("No such plan.")]})
    level = payload.response_level or inc.level
    tasks = services.activate(request.user, inc, plan, level)
    return Status(201, {"incident": visible_incident(request, incident_id), "tasks": tasks})


@router.get(
    "/{int:incident_id}/tasks", response={200: list[TaskOut], **ERRORS}, url_name="incident_tasks"
)
def list_tasks(request: HttpRequest, incident_id: int = IncidentId) -> Any:
    inc = visible_incident(request, incident_id)
    return list(inc.tasks.select_related("organization"))


@router.post(
    "/{int:incident_id}/tasks", response={201: TaskOut, **ERRORS}, url_name="incident_task_create"
)
def create_task(request: HttpRequest, payload: TaskIn, incident_id: int = IncidentId) -> Any:
    inc = visible_incident(request, incident_id)
    org = None
    if payload.organization is not None:
        org = Organization.objects.visible_to(request.user).filter(pk=payload.organization).first()
        if org is None:
            raise ValidationError({"organization": [_("No such organisation.")]})
    return Status(
        201,
        services.add_task(
            request.user,
            inc,
            payload.text,
            responsible_role=payload.responsible_role,
            organization=org,
        ),
    )


@router.post(
    "/{int:incident_id}/tasks/{int:task_id}/status",
    response={200: TaskOut, **ERRORS},
    url_name="incident_task_status",
)
def task_status(
    request: HttpRequest,
    payload: TaskStatusIn,
    incident_id: int = IncidentId,
    task_id: int = ChildId,
) -> Any:
    inc = visible_incident(request, incident_id)
    task = Task.objects.filter(incident=inc, pk=task_id).first()
    if task is None:
        raise Http404
    return services.advance_task(request.user, task, payload.status)


@router.get(
    "/{int:incident_id}/dispatches",
    response={200: list[DispatchOut], **ERRORS},
    url_name="incident_dispatches",
)
def list_dispatches(request: HttpRequest, incident_id: int = IncidentId) -> Any:
    inc = visible_incident(request, incident_id)
    return list(inc.dispatches.all())


@router.post(
    "/{int:incident_id}/dispatches",
    response={201: DispatchOut, **ERRORS},
    url_name="incident_dispatch_create",
)
def create_dispatch(
    request: HttpRequest, payload: DispatchIn, incident_id: int = IncidentId
) -> Any:
    """A team (`{"kind": "team", "team": id}`) or materials (`{"kind": "material",
    "warehouse": id, "material": id, "quantity": 20}`, issued through the stock ledger).
    A team already dispatched, or more stock than the warehouse holds, is answered 422
    and nothing is recorded."""
    inc = visible_incident(request, incident_id)
    return Status(
        201,
        services.request_dispatch(
            request.user,
            inc,
            kind=payload.kind,
            team_id=payload.team,
            warehouse_id=payload.warehouse,
            material_id=payload.material,
            quantity=payload.quantity,
            note=payload.note,
        ),
    )


@router.post(
    "/{int:incident_id}/dispatches/{int:dispatch_id}/status",
    response={200: DispatchOut, **ERRORS},
    url_name="incident_dispatch_status",
)
def dispatch_status(
    request: HttpRequest,
    payload: DispatchStatusIn,
    incident_id: int = IncidentId,
    dispatch_id: int = ChildId,
) -> Any:
    """requested → dispatched → arrived → returned, one step at a time."""
    inc = visible_incident(request, incident_id)
    d = Dispatch.objects.filter(incident=inc, pk=dispatch_id).first()
    if d is None:
        raise Http404
    return services.advance_dispatch(request.user, d, payload.status, payload.note)


@router.get("/{int:incident_id}/report.pdf", url_name="incident_report_pdf")
def report_pdf(request: HttpRequest, incident_id: int = IncidentId) -> HttpResponse:
    """The after-action report as PDF."""
    return report.pdf_response(visible_incident(request, incident_id))


@router.get("/{int:incident_id}/report.xlsx", url_name="incident_report_xlsx")
def report_xlsx(request: HttpRequest, incident_id: int = IncidentId) -> HttpResponse:
    """The after-action report as an Excel workbook."""
    return report.xlsx_response(visible_incident(request, incident_id))
