"""API of the permits app, mounted at /api/v1/permits.

`GET ""` (filters), `POST ""` apply, `GET /{id}` detail with the approval chain, gas
analyses and events, `POST /{id}/gas-tests`, `POST /{id}/approve {"step", "opinion"}`,
`POST /{id}/start`, `/suspend`, `/resume`, `/close`, `/cancel`. Refusals answer 400/403
with the reason; records outside the caller's reach answer 404.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Status
from ninja.pagination import paginate

from cityguard.core.api import ERRORS, Page
from cityguard.core.models import Jurisdiction, Organization, Place
from cityguard.core.schemas import MAX_ID

from . import services
from .models import Permit
from .schemas import (
    ApproveIn,
    CloseIn,
    GasTestIn,
    PermitDetailOut,
    PermitFilter,
    PermitIn,
    PermitOut,
    ReasonIn,
)

router = Router(tags=["permits"])

PermitId = Path(..., ge=1, le=MAX_ID)  # type: ignore[type-arg]


def permit_queryset(user: Any) -> QuerySet:
    return Permit.objects.visible_to(user).select_related(  # type: ignore[no-any-return]
        "organization", "applicant", "place"
    )


def filter_permits(qs: QuerySet, f: PermitFilter) -> QuerySet:
    if f.state:
        qs = qs.filter(state=f.state)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.organization is not None:
        qs = qs.filter(organization_id=f.organization)
    if f.live is not None:
        live = Q(state__in=("applied", "approved", "in_progress", "suspended"))
        qs = qs.filter(live) if f.live else qs.exclude(live)
    q = (f.q or "").strip()
    if q:
        qs = qs.filter(
            Q(number__icontains=q)
            | Q(location__icontains=q)
            | Q(content__icontains=q)
            | Q(organization__name__icontains=q)
        )
    code = (f.street or "").strip()
    if code:
        node = Jurisdiction.objects.filter(code=code).first()
        if node is None:
            return qs.none()
        qs = qs.filter(organization__jurisdiction__path__startswith=node.path)
    return qs


def visible_permit(user: Any, pk: int) -> Permit:
    permit = permit_queryset(user).filter(pk=pk).first()
    if permit is None:
        raise Http404
    permit.caller_actions = services.actions_for(user, permit)  # type: ignore[attr-defined]
    return permit  # type: ignore[no-any-return]


@router.get("", response=list[PermitOut], url_name="permits_list")
@paginate(Page)
def list_permits(request: HttpRequest, filters: Query[PermitFilter]) -> Any:  # type: ignore[type-arg]
    """Permits the caller may see, latest window first."""
    return filter_permits(permit_queryset(request.user), filters).order_by("-valid_from", "-id")


@router.post("", response={201: PermitDetailOut, **ERRORS}, url_name="permits_apply")
def apply_permit(request: HttpRequest, payload: PermitIn) -> Any:
    data = payload.dict()
    org = Organization.objects.visible_to(request.user).filter(pk=data["organization"]).first()
    if org is None:
        raise ValidationError({"organization": [_("No such organisation.")]})
    data["organization"] = org
    if data["place"] is not None:
        place = Place.objects.visible_to(request.user).filter(pk=data["place"]).first()
        if place is None:
            raise ValidationError({"place": [_("No such place.")]})
        data["place"] = place
    data["workers"] = "\n".join(w.strip() for w in data["workers"] if w.strip())
    permit = services.apply(request.user, data)
    return Status(201, visible_permit(request.user, permit.pk))


@router.get("/{int:permit_id}", response={200: PermitDetailOut, **ERRORS})
def get_permit(request: HttpRequest, permit_id: int = PermitId) -> Any:
    return visible_permit(request.user, permit_id)


@router.post("/{int:permit_id}/gas-tests", response={201: PermitDetailOut, **ERRORS})
def add_gas_test(request: HttpRequest, payload: GasTestIn, permit_id: int = PermitId) -> Any:
    permit = visible_permit(request.user, permit_id)
    data = payload.dict()
    services.record_gas_test(request.user, permit, data)
    return Status(201, visible_permit(request.user, permit_id))


@router.post("/{int:permit_id}/approve", response={200: PermitDetailOut, **ERRORS})
def approve(request: HttpRequest, payload: ApproveIn, permit_id: int = PermitId) -> Any:
    permit = visible_permit(request.user, permit_id)
    services.approve_step(request.user, permit, payload.step, payload.opinion)
    return visible_permit(request.user, permit_id)


@router.post("/{int:permit_id}/start", response={200: PermitDetailOut, **ERRORS})
def start(request: HttpRequest, permit_id: int = PermitId) -> Any:
    services.start(request.user, visible_permit(request.user, permit_id))
    return visible_permit(request.user, permit_id)


@router.post("/{int:permit_id}/suspend", response={200: PermitDetailOut, **ERRORS})
def suspend(request: HttpRequest, payload: ReasonIn, permit_id: int = PermitId) -> Any:
    services.suspend(request.user, visible_permit(request.user, permit_id), payload.reason)
    return visible_permit(request.user, permit_id)


@router.post("/{int:permit_id}/resume", response={200: PermitDetailOut, **ERRORS})
def resume(request: HttpRequest, permit_id: int = PermitId) -> Any:
    services.resume(request.user, visible_permit(request.user, permit_id))
    return visible_permit(request.user, permit_id)


@router.post("/{int:permit_id}/close", response={200: PermitDetailOut, **ERRORS})
def close(request: HttpRequest, payload: CloseIn, permit_id: int = PermitId) -> Any:
    services.close(
        request.user, visible_permit(request.user, permit_id), payload.site_cleared, payload.note
    )
    return visible_permit(request.user, permit_id)


@router.post("/{int:permit_id}/cancel", response={200: PermitDetailOut, **ERRORS})
def cancel(request: HttpRequest, payload: ReasonIn, permit_id: int = PermitId) -> Any:
    services.cancel(request.user, visible_permit(request.user, permit_id), payload.reason)
    return visible_permit(request.user, permit_id)
