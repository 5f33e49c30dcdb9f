"""Pages of the plans app: plans (list, detail, edit with response levels and checklists),
plans due for revision, drills (with their problems → hazards)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cityguard.core.access import can_change, reach, require_change
from cityguard.core.models import Organization
from cityguard.core.views import forbidden_as_page, history_rows, pagination_range, visible_or_404
from cityguard.incidents.choices import IncidentType, Subtype
from cityguard.incidents.forms import apply_errors
from cityguard.incidents.grading import roman

from . import services
from .api import filter_plans, plans_for
from .forms import (
    ActionItemFormSet,
    DrillForm,
    PlanFilterForm,
    PlanForm,
    ResponseLevelFormSet,
)
from .models import Drill, DrillProblem, EmergencyPlan, PlanAttachment
from .schemas import PlanFilter


def _label(choices: Any, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def _coverage(plan: EmergencyPlan) -> str:
    types = ", ".join(_label(IncidentType, t) for t in plan.incident_types) or _("all types")
    subs = ", ".join(_label(Subtype, s) for s in plan.subtypes) or _("all subtypes")
    return _("%(types)s (%(subtypes)s), levels %(min)s–%(max)s") % {
        "types": types,
        "subtypes": subs,
        "min": plan.min_level,
        "max": plan.max_level,
    }


def _decorate(plans: Any) -> None:
    today = timezone.localdate()
    for p in plans:
        p.coverage = _coverage(p)
        p.is_overdue = bool(p.next_due and p.next_due < today)


@login_required
def plan_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = PlanFilterForm(request.GET)
    f = PlanFilter(
        q=form.value("q"),
        kind=form.value("kind"),
        incident_type=form.value("incident_type"),
        due_within_days=None,
        is_active=None,
    )
    qs = filter_plans(plans_for(user), f)
    paginator = Paginator(qs, 50)
    page = paginator.get_page(request.GET.get("page"))
    _decorate(page)
    return render(
        request,
        "plans/plan_list.html",
        {
            "form": form,
            "page_obj": page,
            "paginator": paginator,
            "page_range": pagination_range(page),
            "can_create": reach(user).can_write,
        },
    )


@login_required
def due_list(request: HttpRequest) -> HttpResponse:
    try:
        days = max(0, min(3650, int(request.GET.get("days", 90))))
    except ValueError:
        days = 90
    qs = services.due_for_revision(plans_for(request.user), days).order_by("next_due", "id")
    plans = list(qs[:500])
    _decorate(plans)
    return render(request, "plans/due_list.html", {"plans": plans, "days": days})


@login_required
def attachment(request: HttpRequest, pk: int, attachment_id: int) -> HttpResponseBase:
    """An attachment, served only to those who may see its plan (media is never public)."""
    from django.http import FileResponse, Http404

    item = (
        PlanAttachment.objects.visible_to(request.user).filter(pk=attachment_id, plan_id=pk).first()
    )
    if item is None or not item.file:
        raise Http404
    try:
        handle = item.file.open("rb")
    except FileNotFoundError:
        raise Http404
    return FileResponse(handle, as_attachment=True, filename=item.name)


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    plan = visible_or_404(
        EmergencyPlan.objects.select_related("jurisdiction", "organization"), user, pk=pk
    )
    levels = list(plan.response_levels.prefetch_related("actions__responsible_unit"))
    for lv in levels:
        lv.roman = roman(lv.level)
    _decorate([plan])
    return render(
        request,
        "plans/plan_detail.html",
        {
            "object": plan,
            "plan": plan,
            "levels": levels,
            "attachments": list(plan.attachments.all()),
            "drills": list(plan.drills.all()[:50]),
            "history": history_rows(plan),
            "can_change": can_change(user, plan),
        },
    )


def _levels_initial(
    plan: EmergencyPlan | None,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    if plan is None:
        return [], []
    levels, actions = [], []
    for lv in plan.response_levels.prefetch_related("actions"):
        levels.append({"level": lv.level, "trigger": lv.trigger})
        for a in lv.actions.all():
            actions.append(
                {
                    "level": lv.level,
                    "text": a.text,
                    "responsible_role": a.responsible_role,
                    "responsible_unit": a.responsible_unit_id,
                }
            )
    return levels, actions


def _levels_data(level_fs: Any, action_fs: Any, user: Any) -> list[dict[str, Any]] | None:
    """The response levels and their actions from the two formsets; None (errors set on
    the rows) when a responsible unit is not one the user can see."""
    levels: dict[int, dict[str, Any]] = {}
    ok = True
    for form in level_fs.forms:
        d = form.cleaned_data
        if not d or d.get("DELETE"):
            continue
        levels[d["level"]] = {"level": d["level"], "trigger": d.get("trigger") or "", "actions": []}
    for form in action_fs.forms:
        d = form.cleaned_data
        if not d or d.get("DELETE") or not (d.get("text") or "").strip():
            continue
        unit = None
        if d.get("responsible_unit"):
            unit = Organization.objects.visible_to(user).filter(pk=d["responsible_unit"]).first()
            if unit is None:
                form.add_error("responsible_unit", _("No such organisation."))
                ok = False
        lv = levels.setdefault(d["level"], {"level": d["level"], "trigger": "", "actions": []})
        lv["actions"].append(
            {
                "text": d["text"],
                "responsible_role": d.get("responsible_role") or "",
                "responsible_unit": unit,
            }
        )
    return list(levels.values()) if ok else None


@login_required
@forbidden_as_page
def plan_edit(request: HttpRequest, pk: int | None = None) -> HttpResponseBase:
    user = request.user
    plan = None
    initial: dict[str, Any] = {}
    if pk is not None:
        plan = visible_or_404(EmergencyPlan.objects.all(), user, pk=pk)
        require_change(user, plan)
        initial = {
            f: getattr(plan, f)
            for f in (
                "title",
                "code",
                "kind",
                "department",
                "summary",
                "incident_types",
                "subtypes",
                "min_level",
                "max_level",
                "revision_months",
                "last_revised",
                "is_active",
            )
        }
        initial["jurisdiction"] = plan.jurisdiction_id
        initial["organization"] = plan.organization_id
    elif not reach(user).can_write:
        raise PermissionDenied(_("You may not add plans."))
    levels0, actions0 = _levels_initial(plan)
    post = request.POST or None
    form = PlanForm(post, request.FILES or None, initial=initial, user=user)
    level_fs = ResponseLevelFormSet(post, initial=levels0, prefix="levels")
    action_fs = ActionItemFormSet(post, initial=actions0, prefix="actions")
    if (
        request.method == "POST"
        and form.is_valid()
        and level_fs.is_valid()
        and action_fs.is_valid()
    ):
        data = dict(form.cleaned_data)
        upload = data.pop("attachment", None)
        if data.get("jurisdiction") is None:
            data.pop("jurisdiction")
        levels = _levels_data(level_fs, action_fs, user)
        try:
            if levels is not None:
                with transaction.atomic():
                    saved = services.save_plan(user, data, plan)
                    services.replace_response_levels(user, saved, levels)
                    if upload:
                        services.add_attachment(user, saved, upload)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            if levels is not None:
                messages.success(request, _("Saved “%(title)s”.") % {"title": saved.title})
                return redirect("plans:detail", pk=saved.pk)
    return render(
        request,
        "plans/plan_form.html",
        {"form": form, "level_fs": level_fs, "action_fs": action_fs, "object": plan},
    )


# --- drills ---------------------------------------------------------------------------


@login_required
def drill_list(request: HttpRequest) -> HttpResponse:
    qs = Drill.objects.visible_to(request.user).select_related("plan")
    paginator = Paginator(qs, 50)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "plans/drill_list.html",
        {
            "page_obj": page,
            "paginator": paginator,
            "page_range": pagination_range(page),
            "can_create": reach(request.user).can_write,
        },
    )


@login_required
def drill_detail(request: HttpRequest, pk: int) -> HttpResponse:
    drill = visible_or_404(Drill.objects.select_related("plan"), request.user, pk=pk)
    return render(
        request,
        "plans/drill_detail.html",
        {
            "object": drill,
            "drill": drill,
            "problems": list(drill.problems.select_related("hazard")),
            "can_change": can_change(request.user, drill.plan),
        },
    )


@login_required
@forbidden_as_page
def drill_edit(request: HttpRequest, pk: int | None = None) -> HttpResponseBase:
    user = request.user
    drill = None
    initial: dict[str, Any] = {"date": timezone.localdate()}
    if pk is not None:
        drill = visible_or_404(Drill.objects.select_related("plan"), user, pk=pk)
        require_change(user, drill.plan)
        initial = {
            f: getattr(drill, f)
            for f in ("date", "kind", "title", "participants", "participant_count", "evaluation")
        }
        initial["plan"] = drill.plan_id
    elif not reach(user).can_write:
        raise PermissionDenied(_("You may not record drills."))
    elif (request.GET.get("plan") or "").isdigit():
        initial["plan"] = int(request.GET["plan"])
    form = DrillForm(request.POST or None, initial=initial, plans=plans_for(user))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        problems = [p for p in (data.pop("problems") or "").splitlines() if p.strip()]
        try:
            saved = services.save_drill(user, data, problems, instance=drill)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Drill saved."))
            return redirect("plans:drill_detail", pk=saved.pk)
    return render(request, "plans/drill_form.html", {"form": form, "object": drill})


@login_required
@require_POST
@forbidden_as_page
def problem_to_hazard(request: HttpRequest, pk: int, problem_id: int) -> HttpResponseBase:
    drill = visible_or_404(Drill.objects.select_related("plan"), request.user, pk=pk)
    problem = DrillProblem.objects.filter(drill=drill, pk=problem_id).first()
    if problem is None:
        from django.http import Http404

        raise Http404
    try:
        hazard = services.problem_to_hazard(request.user, problem)
    except ValidationError as exc:
        for msgs in exc.message_dict.values():
            for m in msgs:
                messages.error(request, m)
    else:
        messages.success(request, _("Hazard #%(id)s recorded.") % {"id": hazard.pk})
    return redirect("plans:drill_detail", pk=drill.pk)
