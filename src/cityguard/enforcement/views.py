"""Pages of the enforcement app: the "three 100 %" dashboard, staff, "double random"
plans, the on-site inspection form (phone-first), cases with their timeline and actions,
and the public list of published decisions (no login).

Reads go through `visible_to(request.user)` and writes through `enforcement.services`, so
a page never shows or changes more than the API would for the same user.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from cityguard.core.access import can_change
from cityguard.core.models import Organization
from cityguard.core.views import forbidden_as_page, history_rows, pagination_range, visible_or_404
from cityguard.indicators.registry import Period

from . import api, rates, services
from .choices import (
    CaseState,
    DecisionState,
    InspectionType,
    ItemResult,
    PlanStatus,
    RecheckResult,
)
from .forms import (
    CaseForm,
    CloseForm,
    DraftForm,
    DrawForm,
    InspectionForm,
    IssueForm,
    OfficerForm,
    OrderForm,
    PenaltyForm,
    PeriodForm,
    PlanForm,
    PublishForm,
    RecheckForm,
    ReviewForm,
    StepForm,
)
from .models import (
    Case,
    DiscretionRule,
    Finding,
    Inspection,
    InspectionPlan,
    Officer,
    Order,
    PlanTarget,
)

PER_PAGE = 50


def _errors_to_form(form: Any, exc: ValidationError) -> None:
    for field, msgs in exc.message_dict.items():
        for msg in msgs:
            form.add_error(field if field in form.fields else None, msg)


def _page(request: HttpRequest, qs: Any) -> tuple[Any, list[Any]]:
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    return page, pagination_range(page)


def _ctx(request: HttpRequest, tab: str, **extra: Any) -> dict[str, Any]:
    return {"tab": tab, "can_enforce": services.is_enforcer(request.user), **extra}


# --- dashboard ------------------------------------------------------------------------------


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    form = PeriodForm(request.GET or None, user=request.user)
    street = None
    period = Period.of(timezone.localdate())
    if form.is_valid():
        street = form.cleaned_data.get("street") or None
        text = form.cleaned_data.get("period") or ""
        if text:
            try:
                period = Period.parse(text)
            except ValueError:
                form.add_error("period", _("Enter a month as YYYY-MM."))
    user = request.user
    month = api.rates_out(user, street, period.start, period.end)
    year = api.rates_out(user, street, period.year_start, period.end)
    labels = {
        "publicity": _("Publicity of enforcement decisions"),
        "recording": _("Full-process recording"),
        "legal_review": _("Legal review of major decisions"),
    }
    three = [
        {"key": m["key"], "label": labels[m["key"]], "month": m, "year": y}
        for m, y in zip(month, year, strict=True)
    ]
    end_day = min(period.end - dt.timedelta(days=1), timezone.localdate())
    staff = rates.qualified_staff(user, street, end_day)
    complexes = rates.complex_compliance(user, street, period.year_start, period.end)
    plan_rows = [
        {
            "code": "plan-06",
            "label": _("Fire-safety management compliance rate of large commercial complexes"),
            "rate": complexes,
            "target": 100.0,
            "off": complexes.value is not None and complexes.value < 100.0,
        },
        {
            "code": "plan-08",
            "label": _("Qualified enforcement staff ratio"),
            "rate": staff,
            "target": 75.0,
            "off": staff.value is not None and staff.value < 75.0,
        },
    ]
    cases = api.under_street(Case.objects.visible_to(user), street, "jurisdiction__path")  # type: ignore[attr-defined]
    today = timezone.localdate()
    counts = {
        "open": cases.filter(state=CaseState.OPEN).count(),
        "overdue_orders": Order.objects.filter(
            case__in=cases, recheck_result=RecheckResult.PENDING, deadline__lt=today
        ).count(),
        "awaiting_review": cases.filter(
            state=CaseState.OPEN, decision__state=DecisionState.DRAFT, decision__is_major=True
        ).count(),
        "inspections": api.under_street(
            Inspection.objects.visible_to(user),
            street,
            "jurisdiction__path",  # type: ignore[attr-defined]
        )
        .filter(date__gte=period.start, date__lt=period.end)
        .count(),
    }
    return render(
        request,
        "enforcement/dashboard.html",
        _ctx(
            request,
            "dashboard",
            form=form,
            period=period,
            three=three,
            plan_rows=plan_rows,
            counts=counts,
            title=_("Administrative enforcement"),
        ),
    )


# --- staff ----------------------------------------------------------------------------------


@login_required
def staff_list(request: HttpRequest) -> HttpResponse:
    qs = Officer.objects.visible_to(request.user).select_related("jurisdiction", "user")  # type: ignore[attr-defined]
    today = timezone.localdate()
    q = (request.GET.get("q") or "").strip()[:100]
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(certificate_no__icontains=q))
    page, page_range = _page(request, qs)
    rows = [(o, o.qualified(today), o.certificate_valid(today)) for o in page]
    ratio = rates.qualified_staff(request.user, None, today)
    return render(
        request,
        "enforcement/staff_list.html",
        _ctx(
            request,
            "staff",
            rows=rows,
            page=page,
            page_range=page_range,
            ratio=ratio,
            q=q,
            title=_("Enforcement staff"),
        ),
    )


@login_required
@forbidden_as_page
def staff_edit(request: HttpRequest, pk: int | None = None) -> HttpResponseBase:
    officer = None
    if pk is not None:
        officer = visible_or_404(Officer.objects.all(), request.user, pk=pk)
    initial = {}
    if officer is not None:
        initial = {
            f: getattr(officer, f)
            for f in (
                "name",
                "jurisdiction",
                "department",
                "certificate_no",
                "issuing_body",
                "valid_until",
                "training_hours",
                "phone",
                "is_active",
            )
        }
    form = OfficerForm(request.POST or None, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_officer(request.user, dict(form.cleaned_data), officer)
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("The officer was saved."))
            return redirect("enforcement:staff")
    title = _("Edit officer") if officer else _("Add an officer")
    return render(
        request,
        "enforcement/form.html",
        _ctx(
            request,
            "staff",
            form=form,
            title=title,
            history=history_rows(officer) if officer else [],
        ),
    )


# --- plans ----------------------------------------------------------------------------------


@login_required
@forbidden_as_page
def plan_list(request: HttpRequest) -> HttpResponseBase:
    form = PlanForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.create_plan(request.user, dict(form.cleaned_data))
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("The plan was created: draw its targets now."))
            return redirect("enforcement:plan", pk=plan.pk)
    page, page_range = _page(request, api.plans_for(request.user))
    return render(
        request,
        "enforcement/plan_list.html",
        _ctx(
            request,
            "plans",
            form=form,
            page=page,
            page_range=page_range,
            title=_("Double-random inspection plans"),
        ),
    )


@login_required
@forbidden_as_page
def plan_detail(request: HttpRequest, pk: int) -> HttpResponseBase:
    plan = visible_or_404(
        InspectionPlan.objects.select_related("jurisdiction"), request.user, pk=pk
    )
    form = DrawForm(request.POST or None)
    if request.method == "POST":
        op = request.POST.get("op")
        try:
            if op == "draw" and form.is_valid():
                services.draw_plan(request.user, plan, form.cleaned_data.get("seed"))
                messages.success(request, _("The targets and officers were drawn."))
                return redirect("enforcement:plan", pk=pk)
            if op == "publish":
                services.publish_plan(request.user, plan)
                messages.success(request, _("The draw was published."))
                return redirect("enforcement:plan", pk=pk)
        except ValidationError as exc:
            _errors_to_form(form, exc)
    can = services.is_enforcer(request.user) and can_change(request.user, plan)
    return render(
        request,
        "enforcement/plan_detail.html",
        _ctx(
            request,
            "plans",
            plan=plan,
            form=form,
            targets=api.plan_targets(plan) if plan.seed is not None else [],
            reproducible=services.verify_draw(plan) if plan.seed is not None else None,
            can_draw=can and plan.status == PlanStatus.DRAFT,
            can_publish=can and plan.status == PlanStatus.DRAWN,
            can_inspect=can,
            history=history_rows(plan),
            title=plan.title,
        ),
    )


# --- inspections ----------------------------------------------------------------------------


@login_required
def inspection_list(request: HttpRequest) -> HttpResponse:
    qs = api.inspections_for(request.user).prefetch_related("findings__hazard")
    kind = request.GET.get("type") or ""
    if kind in InspectionType.values:
        qs = qs.filter(inspection_type=kind)
    page, page_range = _page(request, qs)
    rows = [(i, not any(f.is_open for f in i.findings.all())) for i in page]
    return render(
        request,
        "enforcement/inspection_list.html",
        _ctx(
            request,
            "inspections",
            rows=rows,
            page=page,
            page_range=page_range,
            kind=kind,
            types=InspectionType.choices,
            title=_("Enforcement inspections"),
        ),
    )


@login_required
@forbidden_as_page
def inspection_create(request: HttpRequest) -> HttpResponseBase:
    user = request.user
    if not services.is_enforcer(user):
        raise services.PermissionDenied(_("Your role may not carry out enforcement."))
    target = None
    if request.GET.get("target", "").isdigit():
        target = (
            PlanTarget.objects.visible_to(user)  # type: ignore[attr-defined]
            .select_related("plan", "organization")
            .filter(pk=int(request.GET["target"]))
            .first()
        )
        if target is None:
            raise Http404
    officers = services.officer_choices(user)
    if target is not None:
        officers = Officer.objects.filter(
            Q(pk__in=officers.values("pk")) | Q(pk__in=target.officers.values("pk"))
        )
    orgs = Organization.objects.visible_to(user).filter(is_active=True)  # type: ignore[attr-defined]
    initial: dict[str, Any] = {}
    if target is not None:
        initial = {
            "organization": target.organization,
            "inspection_type": target.plan.inspection_type,
            "officers": list(target.officers.all()),
            "unannounced": True,
        }
    form = InspectionForm(
        request.POST or None,
        request.FILES or None,
        initial=initial,
        user=user,
        officers=officers.order_by("name"),
        organizations=orgs,
    )
    if request.method == "POST" and form.is_valid():
        data = {
            k: form.cleaned_data[k]
            for k in ("organization", "inspection_type", "date", "unannounced", "summary")
        }
        data["officers"] = list(form.cleaned_data["officers"])
        data["target"] = target
        try:
            inspection = services.record_inspection(
                user,
                data,
                form.items(),
                form.findings_list(),
                form.cleaned_data.get("photos") or [],
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("The inspection was recorded."))
            return redirect("enforcement:inspection", pk=inspection.pk)
    return render(
        request,
        "enforcement/inspection_form.html",
        _ctx(
            request,
            "inspections",
            form=form,
            target=target,
            results=ItemResult.choices,
            title=_("Record an inspection"),
        ),
    )


@login_required
@forbidden_as_page
def inspection_detail(request: HttpRequest, pk: int) -> HttpResponseBase:
    inspection = visible_or_404(api.inspections_for(request.user), request.user, pk=pk)
    if request.method == "POST":
        finding = Finding.objects.filter(
            inspection=inspection, pk=request.POST.get("finding") or 0
        ).first()
        if finding is None:
            raise Http404
        try:
            if request.POST.get("op") == "hazard":
                services.finding_to_hazard(request.user, finding)
            else:
                services.resolve_finding(request.user, finding)
        except ValidationError as exc:
            for msgs in exc.message_dict.values():
                for msg in msgs:
                    messages.error(request, msg)
        return redirect("enforcement:inspection", pk=pk)
    detail = api.inspection_out(inspection, detail=True)
    can = services.is_enforcer(request.user) and can_change(request.user, inspection)
    return render(
        request,
        "enforcement/inspection_detail.html",
        _ctx(
            request,
            "inspections",
            inspection=inspection,
            detail=detail,
            can_act=can,
            results=dict(ItemResult.choices),
            cases=inspection.cases.all(),
            plan_visible=inspection.target is not None
            and InspectionPlan.objects.visible_to(request.user)
            .filter(pk=inspection.target.plan_id)
            .exists(),
            history=history_rows(inspection),
            title=_("Inspection of %(org)s") % {"org": inspection.organization.name},
        ),
    )


# --- cases ----------------------------------------------------------------------------------


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    qs = api.cases_for(request.user)
    state = request.GET.get("state") or ""
    if state in CaseState.values:
        qs = qs.filter(state=state)
    page, page_range = _page(request, qs)
    return render(
        request,
        "enforcement/case_list.html",
        _ctx(
            request,
            "cases",
            page=page,
            page_range=page_range,
            state=state,
            states=CaseState.choices,
            title=_("Enforcement cases"),
        ),
    )


@login_required
@forbidden_as_page
def case_create(request: HttpRequest) -> HttpResponseBase:
    user = request.user
    if not services.is_enforcer(user):
        raise services.PermissionDenied(_("Your role may not carry out enforcement."))
    inspection = None
    if request.GET.get("inspection", "").isdigit():
        inspection = visible_or_404(
            Inspection.objects.all(), user, pk=int(request.GET["inspection"])
        )
    orgs = Organization.objects.visible_to(user)  # type: ignore[attr-defined]
    initial = {"organization": inspection.organization} if inspection else {}
    form = CaseForm(
        request.POST or None, request.FILES or None, initial=initial, organizations=orgs
    )
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in ("organization", "title", "facts")}
        data["inspection"] = inspection
        try:
            case = services.file_case(user, data, form.cleaned_data.get("evidence") or [])
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("The case was filed."))
            return redirect("enforcement:case", pk=case.pk)
    return render(
        request,
        "enforcement/form.html",
        _ctx(request, "cases", form=form, multipart=True, title=_("File a case")),
    )


ACTION_FORMS = {
    "step": StepForm,
    "order": OrderForm,
    "recheck": RecheckForm,
    "penalty": PenaltyForm,
    "draft": DraftForm,
    "review": ReviewForm,
    "issue": IssueForm,
    "publish": PublishForm,
    "close": CloseForm,
}


def _act(request: HttpRequest, case: Case, op: str, form: Any) -> None:
    user = request.user
    d = form.cleaned_data
    decision = api._decision(case)
    if op == "step":
        services.record_step(user, case, d["kind"], d["summary"], d.get("evidence") or [])
    elif op == "order":
        services.issue_order(
            user,
            case,
            {k: d.get(k) for k in ("kind", "content", "deadline")},
            d.get("evidence") or [],
        )
    elif op == "recheck":
        order = Order.objects.filter(case=case, pk=d["order"]).first()
        if order is None:
            raise Http404
        services.recheck_order(user, order, d["result"], d.get("note", ""))
    elif op == "penalty":
        data = dict(d)
        data["circumstance"] = data.get("circumstance") or ""
        services.propose_penalty(user, case, data)
    elif op == "draft":
        services.draft_decision(user, case, d["content"])
    elif op in ("review", "issue", "publish"):
        if decision is None:
            raise ValidationError({"case": [_("Draft the decision first.")]})
        if op == "review":
            services.review_decision(user, decision, d["outcome"], d["opinion"])
        elif op == "issue":
            services.issue_decision(user, decision, d.get("evidence") or [])
        else:
            services.publish_decision(user, decision, d)
    elif op == "close":
        services.close_case(user, case, d.get("reason", ""))


@login_required
@forbidden_as_page
def case_detail(request: HttpRequest, pk: int) -> HttpResponseBase:
    case = visible_or_404(api.cases_for(request.user), request.user, pk=pk)
    bound: dict[str, Any] = {}
    if request.method == "POST":
        op = request.POST.get("op", "")
        if op not in ACTION_FORMS:
            raise Http404
        form = ACTION_FORMS[op](request.POST, request.FILES)
        bound[op] = form
        if form.is_valid():
            try:
                _act(request, case, op, form)
            except ValidationError as exc:
                _errors_to_form(form, exc)
            else:
                messages.success(request, _("The step was recorded."))
                return redirect("enforcement:case", pk=pk)
        case = visible_or_404(api.cases_for(request.user), request.user, pk=pk)
    allowed = services.actions_for(request.user, case)
    if "investigation" in allowed or "note" in allowed:
        allowed.add("step")
    forms = {op: bound.get(op) or cls() for op, cls in ACTION_FORMS.items() if op in allowed}
    detail = api.case_detail(case)
    decision = detail["decision_detail"]
    if decision:
        d = case.decision
        decision["reason_labels"] = services.major_reason_labels(d.major_reasons)
        decision["review_ok"] = services.passed_review(d) is not None
    pending_orders = [o for o in case.orders.all() if o.recheck_result == RecheckResult.PENDING]
    return render(
        request,
        "enforcement/case_detail.html",
        _ctx(
            request,
            "cases",
            case=case,
            detail=detail,
            decision=decision,
            forms=forms,
            pending_orders=pending_orders,
            open_op=next(iter(bound), ""),
            rules=DiscretionRule.objects.filter(is_active=True).prefetch_related("bands"),
            history=history_rows(case),
            title=f"{case.number} {case.title}",
        ),
    )


# --- public ---------------------------------------------------------------------------------


def public_decisions(request: HttpRequest) -> HttpResponse:
    """Published decisions within the public period: no login."""
    page, page_range = _page(request, api.public_decisions())
    rows = [api.public_out(d) for d in page]
    return render(
        request,
        "enforcement/public.html",
        {
            "rows": rows,
            "page": page,
            "page_range": page_range,
            "title": _("Published enforcement decisions"),
        },
    )
