"""Pages of the permits app: list with filters, the application form, the permit with its
approval chain, gas analyses and actions, and a printable permit."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cityguard.core import export
from cityguard.core.access import reach
from cityguard.core.models import Organization
from cityguard.core.views import (
    export_or_page,
    forbidden_as_page,
    history_rows,
    pagination_range,
)

from . import rules, services
from .api import filter_permits, permit_queryset, visible_permit
from .choices import WorkKind
from .forms import ApproveForm, CloseForm, GasTestForm, PermitFilterForm, PermitForm, ReasonForm
from .schemas import PermitFilter


def _columns() -> list[export.Column]:
    return [
        (_("Permit number"), lambda p: p.number),
        (_("Organisation"), lambda p: p.organization.name),
        (_("Kind of work"), lambda p: p.title),
        (_("Location"), lambda p: p.location),
        (_("Valid from"), lambda p: p.valid_from),
        (_("Valid to"), lambda p: p.valid_to),
        (_("State"), lambda p: p.get_state_display()),
    ]


@login_required
def permit_list(request: HttpRequest) -> HttpResponseBase:
    form = PermitFilterForm(request.GET, user=request.user)
    form.is_valid()
    f = PermitFilter(
        q=form.value("q"),
        state=form.value("state"),
        kind=form.value("kind"),
        live=form.value("live"),
        street=form.value("jurisdiction"),
    )
    qs = filter_permits(permit_queryset(request.user), f).order_by("-valid_from", "-id")
    result = export_or_page(request, qs, _columns, "permits", _("Work permits"))
    if not isinstance(result, tuple):
        return result
    _paginator, page = result
    r = reach(request.user)
    return render(
        request,
        "permits/list.html",
        {
            "form": form,
            "page_obj": page,
            "page_range": pagination_range(page),
            "can_apply": r.can_write and services.is_org_manager(request.user, r.organization_id),
            "kinds": WorkKind.choices,
        },
    )


@login_required
@forbidden_as_page
def permit_new(request: HttpRequest) -> HttpResponseBase:
    r = reach(request.user)
    org = Organization.objects.filter(pk=r.organization_id).first() if r.organization_id else None
    if org is None or not services.is_org_manager(request.user, org.pk):
        return render(
            request,
            "core/403.html",
            {
                "reason": _(
                    "Only the enterprise's own safety managers may apply for and sign its permits."
                )
            },
            status=403,
        )
    kind = request.GET.get("kind") or request.POST.get("kind") or ""
    if kind not in WorkKind.values:
        return render(request, "permits/choose_kind.html", {"kinds": WorkKind.choices, "org": org})
    form = PermitForm(request.POST or None, kind=kind, organization=org)
    if request.method == "POST" and form.is_valid():
        try:
            permit = services.apply(request.user, form.service_data())
        except ValidationError as exc:
            for field, msgs in exc.message_dict.items():
                for msg in msgs:
                    form.add_error(field if field in form.fields else None, msg)
        else:
            messages.success(request, _("Permit %(n)s applied for.") % {"n": permit.number})
            return redirect("permits:detail", pk=permit.pk)
    return render(
        request,
        "permits/form.html",
        {
            "form": form,
            "kind": kind,
            "kind_label": WorkKind(kind).label,
            "org": org,
            "needs_gas": rules.needs_gas_test(kind),
            "max_hours": {
                g or "": services.config.max_hours(kind, g)
                for g in (rules.grades_of(kind) or ("",))
            },
            "chains": [
                (rules.GRADE_LABELS.get((kind, g), ""), rules.chain(kind, g))
                for g in rules.grades_of(kind) or ("",)
            ],
        },
    )


def _detail_context(request: HttpRequest, pk: int) -> dict[str, Any]:
    permit = visible_permit(request.user, pk)
    steps = list(permit.approvals.select_related("signed_by").order_by("position"))
    nxt = next((s for s in steps if not s.done), None)
    for s in steps:
        status = "next" if s is nxt and permit.state == "applied" else "pending"
        s.status = "done" if s.done else status  # type: ignore[attr-defined]
    measure_labels = dict(rules.measures(permit.kind))
    gas_problem = None
    if permit.needs_gas_test and permit.state in ("applied", "approved", "suspended"):
        from django.utils import timezone

        gas_problem = services.gas_problem(permit, timezone.now())
    return {
        "permit": permit,
        "object": permit,
        "steps": steps,
        "next_step": nxt if permit.state == "applied" else None,
        "measures": [str(measure_labels.get(m, m)) for m in permit.measures],
        "gas_tests": list(permit.gas_tests.order_by("-analysed_at", "-id")),
        "gas_messages": services.GAS_MESSAGES,
        "events": list(permit.events.select_related("actor").order_by("at", "id")),
        "actions": permit.caller_actions,  # type: ignore[attr-defined]
        "needs_gas": permit.needs_gas_test,
        "gas_problem": gas_problem,
        "gas_form": GasTestForm(),
        "approve_form": ApproveForm(initial={"step": nxt.position if nxt else 1}),
        "reason_form": ReasonForm(),
        "close_form": CloseForm(),
        "history": history_rows(permit),
    }


@login_required
def permit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "permits/detail.html", _detail_context(request, pk))


@login_required
def permit_print(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "permits/print.html", _detail_context(request, pk))


ACTIONS = {"gas-test", "approve", "start", "suspend", "resume", "close", "cancel"}


@login_required
@require_POST
@forbidden_as_page
def permit_action(request: HttpRequest, pk: int, action: str) -> HttpResponseBase:
    if action not in ACTIONS:
        raise Http404
    user = request.user
    permit = visible_permit(user, pk)
    try:
        if action == "gas-test":
            form: Any = GasTestForm(request.POST)
            if not form.is_valid():
                raise ValidationError(
                    [
                        f"{form.fields[k].label if k in form.fields else k}: {e}"
                        for k, v in form.errors.items()
                        for e in v
                    ]
                )
            services.record_gas_test(user, permit, form.service_data())
        elif action == "approve":
            form = ApproveForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("Choose the step to sign."))
            services.approve_step(
                user, permit, form.cleaned_data["step"], form.cleaned_data["opinion"]
            )
        elif action == "start":
            services.start(user, permit)
        elif action == "resume":
            services.resume(user, permit)
        elif action in ("suspend", "cancel"):
            form = ReasonForm(request.POST)
            reason = form.cleaned_data["reason"] if form.is_valid() else ""
            (services.suspend if action == "suspend" else services.cancel)(user, permit, reason)
        elif action == "close":
            form = CloseForm(request.POST)
            form.is_valid()
            services.close(
                user,
                permit,
                bool(form.cleaned_data.get("site_cleared")),
                form.cleaned_data.get("note") or "",
            )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Done."))
    return redirect(reverse("permits:detail", args=[permit.pk]))
