"""API of the core registry: tokens, jurisdictions, organisations, places."""

import json
from datetime import date
from typing import Any

from django.contrib.auth import authenticate
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate
from pydantic import Field

from . import access, services
from .history import history_of
from .models import ApiToken, CalendarDay, Jurisdiction, Organization, Place
from .schemas import (
    MAX_ID,
    CalendarDayIn,
    CalendarDayOut,
    ErrorOut,
    HistoryOut,
    JurisdictionIn,
    JurisdictionOut,
    JurisdictionPatch,
    LevelName,
    OrganizationIn,
    OrganizationKindName,
    OrganizationOut,
    OrganizationPatch,
    PlaceIn,
    PlaceKindName,
    PlaceOut,
    PlacePatch,
    Text,
    TokenIn,
    TokenOut,
)

auth_router = Router(tags=["auth"])
router = Router(tags=["core"])

ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}

# Path parameters, declared once so the OpenAPI document states their bounds.
OrgId = Path(..., ge=1, le=MAX_ID)  # type: ignore[type-arg]
PlaceId = Path(..., ge=1, le=MAX_ID)  # type: ignore[type-arg]
Code = Path(..., min_length=1, max_length=32)  # type: ignore[type-arg]
ParentCode = Query(None, max_length=32, description="parent's code")  # type: ignore[type-arg]
Search = Query(None, max_length=100, description="name, code or English name contains")  # type: ignore[type-arg]


class Page(LimitOffsetPagination):
    """`{"items": [...], "count": N}` with limit ≤ 1000."""

    class Input(Schema):
        limit: int = Field(100, ge=1, le=1000)
        offset: int = Field(0, ge=0, le=10_000_000)


@auth_router.post("/token", auth=None, response={200: TokenOut, 401: ErrorOut, 422: ErrorOut})
def issue_token(request: HttpRequest, payload: TokenIn) -> Any:
    """Exchange a username and password for a bearer token."""
    user = authenticate(request, username=payload.username, password=payload.password)
    if user is None or not user.is_active:
        return Status(401, {"detail": _("Wrong username or password.")})
    token, raw = ApiToken.issue(user)
    return Status(200, {"token": raw, "expires_at": token.expires_at})


# --- helpers -------------------------------------------------------------------------


def _jurisdiction_by_code(code: str, field: str = "jurisdiction") -> Jurisdiction:
    found = Jurisdiction.objects.filter(code=code).first()
    if found is None:
        raise ValidationError(
            {field: [_("No jurisdiction has the code %(code)s.") % {"code": code}]}
        )
    return found


def _visible(qs: QuerySet, request: HttpRequest, pk: int) -> Any:
    obj = qs.visible_to(request.user).filter(pk=pk).first()  # type: ignore[attr-defined]
    if obj is None:
        raise Http404
    return obj


def _geojson_text(value: dict[str, Any] | None) -> str:
    return "" if not value else json.dumps(value)


def _org_data(payload: Any, request: HttpRequest, partial: bool) -> dict[str, Any]:
    data = payload.dict(exclude_unset=partial)
    if "jurisdiction" in data:
        code = data.pop("jurisdiction")
        data["jurisdiction"] = _jurisdiction_by_code(code) if code else None
    if "parent" in data:
        pid = data.pop("parent")
        data["parent"] = None
        if pid is not None:
            parent = Organization.objects.visible_to(request.user).filter(pk=pid).first()
            if parent is None:
                raise ValidationError({"parent": [_("No such organisation.")]})
            data["parent"] = parent
    if "boundary" in data:
        data["boundary"] = _geojson_text(data["boundary"])
    for text in ("credit_code",):
        if text in data and data[text] is None and not partial:
            data[text] = None
    for text in ("address", "phone", "industry"):
        if text in data and data[text] is None:
            data[text] = ""
    return data


def history_out(obj: Any) -> list[dict[str, Any]]:
    return [
        {
            "at": e.at,
            "user": e.user,
            "change": e.change,
            "changes": [{"field": c.field, "old": c.old, "new": c.new} for c in e.changes],
        }
        for e in history_of(obj)
    ]


# --- filters, shared with the list pages and exports -----------------------------------


class OrganizationFilter(Schema):
    q: str | None = Field(None, max_length=100, description="name, address or credit code contains")
    kind: OrganizationKindName | None = None
    jurisdiction: str | None = Field(
        None, max_length=32, description="code; includes everything below"
    )
    is_active: bool | None = None


class PlaceFilter(Schema):
    q: str | None = Field(None, max_length=100)
    kind: PlaceKindName | None = None
    jurisdiction: str | None = Field(None, max_length=32)
    organization: int | None = None


def _clean(text: str | None) -> str:
    # Page forms and the API both build these filters; neither database may see a NUL.
    return (text or "").replace("\x00", "").strip()


def _under(qs: QuerySet, code: str | None, field: str = "jurisdiction") -> QuerySet:
    if not code:
        return qs
    if "\x00" in code:
        return qs.none()
    node = Jurisdiction.objects.filter(code=code).first()
    if node is None:
        return qs.none()
    return qs.filter(**{f"{field}__path__startswith": node.path})


def filter_organizations(qs: QuerySet, f: OrganizationFilter) -> QuerySet:
    q = _clean(f.q)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(address__icontains=q) | Q(credit_code__icontains=q))
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.is_active is not None:
        qs = qs.filter(is_active=f.is_active)
    return _under(qs, f.jurisdiction)


def filter_places(qs: QuerySet, f: PlaceFilter) -> QuerySet:
    q = _clean(f.q)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(address__icontains=q))
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.organization is not None:
        if not 1 <= f.organization <= MAX_ID:
            # No record has such an id; the driver would fail on one beyond 64 bits.
            return qs.none()
        qs = qs.filter(organization_id=f.organization)
    return _under(qs, f.jurisdiction)


# --- jurisdictions ---------------------------------------------------------------------


@router.get("/jurisdictions", response=list[JurisdictionOut], tags=["jurisdictions"])
@paginate(Page)
def list_jurisdictions(
    request: HttpRequest,
    level: LevelName | None = None,
    parent: Text | None = ParentCode,
    q: Text | None = Search,
) -> Any:
    """The jurisdiction tree; `?level=street` lists the streets."""
    qs = Jurisdiction.objects.visible_to(request.user).select_related("parent")
    if level:
        qs = qs.filter(level=level)
    if parent:
        qs = qs.filter(parent__code=parent)
    q = _clean(q)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__icontains=q) | Q(name_en__icontains=q))
    return qs


@router.get(
    "/jurisdictions/{code}", response={200: JurisdictionOut, **ERRORS}, tags=["jurisdictions"]
)
def get_jurisdiction(request: HttpRequest, code: Text = Code) -> Any:
    j = Jurisdiction.objects.visible_to(request.user).filter(code=code).first()
    if j is None:
        raise Http404
    j.with_boundary = True  # type: ignore[attr-defined]
    return j


@router.post("/jurisdictions", response={201: JurisdictionOut, **ERRORS}, tags=["jurisdictions"])
def create_jurisdiction(request: HttpRequest, payload: JurisdictionIn) -> Any:
    # Refuse a caller who may not shape the tree before telling them anything about it.
    access.require_change(request.user, Jurisdiction())
    data = payload.dict()
    data["parent"] = _jurisdiction_by_code(data["parent"], "parent") if data["parent"] else None
    data["boundary"] = _geojson_text(data["boundary"])
    if Jurisdiction.objects.filter(code=data["code"]).exists():
        raise ValidationError({"code": [_("This code is already taken.")]})
    obj = services.save_jurisdiction(request.user, data)
    obj.with_boundary = True  # type: ignore[attr-defined]
    return Status(201, obj)


@router.patch(
    "/jurisdictions/{code}", response={200: JurisdictionOut, **ERRORS}, tags=["jurisdictions"]
)
def update_jurisdiction(request: HttpRequest, payload: JurisdictionPatch, code: Text = Code) -> Any:
    j = get_object_or_404(Jurisdiction.objects.visible_to(request.user), code=code)
    data = payload.dict(exclude_unset=True)
    if "boundary" in data:
        data["boundary"] = _geojson_text(data["boundary"])
    for key in ("name", "name_en", "demo_geometry"):
        if key in data and data[key] is None:
            raise ValidationError({key: [_("This field cannot be empty.")]})
    obj = services.save_jurisdiction(request.user, data, j)
    obj.with_boundary = True  # type: ignore[attr-defined]
    return obj


@router.get(
    "/jurisdictions/{code}/history",
    response={200: list[HistoryOut], **ERRORS},
    tags=["jurisdictions"],
)
def jurisdiction_history(request: HttpRequest, code: Text = Code) -> Any:
    j = get_object_or_404(Jurisdiction.objects.visible_to(request.user), code=code)
    return history_out(j)


# --- organisations ---------------------------------------------------------------------


@router.get("/organizations", response=list[OrganizationOut], tags=["organizations"])
@paginate(Page)
def list_organizations(request: HttpRequest, filters: Query[OrganizationFilter]) -> Any:  # type: ignore[type-arg]
    qs = Organization.objects.visible_to(request.user).select_related("jurisdiction")
    return filter_organizations(qs, filters)


@router.get(
    "/organizations/{int:org_id}", response={200: OrganizationOut, **ERRORS}, tags=["organizations"]
)
def get_organization(request: HttpRequest, org_id: int = OrgId) -> Any:
    org = _visible(Organization.objects.select_related("jurisdiction"), request, org_id)
    return org


@router.post("/organizations", response={201: OrganizationOut, **ERRORS}, tags=["organizations"])
def create_organization(request: HttpRequest, payload: OrganizationIn) -> Any:
    org = services.save_organization(request.user, _org_data(payload, request, partial=False))
    return Status(201, org)


@router.patch(
    "/organizations/{int:org_id}", response={200: OrganizationOut, **ERRORS}, tags=["organizations"]
)
def update_organization(
    request: HttpRequest, payload: OrganizationPatch, org_id: int = OrgId
) -> Any:
    org = _visible(Organization.objects.all(), request, org_id)
    data = _org_data(payload, request, partial=True)
    for key in ("name", "kind", "is_active"):
        if key in data and data[key] is None:
            raise ValidationError({key: [_("This field cannot be empty.")]})
    org = services.save_organization(request.user, data, org)
    return org


@router.get(
    "/organizations/{int:org_id}/history",
    response={200: list[HistoryOut], **ERRORS},
    tags=["organizations"],
)
def organization_history(request: HttpRequest, org_id: int = OrgId) -> Any:
    return history_out(_visible(Organization.objects.all(), request, org_id))


# --- places ----------------------------------------------------------------------------


def _place_data(payload: Any, request: HttpRequest, partial: bool) -> dict[str, Any]:
    data = payload.dict(exclude_unset=partial)
    if "organization" in data:
        org = (
            Organization.objects.visible_to(request.user)
            .filter(pk=data.pop("organization"))
            .first()
        )
        if org is None:
            raise ValidationError({"organization": [_("No such organisation.")]})
        data["organization"] = org
    if "jurisdiction" in data:
        code = data.pop("jurisdiction")
        data["jurisdiction"] = _jurisdiction_by_code(code) if code else None
    for text in ("address", "notes"):
        if text in data and data[text] is None:
            data[text] = ""
    return data


@router.get("/places", response=list[PlaceOut], tags=["places"])
@paginate(Page)
def list_places(request: HttpRequest, filters: Query[PlaceFilter]) -> Any:  # type: ignore[type-arg]
    qs = Place.objects.visible_to(request.user).select_related("jurisdiction", "organization")
    return filter_places(qs, filters)


@router.get("/places/{int:place_id}", response={200: PlaceOut, **ERRORS}, tags=["places"])
def get_place(request: HttpRequest, place_id: int = PlaceId) -> Any:
    return _visible(Place.objects.select_related("jurisdiction", "organization"), request, place_id)


@router.post("/places", response={201: PlaceOut, **ERRORS}, tags=["places"])
def create_place(request: HttpRequest, payload: PlaceIn) -> Any:
    place = services.save_place(request.user, _place_data(payload, request, partial=False))
    return Status(201, place)


@router.patch("/places/{int:place_id}", response={200: PlaceOut, **ERRORS}, tags=["places"])
def update_place(request: HttpRequest, payload: PlacePatch, place_id: int = PlaceId) -> Any:
    place = _visible(Place.objects.all(), request, place_id)
    data = _place_data(payload, request, partial=True)
    for key in ("name", "kind"):
        if key in data and data[key] is None:
            raise ValidationError({key: [_("This field cannot be empty.")]})
    return services.save_place(request.user, data, place)


@router.get(
    "/places/{int:place_id}/history", response={200: list[HistoryOut], **ERRORS}, tags=["places"]
)
def place_history(request: HttpRequest, place_id: int = PlaceId) -> Any:
    return history_out(_visible(Place.objects.all(), request, place_id))


# --- the working-day calendar ---------------------------------------------------------------


@router.get("/calendar", response=list[CalendarDayOut], tags=["calendar"])
@paginate(Page)
def list_calendar(
    request: HttpRequest,
    year: int | None = Query(None, ge=1949, le=2200, description="only this year"),  # type: ignore[type-arg]
) -> Any:
    """The public holidays on weekdays and the adjusted working days on weekends that
    correct the Monday–Friday week; deadlines in working days are counted with them."""
    qs = CalendarDay.objects.all()
    if year:
        qs = qs.filter(day__year=year)
    return qs


@router.post("/calendar", response={201: CalendarDayOut, **ERRORS}, tags=["calendar"])
def save_calendar_day(request: HttpRequest, payload: CalendarDayIn) -> Any:
    """Add a day to the calendar, or change the day already listed (administrators)."""
    return Status(201, services.save_calendar_day(request.user, payload.dict()))


@router.delete("/calendar/{day}", response={204: None, **ERRORS}, tags=["calendar"])
def delete_calendar_day(request: HttpRequest, day: date) -> Any:
    try:
        services.delete_calendar_day(request.user, day)
    except ObjectDoesNotExist:
        raise Http404 from None
    return Status(204, None)
