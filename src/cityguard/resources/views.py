"""Pages of the resources app: lists with filters and export, detail pages with history,
the stock ledger and its operations, rotation alerts, fire-station coverage and the
nearest-resources finder.

Reads go through `visible_to(request.user)` and writes through `resources.services`, so
a page never shows or changes more than the API would for the same user.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model, Q, QuerySet, Sum
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cityguard.core import export, geo
from cityguard.core.access import DISTRICT_ROLES, can_change, reach
from cityguard.core.forms import ServiceModelForm
from cityguard.core.views import (
    _area,
    _area_label,
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

from . import config, services
from .api import filter_shelters, filter_teams, filter_warehouses
from .choices import TEAM_COLOURS
from .forms import (
    ExpertFilterForm,
    ExpertForm,
    FireStationForm,
    IssueForm,
    MaterialFilterForm,
    MaterialForm,
    NearestForm,
    ReceiveForm,
    ShelterFilterForm,
    ShelterForm,
    ShelterOccupancyForm,
    StocktakeForm,
    TeamFilterForm,
    TeamForm,
    TeamStatusForm,
    TransferForm,
    WarehouseFilterForm,
    WarehouseForm,
)
from .layers import SHELTER_COLOUR, STATION_COLOUR, WAREHOUSE_COLOUR
from .models import (
    Expert,
    FireStation,
    Material,
    RotationAlert,
    Shelter,
    StockLot,
    StockMovement,
    Team,
    Warehouse,
)


@dataclass
class Cell:
    text: Any
    url: str = ""
    css: str = ""


def _table(
    page: Any, spec: Sequence[tuple[Any, Callable[[Any], Any], Callable[[Any], str] | None]]
) -> dict[str, Any]:
    """Headers and rows of cells for the shared list template."""
    rows = []
    for obj in page:
        cells = []
        for _label, get, link in spec:
            value = get(obj)
            cells.append(Cell("—" if value in (None, "") else value, link(obj) if link else ""))
        rows.append(cells)
    return {"headers": [label for label, _g, _l in spec], "rows": rows}


def _list_page(
    request: HttpRequest,
    *,
    qs: QuerySet,
    form: Any,
    columns: Callable[[], list[export.Column]],
    stem: str,
    title: str,
    tab: str,
    spec: Sequence[tuple[Any, Callable[[Any], Any], Callable[[Any], str] | None]],
    decorate: Callable[[Any], None] | None = None,
    extra: dict[str, Any] | None = None,
) -> HttpResponseBase:
    result = export_or_page(request, qs, columns, stem, title)
    if isinstance(result, HttpResponseBase):
        return result
    paginator, page = result
    if decorate:
        decorate(page)
    return render(
        request,
        "resources/list.html",
        {
            "form": form,
            "page_obj": page,
            "paginator": paginator,
            "page_range": pagination_range(page),
            "title": title,
            "tab": tab,
            "table": _table(page, spec),
            **(extra or {}),
        },
    )


def _areas(page: Any) -> None:
    streets = _street_names()
    for obj in page:
        obj.area_label = _area_label(obj.jurisdiction, streets)


# --- warehouses ------------------------------------------------------------------------


def _warehouse_columns() -> list[export.Column]:
    streets = _street_names()
    return [
        (_("ID"), lambda w: w.pk),
        (_("Name"), lambda w: w.name),
        (_("Code"), lambda w: w.code),
        (_("Reserve level"), lambda w: w.get_reserve_level_display()),
        (_("Reserve mode"), lambda w: w.get_mode_display()),
        (_("Organisation"), lambda w: w.organization.name if w.organization_id else None),
        (_("Street"), lambda w: _street_of(w.jurisdiction, streets)),
        (_("Jurisdiction"), lambda w: w.jurisdiction.name),
        (_("Address"), lambda w: w.address),
        (_("Manager"), lambda w: w.manager),
        (_("Phone"), lambda w: w.phone),
        (_("Active"), lambda w: w.is_active),
        (_("Longitude"), lambda w: w.lon),
        (_("Latitude"), lambda w: w.lat),
    ]


@login_required
def warehouse_list(request: HttpRequest) -> HttpResponseBase:
    user = request.user
    form = WarehouseFilterForm(request.GET, user=user)
    qs = filter_warehouses(
        Warehouse.objects.visible_to(user).select_related("jurisdiction", "organization"),
        form.value("q"),
        form.value("reserve_level"),
        form.value("mode"),
        form.value("jurisdiction"),
        form.value("material"),
    ).order_by(*form.ordering())
    return _list_page(
        request,
        qs=qs,
        form=form,
        columns=_warehouse_columns,
        stem="warehouses",
        title=_("Reserve warehouses"),
        tab="warehouses",
        decorate=_areas,
        extra=_new_button(user, "warehouse"),
        spec=[
            (
                _("Name"),
                lambda w: w.name,
                lambda w: reverse("resources:warehouse_detail", args=[w.pk]),
            ),
            (_("Reserve level"), lambda w: w.get_reserve_level_display(), None),
            (_("Reserve mode"), lambda w: w.get_mode_display(), None),
            (_("Area"), lambda w: w.area_label, None),
            (_("Manager"), lambda w: w.manager, None),
        ],
    )


def _warehouse(request: HttpRequest, pk: int) -> Warehouse:
    return visible_or_404(  # type: ignore[no-any-return]
        Warehouse.objects.select_related("jurisdiction", "organization"), request.user, pk=pk
    )


@login_required
def warehouse_detail(request: HttpRequest, pk: int) -> HttpResponse:
    wh = _warehouse(request, pk)
    lots = list(
        StockLot.objects.filter(warehouse=wh, quantity__gt=0)
        .select_related("material")
        .order_by("material__category", "material__code", "expires_on", "id")
    )
    soon = timezone.localdate() + dt.timedelta(days=config.rotation_days())
    for lot in lots:
        lot.expiring = bool(lot.expires_on and lot.expires_on <= soon)
    materials = {m.pk: m for m in Material.objects.all()}
    lines = services.reconcile([wh])
    for line in lines:
        line.material = materials.get(line.material_id)  # type: ignore[attr-defined]
    movements = list(
        StockMovement.objects.filter(warehouse=wh)
        .select_related("material", "counterpart", "created_by")
        .order_by("-at", "-id")[:100]
    )
    feature = _geometry_feature(_point(wh.lon, wh.lat), wh.name, WAREHOUSE_COLOUR)
    return render(
        request,
        "resources/warehouse_detail.html",
        {
            "object": wh,
            "wh": wh,
            "lots": lots,
            "lines": lines,
            "all_ok": all(line.ok for line in lines),
            "movements": movements,
            "movement_count": StockMovement.objects.filter(warehouse=wh).count(),
            "history": history_rows(wh),
            "map_config": leaflet_config([feature]),
            "can_change": can_change(request.user, wh),
            "tab": "warehouses",
        },
    )


OPS = {"receive": ReceiveForm, "issue": IssueForm, "transfer": TransferForm}


@login_required
@forbidden_as_page
def warehouse_stock(request: HttpRequest, pk: int, op: str) -> HttpResponseBase:
    """Receive, issue or transfer stock through the ledger."""
    if op not in OPS:
        raise Http404
    user = request.user
    wh = _warehouse(request, pk)
    from cityguard.core.access import require_change

    require_change(user, wh)
    kwargs: dict[str, Any] = {"user": user, "source": wh} if op == "transfer" else {}
    form = OPS[op](request.POST or None, **kwargs)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            if op == "receive":
                services.receive_stock(
                    user, warehouse=wh, material=d["material"], quantity=d["quantity"],
                    lot_no=d["lot_no"], expires_on=d["expires_on"], donor=d["donor"], note=d["note"],
                )  # fmt: skip
            elif op == "issue":
                services.issue_stock(
                    user, warehouse=wh, material=d["material"], quantity=d["quantity"],
                    incident_ref=d["incident_ref"], note=d["note"],
                )  # fmt: skip
            else:
                services.transfer_stock(
                    user, source=wh, target=d["target"], material=d["material"],
                    quantity=d["quantity"], note=d["note"],
                )  # fmt: skip
        except ValidationError as exc:
            for field, msgs in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, msgs)
        else:
            messages.success(request, _("Recorded in the ledger."))
            return redirect("resources:warehouse_detail", pk=wh.pk)
    titles = {"receive": _("Stock in"), "issue": _("Issue stock"), "transfer": _("Transfer stock")}
    return render(
        request,
        "resources/stock_form.html",
        {"form": form, "wh": wh, "object": wh, "op_title": titles[op], "tab": "warehouses"},
    )


@login_required
@forbidden_as_page
def warehouse_stocktake(request: HttpRequest, pk: int) -> HttpResponseBase:
    user = request.user
    wh = _warehouse(request, pk)
    from cityguard.core.access import require_change

    require_change(user, wh)
    lots = list(
        StockLot.objects.filter(warehouse=wh, quantity__gt=0)
        .select_related("material")
        .order_by("material__code", "expires_on", "id")
    )
    form = StocktakeForm(request.POST or None, lots=lots)
    if request.method == "POST" and form.is_valid():
        try:
            take = services.record_stocktake(
                user, warehouse=wh, counts=form.counts(), note=form.cleaned_data["note"]
            )
        except ValidationError as exc:
            form.add_error(None, [m for msgs in exc.message_dict.values() for m in msgs])
        else:
            changed = sum(1 for line in take.lines if line["difference"] not in ("0", "0.00"))
            messages.success(
                request,
                _("Stocktake recorded: %(n)s lots counted, %(changed)s adjusted.")
                % {"n": len(take.lines), "changed": changed},
            )
            return redirect("resources:warehouse_detail", pk=wh.pk)
    return render(
        request,
        "resources/stocktake_form.html",
        {"form": form, "wh": wh, "object": wh, "tab": "warehouses"},
    )


@login_required
def ledger(request: HttpRequest) -> HttpResponseBase:
    """Reconciliation of every visible warehouse × material; flagged lines first."""
    whs = Warehouse.objects.visible_to(request.user)
    names = dict(whs.values_list("pk", "name"))
    materials = {m.pk: m for m in Material.objects.all()}
    lines = services.reconcile(whs)
    rows = sorted(lines, key=lambda line: (line.ok, names.get(line.warehouse_id, "")))
    for line in rows:
        line.warehouse_name = names.get(line.warehouse_id, "")  # type: ignore[attr-defined]
        line.material = materials.get(line.material_id)  # type: ignore[attr-defined]
    return render(
        request,
        "resources/ledger.html",
        {
            "lines": rows[:2000],
            "flagged": sum(1 for x in lines if not x.ok),
            "total": len(lines),
            "tab": "ledger",
        },
    )


# --- rotation --------------------------------------------------------------------------


def _rotation_columns() -> list[export.Column]:
    return [
        (_("Warehouse"), lambda a: a.lot.warehouse.name),
        (_("Material"), lambda a: a.lot.material.label),
        (_("Lot number"), lambda a: a.lot.lot_no),
        (_("Quantity on hand"), lambda a: a.lot.quantity),
        (_("Unit"), lambda a: a.lot.material.unit),
        (_("Expires"), lambda a: a.expires_on),
        (_("Raised"), lambda a: a.raised_at),
    ]


@login_required
def rotation_list(request: HttpRequest) -> HttpResponseBase:
    qs = (
        RotationAlert.objects.visible_to(request.user)
        .filter(resolved_at__isnull=True)
        .select_related("lot__warehouse", "lot__material")
        .order_by("expires_on", "id")
    )
    today = timezone.localdate()

    def days(a: Any) -> Any:
        left = (a.expires_on - today).days
        return _("expired") if left < 0 else left

    return _list_page(
        request,
        qs=qs,
        form=None,
        columns=_rotation_columns,
        stem="rotation-alerts",
        title=_("Rotation alerts"),
        tab="rotation",
        spec=[
            (
                _("Warehouse"),
                lambda a: a.lot.warehouse.name,
                lambda a: reverse("resources:warehouse_detail", args=[a.lot.warehouse_id]),
            ),
            (_("Material"), lambda a: a.lot.material.label, None),
            (_("Lot number"), lambda a: a.lot.lot_no, None),
            (
                _("Quantity on hand"),
                lambda a: f"{a.lot.quantity.normalize():f} {a.lot.material.unit}",
                None,
            ),
            (_("Expires"), lambda a: a.expires_on, None),
            (_("Days left"), days, None),
        ],
        extra={
            "subtitle": _("Lots that expire within %(days)s days: rotate them out before they do.")
            % {"days": config.rotation_days()}
        },
    )


# --- teams -----------------------------------------------------------------------------


def _team_columns() -> list[export.Column]:
    streets = _street_names()
    return [
        (_("ID"), lambda t: t.pk),
        (_("Name"), lambda t: t.name),
        (_("Kind"), lambda t: t.get_kind_display()),
        (_("Status"), lambda t: t.get_status_display()),
        (_("Headcount"), lambda t: t.headcount),
        (_("Skills"), lambda t: t.skills),
        (_("Equipment"), lambda t: t.equipment),
        (_("Leader"), lambda t: t.leader),
        (_("Phone"), lambda t: t.phone),
        (_("Street"), lambda t: _street_of(t.jurisdiction, streets)),
        (_("Longitude"), lambda t: t.lon),
        (_("Latitude"), lambda t: t.lat),
    ]


@login_required
def team_list(request: HttpRequest) -> HttpResponseBase:
    user = request.user
    form = TeamFilterForm(request.GET, user=user)
    qs = filter_teams(
        Team.objects.visible_to(user).select_related("jurisdiction"),
        form.value("q"),
        form.value("kind"),
        form.value("status"),
        form.value("jurisdiction"),
    ).order_by(*form.ordering())
    return _list_page(
        request,
        qs=qs,
        form=form,
        columns=_team_columns,
        stem="teams",
        title=_("Emergency teams"),
        tab="teams",
        decorate=_areas,
        extra=_new_button(user, "team"),
        spec=[
            (_("Name"), lambda t: t.name, lambda t: reverse("resources:team_detail", args=[t.pk])),
            (_("Kind"), lambda t: t.get_kind_display(), None),
            (_("Status"), lambda t: t.get_status_display(), None),
            (_("Headcount"), lambda t: t.headcount, None),
            (_("Area"), lambda t: t.area_label, None),
        ],
    )


@login_required
@forbidden_as_page
def team_detail(request: HttpRequest, pk: int) -> HttpResponseBase:
    user = request.user
    team = visible_or_404(Team.objects.select_related("jurisdiction", "organization"), user, pk=pk)
    form = TeamStatusForm(request.POST or None, initial={"status": team.status})
    if request.method == "POST" and form.is_valid():
        try:
            services.set_team_status(
                user, team, form.cleaned_data["status"], reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            for field, msgs in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, msgs)
        else:
            messages.success(request, _("Status changed."))
            return redirect("resources:team_detail", pk=team.pk)
    feature = _geometry_feature(
        _point(team.lon, team.lat), team.name, TEAM_COLOURS.get(team.kind, "#455a64")
    )
    facts = [
        (_("Kind"), team.get_kind_display()),
        (_("Status"), team.get_status_display()),
        (_("Status reason"), team.status_reason),
        (_("Headcount"), team.headcount),
        (_("Skills"), team.skills),
        (_("Equipment"), team.equipment),
        (_("Leader"), team.leader),
        (_("Phone"), team.phone),
        (_("Organisation"), team.organization.name if team.organization_id else ""),
        (_("Jurisdiction"), team.jurisdiction.name),
    ]
    return render(
        request,
        "resources/detail.html",
        {
            "object": team,
            "title": team.name,
            "facts": facts,
            "status_form": form if can_change(user, team) else None,
            "edit_url": reverse("resources:team_edit", args=[team.pk])
            if can_change(user, team)
            else "",
            "history": history_rows(team),
            "map_config": leaflet_config([feature]),
            "tab": "teams",
            "list_url": reverse("resources:team_list"),
            "list_title": _("Emergency teams"),
        },
    )


# --- shelters --------------------------------------------------------------------------


def _shelter_columns() -> list[export.Column]:
    streets = _street_names()
    return [
        (_("ID"), lambda s: s.pk),
        (_("Name"), lambda s: s.name),
        (_("Kind"), lambda s: s.get_kind_display()),
        (_("Status"), lambda s: s.get_status_display()),
        (_("Capacity (people)"), lambda s: s.capacity),
        (_("Occupancy (people)"), lambda s: s.occupancy),
        (_("Free places"), lambda s: s.free_capacity),
        (_("Area (m²)"), lambda s: s.area_m2),
        (_("Facilities"), lambda s: s.facilities),
        (_("Street"), lambda s: _street_of(s.jurisdiction, streets)),
        (_("Address"), lambda s: s.address),
        (_("Longitude"), lambda s: s.lon),
        (_("Latitude"), lambda s: s.lat),
    ]


@login_required
def shelter_list(request: HttpRequest) -> HttpResponseBase:
    user = request.user
    form = ShelterFilterForm(request.GET, user=user)
    base = Shelter.objects.visible_to(user).select_related("jurisdiction")
    qs = filter_shelters(
        base,
        form.value("q"),
        form.value("status"),
        form.value("jurisdiction"),
        form.value("free") == "true",
    ).order_by(*form.ordering())
    return _list_page(
        request,
        qs=qs,
        form=form,
        columns=_shelter_columns,
        stem="shelters",
        title=_("Emergency shelters"),
        tab="shelters",
        decorate=_areas,
        spec=[
            (
                _("Name"),
                lambda s: s.name,
                lambda s: reverse("resources:shelter_detail", args=[s.pk]),
            ),
            (_("Status"), lambda s: s.get_status_display(), None),
            (_("Capacity (people)"), lambda s: s.capacity, None),
            (_("Free places"), lambda s: s.free_capacity, None),
            (_("Area"), lambda s: s.area_label, None),
        ],
        extra={
            "subtitle": _("Free places in total: %(n)s")
            % {"n": f"{services.free_capacity_total(base):,}"},
            **_new_button(user, "shelter"),
        },
    )


@login_required
@forbidden_as_page
def shelter_detail(request: HttpRequest, pk: int) -> HttpResponseBase:
    user = request.user
    s = visible_or_404(Shelter.objects.select_related("jurisdiction"), user, pk=pk)
    form = ShelterOccupancyForm(
        request.POST or None, initial={"occupancy": s.occupancy, "status": s.status}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.set_shelter_occupancy(
                user, s, form.cleaned_data["occupancy"], status=form.cleaned_data["status"]
            )
        except ValidationError as exc:
            for field, msgs in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, msgs)
        else:
            messages.success(request, _("Occupancy updated."))
            return redirect("resources:shelter_detail", pk=s.pk)
    facts = [
        (_("Kind"), s.get_kind_display()),
        (_("Status"), s.get_status_display()),
        (_("Capacity (people)"), s.capacity),
        (_("Occupancy (people)"), s.occupancy),
        (_("Free places"), s.free_capacity),
        (_("Area (m²)"), s.area_m2),
        (_("Facilities"), s.facilities),
        (_("Address"), s.address),
        (_("Manager"), s.manager),
        (_("Phone"), s.phone),
        (_("Jurisdiction"), s.jurisdiction.name),
    ]
    feature = _geometry_feature(_point(s.lon, s.lat), s.name, SHELTER_COLOUR)
    return render(
        request,
        "resources/detail.html",
        {
            "object": s,
            "title": s.name,
            "facts": facts,
            "status_form": form if can_change(user, s) else None,
            "edit_url": reverse("resources:shelter_edit", args=[s.pk])
            if can_change(user, s)
            else "",
            "status_title": _("Occupancy and status"),
            "history": history_rows(s),
            "map_config": leaflet_config([feature]),
            "tab": "shelters",
            "list_url": reverse("resources:shelter_list"),
            "list_title": _("Emergency shelters"),
        },
    )


# --- materials catalogue ---------------------------------------------------------------


@login_required
def material_list(request: HttpRequest) -> HttpResponseBase:
    """The catalogue by category, with what the viewer's warehouses hold of each."""
    form = MaterialFilterForm(request.GET)
    qs = Material.objects.filter(is_active=True).order_by(*form.ordering())
    text = (form.value("q") or "").replace("\x00", "").strip()
    if text:
        qs = qs.filter(Q(name__icontains=text) | Q(name_en__icontains=text) | Q(code=text))
    if form.value("category"):
        qs = qs.filter(category=form.value("category"))
    held = dict(
        StockLot.objects.visible_to(request.user)
        .values_list("material_id")
        .order_by()
        .annotate(s=Sum("quantity"))
    )

    def total(m: Any) -> str:
        return f"{held.get(m.pk, 0):,.0f} {m.unit}"

    cols: list[export.Column] = [
        (_("Code"), lambda m: m.code),
        (_("Name"), lambda m: m.label),
        (_("Category"), lambda m: m.get_category_display()),
        (_("Unit"), lambda m: m.unit),
        (_("Shelf life (days)"), lambda m: m.shelf_life_days),
        (_("Quantity held"), lambda m: held.get(m.pk, 0)),
    ]
    return _list_page(
        request,
        qs=qs,
        form=form,
        columns=lambda: cols,
        stem="materials",
        title=_("Materials catalogue"),
        tab="materials",
        spec=[
            (
                _("Name"),
                lambda m: m.label,
                lambda m: reverse("resources:warehouse_list") + f"?material={m.code}",
            ),
            (_("Category"), lambda m: m.get_category_display(), None),
            (_("Shelf life (days)"), lambda m: m.shelf_life_days, None),
            (_("Quantity held"), total, None),
            *_edit_cells(request.user, "material"),
        ],
        extra=_new_button(request.user, "material"),
    )


# --- experts ---------------------------------------------------------------------------


@login_required
def expert_list(request: HttpRequest) -> HttpResponseBase:
    form = ExpertFilterForm(request.GET)
    qs = Expert.objects.visible_to(request.user).order_by(*form.ordering())
    text = (form.value("q") or "").replace("\x00", "").strip()
    if text:
        qs = qs.filter(
            Q(name__icontains=text) | Q(specialty__icontains=text) | Q(employer__icontains=text)
        )
    cols: list[export.Column] = [
        (_("Name"), lambda e: e.name),
        (_("Specialty"), lambda e: e.specialty),
        (_("Professional title"), lambda e: e.title),
        (_("Employer"), lambda e: e.employer),
        (_("Phone"), lambda e: e.phone),
        (_("Available"), lambda e: e.is_available),
    ]
    return _list_page(
        request,
        qs=qs,
        form=form,
        columns=lambda: cols,
        stem="experts",
        title=_("Expert library"),
        tab="experts",
        spec=[*((label, get, None) for label, get in cols), *_edit_cells(request.user, "expert")],
        extra=_new_button(request.user, "expert"),
    )


# --- fire stations and coverage --------------------------------------------------------


@login_required
def fire_stations(request: HttpRequest) -> HttpResponse:
    user = request.user
    cov = services.station_coverage(user)
    stations = {
        s.pk: s for s in FireStation.objects.visible_to(user).select_related("jurisdiction")
    }
    features: list[Any] = []
    node = services.coverage_area(user)
    if node is not None:
        features.append(
            _geometry_feature(_area(node.boundary), node.name, "#607d8b", role="context")
        )
    for s in stations.values():
        features.append(_geometry_feature(_area(s.service_area), s.name, "#e57373", role="context"))
        features.append(_geometry_feature(_point(s.lon, s.lat), s.name, STATION_COLOUR))
    if cov is not None and cov.gap is not None:
        features.append(
            _geometry_feature(geo.to_geojson(cov.gap), _("Not covered"), "#212121", role="main")
        )
    rows = []
    if cov is not None:
        for sa in cov.stations:
            st = stations[sa.key]
            rows.append(
                {
                    "station": st,
                    "area_km2": sa.area_km2,
                    "over": sa.over_standard,
                    "share": sa.area_km2 / cov.standard_km2 * 100 if cov.standard_km2 else 0,
                }
            )
    return render(
        request,
        "resources/fire_stations.html",
        {
            "cov": cov,
            "rows": rows,
            "node": node,
            "map_config": leaflet_config(features),
            "tab": "fire_stations",
            "editable": {pk for pk, st in stations.items() if can_change(user, st)},
            **_new_button(user, "fire_station"),
        },
    )


# --- nearest ---------------------------------------------------------------------------


@login_required
def nearest(request: HttpRequest) -> HttpResponse:
    """Click on the map (or type a point), pick a kind: the nearest resources, listed."""
    user = request.user
    form = NearestForm(request.GET or None, initial={"kind": "team", "k": 5})
    results: list[dict[str, Any]] = []
    features: list[Any] = []
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        material = Material.objects.filter(code=d["material"]).first() if d["material"] else None
        kind = d["kind"]
        try:
            results = services.nearest(
                user, lon=d["lon"], lat=d["lat"], kind=kind, k=d["k"],
                material=material if kind == "warehouse" else None,
            )  # fmt: skip
        except ValidationError as exc:
            for field, msgs in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, msgs)
        urls = {
            "team": "resources:team_detail",
            "warehouse": "resources:warehouse_detail",
            "shelter": "resources:shelter_detail",
        }
        for r in results:
            r["url"] = reverse(urls[r["kind"]], args=[r["id"]]) if r["kind"] in urls else ""
            features.append(
                _geometry_feature(
                    _point(r["lon"], r["lat"]), r["name"], STATION_COLOUR, r["url"], role="context"
                )
            )
    picker = picker_context(user, form["lon"].id_for_label, form["lat"].id_for_label, features)
    return render(
        request,
        "resources/nearest.html",
        {
            "form": form,
            "results": results,
            "picker": picker,
            "tab": "nearest",
            "detour": config.detour(),
        },
    )


# --- home ------------------------------------------------------------------------------


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    whs = Warehouse.objects.visible_to(user)
    teams = Team.objects.visible_to(user).filter(is_active=True)
    shelters = Shelter.objects.visible_to(user)
    cards = [
        (_("Reserve warehouses"), whs.count(), reverse("resources:warehouse_list")),
        (_("Emergency teams"), teams.count(), reverse("resources:team_list")),
        (
            _("Available teams"),
            teams.filter(status="available").count(),
            reverse("resources:team_list") + "?status=available",
        ),
        (_("Emergency shelters"), shelters.count(), reverse("resources:shelter_list")),
        (
            _("Free places"),
            services.free_capacity_total(shelters),
            reverse("resources:shelter_list") + "?free=true",
        ),
        (
            _("Fire stations"),
            FireStation.objects.visible_to(user).count(),
            reverse("resources:fire_stations"),
        ),
        (
            _("Rotation alerts"),
            RotationAlert.objects.visible_to(user).filter(resolved_at__isnull=True).count(),
            reverse("resources:rotation"),
        ),
        (_("Experts"), Expert.objects.visible_to(user).count(), reverse("resources:expert_list")),
    ]
    held = (
        StockLot.objects.visible_to(user)
        .values("material__name", "material__name_en", "material__unit")
        .order_by("material__category", "material__code")
        .annotate(total=Sum("quantity"))
    )
    return render(request, "resources/home.html", {"cards": cards, "held": held, "tab": "home"})


# --- create and edit records -----------------------------------------------------------


@dataclass(frozen=True)
class RecordKind:
    """What the shared create/edit page needs to know about one kind of record."""

    model: type[Model]
    form: type[ServiceModelForm]
    tab: str
    list_name: str
    detail_name: str | None
    list_title: Callable[[], str]
    new_title: Callable[[], str]
    edit_title: Callable[[], str]
    located: bool = True

    def after_save_url(self, obj: Any) -> str:
        if self.detail_name:
            return reverse(self.detail_name, args=[obj.pk])
        return reverse(self.list_name)

    def back_url(self, obj: Any) -> str:
        return self.after_save_url(obj) if obj is not None else reverse(self.list_name)


KINDS: dict[str, RecordKind] = {
    "warehouse": RecordKind(
        Warehouse, WarehouseForm, "warehouses", "resources:warehouse_list",
        "resources:warehouse_detail", lambda: _("Reserve warehouses"),
        lambda: _("New warehouse"), lambda: _("Edit warehouse"),
    ),
    "team": RecordKind(
        Team, TeamForm, "teams", "resources:team_list", "resources:team_detail",
        lambda: _("Emergency teams"), lambda: _("New team"), lambda: _("Edit team"),
    ),
    "shelter": RecordKind(
        Shelter, ShelterForm, "shelters", "resources:shelter_list", "resources:shelter_detail",
        lambda: _("Emergency shelters"), lambda: _("New shelter"), lambda: _("Edit shelter"),
    ),
    "fire_station": RecordKind(
        FireStation, FireStationForm, "fire_stations", "resources:fire_stations", None,
        lambda: _("Fire-station coverage"), lambda: _("New fire station"),
        lambda: _("Edit fire station"),
    ),
    "expert": RecordKind(
        Expert, ExpertForm, "experts", "resources:expert_list", None,
        lambda: _("Expert library"), lambda: _("New expert"), lambda: _("Edit expert"),
        located=False,
    ),
    "material": RecordKind(
        Material, MaterialForm, "materials", "resources:material_list", None,
        lambda: _("Materials catalogue"), lambda: _("New material"), lambda: _("Edit material"),
        located=False,
    ),
}  # fmt: skip


_LOCATION_FIELDS = {"lon", "lat", "jurisdiction", "service_area"}


def _may_add(user: Any, kind: str) -> bool:
    r = reach(user)
    if kind == "material":
        # The catalogue is district reference data (see services.save_material).
        return r.superuser or r.role in DISTRICT_ROLES
    return r.can_write


def _may_edit(user: Any, obj: Any) -> bool:
    if isinstance(obj, Material):
        return _may_add(user, "material")
    return can_change(user, obj)


def _new_button(user: Any, kind: str) -> dict[str, Any]:
    """The list page's "New …" button, for users who may add that kind."""
    if not _may_add(user, kind):
        return {}
    k = KINDS[kind]
    return {"new_url": reverse(f"resources:{kind}_create"), "new_label": k.new_title()}


def _edit_cells(user: Any, kind: str) -> list[Any]:
    """A list column linking to the edit page (for kinds without a detail page), shown
    to users who may write at all."""
    if not _may_add(user, kind):
        return []

    def link(obj: Any) -> str:
        return reverse(f"resources:{kind}_edit", args=[obj.pk]) if _may_edit(user, obj) else ""

    return [(_("Edit"), lambda obj: _("Edit") if _may_edit(user, obj) else "", link)]


@login_required
@forbidden_as_page
def record_edit(request: HttpRequest, kind: str, pk: int | None = None) -> HttpResponseBase:
    user = request.user
    k = KINDS[kind]
    obj = None
    if pk is not None:
        if k.model is Material:
            obj = Material.objects.filter(pk=pk).first()
            if obj is None:
                raise Http404
        else:
            obj = visible_or_404(k.model._default_manager.all(), user, pk=pk)
        if not _may_edit(user, obj):
            raise PermissionDenied(_("You may not change this record."))
    elif not _may_add(user, kind):
        raise PermissionDenied(_("You may not add records of this kind."))
    form = k.form(request.POST or None, instance=obj, user=user)
    if request.method == "POST" and form.is_valid():
        saved = form.save(user)
        if saved is not None:
            messages.success(
                request,
                (_("Saved “%(name)s”.") if obj else _("Added “%(name)s”.")) % {"name": saved},
            )
            return redirect(k.after_save_url(saved))
    title = k.edit_title() if obj else k.new_title()
    context: dict[str, Any] = {
        "form": form,
        "object": obj,
        "title": title,
        "tab": k.tab,
        "list_url": reverse(k.list_name),
        "list_title": k.list_title(),
        "cancel_url": k.back_url(obj),
        "located": k.located,
        "basic_fields": [f for f in form if not (k.located and f.name in _LOCATION_FIELDS)],
        "area_fields": [form[n] for n in ("jurisdiction", "service_area") if n in form.fields]
        if k.located
        else [],
    }
    if k.located:
        extra: list[dict[str, Any] | None] = []
        if isinstance(obj, FireStation):
            extra.append(_geometry_feature(_area(obj.service_area), obj.name, "#e57373"))
        context["picker"] = picker_context(
            user, form["lon"].id_for_label, form["lat"].id_for_label, extra
        )
    return render(request, "resources/record_form.html", context)
