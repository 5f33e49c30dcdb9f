"""Pages of the chemicals app.

Reads go through `visible_to(request.user)` and writes through the services (`services`,
`licensing`, `ledger`, `transport`, `imports`), so a page never shows or changes more than
the API would for the same user. The register of cancelled licences is public.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Min, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cityguard.core import export
from cityguard.core.access import can_change, reach, require_change
from cityguard.core.choices import Role
from cityguard.core.models import Organization
from cityguard.core.views import (
    _feature,
    _point,
    export_or_page,
    forbidden_as_page,
    history_rows,
    leaflet_config,
    pagination_range,
    visible_or_404,
)

from . import imports, indicators, ledger, licensing, services, transport
from .choices import (
    Grade,
    LicenceStatus,
    SourceStatus,
    Trigger,
    grade_colour,
    grade_label,
)
from .forms import (
    BlacklistForm,
    CalculatorForm,
    FilingForm,
    FlowForm,
    InventoryForm,
    InventoryImportForm,
    LicenceForm,
    LicenceStatusForm,
    LiftForm,
    SearchForm,
    SourcePeopleForm,
    StockCountForm,
    UnitForm,
    add_service_errors,
)
from .models import (
    Assessment,
    BlacklistEntry,
    Chemical,
    Flow,
    Inventory,
    Licence,
    LicenceReminder,
    MajorHazardSource,
    StockCount,
    TransportFiling,
    Unit,
)

PER_PAGE = 50


def _page(request: HttpRequest, qs: Any) -> tuple[Paginator, Any]:
    paginator = Paginator(qs, PER_PAGE)
    return paginator, paginator.get_page(request.GET.get("page"))


def _is_authority(user: Any) -> bool:
    r = reach(user)
    return r.can_write and r.role != Role.ENTERPRISE_MANAGER


def _grades(qs: QuerySet) -> list[dict[str, Any]]:
    counts = dict(qs.values_list("grade").annotate(n=Count("id")))
    return [
        {
            "grade": int(v),
            "label": label,
            "colour": Grade.colour_of(v),
            "count": counts.get(int(v), 0),
        }
        for v, label in Grade.choices
    ]


def _chemical_names() -> list[str]:
    return list(
        Chemical.objects.filter(is_active=True)
        .order_by("table1_no", "name_zh")
        .values_list("name_zh", flat=True)
    )


# --- overview --------------------------------------------------------------------------------


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    sources = MajorHazardSource.objects.visible_to(user).filter(status=SourceStatus.ACTIVE)
    major_units = Unit.objects.visible_to(user).filter(is_major=True, is_active=True)
    features = [
        _feature(
            _point(u.lon, u.lat),  # type: ignore[arg-type]
            f"{u.organization.name} · {u.name}",
            grade_colour(u.grade),
            reverse("chemicals:unit_detail", args=[u.pk]),
        )
        for u in major_units.select_related("organization").exclude(lon__isnull=True)[:500]
    ]
    totals = {
        "enterprises": indicators.chemical_enterprises(user, None),
        "units": indicators.chemical_units(user, None),
        "sources": sources.count(),
        "valid_licences": indicators.valid_licences(user, None),
        "expiring": indicators.expiring_licences(user, None),
        "cancelled": indicators.cancelled_licences(user, None),
        "flagged_flows": indicators.flagged_flows(user, None),
        "discrepancies": indicators.open_discrepancies(user, None),
    }
    reminders = (
        LicenceReminder.objects.visible_to(user)
        .filter(resolved_at__isnull=True)
        .select_related("licence", "licence__organization")
        .order_by("due_on")[:10]
    )
    return render(
        request,
        "chemicals/home.html",
        {
            "tab": "home",
            "totals": totals,
            "grades": _grades(sources),
            "reminders": reminders,
            "map_config": leaflet_config(features),
        },
    )


# --- catalogue -------------------------------------------------------------------------------


@login_required
def catalogue(request: HttpRequest) -> HttpResponse:
    """The safety-data-sheet search page."""
    form = SearchForm(request.GET)
    q = form.cleaned_data.get("q", "") if form.is_valid() else ""
    results = services.search(q, limit=200)
    paginator, page = _page(request, results)
    return render(
        request,
        "chemicals/catalogue.html",
        {
            "tab": "catalogue",
            "form": form,
            "q": q,
            "page_obj": page,
            "paginator": paginator,
            "page_range": pagination_range(page),
        },
    )


@login_required
def chemical_detail(request: HttpRequest, pk: int) -> HttpResponse:
    chem = get_object_or_404(Chemical.objects.select_related("sds"), pk=pk)
    q, q_source, beta, beta_source, cats = services.chemical_params(chem)
    from . import gb18218

    return render(
        request,
        "chemicals/chemical_detail.html",
        {
            "tab": "catalogue",
            "chem": chem,
            "sds": getattr(chem, "sds", None),
            "threshold": q,
            "threshold_source": q_source,
            "beta": beta,
            "beta_source": beta_source,
            "categories": [(c, gb18218.TABLE2[c][0]) for c in cats],
            "same_cas": Chemical.objects.filter(is_active=True)
            .exclude(pk=chem.pk)
            .filter(names__key__in=[c for c in chem.cas_numbers], names__kind="cas")
            .distinct(),
        },
    )


# --- enterprises and units ---------------------------------------------------------------------


def _enterprises(user: Any) -> QuerySet:
    return (
        Organization.objects.visible_to(user)
        .filter(chemical_units__is_active=True)
        .annotate(
            worst=Min("chemical_units__grade", filter=Q(chemical_units__is_major=True)),
            n_units=Count("chemical_units", distinct=True),
        )
        .select_related("jurisdiction")
    )


@login_required
def enterprise_list(request: HttpRequest) -> HttpResponseBase:
    user = request.user
    qs = _enterprises(user)
    grade = request.GET.get("grade", "")
    if grade in {"1", "2", "3", "4"}:
        qs = qs.filter(worst=int(grade))
    elif grade == "none":
        qs = qs.filter(worst__isnull=True)
    q = (request.GET.get("q") or "").replace("\x00", "").strip()[:100]
    if q:
        qs = qs.filter(name__icontains=q)
    qs = qs.order_by("worst", "name", "id")
    columns: list[export.Column] = [
        (_("ID"), lambda o: o.pk),
        (_("Name"), lambda o: o.name),
        (_("Address"), lambda o: o.address),
        (_("Units"), lambda o: o.n_units),
        (_("Highest major hazard grade"), lambda o: o.worst),
        (_("Longitude"), lambda o: o.lon),
        (_("Latitude"), lambda o: o.lat),
    ]
    result = export_or_page(
        request, qs, lambda: columns, "chemical-enterprises", _("Chemical enterprises")
    )
    if isinstance(result, HttpResponseBase):
        return result
    paginator, page = result
    for org in page:
        org.grade_colour = grade_colour(org.worst)
        org.grade_label = grade_label(org.worst)
    features = [
        _feature(
            _point(o.lon, o.lat),  # type: ignore[arg-type]
            f"{o.name} · {grade_label(o.worst)}",
            grade_colour(o.worst),
            reverse("chemicals:enterprise_detail", args=[o.pk]),
        )
        for o in qs.exclude(lon__isnull=True)[:1000]
    ]
    return render(
        request,
        "chemicals/enterprise_list.html",
        {
            "tab": "enterprises",
            "page_obj": page,
            "paginator": paginator,
            "page_range": pagination_range(page),
            "grade": grade,
            "q": q,
            "grades": [(v, label, Grade.colour_of(v)) for v, label in Grade.choices],
            "map_config": leaflet_config(features),
            "can_write": reach(user).can_write,
        },
    )


@login_required
def enterprise_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    org = visible_or_404(Organization.objects.select_related("jurisdiction"), user, pk=pk)
    units = (
        Unit.objects.visible_to(user)
        .filter(organization=org)
        .prefetch_related("inventories__chemical")
        .order_by("-is_major", "grade", "name")
    )
    licences = Licence.objects.visible_to(user).filter(organization=org).order_by("-valid_until")
    flows = Flow.objects.visible_to(user).filter(organization=org).select_related("chemical")[:20]
    counts = (
        StockCount.objects.visible_to(user).filter(organization=org).select_related("chemical")[:20]
    )
    for u in units:
        u.grade_colour = grade_colour(u.grade)
        u.grade_label = grade_label(u.grade)
    return render(
        request,
        "chemicals/enterprise_detail.html",
        {
            "tab": "enterprises",
            "org": org,
            "units": units,
            "licences": licences,
            "flows": flows,
            "counts": counts,
            "can_add_unit": can_change(user, Unit(organization=org, jurisdiction=org.jurisdiction)),
            "can_record": can_change(user, Flow(organization=org)),
        },
    )


@login_required
def unit_detail(request: HttpRequest, pk: int) -> HttpResponseBase:
    user = request.user
    unit = visible_or_404(Unit.objects.select_related("organization", "jurisdiction"), user, pk=pk)
    editable = can_change(user, unit)
    form = InventoryForm()
    if request.method == "POST":
        if not editable:
            raise PermissionDenied
        if "remove" in request.POST:
            inv = get_object_or_404(Inventory, pk=request.POST.get("remove"), unit=unit)
            services.remove_inventory(user, inv)
            messages.success(request, _("Removed; the unit was identified again."))
            return redirect("chemicals:unit_detail", pk=unit.pk)
        if "identify" in request.POST:
            services.identify(unit, actor=user, trigger=Trigger.MANUAL)
            messages.success(request, _("The unit was identified again."))
            return redirect("chemicals:unit_detail", pk=unit.pk)
        form = InventoryForm(request.POST)
        if form.is_valid() and form.cleaned_data.get("chemical_obj") is not None:
            try:
                services.set_inventory(
                    user,
                    unit,
                    form.cleaned_data["chemical_obj"],
                    form.cleaned_data["max_quantity_t"],
                    form.cleaned_data.get("notes", ""),
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Saved; the unit was identified again."))
                return redirect("chemicals:unit_detail", pk=unit.pk)
    inventories = (
        Inventory.objects.filter(unit=unit).select_related("chemical").order_by("chemical__name_zh")
    )
    latest = Assessment.objects.filter(unit=unit).order_by("-computed_at", "-id").first()
    snapshots = Assessment.objects.filter(unit=unit).order_by("-computed_at", "-id")[:20]
    source = MajorHazardSource.objects.filter(unit=unit).first()
    return render(
        request,
        "chemicals/unit_detail.html",
        {
            "tab": "enterprises",
            "unit": unit,
            "form": form,
            "editable": editable,
            "inventories": inventories,
            "latest": latest,
            "snapshots": snapshots,
            "source": source,
            "grade_colour": grade_colour(unit.grade),
            "grade_label": grade_label(unit.grade),
            "chemical_names": _chemical_names(),
            "history": history_rows(unit),
            "map_config": leaflet_config(
                [_feature(_point(unit.lon, unit.lat), unit.name, grade_colour(unit.grade))]  # type: ignore[arg-type]
                if unit.lon is not None
                else []
            ),
        },
    )


@login_required
@forbidden_as_page
def unit_edit(request: HttpRequest, pk: int | None = None) -> HttpResponseBase:
    user = request.user
    unit = visible_or_404(Unit.objects.all(), user, pk=pk) if pk else None
    if unit is not None and not can_change(user, unit):
        raise PermissionDenied
    if not reach(user).can_write:
        raise PermissionDenied
    initial: dict[str, Any] = {"is_active": True}
    if unit is not None:
        initial = {
            f: getattr(unit, f)
            for f in (
                "kind",
                "name",
                "code",
                "boundary_note",
                "exposed_population",
                "lon",
                "lat",
                "is_active",
            )
        }
    elif request.GET.get("organization", "").isdigit():
        initial["organization"] = int(request.GET["organization"])
    form = UnitForm(
        request.POST or None, initial=initial, user=user, with_organization=unit is None
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        for key in ("code", "boundary_note"):
            data[key] = data.get(key) or ""
        if unit is not None and (data.get("lon"), data.get("lat")) != (unit.lon, unit.lat):
            data["jurisdiction"] = None
        try:
            saved = services.save_unit(user, data, unit)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Saved; the unit was identified again."))
            return redirect("chemicals:unit_detail", pk=saved.pk)
    return render(
        request, "chemicals/unit_form.html", {"tab": "enterprises", "form": form, "object": unit}
    )


# --- major hazard sources ----------------------------------------------------------------------


@login_required
def source_list(request: HttpRequest) -> HttpResponseBase:
    user = request.user
    qs = (
        MajorHazardSource.objects.visible_to(user)
        .select_related("unit", "organization", "unit__jurisdiction")
        .order_by("status", "grade", "code")
    )
    status = request.GET.get("status", SourceStatus.ACTIVE)
    if status in SourceStatus.values:
        qs = qs.filter(status=status)
    grade = request.GET.get("grade", "")
    if grade in {"1", "2", "3", "4"}:
        qs = qs.filter(grade=int(grade))
    columns: list[export.Column] = [
        (_("Registry number"), lambda s: s.code),
        (_("Organisation"), lambda s: s.organization.name),
        (_("Unit"), lambda s: s.unit.name),
        (_("Grade"), lambda s: s.grade),
        (_("R"), lambda s: s.unit.r),
        (_("S"), lambda s: s.unit.s),
        (_("Status"), lambda s: s.get_status_display()),
        (_("Main responsible person"), lambda s: s.main_name),
        (_("Technical responsible person"), lambda s: s.technical_name),
        (_("Operational responsible person"), lambda s: s.operational_name),
        (_("Identified"), lambda s: s.identified_at),
    ]
    result = export_or_page(
        request, qs, lambda: columns, "major-hazard-sources", _("Major hazard sources")
    )
    if isinstance(result, HttpResponseBase):
        return result
    paginator, page = result
    for s in page:
        s.grade_colour = grade_colour(s.grade)
        s.grade_label = grade_label(s.grade)
    active = MajorHazardSource.objects.visible_to(user).filter(status=SourceStatus.ACTIVE)
    return render(
        request,
        "chemicals/source_list.html",
        {
            "tab": "sources",
            "page_obj": page,
            "paginator": paginator,
            "page_range": pagination_range(page),
            "grades": _grades(active),
            "status": status,
            "grade": grade,
        },
    )


@login_required
@forbidden_as_page
def source_edit(request: HttpRequest, pk: int) -> HttpResponseBase:
    user = request.user
    source = visible_or_404(MajorHazardSource.objects.select_related("unit"), user, pk=pk)
    if not can_change(user, source.unit):
        raise PermissionDenied
    fields = list(SourcePeopleForm.base_fields)
    form = SourcePeopleForm(request.POST or None, initial={f: getattr(source, f) for f in fields})
    if request.method == "POST" and form.is_valid():
        services.save_source_people(user, source, {f: form.cleaned_data[f] or "" for f in fields})
        messages.success(request, _("Saved."))
        return redirect("chemicals:unit_detail", pk=source.unit_id)
    return render(
        request, "chemicals/source_form.html", {"tab": "sources", "form": form, "source": source}
    )


# --- the calculator ------------------------------------------------------------------------------


@login_required
def calculator(request: HttpRequest) -> HttpResponse:
    """The GB 18218 calculator as a page: the same function as the API, nothing stored."""
    form = CalculatorForm(request.GET or None)
    result = None
    if request.GET and form.is_valid():
        items = form.items()
        if not items:
            form.add_error(None, _("Enter at least one chemical and its quantity."))
        else:
            rows = []
            for item in items:
                if item["quantity_t"] is None:
                    form.add_error(f"quantity_{item['row']}", _("Enter a number of tonnes."))
                rows.append(item)
            if not form.errors:
                try:
                    result = services.calculate(rows, form.cleaned_data.get("exposed_population"))
                except services.ItemError as err:
                    row = rows[err.index]["row"]
                    field = {
                        "chemical": "chemical",
                        "categories": "categories",
                        "quantity_t": "quantity",
                    }[err.field]
                    form.add_error(f"{field}_{row}", err.message)
    if result is not None:
        result["grade_colour"] = grade_colour(result["grade"])
        result["grade_label"] = (
            grade_label(result["grade"]) if result["is_major"] else _("Not a major hazard")
        )
    return render(
        request,
        "chemicals/calculator.html",
        {"tab": "calculator", "form": form, "result": result, "chemical_names": _chemical_names()},
    )


# --- licences ------------------------------------------------------------------------------------


@login_required
def licence_list(request: HttpRequest) -> HttpResponseBase:
    user = request.user
    qs = (
        Licence.objects.visible_to(user)
        .select_related("organization")
        .order_by("valid_until", "number")
    )
    status = request.GET.get("status", "")
    if status in LicenceStatus.values:
        qs = qs.filter(status=status)
    today = timezone.localdate()
    if request.GET.get("expiring"):
        qs = qs.filter(status=LicenceStatus.ISSUED, valid_until__lte=today + dt.timedelta(days=90))
    q = (request.GET.get("q") or "").replace("\x00", "").strip()[:100]
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(organization__name__icontains=q))
    columns: list[export.Column] = [
        (_("Licence number"), lambda lic: lic.number),
        (_("Holder"), lambda lic: lic.organization.name),
        (_("Kind"), lambda lic: lic.get_kind_display()),
        (_("Licensed scope"), lambda lic: lic.scope),
        (_("Issued on"), lambda lic: lic.issued_on),
        (_("Valid until"), lambda lic: lic.valid_until),
        (_("Status"), lambda lic: lic.get_status_display()),
        (_("Reason"), lambda lic: lic.status_reason),
        (_("Status date"), lambda lic: lic.status_date),
    ]
    result = export_or_page(request, qs, lambda: columns, "licences", _("Licences"))
    if isinstance(result, HttpResponseBase):
        return result
    paginator, page = result
    for lic in page:
        lic.colour = LicenceStatus.colour_of(lic.status)
        lic.expired = lic.status == LicenceStatus.ISSUED and lic.valid_until < today
    return render(
        request,
        "chemicals/licence_list.html",
        {
            "tab": "licences",
            "page_obj": page,
            "paginator": paginator,
            "page_range": pagination_range(page),
            "status": status,
            "q": q,
            "statuses": LicenceStatus.choices,
            "can_create": _is_authority(user),
        },
    )


@login_required
@forbidden_as_page
def licence_create(request: HttpRequest) -> HttpResponseBase:
    user = request.user
    licensing.require_authority(user)
    form = LicenceForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            lic = licensing.save_licence(user, dict(form.cleaned_data))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("chemicals:licence_detail", pk=lic.pk)
    return render(
        request,
        "chemicals/licence_form.html",
        {"tab": "licences", "form": form, "title": _("New licence")},
    )


@login_required
@forbidden_as_page
def licence_edit(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Correct a licence's particulars (number, scope, dates); status changes have their
    own form on the licence page."""
    user = request.user
    licensing.require_authority(user)
    lic = visible_or_404(Licence.objects.select_related("organization"), user, pk=pk)
    require_change(user, lic)
    initial = {name: getattr(lic, name) for name in LicenceForm.base_fields}
    initial["organization"] = lic.organization_id
    form = LicenceForm(request.POST or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            licensing.save_licence(user, dict(form.cleaned_data), instance=lic)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("chemicals:licence_detail", pk=lic.pk)
    return render(
        request,
        "chemicals/licence_form.html",
        {"tab": "licences", "form": form, "title": _("Edit licence"), "lic": lic},
    )


@login_required
@forbidden_as_page
def licence_detail(request: HttpRequest, pk: int) -> HttpResponseBase:
    user = request.user
    lic = visible_or_404(Licence.objects.select_related("organization"), user, pk=pk)
    form = LicenceStatusForm(initial={"date": timezone.localdate()})
    allowed = sorted(licensing.TRANSITIONS[lic.status])
    choices = [(s, LicenceStatus(s).label) for s in allowed]
    form.fields["status"].choices = choices  # type: ignore[attr-defined]
    if request.method == "POST":
        form = LicenceStatusForm(request.POST)
        form.fields["status"].choices = choices  # type: ignore[attr-defined]
        if form.is_valid():
            try:
                licensing.change_status(
                    user,
                    lic,
                    form.cleaned_data["status"],
                    form.cleaned_data["reason"],
                    form.cleaned_data.get("date"),
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The licence status was changed."))
                return redirect("chemicals:licence_detail", pk=lic.pk)
    return render(
        request,
        "chemicals/licence_detail.html",
        {
            "tab": "licences",
            "lic": lic,
            "form": form if allowed and _is_authority(user) and can_change(user, lic) else None,
            "can_edit": _is_authority(user) and can_change(user, lic),
            "colour": LicenceStatus.colour_of(lic.status),
            "reminders": lic.reminders.order_by("-due_on"),
            "history": history_rows(lic),
        },
    )


def cancelled_licences(request: HttpRequest) -> HttpResponse:
    """The public register of cancelled licences: no sign-in needed."""
    qs = Licence.objects.filter(status=LicenceStatus.CANCELLED).select_related("organization")
    q = (request.GET.get("q") or "").replace("\x00", "").strip()[:100]
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(organization__name__icontains=q))
    paginator, page = _page(request, qs.order_by("-status_date", "number"))
    return render(
        request,
        "chemicals/cancelled_licences.html",
        {"page_obj": page, "paginator": paginator, "page_range": pagination_range(page), "q": q},
    )


# --- flows ---------------------------------------------------------------------------------------


@login_required
def flow_list(request: HttpRequest) -> HttpResponseBase:
    user = request.user
    qs = (
        Flow.objects.visible_to(user)
        .select_related("organization", "chemical")
        .order_by("-occurred_at", "-id")
    )
    org = request.GET.get("organization", "")
    if org.isdigit():
        qs = qs.filter(organization_id=int(org))
    lot = (request.GET.get("lot") or "").replace("\x00", "").strip()[:64]
    if lot:
        qs = qs.filter(lot=lot)
    if request.GET.get("flagged"):
        qs = qs.filter(flagged=True)
    columns: list[export.Column] = [
        (_("Date and time"), lambda f: f.occurred_at),
        (_("Organisation"), lambda f: f.organization.name),
        (_("Chemical"), lambda f: f.chemical.name_zh),
        (_("Kind"), lambda f: f.get_kind_display()),
        (_("Direction"), lambda f: f.get_direction_display()),
        (_("Quantity (t)"), lambda f: f.quantity_t),
        (_("Counterparty"), lambda f: f.counterparty_name),
        (_("Counterparty licence number"), lambda f: f.counterparty_licence_no),
        (_("Permit or record number"), lambda f: f.permit_no),
        (_("Lot"), lambda f: f.lot),
        (_("Documents"), lambda f: f.documents),
        (_("Warnings"), lambda f: "; ".join(f.warnings)),
    ]
    result = export_or_page(request, qs, lambda: columns, "flows", _("Flows"))
    if isinstance(result, HttpResponseBase):
        return result
    paginator, page = result
    counts = StockCount.objects.visible_to(user).filter(flagged=True, resolved_at__isnull=True)
    return render(
        request,
        "chemicals/flow_list.html",
        {
            "tab": "flows",
            "page_obj": page,
            "paginator": paginator,
            "page_range": pagination_range(page),
            "lot": lot,
            "flagged": bool(request.GET.get("flagged")),
            "discrepancies": counts.select_related("organization", "chemical")[:20],
            "can_record": reach(user).can_write,
            "is_authority": _is_authority(user),
        },
    )


@login_required
@forbidden_as_page
def flow_create(request: HttpRequest) -> HttpResponseBase:
    user = request.user
    if not reach(user).can_write:
        raise PermissionDenied
    initial: dict[str, Any] = {"quantity_unit": "t"}
    if request.GET.get("organization", "").isdigit():
        initial["organization"] = int(request.GET["organization"])
    form = FlowForm(request.POST or None, initial=initial, user=user)
    if request.method == "POST" and form.is_valid() and form.cleaned_data.get("chemical_obj"):
        try:
            flow = ledger.record_flow(user, form.service_data())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if flow.warnings:
                messages.warning(
                    request, _("Recorded with warnings: %(w)s") % {"w": "; ".join(flow.warnings)}
                )
            else:
                messages.success(request, _("Recorded."))
            return redirect(f"{reverse('chemicals:flow_list')}?organization={flow.organization_id}")
    return render(
        request,
        "chemicals/flow_form.html",
        {"tab": "flows", "form": form, "chemical_names": _chemical_names()},
    )


@login_required
@forbidden_as_page
def count_create(request: HttpRequest) -> HttpResponseBase:
    user = request.user
    if not reach(user).can_write:
        raise PermissionDenied
    form = StockCountForm(request.POST or None, initial={"quantity_unit": "t"}, user=user)
    if request.method == "POST" and form.is_valid() and form.cleaned_data.get("chemical_obj"):
        data = {k: v for k, v in form.cleaned_data.items() if k not in {"grade", "chemical_obj"}}
        data["chemical"] = form.cleaned_data["chemical_obj"]
        try:
            count = ledger.record_count(user, data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if count.flagged:
                messages.warning(
                    request,
                    _(
                        "The count differs from the ledger by %(d).3f t and is flagged for supervision."
                    )
                    % {"d": count.discrepancy_t},
                )
            else:
                messages.success(request, _("Recorded."))
            return redirect("chemicals:flow_list")
    return render(
        request,
        "chemicals/count_form.html",
        {"tab": "flows", "form": form, "chemical_names": _chemical_names()},
    )


@login_required
@forbidden_as_page
def count_resolve(request: HttpRequest, pk: int) -> HttpResponseBase:
    count = visible_or_404(StockCount.objects.all(), request.user, pk=pk)
    if request.method != "POST":
        raise Http404
    try:
        ledger.resolve_count(request.user, count, request.POST.get("resolution", ""))
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    else:
        messages.success(request, _("The discrepancy was closed."))
    return redirect("chemicals:flow_list")


@login_required
def trace(request: HttpRequest) -> HttpResponse:
    lot = (request.GET.get("lot") or "").replace("\x00", "").strip()[:64]
    graph = ledger.trace(request.user, lot) if lot else None
    if graph is not None:
        for node in graph["nodes"]:
            node["label"] = {
                "organization": _("Organisation"),
                "external": _("Outside the platform"),
                "use": _("Use"),
                "disposal": _("Disposal"),
            }.get(node["kind"], node["kind"])
    return render(request, "chemicals/trace.html", {"tab": "flows", "lot": lot, "graph": graph})


# --- transport -----------------------------------------------------------------------------------


@login_required
def filing_list(request: HttpRequest) -> HttpResponseBase:
    user = request.user
    qs = TransportFiling.objects.visible_to(user).select_related("organization", "chemical")
    columns: list[export.Column] = [
        (_("From"), lambda f: f.window_start),
        (_("Until"), lambda f: f.window_end),
        (_("Filed by"), lambda f: f.organization.name),
        (_("Chemical"), lambda f: f.chemical.name_zh),
        (_("Quantity (t)"), lambda f: f.quantity_t),
        (_("Vehicle plate"), lambda f: f.vehicle_plate),
        (_("Driver"), lambda f: f.driver_name),
        (_("Escort"), lambda f: f.escort_name),
        (_("Carrier"), lambda f: f.carrier_name),
        (_("Origin"), lambda f: f.origin),
        (_("Destination"), lambda f: f.destination),
        (_("Status"), lambda f: f.get_status_display()),
    ]
    result = export_or_page(
        request,
        qs.order_by("-window_start", "-id"),
        lambda: columns,
        "transport-filings",
        _("Transport filings"),
    )
    if isinstance(result, HttpResponseBase):
        return result
    paginator, page = result
    return render(
        request,
        "chemicals/filing_list.html",
        {
            "tab": "transport",
            "page_obj": page,
            "paginator": paginator,
            "page_range": pagination_range(page),
            "can_file": reach(user).can_write,
            "can_see_blacklist": transport.can_see_blacklist(user),
        },
    )


@login_required
@forbidden_as_page
def filing_status(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Close a filed transport from the list: completed or withdrawn."""
    if request.method != "POST":
        return redirect("chemicals:filing_list")
    filing = visible_or_404(TransportFiling.objects.all(), request.user, pk=pk)
    try:
        transport.set_filing_status(request.user, filing, request.POST.get("status", ""))
    except ValidationError as exc:
        for msgs in exc.message_dict.values():
            for msg in msgs:
                messages.error(request, msg)
    else:
        messages.success(request, _("The filing was closed."))
    return redirect("chemicals:filing_list")


@login_required
@forbidden_as_page
def filing_create(request: HttpRequest) -> HttpResponseBase:
    user = request.user
    if not reach(user).can_write:
        raise PermissionDenied
    form = FilingForm(request.POST or None, initial={"quantity_unit": "t"}, user=user)
    if request.method == "POST" and form.is_valid() and form.cleaned_data.get("chemical_obj"):
        try:
            transport.file_transport(user, form.service_data())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The transport was filed."))
            return redirect("chemicals:filing_list")
    return render(
        request,
        "chemicals/filing_form.html",
        {"tab": "transport", "form": form, "chemical_names": _chemical_names()},
    )


@login_required
@forbidden_as_page
def blacklist(request: HttpRequest) -> HttpResponseBase:
    user = request.user
    if not transport.can_see_blacklist(user):
        raise PermissionDenied
    keeper = _is_authority(user)
    form = BlacklistForm()
    if request.method == "POST":
        if "lift" in request.POST:
            entry = get_object_or_404(BlacklistEntry, pk=request.POST.get("lift"))
            lift_form = LiftForm(request.POST)
            if lift_form.is_valid():
                try:
                    transport.lift(
                        user,
                        entry,
                        lift_form.cleaned_data["lift_reason"],
                        lift_form.cleaned_data.get("lifted_on"),
                    )
                except ValidationError as exc:
                    messages.error(request, "; ".join(exc.messages))
                else:
                    messages.success(request, _("The entry was lifted."))
            else:
                messages.error(request, _("Give the reason."))
            return redirect("chemicals:blacklist")
        form = BlacklistForm(request.POST)
        if form.is_valid():
            try:
                transport.add_to_blacklist(user, dict(form.cleaned_data))
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Added to the blacklist."))
                return redirect("chemicals:blacklist")
    qs = BlacklistEntry.objects.select_related("listed_by", "lifted_by").order_by(
        "lifted_on", "-listed_on", "-id"
    )
    if request.GET.get("active"):
        qs = qs.filter(lifted_on__isnull=True)
    paginator, page = _page(request, qs)
    return render(
        request,
        "chemicals/blacklist.html",
        {
            "tab": "transport",
            "form": form if keeper else None,
            "lift_form": LiftForm() if keeper else None,
            "page_obj": page,
            "paginator": paginator,
            "page_range": pagination_range(page),
        },
    )


# --- import --------------------------------------------------------------------------------------

SESSION_KEY = "cityguard.import_report.inventory"


@login_required
@forbidden_as_page
def inventory_import(request: HttpRequest) -> HttpResponseBase:
    if not reach(request.user).can_write:
        raise PermissionDenied
    report = None
    if request.method == "POST":
        form = InventoryImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            max_bytes = imports_limits()
            result = imports.import_file(
                request.user,
                upload.name or "",
                upload.read(max_bytes + 1),
                partial=form.cleaned_data["partial"],
                dry_run=form.cleaned_data["dry_run"],
            )
            request.session[SESSION_KEY] = result.as_dict()
            return redirect(f"{request.path}?report=1")
    else:
        form = InventoryImportForm()
        if request.GET.get("report"):
            report = request.session.pop(SESSION_KEY, None)
    return render(
        request,
        "chemicals/import.html",
        {"tab": "enterprises", "form": form, "report": report, "columns": imports.COLUMNS},
    )


def imports_limits() -> int:
    from cityguard.core.imports import limits

    return limits()[0]


@login_required
def import_template(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt == "csv":
        body, ctype = imports.template_csv(), "text/csv; charset=utf-8"
    else:
        body = imports.template_xlsx()
        ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = HttpResponse(body, content_type=ctype)
    response["Content-Disposition"] = f'attachment; filename="cityguard-inventories.{fmt}"'
    return response
