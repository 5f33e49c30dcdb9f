"""API of the chemicals app, mounted at /api/v1/chemicals.

The calculator (`POST /major-hazard/assess`) is the same pure function the units are
identified with (`gb18218.assess`); it stores nothing. Everything else reads through
`visible_to(user)` and writes through the services.
"""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Path, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate
from pydantic import Field

from cityguard.core.api import ERRORS, Page
from cityguard.core.api_imports import RESPONSES as IMPORT_RESPONSES
from cityguard.core.imports import limits, too_large_message
from cityguard.core.models import Jurisdiction, Organization
from cityguard.core.schemas import MAX_ID

from . import imports, ledger, licensing, services, transport
from .choices import LicenceStatus, Trigger
from .models import (
    Assessment,
    BlacklistEntry,
    Chemical,
    Flow,
    Licence,
    MajorHazardSource,
    StockCount,
    TransportFiling,
    Unit,
)
from .schemas import (
    AssessIn,
    AssessmentOut,
    AssessOut,
    BlacklistIn,
    BlacklistLiftIn,
    BlacklistOut,
    ChemicalDetailOut,
    ChemicalOut,
    ChemicalPatch,
    FilingIn,
    FilingOut,
    FilingStatusIn,
    FlowIn,
    FlowKindName,
    FlowOut,
    InventoryIn,
    LicenceIn,
    LicenceOut,
    LicencePatch,
    LicenceStatusIn,
    LicenceStatusName,
    PublicLicenceOut,
    SourceOut,
    SourcePatch,
    StockCountIn,
    StockCountOut,
    StockOut,
    TraceOut,
    UnitDetailOut,
    UnitIn,
    UnitKindName,
    UnitOut,
    UnitPatch,
)

router = Router(tags=["chemicals"])

ObjId = Path(..., ge=1, le=MAX_ID)  # type: ignore[type-arg]


# --- helpers ---------------------------------------------------------------------------------


def _visible(qs: QuerySet, request: HttpRequest, pk: int) -> Any:
    obj = qs.visible_to(request.user).filter(pk=pk).first()  # type: ignore[attr-defined]
    if obj is None:
        raise Http404
    return obj


def _organization(request: HttpRequest, pk: int | None, field: str = "organization") -> Any:
    if pk is None:
        return None
    org = Organization.objects.visible_to(request.user).filter(pk=pk).first()
    if org is None:
        raise ValidationError({field: [_("No such organisation.")]})
    return org


def _any_organization(pk: int | None, field: str) -> Any:
    """A counterparty may be outside the caller's reach; it is named, not shown."""
    if pk is None:
        return None
    org = Organization.objects.filter(pk=pk).first()
    if org is None:
        raise ValidationError({field: [_("No such organisation.")]})
    return org


def chemical_ref(text: str, grade: str | None = None, field: str = "chemical") -> Chemical:
    try:
        return services.resolve(text, grade)
    except services.Ambiguous as exc:
        raise ValidationError({field: [services.ambiguous_message(text, exc.candidates)]})
    except services.NotFound:
        raise ValidationError(
            {field: [_("“%(value)s” is not in the chemical catalogue.") % {"value": text}]}
        )


def chemical_out(chem: Chemical) -> dict[str, Any]:
    q, _q_src, beta, _b_src, _cats = services.chemical_params(chem)
    return {
        **{f: getattr(chem, f) for f in ChemicalOut.model_fields if hasattr(chem, f)},
        "id": chem.pk,
        "threshold_t": q,
        "beta": beta,
    }


def _under(qs: QuerySet, code: str | None, field: str) -> QuerySet:
    code = (code or "").replace("\x00", "").strip()
    if not code:
        return qs
    node = Jurisdiction.objects.filter(code=code).first()
    return qs.filter(**{f"{field}__path__startswith": node.path}) if node else qs.none()


# --- the calculator --------------------------------------------------------------------------


@router.post("/major-hazard/assess", response={200: AssessOut, **ERRORS}, tags=["major hazards"])
def assess(request: HttpRequest, payload: AssessIn) -> Any:
    """Identify and grade one unit per GB 18218-2018, storing nothing.

    Each item names a chemical by CAS number, Chinese name, alias or English name (`grade`
    chooses among entries that share one, such as the grades of nitrocellulose) with its
    design maximum quantity in tonnes. A chemical not in the catalogue needs `categories`
    (Table 2 symbols). `r` and `grade` are null when the unit is not major, or when
    `exposed_population` is not given. An item that cannot be used is answered 422 with
    `loc` naming it.
    """
    items = [i.dict() for i in payload.items]
    try:
        return services.calculate(items, payload.exposed_population)
    except services.ItemError as err:
        detail = {
            "loc": ["body", "items", err.index, err.field],
            "msg": err.message,
            "type": "value_error",
        }
        return Status(422, {"detail": [detail]})


# --- catalogue -------------------------------------------------------------------------------


@router.get("/catalogue", response=list[ChemicalOut], tags=["catalogue"])
@paginate(Page)
def list_chemicals(
    request: HttpRequest,
    q: str | None = Query(None, max_length=100),  # type: ignore[type-arg]
) -> Any:
    """Search the catalogue by CAS number, Chinese name, alias or English name (full-width
    characters and spaces are ignored); exact matches first."""
    found = services.search((q or "").replace("\x00", ""), limit=1000)
    return [chemical_out(c) for c in found]


@router.get(
    "/catalogue/{int:chem_id}", response={200: ChemicalDetailOut, **ERRORS}, tags=["catalogue"]
)
def get_chemical(request: HttpRequest, chem_id: int = ObjId) -> Any:
    chem = get_object_or_404(Chemical.objects.select_related("sds"), pk=chem_id)
    sds = getattr(chem, "sds", None)
    return {
        **chemical_out(chem),
        "notes": chem.notes,
        "sds": None
        if sds is None
        else {
            f: getattr(sds, f)
            for f in (
                "hazards",
                "first_aid",
                "fire_fighting",
                "spill_response",
                "exposure_limits",
                "generated",
            )
        },
    }


@router.patch(
    "/catalogue/{int:chem_id}", response={200: ChemicalDetailOut, **ERRORS}, tags=["catalogue"]
)
def update_chemical(request: HttpRequest, payload: ChemicalPatch, chem_id: int = ObjId) -> Any:
    """Change a catalogue entry (district only). Units holding it are identified again."""
    services.require_catalogue_editor(request.user)
    chem = get_object_or_404(Chemical, pk=chem_id)
    services.save_chemical(request.user, payload.dict(exclude_unset=True), chem)
    return get_chemical(request, chem_id)


# --- units -----------------------------------------------------------------------------------


class UnitFilter(Schema):
    q: str | None = Field(None, max_length=100)
    organization: int | None = Field(None, ge=1, le=MAX_ID)
    kind: UnitKindName | None = None
    is_major: bool | None = None
    grade: int | None = Field(None, ge=1, le=4)
    jurisdiction: str | None = Field(None, max_length=32)


def filter_units(qs: QuerySet, f: UnitFilter) -> QuerySet:
    q = (f.q or "").replace("\x00", "").strip()
    if q:
        qs = qs.filter(name__icontains=q) | qs.filter(organization__name__icontains=q)
    if f.organization is not None:
        qs = qs.filter(organization_id=f.organization)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.is_major is not None:
        qs = qs.filter(is_major=f.is_major)
    if f.grade is not None:
        qs = qs.filter(grade=f.grade)
    return _under(qs, f.jurisdiction, "jurisdiction")


def units_for(user: Any) -> QuerySet:
    return Unit.objects.visible_to(user).select_related("organization", "jurisdiction")


@router.get("/units", response=list[UnitOut], tags=["units"])
@paginate(Page)
def list_units(request: HttpRequest, filters: Query[UnitFilter]) -> Any:  # type: ignore[type-arg]
    return filter_units(units_for(request.user), filters).order_by(
        "organization__name", "name", "id"
    )


@router.get("/units/{int:unit_id}", response={200: UnitDetailOut, **ERRORS}, tags=["units"])
def get_unit(request: HttpRequest, unit_id: int = ObjId) -> Any:
    return _visible(Unit.objects.select_related("organization", "jurisdiction"), request, unit_id)


@router.post("/units", response={201: UnitDetailOut, **ERRORS}, tags=["units"])
def create_unit(request: HttpRequest, payload: UnitIn) -> Any:
    data = payload.dict()
    data["organization"] = _organization(request, data["organization"])
    unit = services.save_unit(request.user, data)
    return Status(201, unit)


@router.patch("/units/{int:unit_id}", response={200: UnitDetailOut, **ERRORS}, tags=["units"])
def update_unit(request: HttpRequest, payload: UnitPatch, unit_id: int = ObjId) -> Any:
    unit = _visible(Unit.objects.all(), request, unit_id)
    data = payload.dict(exclude_unset=True)
    for key in ("kind", "name", "is_active"):
        if key in data and data[key] is None:
            raise ValidationError({key: [_("This field cannot be empty.")]})
    for key in ("code", "boundary_note"):
        if key in data and data[key] is None:
            data[key] = ""
    if "lon" in data or "lat" in data:
        data["jurisdiction"] = None
    return services.save_unit(request.user, data, unit)


@router.put(
    "/units/{int:unit_id}/inventory", response={200: AssessmentOut, **ERRORS}, tags=["units"]
)
def put_inventory(request: HttpRequest, payload: InventoryIn, unit_id: int = ObjId) -> Any:
    """Replace the unit's inventory (design maximum quantity per chemical) and identify it
    again; answers the new identification snapshot. Nothing is written if any item is bad."""
    unit = _visible(Unit.objects.all(), request, unit_id)
    rows = []
    errors: dict[str, list[str]] = {}
    for n, item in enumerate(payload.items):
        try:
            rows.append((chemical_ref(item.chemical, item.grade), item.max_quantity_t, item.notes))
        except ValidationError as exc:
            errors[f"items.{n}.chemical"] = exc.message_dict["chemical"]
    if errors:
        raise ValidationError(errors)
    return services.replace_inventories(request.user, unit, rows)


@router.post(
    "/units/{int:unit_id}/identify", response={200: AssessmentOut, **ERRORS}, tags=["units"]
)
def identify_unit(request: HttpRequest, unit_id: int = ObjId) -> Any:
    """Identify the unit again now (for instance after the population data changed)."""
    unit = _visible(Unit.objects.all(), request, unit_id)
    from cityguard.core.access import require_change

    require_change(request.user, unit)
    return services.identify(unit, actor=request.user, trigger=Trigger.MANUAL)


@router.get(
    "/units/{int:unit_id}/assessments",
    response={200: list[AssessmentOut], **ERRORS},
    tags=["units"],
)
@paginate(Page)
def unit_assessments(request: HttpRequest, unit_id: int = ObjId) -> Any:
    """Every identification of the unit, newest first, as computed (immutable)."""
    unit = _visible(Unit.objects.all(), request, unit_id)
    return Assessment.objects.filter(unit=unit).order_by("-computed_at", "-id")


# --- major hazard sources --------------------------------------------------------------------


class SourceFilter(Schema):
    grade: int | None = Field(None, ge=1, le=4)
    status: str | None = Field(None, max_length=16)
    organization: int | None = Field(None, ge=1, le=MAX_ID)
    jurisdiction: str | None = Field(None, max_length=32)


def sources_for(user: Any) -> QuerySet:
    return MajorHazardSource.objects.visible_to(user).select_related("unit", "organization")


@router.get("/major-hazard-sources", response=list[SourceOut], tags=["major hazards"])
@paginate(Page)
def list_sources(request: HttpRequest, filters: Query[SourceFilter]) -> Any:  # type: ignore[type-arg]
    """The registry of major hazard sources with grade and responsible persons."""
    qs = sources_for(request.user)
    if filters.grade is not None:
        qs = qs.filter(grade=filters.grade)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.organization is not None:
        qs = qs.filter(organization_id=filters.organization)
    qs = _under(qs, filters.jurisdiction, "unit__jurisdiction")
    return qs.order_by("grade", "code")


@router.patch(
    "/major-hazard-sources/{int:source_id}",
    response={200: SourceOut, **ERRORS},
    tags=["major hazards"],
)
def update_source(request: HttpRequest, payload: SourcePatch, source_id: int = ObjId) -> Any:
    """Record the main, technical and operational responsible persons."""
    source = _visible(MajorHazardSource.objects.select_related("unit"), request, source_id)
    data = {k: v or "" for k, v in payload.dict(exclude_unset=True).items()}
    return services.save_source_people(request.user, source, data)


# --- licences --------------------------------------------------------------------------------


class LicenceFilter(Schema):
    q: str | None = Field(None, max_length=100)
    status: LicenceStatusName | None = None
    organization: int | None = Field(None, ge=1, le=MAX_ID)
    expiring_within_days: int | None = Field(None, ge=0, le=3650)


def filter_licences(qs: QuerySet, f: LicenceFilter) -> QuerySet:
    q = (f.q or "").replace("\x00", "").strip()
    if q:
        qs = qs.filter(number__icontains=q) | qs.filter(organization__name__icontains=q)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.organization is not None:
        qs = qs.filter(organization_id=f.organization)
    if f.expiring_within_days is not None:
        today = timezone.localdate()
        qs = qs.filter(
            status=LicenceStatus.ISSUED,
            valid_until__lte=today + dt.timedelta(days=f.expiring_within_days),
        )
    return qs


@router.get("/licences", response=list[LicenceOut], tags=["licences"])
@paginate(Page)
def list_licences(request: HttpRequest, filters: Query[LicenceFilter]) -> Any:  # type: ignore[type-arg]
    qs = Licence.objects.visible_to(request.user).select_related("organization")
    return (
        filter_licences(qs, filters).prefetch_related("chemicals").order_by("valid_until", "number")
    )


@router.get("/licences/cancelled", response=list[PublicLicenceOut], auth=None, tags=["licences"])
@paginate(Page)
def public_cancelled(request: HttpRequest) -> Any:
    """The public register of cancelled licences (no sign-in needed)."""
    qs = Licence.objects.filter(status=LicenceStatus.CANCELLED).select_related("organization")
    return [
        {
            "number": lic.number,
            "holder": lic.organization.name,
            "scope": lic.scope,
            "issued_on": lic.issued_on,
            "valid_until": lic.valid_until,
            "cancelled_on": lic.status_date,
            "reason": lic.status_reason,
        }
        for lic in qs.order_by("-status_date", "number")
    ]


@router.post("/licences", response={201: LicenceOut, **ERRORS}, tags=["licences"])
def create_licence(request: HttpRequest, payload: LicenceIn) -> Any:
    licensing.require_authority(request.user)
    data = payload.dict()
    chems = [chemical_ref(t, field="chemicals") for t in data.pop("chemicals")]
    data["organization"] = _organization(request, data["organization"])
    return Status(201, licensing.save_licence(request.user, data, chemicals=chems))


@router.patch("/licences/{int:licence_id}", response={200: LicenceOut, **ERRORS}, tags=["licences"])
def update_licence(request: HttpRequest, payload: LicencePatch, licence_id: int = ObjId) -> Any:
    """Correct a licence's number, kind, scope, authority, dates or chemicals."""
    licensing.require_authority(request.user)
    lic = _visible(Licence.objects.all(), request, licence_id)
    data = payload.dict(exclude_unset=True)
    for key, value in data.items():
        if value is None:
            raise ValidationError({key: [_("This field cannot be empty.")]})
    chems = None
    if "chemicals" in data:
        chems = [chemical_ref(t, field="chemicals") for t in data.pop("chemicals")]
    return licensing.save_licence(request.user, data, instance=lic, chemicals=chems)


@router.post(
    "/licences/{int:licence_id}/status", response={200: LicenceOut, **ERRORS}, tags=["licences"]
)
def licence_status(request: HttpRequest, payload: LicenceStatusIn, licence_id: int = ObjId) -> Any:
    """Suspend, reinstate, revoke or cancel a licence, with reason and date."""
    lic = _visible(Licence.objects.all(), request, licence_id)
    return licensing.change_status(request.user, lic, payload.status, payload.reason, payload.date)


# --- flows and stock -------------------------------------------------------------------------


class FlowFilter(Schema):
    organization: int | None = Field(None, ge=1, le=MAX_ID)
    chemical: str | None = Field(None, max_length=200)
    kind: FlowKindName | None = None
    lot: str | None = Field(None, max_length=64)
    flagged: bool | None = None


def filter_flows(qs: QuerySet, f: FlowFilter) -> QuerySet:
    if f.organization is not None:
        qs = qs.filter(organization_id=f.organization)
    if f.chemical:
        try:
            qs = qs.filter(chemical=services.resolve(f.chemical))
        except (services.NotFound, services.Ambiguous):
            qs = qs.none()
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.lot:
        qs = qs.filter(lot=f.lot.replace("\x00", "").strip())
    if f.flagged is not None:
        qs = qs.filter(flagged=f.flagged)
    return qs


@router.get("/flows", response=list[FlowOut], tags=["flows"])
@paginate(Page)
def list_flows(request: HttpRequest, filters: Query[FlowFilter]) -> Any:  # type: ignore[type-arg]
    qs = Flow.objects.visible_to(request.user).select_related("chemical")
    return filter_flows(qs, filters).order_by("-occurred_at", "-id")


@router.post("/flows", response={201: FlowOut, **ERRORS}, tags=["flows"])
def create_flow(request: HttpRequest, payload: FlowIn) -> Any:
    """Record a flow. Refused (422) for an unknown unit of measure, a highly toxic chemical
    or explosive precursor bought without permit number, stock going below zero, or (when
    so configured) a counterparty without a valid licence — else recorded, with warnings."""
    data = payload.dict()
    data["organization"] = _organization(request, data["organization"])
    data["chemical"] = chemical_ref(data["chemical"], data.pop("grade"))
    data["counterparty"] = _any_organization(data["counterparty"], "counterparty")
    if data["direction"] is None:
        data.pop("direction")
    return Status(201, ledger.record_flow(request.user, data))


@router.get("/stock", response={200: StockOut, **ERRORS}, tags=["flows"])
def get_stock(
    request: HttpRequest,
    organization: int = Query(..., ge=1, le=MAX_ID),  # type: ignore[type-arg]
    chemical: str = Query(..., max_length=200),  # type: ignore[type-arg]
) -> Any:
    org = _visible(Organization.objects.all(), request, organization)
    chem = chemical_ref(chemical)
    now = timezone.now()
    return {
        "organization": org.pk,
        "chemical_id": chem.pk,
        "chemical": chem.name_zh,
        "stock_t": round(ledger.stock_at(org.pk, chem.pk, now), 9),
        "at": now,
    }


@router.get("/stock-counts", response=list[StockCountOut], tags=["flows"])
@paginate(Page)
def list_counts(
    request: HttpRequest,
    flagged: bool | None = None,
    organization: int | None = Query(None, ge=1, le=MAX_ID),  # type: ignore[type-arg]
) -> Any:
    qs = StockCount.objects.visible_to(request.user).select_related("chemical")
    if flagged is not None:
        qs = qs.filter(flagged=flagged)
    if organization is not None:
        qs = qs.filter(organization_id=organization)
    return qs.order_by("-counted_at", "-id")


@router.post("/stock-counts", response={201: StockCountOut, **ERRORS}, tags=["flows"])
def create_count(request: HttpRequest, payload: StockCountIn) -> Any:
    """Record a stock count; it is reconciled against the ledger and flagged when the
    difference exceeds the tolerance."""
    data = payload.dict()
    data["organization"] = _organization(request, data["organization"])
    data["chemical"] = chemical_ref(data["chemical"], data.pop("grade"))
    return Status(201, ledger.record_count(request.user, data))


@router.get("/trace", response=TraceOut, tags=["flows"])
def trace(request: HttpRequest, lot: str = Query(..., min_length=1, max_length=64)) -> Any:  # type: ignore[type-arg]
    """Every place a lot went: organisations and end uses as a graph."""
    return ledger.trace(request.user, lot.replace("\x00", ""))


# --- transport -------------------------------------------------------------------------------


@router.get("/transport-filings", response=list[FilingOut], tags=["transport"])
@paginate(Page)
def list_filings(
    request: HttpRequest,
    organization: int | None = Query(None, ge=1, le=MAX_ID),  # type: ignore[type-arg]
) -> Any:
    qs = TransportFiling.objects.visible_to(request.user).select_related("chemical")
    if organization is not None:
        qs = qs.filter(organization_id=organization)
    return qs.order_by("-window_start", "-id")


@router.post("/transport-filings", response={201: FilingOut, **ERRORS}, tags=["transport"])
def create_filing(request: HttpRequest, payload: FilingIn) -> Any:
    """File a hazmat transport. A vehicle, driver, escort or carrier on the blacklist
    refuses the filing (422, naming the field, the listing's date and reason)."""
    data = payload.dict()
    data["organization"] = _organization(request, data["organization"])
    data["chemical"] = chemical_ref(data["chemical"], data.pop("grade"))
    return Status(201, transport.file_transport(request.user, data))


@router.post(
    "/transport-filings/{int:filing_id}/status",
    response={200: FilingOut, **ERRORS},
    tags=["transport"],
)
def filing_status(request: HttpRequest, payload: FilingStatusIn, filing_id: int = ObjId) -> Any:
    """Close a filed transport: completed, or withdrawn ("cancelled")."""
    filing = _visible(TransportFiling.objects.select_related("chemical"), request, filing_id)
    return transport.set_filing_status(request.user, filing, payload.status)


def _require_blacklist_reader(request: HttpRequest) -> None:
    if not transport.can_see_blacklist(request.user):
        raise PermissionDenied


@router.get("/blacklist", response=list[BlacklistOut], tags=["transport"])
@paginate(Page)
def list_blacklist(request: HttpRequest, active: bool | None = None) -> Any:
    _require_blacklist_reader(request)
    qs = BlacklistEntry.objects.select_related("listed_by", "lifted_by")
    if active is True:
        qs = qs.filter(lifted_on__isnull=True)
    elif active is False:
        qs = qs.filter(lifted_on__isnull=False)
    return qs.order_by("-listed_on", "-id")


@router.post("/blacklist", response={201: BlacklistOut, **ERRORS}, tags=["transport"])
def create_blacklist_entry(request: HttpRequest, payload: BlacklistIn) -> Any:
    return Status(201, transport.add_to_blacklist(request.user, payload.dict()))


@router.post(
    "/blacklist/{int:entry_id}/lift", response={200: BlacklistOut, **ERRORS}, tags=["transport"]
)
def lift_blacklist_entry(
    request: HttpRequest, payload: BlacklistLiftIn, entry_id: int = ObjId
) -> Any:
    _require_blacklist_reader(request)
    entry = get_object_or_404(BlacklistEntry, pk=entry_id)
    return transport.lift(request.user, entry, payload.reason, payload.date)


# --- inventory import ------------------------------------------------------------------------


class InventoryImportQuery(Schema):
    partial: bool = Field(False, description="write the valid rows even when others are bad")
    dry_run: bool = Field(False, description="check every row, write nothing")


@router.post("/inventories/import", response=IMPORT_RESPONSES, tags=["units"])
def import_inventories(
    request: HttpRequest,
    options: Query[InventoryImportQuery],  # type: ignore[type-arg]
    file: File[UploadedFile],  # type: ignore[type-arg]
) -> Any:
    """Import design maximum quantities from a CSV or Excel (.xlsx) file (multipart field
    `file`), one row per chemical and unit, with the row-by-row report of the organisation
    import. Columns: 单位, 单元, 单元类型, 化学品, 规格, 设计最大量, 计量单位, 周边500米人口
    (or their English field names). Every unit touched is identified again."""
    from cityguard.core import access

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
