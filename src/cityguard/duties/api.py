"""API of the duties app, mounted at /api/v1/duties.

Items of the four lists: `GET /items` (filters), `POST /items`, `GET|PATCH|DELETE
/items/{id}`, `GET /items/{id}/history`, `POST /items/{id}/complete` (multipart:
`evidence_text` and `files`), `POST /items/{id}/verify`. Versions: `GET /versions`,
`POST /versions/draft {"kind", "unit"}`, `POST /versions/{id}/publish`. Completion
rates: `GET /rates?period=YYYY-MM`. Import: `POST /import` (multipart `file`).
"""

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Form, Path, Query, Router, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from cityguard.core.api import ERRORS, Page, history_out
from cityguard.core.api_imports import RESPONSES as IMPORT_RESPONSES
from cityguard.core.api_imports import ImportQuery
from cityguard.core.imports import limits
from cityguard.core.models import Contact
from cityguard.core.schemas import MAX_ID, HistoryOut
from cityguard.indicators.registry import Period

from . import imports, services
from .choices import VersionState
from .models import DutyItem, ListVersion
from .schemas import (
    DraftIn,
    ItemDetailOut,
    ItemFilter,
    ItemIn,
    ItemOut,
    ItemPatch,
    PublishIn,
    RatesOut,
    VersionOut,
)

router = Router(tags=["duties"])

ItemId = Path(..., ge=1, le=MAX_ID)  # type: ignore[type-arg]


def item_queryset(user: Any) -> QuerySet:
    return DutyItem.objects.visible_to(user).select_related(  # type: ignore[no-any-return]
        "organization", "street", "version", "owner_user", "owner_contact", "completed_by"
    )


def filter_items(qs: QuerySet, f: ItemFilter, user: Any = None) -> QuerySet:
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.unit:
        unit = services.find_unit(f.unit)
        if unit is None:
            return qs.none()
        org, street = services.unit_parts(unit)
        qs = qs.filter(**services.unit_filter(org, street))
    if f.status:
        qs = qs.filter(status=f.status)
    if f.overdue:
        qs = qs.overdue()  # type: ignore[attr-defined]
    elif f.overdue is False:
        qs = qs.exclude(pk__in=qs.overdue().values("pk"))  # type: ignore[attr-defined]
    if f.mine and user is not None:
        qs = qs.filter(kind="task", owner_user=user)
    if f.published:
        qs = qs.filter(version__state=VersionState.PUBLISHED)
    q = (f.q or "").strip()
    if q:
        qs = qs.filter(
            Q(title__icontains=q) | Q(content__icontains=q) | Q(legal_basis__icontains=q)
        )
    return qs


def _visible(user: Any, pk: int) -> DutyItem:
    item = item_queryset(user).filter(pk=pk).first()
    if item is None:
        raise Http404
    return item  # type: ignore[no-any-return]


def owner_fields(request: HttpRequest, data: dict[str, Any]) -> None:
    if "owner_user" in data:
        name = data.pop("owner_user")
        user = None
        if name:
            user = get_user_model().objects.filter(username=name, is_active=True).first()
            if user is None:
                raise ValidationError({"owner_user": [_("No such user.")]})
        data["owner_user"] = user
    if "owner_contact" in data:
        pk = data.pop("owner_contact")
        contact = None
        if pk is not None:
            contact = Contact.objects.visible_to(request.user).filter(pk=pk).first()
            if contact is None:
                raise ValidationError({"owner_contact": [_("No such contact.")]})
        data["owner_contact"] = contact


def _unit(key: str) -> tuple[Any, Any]:
    unit = services.find_unit(key)
    if unit is None:
        raise ValidationError(
            {"unit": [_("Name the unit as org-<department id> or street-<street code>.")]}
        )
    return services.unit_parts(unit)


@router.get("/items", response=list[ItemOut], url_name="duties_items")
@paginate(Page)
def list_items(request: HttpRequest, filters: Query[ItemFilter]) -> Any:  # type: ignore[type-arg]
    return filter_items(item_queryset(request.user), filters, request.user).order_by(
        "kind", "position", "due_date", "id"
    )


@router.post("/items", response={201: ItemDetailOut, **ERRORS}, url_name="duties_item_create")
def create_item(request: HttpRequest, payload: ItemIn) -> Any:
    data = payload.dict()
    data["organization"], data["street"] = _unit(data.pop("unit"))
    owner_fields(request, data)
    item = services.save_item(request.user, data)
    return Status(201, _visible(request.user, item.pk))


@router.get("/items/{int:item_id}", response={200: ItemDetailOut, **ERRORS})
def get_item(request: HttpRequest, item_id: int = ItemId) -> Any:
    return _visible(request.user, item_id)


@router.patch("/items/{int:item_id}", response={200: ItemDetailOut, **ERRORS})
def update_item(request: HttpRequest, payload: ItemPatch, item_id: int = ItemId) -> Any:
    item = _visible(request.user, item_id)
    data = payload.dict(exclude_unset=True)
    owner_fields(request, data)
    services.save_item(request.user, data, instance=item)
    return _visible(request.user, item_id)


@router.delete("/items/{int:item_id}", response={204: None, **ERRORS})
def delete_item(request: HttpRequest, item_id: int = ItemId) -> Any:
    services.delete_item(request.user, _visible(request.user, item_id))
    return Status(204, None)


@router.get("/items/{int:item_id}/history", response={200: list[HistoryOut], **ERRORS})
def item_history(request: HttpRequest, item_id: int = ItemId) -> Any:
    return history_out(_visible(request.user, item_id))


@router.post("/items/{int:item_id}/complete", response={200: ItemDetailOut, **ERRORS})
def complete(
    request: HttpRequest,
    item_id: int = ItemId,
    evidence_text: Form[str] = "",  # type: ignore[type-arg,assignment]
    files: File[list[UploadedFile]] = None,  # type: ignore[type-arg,assignment]
) -> Any:
    """Complete a task with its evidence (multipart: `evidence_text`, `files`)."""
    item = _visible(request.user, item_id)
    services.complete_task(request.user, item, evidence_text, files or [])
    return _visible(request.user, item_id)


@router.post("/items/{int:item_id}/verify", response={200: ItemDetailOut, **ERRORS})
def verify(request: HttpRequest, item_id: int = ItemId) -> Any:
    services.verify_task(request.user, _visible(request.user, item_id))
    return _visible(request.user, item_id)


@router.get("/versions", response=list[VersionOut], url_name="duties_versions")
def list_versions(request: HttpRequest, unit: str = "", kind: str = "") -> Any:
    qs = ListVersion.objects.visible_to(request.user).select_related("organization", "street")
    if unit:
        org, street = _unit(unit[:40])
        qs = qs.filter(**services.unit_filter(org, street))
    if kind:
        qs = qs.filter(kind=kind[:16])
    return list(qs.order_by("kind", "-number")[:500])


@router.post("/versions/draft", response={200: VersionOut, **ERRORS})
def open_draft(request: HttpRequest, payload: DraftIn) -> Any:
    org, street = _unit(payload.unit)
    return services.open_draft(request.user, org, street, payload.kind)


@router.post("/versions/{int:version_id}/publish", response={200: VersionOut, **ERRORS})
def publish(request: HttpRequest, payload: PublishIn, version_id: int = ItemId) -> Any:
    version = ListVersion.objects.visible_to(request.user).filter(pk=version_id).first()
    if version is None:
        raise Http404
    return services.publish(request.user, version, payload.note)


@router.get("/rates", response={200: RatesOut, **ERRORS}, url_name="duties_rates")
def rates(request: HttpRequest, period: str = "") -> Any:
    """Completion rates per unit for a month (default: this month)."""
    try:
        p = Period.parse(period[:7]) if period else Period.of(timezone.localdate())
    except ValueError:
        raise ValidationError({"period": [_("Give the month as YYYY-MM.")]}) from None
    rows = services.rates(request.user, p.start, p.end)
    due = sum(r.due for r in rows)
    on_time = sum(r.on_time for r in rows)
    return {
        "period": str(p),
        "due": due,
        "on_time": on_time,
        "rate": services.rate(on_time, due),
        "units": [
            {
                "unit": r.key,
                "unit_name": str(r.unit),
                "due": r.due,
                "on_time": r.on_time,
                "late": r.late,
                "overdue": r.overdue,
                "rate": r.value,
            }
            for r in rows
        ],
    }


@router.post("/import", response=IMPORT_RESPONSES)
def import_items(
    request: HttpRequest,
    options: Query[ImportQuery],  # type: ignore[type-arg]
    file: File[UploadedFile],  # type: ignore[type-arg]
) -> Any:
    """Import list items from CSV or .xlsx (multipart `file`); see docs/duties.md."""
    if not services.reach_can_write(request.user):
        raise PermissionDenied
    content = file.read(limits()[0] + 1)
    report = imports.import_file(
        request.user,
        file.name or "",
        content,
        partial=options.partial,
        dry_run=options.dry_run,
    )
    if report.reason == "too_large":
        return Status(413, report.as_dict())
    return Status(200 if report.accepted else 422, report.as_dict())
