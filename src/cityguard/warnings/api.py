"""API of the warnings app, mounted at /api/v1/warnings.

Reads for any signed-in user (within what they may see); district staff create drafts,
issue, update and cancel. `GET /{id}/cap` answers the warning's CAP 1.2 document
(`application/cap+xml`); `POST /import-cap` takes one as the request body.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Status
from ninja.pagination import paginate

from cityguard.core.api import ERRORS, Page
from cityguard.core.schemas import MAX_ID

from . import cap, services
from .models import Warning
from .schemas import (
    CancelIn,
    CapErrorOut,
    DeliveryOut,
    ImportedOut,
    ThreatOut,
    UpdateIn,
    WarningDetailOut,
    WarningFilter,
    WarningIn,
    WarningOut,
    WarningPatch,
)

router = Router(tags=["warnings"])

WarningId = Path(..., ge=1, le=MAX_ID)  # type: ignore[type-arg]


def filter_warnings(qs: QuerySet, f: WarningFilter) -> QuerySet:
    if f.state:
        qs = qs.filter(state=f.state)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.colour:
        qs = qs.filter(colour=f.colour)
    if f.active:
        qs = qs.active()  # type: ignore[attr-defined]
    elif f.active is False:
        qs = qs.exclude(pk__in=Warning.objects.active().values("pk"))
    if f.street:
        qs = qs.filter(
            pk__in=Warning.streets.through.objects.filter(
                jurisdiction__code=f.street.strip()
            ).values("warning_id")
        )
    return qs


def _visible(request: HttpRequest, pk: int) -> Warning:
    warning = Warning.objects.visible_to(request.user).filter(pk=pk).first()
    if warning is None:
        raise Http404
    return warning


def _data(payload: Any, partial: bool) -> dict[str, Any]:
    data = payload.dict(exclude_unset=partial)
    data.pop("note", None)
    if "polygon" in data and data["polygon"] is None:
        data["polygon"] = ""
    for text in ("authority", "instruction", "headline_en", "description_en", "instruction_en"):
        if text in data and data[text] is None:
            data[text] = ""
    return {k: v for k, v in data.items() if v is not None or k == "polygon"}


@router.get("", response=list[WarningOut], url_name="warnings_list")
@paginate(Page)
def list_warnings(request: HttpRequest, filters: Query[WarningFilter]) -> Any:  # type: ignore[type-arg]
    """Warnings the caller may see, newest first."""
    qs = filter_warnings(Warning.objects.visible_to(request.user), filters)
    return qs.prefetch_related("streets").order_by("-effective", "-id")


@router.post("", response={201: WarningDetailOut, **ERRORS}, url_name="warnings_create")
def create_warning(request: HttpRequest, payload: WarningIn) -> Any:
    """A new draft."""
    warning = services.save_draft(request.user, _data(payload, False))
    return Status(201, warning)


@router.post(
    "/import-cap",
    response={**ERRORS, 201: ImportedOut, 400: CapErrorOut},
    url_name="warnings_import_cap",
)
def import_cap(request: HttpRequest) -> Any:
    """Take a CAP 1.2 document (the request body, XML). An Alert becomes an issued warning;
    an Update or Cancel referencing a message received earlier changes or cancels it.
    Refused with 400 and the list of reasons when it does not validate."""
    services.require_issuer(request.user)
    try:
        warning = services.import_cap(request.user, request.body)
    except cap.CapError as exc:
        return Status(400, {"detail": _("The CAP document was refused."), "errors": exc.errors})
    return Status(201, {"id": warning.pk})


@router.get("/{warning_id}", response={200: WarningDetailOut, **ERRORS}, url_name="warnings_detail")
def get_warning(request: HttpRequest, warning_id: int = WarningId) -> Any:
    return _visible(request, warning_id)


@router.patch("/{warning_id}", response={200: WarningDetailOut, **ERRORS}, url_name="warnings_edit")
def edit_warning(request: HttpRequest, payload: WarningPatch, warning_id: int = WarningId) -> Any:
    """Change a draft."""
    warning = _visible(request, warning_id)
    return services.save_draft(request.user, _data(payload, True), instance=warning)


@router.delete("/{warning_id}", response={204: None, **ERRORS}, url_name="warnings_delete")
def delete_warning(request: HttpRequest, warning_id: int = WarningId) -> Any:
    """Delete a draft."""
    services.delete_draft(request.user, _visible(request, warning_id))
    return Status(204, None)


@router.post(
    "/{warning_id}/issue", response={200: WarningDetailOut, **ERRORS}, url_name="warnings_issue"
)
def issue_warning(request: HttpRequest, warning_id: int = WarningId) -> Any:
    return services.issue(request.user, _visible(request, warning_id))


@router.post(
    "/{warning_id}/update", response={200: WarningDetailOut, **ERRORS}, url_name="warnings_update"
)
def update_warning(request: HttpRequest, payload: UpdateIn, warning_id: int = WarningId) -> Any:
    """Change an issued warning (a CAP Update is sent)."""
    warning = _visible(request, warning_id)
    return services.update(request.user, warning, _data(payload, True), note=payload.note)


@router.post(
    "/{warning_id}/cancel", response={200: WarningDetailOut, **ERRORS}, url_name="warnings_cancel"
)
def cancel_warning(request: HttpRequest, payload: CancelIn, warning_id: int = WarningId) -> Any:
    return services.cancel(request.user, _visible(request, warning_id), payload.reason)


@router.get("/{warning_id}/cap", response={200: None, **ERRORS}, url_name="warnings_cap")
def warning_cap(request: HttpRequest, warning_id: int = WarningId) -> HttpResponse:
    """The warning's latest CAP 1.2 message (a draft's: a preview with status Draft)."""
    warning = _visible(request, warning_id)
    return HttpResponse(services.current_document(warning), content_type=cap.CONTENT_TYPE)


@router.get("/{warning_id}/deliveries", response=list[DeliveryOut], url_name="warnings_deliveries")
@paginate(Page)
def warning_deliveries(request: HttpRequest, warning_id: int = WarningId) -> Any:
    warning = _visible(request, warning_id)
    return services.deliveries_visible_to(request.user, warning).select_related("street", "message")


@router.get(
    "/{warning_id}/threatened",
    response={200: list[ThreatOut], **ERRORS},
    url_name="warnings_threatened",
)
def warning_threatened(request: HttpRequest, warning_id: int = WarningId) -> Any:
    """Risk points, places and organisations in the area that the type threatens, each
    with its responsible people."""
    warning = _visible(request, warning_id)
    t = services.threatened(warning, request.user)
    out: list[dict[str, Any]] = []
    for p in t.places:
        out.append(
            {
                "kind": "place",
                "id": p.pk,
                "name": p.name,
                "label": p.get_kind_display(),
                "responsible": [f"{c.name} {c.phone}".strip() for c in p.responsible],
            }
        )
    for rp in t.risk_points:
        people = (
            [f"{rp.responsible_person} {rp.responsible_phone}".strip()]
            if rp.responsible_person
            else []
        )
        people += [f"{c.name} {c.phone}".strip() for c in rp.responsible]
        out.append(
            {
                "kind": "risk_point",
                "id": rp.pk,
                "name": rp.name,
                "label": str(rp.domain),
                "responsible": people,
            }
        )
    for o in t.organizations:
        out.append(
            {
                "kind": "organization",
                "id": o.pk,
                "name": o.name,
                "label": o.get_kind_display(),
                "responsible": [f"{c.name} {c.phone}".strip() for c in o.responsible],
            }
        )
    return out


__all__ = ["ValidationError", "filter_warnings", "router"]
