"""Pages of the incidents app: list, create/edit, the command page, the after-action report.

Reads go through `visible_to(request.user)`; every action posts to `incident_action`, which
calls one service — the services write the timeline, never this module.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from cityguard.core import export
from cityguard.core.access import can_change, reach, require_change
from cityguard.core.views import (
    _area_label,
    _feature,
    _point,
    _street_names,
    export_or_page,
    forbidden_as_page,
    leaflet_config,
    pagination_range,
    picker_context,
    visible_or_404,
)

from . import grading, report, services
from .api import filter_incidents, incidents_for
from .choices import (
    DISPATCH_NEXT,
    LEVEL_HEX,
    SUBTYPES,
    DispatchStatus,
    Level,
    Status,
    TaskStatus,
)
from .forms import (
    ActivateForm,
    DispatchForm,
    FiguresForm,
    IncidentFilterForm,
    IncidentForm,
    LessonsForm,
    NoteForm,
    TaskForm,
    ThreatZoneForm,
    apply_errors,
)
from .models import Dispatch, Incident, Task

RESOURCE_COLOURS = {
    "team": "#2e7d32",
    "warehouse": "#6d4c41",
    "shelter": "#00897b",
    "fire_station": "#c62828",
}


def _columns() -> list[export.Column]:
    return [
        (_("ID"), lambda i: i.pk),
        (_("Title"), lambda i: i.title),
        (_("Type"), lambda i: i.get_type_display()),
        (_("Subtype"), lambda i: i.get_subtype_display()),
        (pgettext("incident", "Level"), lambda i: i.level),
        (_("Level name"), lambda i: i.get_level_display()),
        (_("Status"), lambda i: i.get_status_display()),
        (_("Source"), lambda i: i.get_source_display()),
        (_("Occurred"), lambda i: i.occurred_at),
        (_("Deaths"), lambda i: i.deaths),
        (_("Serious injuries"), lambda i: i.serious_injuries),
        (_("Direct loss (CNY)"), lambda i: i.direct_loss_cny),
        (_("Jurisdiction"), lambda i: i.jurisdiction.name),
        (_("Address"), lambda i: i.address),
        (_("Longitude"), lambda i: i.lon),
        (_("Latitude"), lambda i: i.lat),
    ]


def _level_info(level: int) -> dict[str, Any]:
    return {
        "level": level,
        "roman": grading.roman(level),
        "label": str(Level(level).label),
        "name_zh": grading.NAMES_ZH[level],
        "colour": LEVEL_HEX[level],
    }


@login_required
def incident_list(request: HttpRequest) -> HttpResponseBase:
    user = request.user
    form = IncidentFilterForm(request.GET, user=user)
    qs = filter_incidents(incidents_for(user), form.filters()).order_by(*form.ordering())
    result = export_or_page(request, qs, _columns, "incidents", _("Incidents"))
    if isinstance(result, HttpResponseBase):
        return result
    paginator, page = result
    streets = _street_names()
    for inc in page:
        inc.area_label = _area_label(inc.jurisdiction, streets)
        inc.level_info = _level_info(inc.level)
    return render(
        request,
        "incidents/incident_list.html",
        {
            "form": form,
            "page_obj": page,
            "paginator": paginator,
            "page_range": pagination_range(page),
            "can_create": reach(user).can_write,
            "active_count": incidents_for(user).exclude(status=Status.CLOSED).count(),
        },
    )


@login_required
@forbidden_as_page
def incident_edit(request: HttpRequest, pk: int | None = None) -> HttpResponseBase:
    user = request.user
    incident = None
    initial: dict[str, Any] = {"occurred_at": timezone.localtime().replace(second=0, microsecond=0)}
    if pk is not None:
        incident = visible_or_404(Incident.objects.select_related("jurisdiction"), user, pk=pk)
        require_change(user, incident)
        initial = {f: getattr(incident, f) for f in IncidentForm.base_fields}
        initial["occurred_at"] = timezone.localtime(incident.occurred_at)
    elif not reach(user).can_write:
        raise PermissionDenied(_("You may not report incidents."))
    form = IncidentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.values()
        for key in ("chemical", "address", "description"):
            data[key] = data.get(key) or ""
        try:
            if incident is None:
                saved = services.create_incident(user, data)
            else:
                saved = services.update_incident(user, incident, data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Saved “%(title)s”.") % {"title": saved.title})
            return redirect("incidents:detail", pk=saved.pk)
    features = []
    point = _point(incident.lon, incident.lat) if incident is not None else None
    if incident is not None and point is not None:
        features.append(_feature(point, incident.title, incident.colour))
    return render(
        request,
        "incidents/incident_form.html",
        {
            "form": form,
            "object": incident,
            "subtypes": {k: list(v) for k, v in SUBTYPES.items()},
            "picker": picker_context(
                user, form["lon"].id_for_label, form["lat"].id_for_label, features
            ),
        },
    )


def _map(incident: Incident, nearby: dict[str, list[dict[str, Any]]], run: Any) -> dict[str, Any]:
    features: list[Any] = []
    if run is not None:
        for f in reversed(run.geojson.get("features", [])):
            if f.get("geometry"):
                props = f.get("properties", {})
                colour = {1: "#b71c1c", 2: "#ef6c00", 3: "#f9a825"}.get(
                    props.get("level"), "#f9a825"
                )
                label = _("Threat zone %(level)s: ≥ %(t)s mg/m³") % {
                    "level": props.get("level"),
                    "t": props.get("threshold_mg_m3"),
                }
                features.append(_feature(f["geometry"], label, colour, role="context"))
    labels = {
        "team": _("Team"),
        "warehouse": _("Warehouse"),
        "shelter": _("Shelter"),
        "fire_station": _("Fire station"),
    }
    for kind, rows in nearby.items():
        for row in rows:
            features.append(
                _feature(
                    {"type": "Point", "coordinates": [row["lon"], row["lat"]]},
                    f"{labels.get(kind, kind)}: {row.get('name', '')}",
                    RESOURCE_COLOURS.get(kind, "#455a64"),
                    role="context",
                )
            )
    point = _point(incident.lon, incident.lat)
    if point:
        features.append(_feature(point, incident.title, incident.colour))
    return leaflet_config(features)


@login_required
def incident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The command page: figures and level, actions, tasks, dispatches, map and zones,
    the timeline — on one screen (stacked on a phone)."""
    user = request.user
    incident = visible_or_404(Incident.objects.select_related("jurisdiction", "plan"), user, pk=pk)
    editable = can_change(user, incident)
    closed = incident.status == Status.CLOSED
    events = list(incident.events.select_related("actor").order_by("-at", "-id")[:500])
    for e in events:
        e.summary = services.describe(e)
    tasks = list(incident.tasks.select_related("organization"))
    for t in tasks:
        t.next_status = {
            TaskStatus.OPEN: TaskStatus.IN_PROGRESS,
            TaskStatus.IN_PROGRESS: TaskStatus.DONE,
        }.get(t.status)
        t.next_label = TaskStatus(t.next_status).label if t.next_status else ""
    dispatches = list(incident.dispatches.all())
    for d in dispatches:
        nxt = DISPATCH_NEXT.get(DispatchStatus(d.status))
        d.next_status = nxt
        d.next_label = DispatchStatus(nxt).label if nxt else ""
    nearby = services.nearest_resources(user, incident)
    run = services.latest_threat_zone(incident)
    exposure: list[dict[str, Any]] = []
    if run is not None:
        from cityguard.consequence.services import exposure as consequence_exposure

        try:
            exposure = consequence_exposure(user, run)
        except (ValidationError, PermissionDenied):
            exposure = []
    labels = {
        "team": _("Teams"),
        "warehouse": _("Warehouses"),
        "shelter": _("Shelters"),
        "fire_station": _("Fire stations"),
    }
    proposals = services.propose_plans(user, incident) if editable and not closed else []
    zone_initial: dict[str, Any] = {}
    if incident.release_rate_g_s:
        zone_initial["release_rate_g_s"] = incident.release_rate_g_s
    if incident.source_height_m is not None:
        zone_initial["source_height_m"] = incident.source_height_m
    return render(
        request,
        "incidents/incident_detail.html",
        {
            "object": incident,
            "incident": incident,
            "level": _level_info(incident.level),
            "levels": [_level_info(v) for v in Level.values],
            "events": events,
            "tasks": tasks,
            "dispatches": dispatches,
            "nearby": nearby,
            "nearby_groups": [(labels[k], nearby[k]) for k in labels if k in nearby],
            "legend": [(labels[k], RESOURCE_COLOURS[k]) for k in labels if k in nearby],
            "run": run,
            "exposure": exposure,
            "proposals": proposals,
            "can_change": editable,
            "closed": closed,
            "figures_form": FiguresForm(
                initial={
                    "deaths": incident.deaths,
                    "serious_injuries": incident.serious_injuries,
                    "direct_loss_cny": incident.direct_loss_cny,
                }
            ),
            "activate_levels": ActivateForm.base_fields["response_level"].choices,  # type: ignore[attr-defined]
            "note_form": NoteForm(),
            "task_form": TaskForm(),
            "dispatch_form": DispatchForm(user=user) if services.resources_available() else None,
            "zone_form": ThreatZoneForm(initial=zone_initial)
            if services.consequence_available()
            else None,
            "lessons_form": LessonsForm(initial={"lessons": incident.lessons}),
            "map_config": _map(incident, nearby, run),
        },
    )


def _fail(request: HttpRequest, exc: ValidationError) -> None:
    for msgs in exc.message_dict.values():
        for msg in msgs:
            messages.error(request, msg)


def _form_fail(request: HttpRequest, form: Any) -> None:
    for field, errs in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for e in errs:
            messages.error(request, f"{label}: {e}" if label else e)


ACTIONS = {
    "figures",
    "activate",
    "task",
    "task_status",
    "dispatch",
    "dispatch_status",
    "note",
    "close",
    "reopen",
    "lessons",
    "threat_zone",
}


@login_required
@require_POST
@forbidden_as_page
def incident_action(request: HttpRequest, pk: int, action: str) -> HttpResponseBase:
    """One action of the command page, through its service; back to the page after."""
    if action not in ACTIONS:
        raise Http404
    user = request.user
    incident = visible_or_404(Incident.objects.all(), user, pk=pk)
    require_change(user, incident)
    back = reverse("incidents:detail", args=[incident.pk])
    post = request.POST
    done = _("Done.")
    try:
        if action == "figures":
            form: Any = FiguresForm(post)
            if not form.is_valid():
                _form_fail(request, form)
                return redirect(back)
            before = incident.level
            incident = services.update_incident(user, incident, form.cleaned_data)
            done = (
                _("Figures saved; the level is now %(level)s.")
                % {"level": f"{grading.roman(incident.level)} · {incident.get_level_display()}"}
                if incident.level != before
                else _("Figures saved.")
            )
        elif action == "activate":
            from cityguard.plans.models import EmergencyPlan

            form = ActivateForm(post)
            if not form.is_valid():
                _form_fail(request, form)
                return redirect(back)
            plan = (
                EmergencyPlan.objects.visible_to(user).filter(pk=form.cleaned_data["plan"]).first()
            )
            if plan is None:
                raise Http404
            tasks = services.activate(user, incident, plan, form.cleaned_data["response_level"])
            done = _("Response activated: %(n)s tasks created.") % {"n": len(tasks)}
        elif action == "task":
            form = TaskForm(post)
            if not form.is_valid():
                _form_fail(request, form)
                return redirect(back)
            services.add_task(
                user,
                incident,
                form.cleaned_data["text"],
                responsible_role=form.cleaned_data.get("responsible_role") or "",
            )
        elif action == "task_status":
            task = Task.objects.filter(incident=incident, pk=_int(post.get("task"))).first()
            if task is None:
                raise Http404
            services.advance_task(user, task, post.get("status", ""))
        elif action == "dispatch":
            form = DispatchForm(post, user=user)
            if not form.is_valid():
                _form_fail(request, form)
                return redirect(back + "#dispatches")
            c = form.cleaned_data
            d = services.request_dispatch(
                user,
                incident,
                kind=c["kind"],
                team_id=c.get("team"),
                warehouse_id=c.get("warehouse"),
                material_id=c.get("material"),
                quantity=c.get("quantity"),
                note=c.get("note") or "",
            )
            done = _("Dispatch requested: %(name)s.") % {"name": d.name}
        elif action == "dispatch_status":
            found = Dispatch.objects.filter(
                incident=incident, pk=_int(post.get("dispatch"))
            ).first()
            if found is None:
                raise Http404
            services.advance_dispatch(user, found, post.get("status", ""))
        elif action == "note":
            form = NoteForm(post)
            if not form.is_valid():
                _form_fail(request, form)
                return redirect(back)
            services.add_note(user, incident, form.cleaned_data["text"])
        elif action == "close":
            services.close_incident(user, incident)
        elif action == "reopen":
            services.reopen_incident(user, incident)
        elif action == "lessons":
            form = LessonsForm(post)
            if not form.is_valid():
                _form_fail(request, form)
                return redirect(back)
            services.set_lessons(user, incident, form.cleaned_data.get("lessons") or "")
        elif action == "threat_zone":
            form = ThreatZoneForm(post)
            if not form.is_valid():
                _form_fail(request, form)
                return redirect(back + "#zones")
            services.compute_threat_zone(user, incident, **form.cleaned_data)
            back += "#zones"
    except ValidationError as exc:
        _fail(request, exc)
        return redirect(back)
    messages.success(request, done)
    return redirect(back)


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


@login_required
def incident_report(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The after-action report page; `?format=pdf|xlsx` downloads it."""
    incident = visible_or_404(
        Incident.objects.select_related("jurisdiction", "plan"), request.user, pk=pk
    )
    fmt = request.GET.get("format")
    if fmt == "pdf":
        return report.pdf_response(incident)
    if fmt == "xlsx":
        return report.xlsx_response(incident)
    return render(
        request,
        "incidents/incident_report.html",
        {
            "object": incident,
            "incident": incident,
            "report": report.build(incident),
            "level": _level_info(incident.level),
            "can_change": can_change(request.user, incident),
            "lessons_form": LessonsForm(initial={"lessons": incident.lessons}),
        },
    )
