"""Pages of the special-equipment app: the registry with filters and export, a unit's
page (facts, parameters, inspections, reminders, history, map), create/edit, recording
an inspection, the due-and-overdue page, a user unit's equipment, and the import.

Reads go through `visible_to(request.user)` and writes through `equipment.services`, so
a page never shows or changes more than the API would for the same user.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from cityguard.core import export
from cityguard.core.access import can_change, reach, require_change
from cityguard.core.models import Organization
from cityguard.core.views import (
    _geometry_feature,
    _point,
    _street_names,
    _street_of,
    export_or_page,
    forbidden_as_page,
    history_rows,
    leaflet_config,
    pagination_range,
    picker_context,
    visible_or_404,
)

from . import config, imports, parameters, services
from .api import filter_equipment
from .choices import EquipmentKind, InspectionResult, InspectionState
from .forms import DueForm, EquipmentFilterForm, EquipmentForm, ImportForm, InspectionForm
from .models import Equipment, Inspection, Reminder

LOCATION_FIELDS = {"lon", "lat", "jurisdiction"}


def _scoped(user: Any) -> QuerySet:
    return Equipment.objects.visible_to(user).select_related(
        "jurisdiction", "organization", "place"
    )


def _decorate(objs: Any) -> None:
    today, days = services.today(), config.due_days()
    for obj in objs:
        state = obj.state(today, days)
        obj.state_value = state
        obj.state_label = InspectionState(state).label
        obj.state_colour = InspectionState.colour_of(state)
        obj.days_left = (obj.next_inspection_due - today).days if obj.next_inspection_due else None


def _columns() -> list[export.Column]:
    streets = _street_names()
    today, days = services.today(), config.due_days()
    return [
        (_("ID"), lambda e: e.pk),
        (_("Name"), lambda e: e.name),
        (_("Kind"), lambda e: e.get_kind_display()),
        (_("Registration number"), lambda e: e.registration_no),
        (_("Equipment code"), lambda e: e.code),
        (_("Status"), lambda e: e.get_status_display()),
        (_("Inspection"), lambda e: InspectionState(e.state(today, days)).label),
        (_("User unit"), lambda e: e.organization.name),
        (_("Place"), lambda e: e.place.name if e.place_id else None),
        (_("Place kind"), lambda e: e.place.get_kind_display() if e.place_id else None),
        (_("Maintenance unit"), lambda e: e.maintenance_unit or None),
        (_("Model"), lambda e: e.model_name),
        (_("Manufacturer"), lambda e: e.manufacturer),
        (_("Street"), lambda e: _street_of(e.jurisdiction, streets)),
        (_("Jurisdiction"), lambda e: e.jurisdiction.name),
        (_("Address"), lambda e: e.address),
        (_("Last inspection"), lambda e: e.last_inspection_on),
        (_("Last result"), lambda e: e.get_last_result_display() or None),
        (_("Next inspection due"), lambda e: e.next_inspection_due),
        (_("Longitude"), lambda e: e.lon),
        (_("Latitude"), lambda e: e.lat),
    ]


def _may_add(user: Any) -> bool:
    return reach(user).can_write


@login_required
def equipment_list(request: HttpRequest) -> HttpResponseBase:
    user = request.user
    form = EquipmentFilterForm(request.GET, user=user)
    qs = filter_equipment(_scoped(user), form.filters()).order_by(*form.ordering())
    result = export_or_page(request, qs, _columns, "special-equipment", _("Special equipment"))
    if isinstance(result, HttpResponseBase):
        return result
    paginator, page = result
    _decorate(page)
    org = None
    if form.value("organization"):
        org = Organization.objects.visible_to(user).filter(pk=form.value("organization")).first()
    return render(
        request,
        "equipment/list.html",
        {
            "form": form,
            "page_obj": page,
            "paginator": paginator,
            "page_range": pagination_range(page),
            "can_write": reach(request.user).can_write,
            "tab": "list",
            "organization": org,
            "can_add": _may_add(user),
            "counts": _counts(Equipment.objects.visible_to(user)),
        },
    )


def _counts(qs: QuerySet) -> dict[str, int]:
    return {
        "overdue": services.overdue(qs).count(),
        "due_soon": services.due_soon(qs).count(),
        "unregistered": services.unregistered(qs).count(),
    }


@login_required
def equipment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    eq = visible_or_404(
        Equipment.objects.select_related(
            "jurisdiction", "organization", "place", "maintenance_org"
        ),
        user,
        pk=pk,
    )
    _decorate([eq])
    inspections = list(
        Inspection.objects.filter(equipment=eq)
        .select_related("created_by")
        .order_by("-inspected_on", "-id")
    )
    for ins in inspections:
        ins.colour = InspectionResult.colour_of(ins.result)
    reminders = list(Reminder.objects.filter(equipment=eq).order_by("-due_on", "-id")[:20])
    features = [
        _geometry_feature(
            _point(eq.lon, eq.lat), eq.name, InspectionState.colour_of(eq.state_value)
        )
    ]
    org_visible = Organization.objects.visible_to(user).filter(pk=eq.organization_id).exists()
    return render(
        request,
        "equipment/detail.html",
        {
            "object": eq,
            "eq": eq,
            "can_write": reach(request.user).can_write,
            "tab": "list",
            "org_visible": org_visible,
            "params": parameters.rows(eq.kind, eq.parameters or {}),
            "interval": services.interval_of(eq),
            "interval_default": config.interval_months(eq.kind),
            "inspections": inspections,
            "reminders": reminders,
            "history": history_rows(eq),
            "map_config": leaflet_config(features),
            "can_change": can_change(user, eq),
        },
    )


@login_required
@forbidden_as_page
def equipment_edit(request: HttpRequest, pk: int | None = None) -> HttpResponseBase:
    user = request.user
    obj = None
    if pk is not None:
        obj = visible_or_404(Equipment.objects.all(), user, pk=pk)
        require_change(user, obj)
    elif not _may_add(user):
        raise PermissionDenied(_("You may not add records of this kind."))
    initial = {}
    if obj is None and request.GET.get("organization", "").isdigit():
        initial["organization"] = int(request.GET["organization"])
    form = EquipmentForm(request.POST or None, instance=obj, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = form.save(user)
        if saved is not None:
            messages.success(
                request,
                (_("Saved “%(name)s”.") if obj else _("Added “%(name)s”.")) % {"name": saved},
            )
            return redirect("equipment:detail", pk=saved.pk)
    title = _("Edit special equipment") if obj else _("New special equipment")
    return render(
        request,
        "equipment/form.html",
        {
            "form": form,
            "object": obj,
            "title": title,
            "can_write": reach(request.user).can_write,
            "tab": "list",
            "basic_fields": [f for f in form if f.name not in LOCATION_FIELDS],
            "cancel_url": reverse("equipment:detail", args=[obj.pk])
            if obj
            else reverse("equipment:list"),
            "picker": picker_context(user, form["lon"].id_for_label, form["lat"].id_for_label),
        },
    )


@login_required
@forbidden_as_page
def inspection_create(request: HttpRequest, pk: int) -> HttpResponseBase:
    user = request.user
    eq = visible_or_404(Equipment.objects.select_related("organization"), user, pk=pk)
    require_change(user, eq)
    form = InspectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_inspection(user, eq, **form.cleaned_data)
        except ValidationError as exc:
            for field, msgs in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, msgs)
        else:
            messages.success(request, _("Inspection recorded."))
            return redirect("equipment:detail", pk=eq.pk)
    return render(
        request,
        "equipment/inspection_form.html",
        {
            "form": form,
            "eq": eq,
            "object": eq,
            "can_write": reach(request.user).can_write,
            "tab": "list",
            "interval": services.interval_of(eq),
        },
    )


@login_required
def due_list(request: HttpRequest) -> HttpResponse:
    """Units due within N days, overdue units, unregistered ones, and open reminders."""
    user = request.user
    form = DueForm(request.GET or None, initial={"days": config.due_days()})
    days = form.cleaned_data["days"] if form.is_bound and form.is_valid() else config.due_days()
    base = _scoped(user)
    overdue = list(services.overdue(base).order_by("next_inspection_due", "id")[:500])
    due = list(services.due_soon(base, days).order_by("next_inspection_due", "id")[:500])
    unreg = list(services.unregistered(base).order_by("name", "id")[:500])
    _decorate([*overdue, *due, *unreg])
    reminders = list(
        Reminder.objects.visible_to(user)
        .filter(resolved_at__isnull=True)
        .select_related("equipment", "equipment__organization")
        .order_by("due_on", "id")[:500]
    )
    return render(
        request,
        "equipment/due.html",
        {
            "form": form,
            "days": days,
            "overdue": overdue,
            "overdue_count": services.overdue(base).count(),
            "due": due,
            "due_count": services.due_soon(base, days).count(),
            "unregistered": unreg,
            "unregistered_count": services.unregistered(base).count(),
            "reminders": reminders,
            "can_write": reach(request.user).can_write,
            "tab": "due",
        },
    )


@login_required
def organization_equipment(request: HttpRequest, pk: int) -> HttpResponse:
    """A user unit's equipment and its open reminders (linked from its page)."""
    user = request.user
    org = visible_or_404(Organization.objects.select_related("jurisdiction"), user, pk=pk)
    units = list(_scoped(user).filter(organization=org).order_by("kind", "name", "id"))
    _decorate(units)
    reminders = list(
        Reminder.objects.visible_to(user)
        .filter(equipment__organization=org, resolved_at__isnull=True)
        .select_related("equipment")
        .order_by("due_on", "id")
    )
    by_kind: dict[str, int] = {}
    for u in units:
        by_kind[u.kind] = by_kind.get(u.kind, 0) + 1
    return render(
        request,
        "equipment/organization.html",
        {
            "org": org,
            "units": units,
            "reminders": reminders,
            "by_kind": [(EquipmentKind(k).label, n) for k, n in sorted(by_kind.items())],
            "can_write": reach(request.user).can_write,
            "tab": "list",
            "can_add": _may_add(user)
            and can_change(user, Equipment(organization=org, jurisdiction=org.jurisdiction)),
        },
    )


SESSION_KEY = "cityguard.import_report.equipment"


@login_required
@forbidden_as_page
def equipment_import(request: HttpRequest) -> HttpResponseBase:
    if not reach(request.user).can_write:
        raise PermissionDenied(_("You do not have permission to do this."))
    report = None
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            from cityguard.core.imports import limits

            upload = form.cleaned_data["file"]
            result = imports.import_file(
                request.user,
                upload.name or "",
                upload.read(limits()[0] + 1),
                partial=form.cleaned_data["partial"],
                dry_run=form.cleaned_data["dry_run"],
            )
            request.session[SESSION_KEY] = result.as_dict()
            return redirect(f"{request.path}?report=1")
    else:
        form = ImportForm()
        if request.GET.get("report"):
            report = request.session.pop(SESSION_KEY, None)
    return render(
        request,
        "equipment/import.html",
        {
            "can_write": True,
            "tab": "import",
            "form": form,
            "report": report,
            "columns": imports.COLUMNS,
        },
    )


@login_required
def import_template(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt == "csv":
        body, ctype = imports.template_csv(), "text/csv; charset=utf-8"
    else:
        body = imports.template_xlsx()
        ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = HttpResponse(body, content_type=ctype)
    response["Content-Disposition"] = f'attachment; filename="cityguard-equipment.{fmt}"'
    return response
