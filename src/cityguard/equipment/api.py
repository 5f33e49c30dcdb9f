"""API of the special-equipment app, mounted at /api/v1/equipment."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Path, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate
from pydantic import Field

from cityguard.core import access
from cityguard.core.api import ERRORS, Page, _jurisdiction_by_code, _under, history_out
from cityguard.core.api_imports import RESPONSES as IMPORT_RESPONSES
from cityguard.core.imports import limits, too_large_message
from cityguard.core.models import Organization, Place
from cityguard.core.schemas import MAX_ID, HistoryOut

from . import config, imports, services
from .choices import EquipmentKind
from .indicators import PLAN_PLACE_KINDS
from .models import Equipment, Inspection, Reminder
from .schemas import (
    EquipmentIn,
    EquipmentOut,
    EquipmentPatch,
    InspectionIn,
    InspectionOut,
    IntervalOut,
    KindName,
    ReminderOut,
    StateName,
    StatusName,
)

router = Router(tags=["equipment"])

RecordId = Path(..., ge=1, le=MAX_ID)  # type: ignore[type-arg]


class EquipmentFilter(Schema):
    q: str | None = Field(None, max_length=100, description="name, registration number or code")
    kind: KindName | None = None
    status: StatusName | None = None
    state: StateName | None = None
    street: str | None = Field(None, max_length=32, description="street (or any area) code")
    organization: int | None = Field(None, ge=1, le=MAX_ID, description="user unit id")
    place: int | None = Field(None, ge=1, le=MAX_ID)
    plan_places: bool | None = Field(
        None, description="only units at crowded places and high-rise buildings (indicator 5)"
    )
    due: int | None = Field(
        None, ge=0, le=3650, description="due within this many days (not yet overdue)"
    )
    overdue: bool | None = Field(None, description="in use and past due, or never inspected")


def _clean(text: str | None) -> str:
    return (text or "").replace("\x00", "").strip()


def equipment_for(user: Any) -> QuerySet:
    return Equipment.objects.visible_to(user).select_related(
        "jurisdiction", "organization", "place"
    )


def filter_equipment(qs: QuerySet, f: EquipmentFilter) -> QuerySet:
    text = _clean(f.q)
    if text:
        number = services.normalise_registration(text)
        qs = qs.filter(
            Q(name__icontains=text)
            | Q(registration_no__icontains=number)
            | Q(code__icontains=services.normalise_code(text))
            | Q(address__icontains=text)
        )
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.organization is not None:
        qs = qs.filter(organization_id=f.organization)
    if f.place is not None:
        qs = qs.filter(place_id=f.place)
    if f.plan_places:
        qs = qs.filter(place__kind__in=PLAN_PLACE_KINDS)
    if f.state:
        qs = services.with_state(qs, f.state)
    if f.due is not None:
        qs = services.due_soon(qs, f.due)
    if f.overdue is True:
        qs = services.overdue(qs)
    elif f.overdue is False:
        qs = qs.exclude(pk__in=services.overdue(Equipment.objects.all()).values("pk"))
    return _under(qs, _clean(f.street))


def _visible(qs: QuerySet, pk: int) -> Any:
    obj = qs.filter(pk=pk).first()
    if obj is None:
        raise Http404
    return obj


def equipment_data(payload: Any, user: Any, partial: bool) -> dict[str, Any]:
    """The payload as service data: ids and codes become records the user can reach."""
    data: dict[str, Any] = payload.dict(exclude_unset=partial)
    for key, label in (("organization", "organization"), ("maintenance_org", "maintenance_org")):
        if key not in data:
            continue
        pk = data.pop(key)
        data[key] = None
        if pk is not None:
            # A maintenance company need not be within the user's reach: any recorded one.
            qs = (
                Organization.objects.visible_to(user)
                if key == "organization"
                else Organization.objects.all()
            )
            org = qs.filter(pk=pk).first()
            if org is None:
                raise ValidationError({label: [_("No such organisation.")]})
            data[key] = org
    if "place" in data:
        pk = data.pop("place")
        data["place"] = None
        if pk is not None:
            place = Place.objects.visible_to(user).filter(pk=pk).first()
            if place is None:
                # A building open to the user unit's reach: the unit's own organisation
                # manages equipment in others' buildings (a property company's elevators).
                place = Place.objects.filter(pk=pk).first() if _is_manager(user) else None
            if place is None:
                raise ValidationError({"place": [_("No such place.")]})
            data["place"] = place
    if "jurisdiction" in data:
        code = data.pop("jurisdiction")
        data["jurisdiction"] = _jurisdiction_by_code(code) if code else None
    if "parameters" in data and data["parameters"] is None:
        data["parameters"] = {}
    for key in ("code", "model_name", "manufacturer", "maintenance_unit", "address", "notes"):
        if key in data and data[key] is None:
            data[key] = ""
    for key in ("name", "kind", "status", "organization"):
        if key in data and data[key] is None:
            raise ValidationError({key: [_("This field cannot be empty.")]})
    return data


def _is_manager(user: Any) -> bool:
    from cityguard.core.choices import Role

    return access.reach(user).role == Role.ENTERPRISE_MANAGER


# --- units -----------------------------------------------------------------------------


@router.get("", response=list[EquipmentOut], url_name="equipment_list")
@paginate(Page)
def list_equipment(request: HttpRequest, filters: Query[EquipmentFilter]) -> Any:  # type: ignore[type-arg]
    """Units the caller may see; `?overdue=true`, `?due=30`, `?state=…`, `?street=…`."""
    return filter_equipment(equipment_for(request.user), filters).order_by("name", "id")


@router.post("", response={201: EquipmentOut, **ERRORS}, url_name="equipment_create")
def create_equipment(request: HttpRequest, payload: EquipmentIn) -> Any:
    data = equipment_data(payload, request.user, partial=False)
    obj = services.save_equipment(request.user, data)
    return Status(201, _visible(equipment_for(request.user), obj.pk))


@router.get("/due", response=list[EquipmentOut], url_name="equipment_due")
@paginate(Page)
def list_due(
    request: HttpRequest,
    days: int = Query(None, ge=0, le=3650, description="default CITYGUARD_EQUIPMENT_DUE_DAYS"),  # type: ignore[assignment]
) -> Any:
    """Registered units in use whose inspection falls due within `days` days, soonest first."""
    return services.due_soon(equipment_for(request.user), days).order_by(
        "next_inspection_due", "id"
    )


@router.get("/overdue", response=list[EquipmentOut], url_name="equipment_overdue")
@paginate(Page)
def list_overdue(request: HttpRequest) -> Any:
    """Registered units in use past their inspection date or never inspected, oldest first."""
    return services.overdue(equipment_for(request.user)).order_by("next_inspection_due", "id")


@router.get("/reminders", response=list[ReminderOut], url_name="equipment_reminders")
@paginate(Page)
def list_reminders(request: HttpRequest, open: bool = True) -> Any:
    """Reminders raised by the daily job (open ones by default)."""
    qs = Reminder.objects.visible_to(request.user).select_related("equipment")
    if open:
        qs = qs.filter(resolved_at__isnull=True)
    return qs.order_by("due_on", "id")


@router.get("/intervals", response=list[IntervalOut], url_name="equipment_intervals")
def intervals(request: HttpRequest) -> Any:
    """The default inspection interval of each kind, in months (configurable)."""
    months = config.intervals()
    return [
        {"kind": value, "label": str(label), "months": months[value]}
        for value, label in EquipmentKind.choices
    ]


@router.get("/{int:pk}", response={200: EquipmentOut, **ERRORS}, url_name="equipment_detail")
def get_equipment(request: HttpRequest, pk: int = RecordId) -> Any:
    return _visible(equipment_for(request.user), pk)


@router.patch("/{int:pk}", response={200: EquipmentOut, **ERRORS}, url_name="equipment_update")
def update_equipment(request: HttpRequest, payload: EquipmentPatch, pk: int = RecordId) -> Any:
    obj = _visible(equipment_for(request.user), pk)
    data = equipment_data(payload, request.user, partial=True)
    services.save_equipment(request.user, data, obj)
    return _visible(equipment_for(request.user), pk)


@router.get("/{int:pk}/history", response={200: list[HistoryOut], **ERRORS})
def equipment_history(request: HttpRequest, pk: int = RecordId) -> Any:
    return history_out(_visible(equipment_for(request.user), pk))


@router.get(
    "/{int:pk}/inspections",
    response={200: list[InspectionOut], **ERRORS},
    url_name="equipment_inspections",
)
def list_inspections(request: HttpRequest, pk: int = RecordId) -> Any:
    obj = _visible(equipment_for(request.user), pk)
    return list(Inspection.objects.filter(equipment=obj).order_by("-inspected_on", "-id"))


@router.post(
    "/{int:pk}/inspections",
    response={201: InspectionOut, **ERRORS},
    url_name="equipment_inspect",
)
def record_inspection(request: HttpRequest, payload: InspectionIn, pk: int = RecordId) -> Any:
    """Record a periodic inspection. Refused (422, nothing changed): a date in the future,
    a next due date before the inspection, a scrapped unit."""
    obj = _visible(equipment_for(request.user), pk)
    inspection = services.record_inspection(request.user, obj, **payload.dict())
    return Status(201, inspection)


# --- import ----------------------------------------------------------------------------


class ImportQuery(Schema):
    partial: bool = Field(False, description="write the valid rows even when others are bad")
    dry_run: bool = Field(False, description="check every row, write nothing")


@router.post("/import", response=IMPORT_RESPONSES, url_name="equipment_import")
def import_equipment(
    request: HttpRequest,
    options: Query[ImportQuery],  # type: ignore[type-arg]
    file: File[UploadedFile],  # type: ignore[type-arg]
) -> Any:
    """Import units from a CSV or Excel (.xlsx) file (multipart field `file`), one row per
    unit, with the row-by-row report of the organisation import; a row whose registration
    number is already recorded updates that unit, and a row with a last inspection date
    records that inspection. By default nothing is written when any row is bad (422)."""
    if not access.reach(request.user).can_write:
        raise PermissionDenied
    max_bytes = limits()[0]
    if file.size is not None and file.size > max_bytes:
        return Status(
            413,
            {
                "detail": too_large_message(max_bytes),
                "reason": "too_large",
                "refused": True,
                "errors": [],
            },
        )
    report = imports.import_file(
        request.user,
        file.name or "",
        file.read(max_bytes + 1),
        partial=options.partial,
        dry_run=options.dry_run,
    )
    if report.reason == "too_large":
        return Status(413, report.as_dict())
    return Status(200 if report.accepted else 422, report.as_dict())
