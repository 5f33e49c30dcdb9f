"""Pages of the hazards app: the board, lists, dashboards, a hazard's page with its
timeline and the actions the user may take, plans, inspections, look-back, and the
public tip pages (no login).

Reads go through `visible_to(request.user)`, writes through `services`, so a page never
shows or changes more than the API would for the same user.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from cityguard.core import export
from cityguard.core.access import can_change, reach
from cityguard.core.choices import Level, Role
from cityguard.core.models import Jurisdiction
from cityguard.core.views import (
    _chain,
    _geometry_feature,
    _point,
    export_or_page,
    forbidden_as_page,
    history_rows,
    leaflet_config,
    pagination_range,
    picker_context,
)

from . import antispam, lifecycle, services, stats
from .api import accept_tip, filter_hazards, hazard_queryset
from .choices import (
    Action,
    HazardState,
    InspectionState,
    LookBackStatus,
    Outcome,
    Severity,
    TipStatus,
)
from .forms import (
    AssignForm,
    BoardFilterForm,
    HazardFilterForm,
    HazardForm,
    InspectionForm,
    MilestoneFormSet,
    NoteForm,
    PlanForm,
    RewardForm,
    StepForm,
    TipForm,
    TipLookupForm,
    TriageForm,
    add_service_errors,
)
from .models import (
    ChecklistTemplate,
    Hazard,
    Inspection,
    LookBackDue,
    Milestone,
    Photo,
    RectificationPlan,
    Tip,
)

PER_PAGE = 50
BOARD_CARDS = 12
COUNT_CAP = 10_000


def _capped_count(qs: QuerySet) -> tuple[int, bool]:
    """Count up to COUNT_CAP rows: a board column of a million closed hazards need not be
    counted exactly to be shown as "10,000+"."""
    n = qs.order_by()[: COUNT_CAP + 1].count()
    return min(n, COUNT_CAP), n > COUNT_CAP


def _can_report(user: Any) -> bool:
    return reach(user).role in lifecycle.REPORT_ROLES


def _tabs_context(request: HttpRequest) -> dict[str, Any]:
    r = reach(request.user)
    return {
        "can_report": _can_report(request.user),
        "can_triage": r.role in lifecycle.DISTRICT | {lifecycle.STREET_OFFICER},
    }


# --- the board --------------------------------------------------------------------------------


def board_columns(user: Any, base: QuerySet, cards: int = BOARD_CARDS) -> list[dict[str, Any]]:
    """One column per state: the first cards (most urgent deadline first; the closed
    column most recently closed first) and the column's count, capped."""
    columns = []
    for state in lifecycle.STATES:
        qs = base.filter(state=state)
        order = ("-closed_at", "-id") if state == lifecycle.CLOSED else ("deadline", "id")
        rows = list(qs.select_related("organization", "street", "domain").order_by(*order)[:cards])
        count, capped = _capped_count(qs)
        columns.append(
            {
                "state": state,
                "label": HazardState(state).label,
                "colour": HazardState.colour_of(state),
                "cards": rows,
                "count": count,
                "capped": capped,
            }
        )
    return columns


@login_required
def board(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = BoardFilterForm(request.GET, user=user)
    base = filter_hazards(Hazard.objects.visible_to(user), form.filters(), user)
    columns = board_columns(user, base)
    query = request.GET.urlencode()
    list_url = reverse("hazards:list")
    for column in columns:
        column["more_url"] = f"{list_url}?{query + '&' if query else ''}state={column['state']}"
    return render(
        request,
        "hazards/board.html",
        {
            "form": form,
            "columns": columns,
            "today": timezone.localdate(),
            "tab": "board",
            **_tabs_context(request),
        },
    )


# --- lists --------------------------------------------------------------------------------------


def _hazard_columns() -> list[export.Column]:
    return [
        (_("Number"), lambda h: h.reference),
        (_("Title"), lambda h: h.title),
        (_("State"), lambda h: h.get_state_display()),
        (_("Severity"), lambda h: h.get_severity_display()),
        (_("Domain"), lambda h: h.domain.name),
        (_("Source"), lambda h: h.get_source_display()),
        (_("Organisation"), lambda h: h.organization.name if h.organization_id else None),
        (_("Street"), lambda h: h.street.name if h.street_id else None),
        (_("Jurisdiction"), lambda h: h.jurisdiction.name),
        (_("Address"), lambda h: h.address),
        (_("Rectification deadline"), lambda h: h.deadline),
        (_("Overdue"), lambda h: h.is_overdue()),
        (_("Escalated to the district"), lambda h: h.escalated_at),
        (
            _("Responsible unit"),
            lambda h: h.responsible_unit.name if h.responsible_unit_id else None,
        ),
        (_("Responsible person"), lambda h: h.responsible_person),
        (_("Reported"), lambda h: h.reported_at),
        (_("Closed"), lambda h: h.closed_at),
        (_("Closed on time"), lambda h: h.closed_on_time),
        (_("Recurrence"), lambda h: h.is_recurrence),
        (_("Longitude"), lambda h: h.lon),
        (_("Latitude"), lambda h: h.lat),
    ]


def _list_page(
    request: HttpRequest,
    qs: QuerySet,
    template: str,
    stem: str,
    title: str,
    extra: dict[str, Any],
    ordering: Sequence[Any] = ("deadline", "id"),
) -> HttpResponseBase:
    qs = qs.order_by(*ordering)
    result = export_or_page(request, qs, _hazard_columns, stem, title)
    if isinstance(result, HttpResponseBase):
        return result
    paginator, page = result
    return render(
        request,
        template,
        {
            "page_obj": page,
            "paginator": paginator,
            "page_range": pagination_range(page),
            "today": timezone.localdate(),
            **_tabs_context(request),
            **extra,
        },
    )


@login_required
def hazard_list(request: HttpRequest) -> HttpResponseBase:
    user = request.user
    form = HazardFilterForm(request.GET, user=user)
    qs = filter_hazards(hazard_queryset(user), form.filters(), user)
    return _list_page(
        request,
        qs,
        "hazards/list.html",
        "hazards",
        pgettext("hazard", "Hazards"),
        {"form": form, "tab": "list"},
        form.ordering(),
    )


@login_required
def overdue(request: HttpRequest) -> HttpResponseBase:
    """Open hazards past their deadline, the most overdue first; those escalated to the
    district are flagged (district staff: this is their overdue board)."""
    user = request.user
    form = HazardFilterForm(request.GET, user=user)
    escalated = request.GET.get("escalated") == "1"
    qs = filter_hazards(
        hazard_queryset(user), form.filters(overdue=True, escalated=escalated or None), user
    )
    return _list_page(
        request,
        qs,
        "hazards/overdue.html",
        "hazards-overdue",
        _("Overdue hazards"),
        {"form": form, "escalated_only": escalated, "tab": "overdue"},
    )


@login_required
def my_tasks(request: HttpRequest) -> HttpResponse:
    user = request.user
    cond = services.task_filter(user)
    hazards = hazard_queryset(user).filter(cond) if cond is not None else Hazard.objects.none()
    inspections = (
        Inspection.objects.visible_to(user)  # type: ignore[attr-defined]
        .filter(state=InspectionState.PLANNED)
        .select_related("organization", "template")
        .order_by("planned_for", "id")
    )
    r = reach(user)
    can_triage = r.role in lifecycle.DISTRICT | {lifecycle.STREET_OFFICER}
    tips = (
        services.tips_visible_to(user).filter(status=TipStatus.RECEIVED).order_by("created_at")
        if can_triage
        else Tip.objects.none()
    )
    paginator = Paginator(hazards.order_by("deadline", "id"), PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    for hazard in page:
        hazard.next_actions = [Action(a).label for a in services.actions_for(user, hazard)]
    return render(
        request,
        "hazards/mine.html",
        {
            "page_obj": page,
            "paginator": paginator,
            "page_range": pagination_range(page),
            "inspections": inspections[:50],
            "inspection_count": inspections.count(),
            "tips": tips[:50],
            "tip_count": tips.count(),
            "today": timezone.localdate(),
            "tab": "mine",
            **_tabs_context(request),
        },
    )


# --- dashboards -----------------------------------------------------------------------------------


def _chart(rows: list[dict[str, Any]], url: Any = None) -> list[dict[str, Any]]:
    return [
        {
            "name": r["label"],
            "value": r["count"],
            "colour": r["colour"],
            "url": url(r["key"]) if url else "",
        }
        for r in rows
        if r["count"]
    ]


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """Figures and charts of the hazards the user may see: the district, or one street
    (`?street=code`, a street dashboard)."""
    user = request.user
    qs = Hazard.objects.visible_to(user)
    street = None
    code = request.GET.get("street") or ""
    if code:
        street = Jurisdiction.objects.filter(code=code, level=Level.STREET).first()
        if street is None:
            raise Http404
        qs = qs.filter(street=street)
    elif reach(user).role == Role.STREET_OFFICER and reach(user).jurisdiction_id:
        street = Jurisdiction.objects.filter(pk=reach(user).jurisdiction_id or 0).first()
    list_url = reverse("hazards:list")
    dash_url = reverse("hazards:dashboard")
    area = f"&jurisdiction={street.code}" if street else ""
    summary = stats.summary(qs)
    charts = {
        "state": _chart(stats.by_state(qs), lambda k: f"{list_url}?state={k}{area}"),
        "domain": _chart(stats.by_domain(qs), lambda k: f"{list_url}?domain={k}{area}"),
        "street": _chart(stats.by_street(qs), lambda k: f"{dash_url}?street={k}" if k else ""),
        "month": _chart(stats.by_month(qs)),
    }
    return render(
        request,
        "hazards/dashboard.html",
        {
            "summary": summary,
            "on_time_pct": None
            if summary["on_time_rate"] is None
            else round(summary["on_time_rate"] * 100, 1),
            "charts": charts,
            "street": street,
            "streets": [] if street else stats.street_table(qs),
            "tab": "dashboard",
            **_tabs_context(request),
        },
    )


# --- one hazard ---------------------------------------------------------------------------------


def _visible_hazard(user: Any, pk: int) -> Hazard:
    hazard = hazard_queryset(user).select_related("place", "inspection").filter(pk=pk).first()
    if hazard is None:
        raise Http404
    return hazard  # type: ignore[no-any-return]


def _action_forms(
    user: Any, hazard: Hazard, bound: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    out = []
    for action in services.actions_for(user, hazard):
        form = (bound or {}).get(action)
        if form is None:
            form = (
                AssignForm(user=user, hazard=hazard, prefix=action)
                if action == lifecycle.ASSIGN
                else StepForm(prefix=action)
            )
        blocked = ""
        if action == lifecycle.START and hazard.is_major and not services.has_plan(hazard):
            blocked = _("Write the rectification plan with its milestones first.")
        out.append(
            {"action": action, "label": Action(action).label, "form": form, "blocked": blocked}
        )
    return out


def _detail(
    request: HttpRequest,
    hazard: Hazard,
    bound: dict[str, Any] | None = None,
    note_form: NoteForm | None = None,
    refused: Sequence[str] = (),
    status: int = 200,
) -> HttpResponse:
    user = request.user
    events = list(hazard.events.select_related("actor").prefetch_related("photos"))
    plan = RectificationPlan.objects.filter(hazard=hazard).select_related("supervisor").first()
    features = [
        _geometry_feature(
            _point(hazard.lon, hazard.lat), hazard.title, Severity.colour_of(hazard.severity)
        )
    ]
    can_write = reach(user).can_write and can_change(user, hazard)
    tip = Tip.objects.filter(hazard=hazard).first()
    return render(
        request,
        "hazards/hazard_detail.html",
        {
            "hazard": hazard,
            "object": hazard,
            "events": events,
            "plan": plan,
            "milestones": list(plan.milestones.all()) if plan else [],
            "chain": _chain(hazard.jurisdiction),
            "action_forms": _action_forms(user, hazard, bound),
            "note_form": note_form or NoteForm(prefix="note"),
            "refused": refused,
            "can_write": can_write,
            "can_plan": can_write
            and hazard.is_open
            and reach(user).role
            in lifecycle.DISTRICT | {lifecycle.ENTERPRISE_MANAGER, lifecycle.STREET_OFFICER},
            "needs_plan": hazard.is_major
            and hazard.is_open
            and not (plan and plan.milestones.exists()),
            "overdue": hazard.is_overdue(),
            "tip": tip
            if tip and services.tips_visible_to(user).filter(pk=tip.pk).exists()
            else None,
            "history": history_rows(hazard),
            "map_config": leaflet_config(features),
            "today": timezone.localdate(),
            **_tabs_context(request),
        },
        status=status,
    )


@login_required
def hazard_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _visible_hazard(request.user, pk))


@login_required
@require_POST
@forbidden_as_page
def hazard_transition(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user = request.user
    hazard = _visible_hazard(user, pk)
    if action not in lifecycle.ACTIONS:
        raise Http404
    if action == lifecycle.ASSIGN:
        form: Any = AssignForm(request.POST, user=user, hazard=hazard, prefix=action)
    else:
        form = StepForm(request.POST, request.FILES, prefix=action)
    if form.is_valid():
        data = form.service_data() if action == lifecycle.ASSIGN else None
        try:
            services.transition(
                user,
                hazard,
                action,
                comment=form.cleaned_data.get("comment") or "",
                photos=form.cleaned_data.get("photos") or [],
                data=data,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(ref)s: %(action)s — done.")
                % {"ref": hazard.reference, "action": Action(action).label},
            )
            return redirect("hazards:detail", pk=hazard.pk)
    hazard.refresh_from_db()
    refused: list[str] = []
    if action not in services.actions_for(user, hazard):
        # Not offered on the page (out of order, or the state moved meanwhile): the
        # reason goes at the top, not into a form that is no longer shown.
        refused = [str(e) for errors in form.errors.values() for e in errors]
    return _detail(request, hazard, bound={action: form}, refused=refused, status=422)


@login_required
@require_POST
@forbidden_as_page
def hazard_note(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    hazard = _visible_hazard(user, pk)
    form = NoteForm(request.POST, request.FILES, prefix="note")
    if form.is_valid():
        try:
            services.add_note(
                user, hazard, form.cleaned_data.get("comment") or "", form.cleaned_data["photos"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Added to the timeline."))
            return redirect(f"{reverse('hazards:detail', args=[hazard.pk])}#timeline")
    return _detail(request, hazard, note_form=form, status=422)


@login_required
@forbidden_as_page
def hazard_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not _can_report(user):
        raise PermissionDenied(_("Your role may not report hazards."))
    initial: dict[str, Any] = {}
    org_id = request.GET.get("organization")
    if org_id and org_id.isdigit():
        initial["organization"] = int(org_id)
    form = HazardForm(request.POST or None, request.FILES or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            hazard = services.report_hazard(user, form.service_data(), form.cleaned_data["photos"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Reported %(ref)s.") % {"ref": hazard.reference})
            return redirect("hazards:detail", pk=hazard.pk)
    return render(
        request,
        "hazards/hazard_form.html",
        {
            "form": form,
            "picker": picker_context(user, form["lon"].id_for_label, form["lat"].id_for_label),
            **_tabs_context(request),
        },
        status=422 if form.errors else 200,
    )


@login_required
@forbidden_as_page
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    hazard = _visible_hazard(user, pk)
    if not can_change(user, hazard):
        raise PermissionDenied(_("This record is outside your area."))
    plan = RectificationPlan.objects.filter(hazard=hazard).first()
    initial: dict[str, Any] = {
        "target_date": hazard.deadline,
        "responsible_person": hazard.responsible_person,
    }
    milestones: list[dict[str, Any]] = []
    if plan is not None:
        initial = {
            "measures": plan.measures,
            "funding": plan.funding,
            "responsible_person": plan.responsible_person,
            "target_date": plan.target_date,
            "supervisor": plan.supervisor_id,
        }
        milestones = [
            {"title": m.title, "due": m.due, "done": m.done_at is not None}
            for m in plan.milestones.all()
        ]
    form = PlanForm(request.POST or None, initial=initial)
    formset = MilestoneFormSet(request.POST or None, initial=milestones, prefix="m")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        rows = [
            {
                "title": f.cleaned_data.get("title") or "",
                "due": f.cleaned_data.get("due"),
                "done": f.cleaned_data.get("done", False),
            }
            for f in formset.forms
            if f.cleaned_data and (f.cleaned_data.get("title") or f.cleaned_data.get("due"))
        ]
        try:
            services.save_plan(user, hazard, dict(form.cleaned_data), rows)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The rectification plan is saved."))
            return redirect("hazards:detail", pk=hazard.pk)
    return render(
        request,
        "hazards/plan_form.html",
        {"hazard": hazard, "form": form, "formset": formset, **_tabs_context(request)},
        status=422 if form.errors else 200,
    )


@login_required
@require_POST
@forbidden_as_page
def milestone_done(request: HttpRequest, pk: int, milestone_id: int) -> HttpResponse:
    hazard = _visible_hazard(request.user, pk)
    milestone = Milestone.objects.filter(pk=milestone_id, plan__hazard=hazard).first()
    if milestone is None:
        raise Http404
    try:
        services.complete_milestone(request.user, milestone)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(f"{reverse('hazards:detail', args=[hazard.pk])}#plan")


def photo(request: HttpRequest, pk: int) -> HttpResponseBase:
    """A photo's file, for those who may see its hazard or tip (never public)."""
    item = Photo.objects.filter(pk=pk).first()
    user = request.user
    if item is None or not user.is_authenticated:
        raise Http404
    visible = (
        item.hazard_id and Hazard.objects.visible_to(user).filter(pk=item.hazard_id).exists()
    ) or (item.tip_id and services.tips_visible_to(user).filter(pk=item.tip_id).exists())
    if not visible:
        raise Http404
    try:
        handle = default_storage.open(item.file.name, "rb")
    except FileNotFoundError:
        raise Http404
    response = FileResponse(handle, content_type=item.content_type)
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "private, max-age=3600"
    return response


# --- inspections and checklists ------------------------------------------------------------------


@login_required
def inspection_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    qs = Inspection.objects.visible_to(user).select_related("organization", "template", "inspector")  # type: ignore[attr-defined]
    state = request.GET.get("state") or ""
    if state in InspectionState.values:
        qs = qs.filter(state=state)
    paginator = Paginator(qs.order_by("-created_at", "-id"), PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    r = reach(user)
    return render(
        request,
        "hazards/inspection_list.html",
        {
            "page_obj": page,
            "paginator": paginator,
            "page_range": pagination_range(page),
            "state": state,
            "states": InspectionState.choices,
            "can_create": r.role in lifecycle.REPORT_ROLES,
            "tab": "inspections",
            **_tabs_context(request),
        },
    )


@login_required
@forbidden_as_page
def inspection_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    if reach(user).role not in lifecycle.REPORT_ROLES:
        raise PermissionDenied(_("Your role may not carry out inspections."))
    initial: dict[str, Any] = {"unannounced": True}
    org_id = request.GET.get("organization")
    if org_id and org_id.isdigit():
        initial["organization"] = int(org_id)
    form = InspectionForm(request.POST or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            inspection = services.create_inspection(user, dict(form.cleaned_data))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The inspection is planned."))
            return redirect("hazards:inspection_detail", pk=inspection.pk)
    return render(
        request,
        "hazards/inspection_form.html",
        {"form": form, "tab": "inspections", **_tabs_context(request)},
        status=422 if form.errors else 200,
    )


@login_required
@forbidden_as_page
def inspection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    inspection = (
        Inspection.objects.visible_to(user)  # type: ignore[attr-defined]
        .select_related("organization", "template", "inspector", "place", "lookback")
        .filter(pk=pk)
        .first()
    )
    if inspection is None:
        raise Http404
    items = list(inspection.template.items.all()) if inspection.template_id else []
    results = {r.item_id: r for r in inspection.results.select_related("hazard")}
    errors: list[str] = []
    posted: dict[int, dict[str, str]] = {}
    if request.method == "POST":
        rows = []
        for item in items:
            row = {
                "item": item.pk,
                "outcome": request.POST.get(f"outcome-{item.pk}", ""),
                "note": request.POST.get(f"note-{item.pk}", "")[:500],
                "severity": request.POST.get(f"severity-{item.pk}") or None,
            }
            posted[item.pk] = row
            if row["outcome"]:
                rows.append(row)  # an item left blank is reported as missing
        try:
            found = services.record_inspection(
                user, inspection, rows, notes=request.POST.get("notes", "")[:2000]
            )
        except ValidationError as exc:
            errors = exc.messages
        else:
            if found:
                messages.warning(
                    request,
                    _("Inspection done: %(n)d item(s) failed and became hazards.")
                    % {"n": len(found)},
                )
            else:
                messages.success(request, _("Inspection done: every item passed."))
            return redirect("hazards:inspection_detail", pk=inspection.pk)
    can_record = (
        inspection.state == InspectionState.PLANNED
        and reach(user).role in services.INSPECTION_ROLES[inspection.kind]
        and can_change(user, inspection)
    )
    rows = [
        {
            "item": item,
            "result": results.get(item.pk),
            "posted": posted.get(item.pk, {}),
        }
        for item in items
    ]
    return render(
        request,
        "hazards/inspection_detail.html",
        {
            "inspection": inspection,
            "rows": rows,
            "outcomes": Outcome.choices,
            "severities": Severity.choices,
            "can_record": can_record,
            "errors": errors,
            "hazards": inspection.hazards.select_related("domain").order_by("id"),
            "tab": "inspections",
            **_tabs_context(request),
        },
        status=422 if errors else 200,
    )


@login_required
def checklist_list(request: HttpRequest) -> HttpResponse:
    templates = (
        ChecklistTemplate.objects.filter(is_active=True)
        .select_related("domain")
        .prefetch_related("items")
    )
    return render(
        request,
        "hazards/checklist_list.html",
        {"templates": templates, "tab": "checklists", **_tabs_context(request)},
    )


@login_required
def lookback_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    qs = LookBackDue.objects.visible_to(user).select_related("organization", "domain", "hazard")  # type: ignore[attr-defined]
    status = request.GET.get("status") or ""
    if status in LookBackStatus.values:
        qs = qs.filter(status=status)
    paginator = Paginator(qs.order_by("due_by", "id"), PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    inspections = {
        i.lookback_id: i
        for i in Inspection.objects.filter(lookback__in=[d.pk for d in page]).order_by("created_at")
    }
    for due in page:
        due.inspection = inspections.get(due.pk)
        due.status_colour = LookBackStatus.colour_of(due.status)
    return render(
        request,
        "hazards/lookback_list.html",
        {
            "page_obj": page,
            "paginator": paginator,
            "page_range": pagination_range(page),
            "status": status,
            "statuses": LookBackStatus.choices,
            "today": timezone.localdate(),
            "tab": "lookback",
            **_tabs_context(request),
        },
    )


# --- public tips ---------------------------------------------------------------------------------


def _tip_page(
    request: HttpRequest, form: TipForm, question: str, status: int = 200
) -> HttpResponse:
    picker = picker_context(request.user, form["lon"].id_for_label, form["lat"].id_for_label)
    return render(
        request,
        "hazards/tip_form.html",
        {
            "form": form,
            "question": question,
            "picker": picker,
            "lookup": TipLookupForm(),
            "honeypot": antispam.HONEYPOT_FIELD,
        },
        status=status,
    )


def _fresh_form(data: Any = None) -> tuple[TipForm, str]:
    challenge = antispam.issue()
    initial = {"token": challenge.token}
    if data is not None:
        # Keep what the person wrote; only the challenge is new.
        values = data.copy()
        values["token"] = challenge.token
        values["answer"] = ""
        values["question"] = challenge.question
        form = TipForm(values)
        form.is_valid()
        return form, challenge.question
    return TipForm(initial=initial), challenge.question


def tip_create(request: HttpRequest) -> HttpResponse:
    """The public tip form: no login. See `antispam` for the checks."""
    if request.method != "POST":
        form, question = _fresh_form()
        return _tip_page(request, form, question)
    form = TipForm(request.POST, request.FILES)
    question = (request.POST.get("question") or "")[:20]
    if not form.is_valid():
        return _tip_page(request, form, question, status=422)
    photo = form.cleaned_data.get("photo")
    try:
        tip = accept_tip(request.META, form.service_fields(), [photo] if photo else [])
    except antispam.RateLimited:
        fresh, question = _fresh_form(request.POST)
        fresh.add_error(None, _("Too many tips from your address: try again later."))
        return _tip_page(request, fresh, question, status=429)
    except antispam.SpamRefused as exc:
        fresh, question = _fresh_form(request.POST)
        fresh.add_error("answer" if exc.code == "answer" else None, antispam.message(exc.code))
        return _tip_page(request, fresh, question, status=422)
    except ValidationError as exc:
        add_service_errors(form, exc)
        return _tip_page(request, form, question, status=422)
    return redirect(f"{reverse('hazards:tip_status', args=[tip.code])}?new=1")


def tip_status(request: HttpRequest, code: str) -> HttpResponse:
    status = services.public_status(code)
    if status is None:
        return render(
            request,
            "hazards/tip_status.html",
            {"status": None, "lookup": TipLookupForm(initial={"code": code}), "code": code},
            status=404,
        )
    if status["code"] != code:
        return redirect("hazards:tip_status", code=status["code"])
    return render(
        request,
        "hazards/tip_status.html",
        {"status": status, "new": request.GET.get("new") == "1", "lookup": TipLookupForm()},
    )


def tip_lookup(request: HttpRequest) -> HttpResponse:
    form = TipLookupForm(request.GET or None)
    if form.is_valid():
        normal = services.normalise_code(form.cleaned_data["code"])
        return redirect(
            "hazards:tip_status", code=normal or form.cleaned_data["code"].strip() or "-"
        )
    return render(request, "hazards/tip_status.html", {"status": None, "lookup": form, "code": ""})


# --- tips for staff ------------------------------------------------------------------------------


@login_required
@forbidden_as_page
def tip_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    if reach(user).role not in services.TIP_ROLES:
        raise PermissionDenied(_("Only street officers and district staff handle tips."))
    qs = services.tips_visible_to(user).select_related("jurisdiction", "hazard")
    status = request.GET.get("status", TipStatus.RECEIVED)
    if status in TipStatus.values:
        qs = qs.filter(status=status)
    paginator = Paginator(qs.order_by("-created_at", "-id"), PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "hazards/tip_list.html",
        {
            "page_obj": page,
            "paginator": paginator,
            "page_range": pagination_range(page),
            "status": status,
            "statuses": TipStatus.choices,
            "tab": "tips",
            **_tabs_context(request),
        },
    )


@login_required
@forbidden_as_page
def tip_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    tip = (
        services.tips_visible_to(user)
        .select_related("jurisdiction", "hazard", "triaged_by")
        .filter(pk=pk)
        .first()
    )
    if tip is None:
        raise Http404
    triage = TriageForm(
        request.POST or None if request.POST.get("form") == "triage" else None, user=user
    )
    reward_form = RewardForm(request.POST if request.POST.get("form") == "reward" else None)
    if request.method == "POST" and request.POST.get("form") == "triage" and triage.is_valid():
        d = triage.cleaned_data
        hazard_data = None
        if d["decision"] == "accept":
            hazard_data = {
                "title": d.get("title") or "",
                "domain": d.get("domain"),
                "severity": d.get("severity") or Severity.GENERAL,
                "organization": d.get("organization"),
            }
            if d.get("deadline"):
                hazard_data["deadline"] = d["deadline"]
        try:
            tip = services.triage_tip(
                user, tip, d["decision"], reason=d.get("reason") or "", hazard_data=hazard_data
            )
        except ValidationError as exc:
            add_service_errors(triage, exc)
        else:
            messages.success(request, _("The tip is triaged."))
            return redirect("hazards:tip_detail", pk=tip.pk)
    reward = getattr(tip, "reward", None)
    if (
        request.method == "POST"
        and request.POST.get("form") == "reward"
        and reward
        and reward_form.is_valid()
    ):
        d = reward_form.cleaned_data
        try:
            services.decide_reward(
                user, reward, d["status"], amount=d.get("amount"), note=d.get("note") or ""
            )
        except ValidationError as exc:
            add_service_errors(reward_form, exc)
        else:
            messages.success(request, _("The reward decision is recorded."))
            return redirect("hazards:tip_detail", pk=tip.pk)
    r = reach(user)
    features = [_geometry_feature(_point(tip.lon, tip.lat), tip.code, "#8e24aa")]
    return render(
        request,
        "hazards/tip_detail.html",
        {
            "tip": tip,
            "photos": tip.photos.all(),
            "reward": reward,
            "triage": triage,
            "reward_form": reward_form,
            "can_triage": tip.status == TipStatus.RECEIVED
            and r.role in lifecycle.DISTRICT | {lifecycle.STREET_OFFICER}
            and can_change(user, tip),
            "can_reward": reward is not None and r.role in lifecycle.DISTRICT,
            "map_config": leaflet_config(features),
            "tab": "tips",
            **_tabs_context(request),
        },
        status=422 if (triage.errors or reward_form.errors) else 200,
    )
