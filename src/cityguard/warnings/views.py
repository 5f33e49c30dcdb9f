"""Pages of the warnings app: the list and detail (staff), the issuing form with a live
CAP preview, the CAP upload, and — without login — the public page of active warnings,
their CAP documents and the Atom feed."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cityguard.core.views import (
    forbidden_as_page,
    history_rows,
    leaflet_config,
    pagination_range,
    visible_or_404,
)

from . import cap, config, services
from .api import filter_warnings
from .choices import ACTIVE_STATES, WarningColour, WarningState
from .forms import CancelForm, CapUploadForm, WarningFilterForm, WarningForm
from .models import Warning
from .schemas import WarningFilter


def _features(warning: Warning) -> list[dict[str, Any]]:
    from cityguard.core.views import _area, _geometry_feature

    colour = warning.hex
    feats = [
        _geometry_feature(_area(s.boundary), s.name, colour, role="area")
        for s in warning.streets.all()
    ]
    if warning.polygon:
        feats.append(_geometry_feature(_area(warning.polygon), warning.headline, colour))
    return [f for f in feats if f]


@login_required
def warning_list(request: HttpRequest) -> HttpResponse:
    form = WarningFilterForm(request.GET or None)
    filters = WarningFilter(street=None)
    if form.is_valid():
        filters = WarningFilter(
            state=form.cleaned_data["state"] or None,
            kind=form.cleaned_data["kind"] or None,
            colour=form.cleaned_data["colour"] or None,
            street=None,
        )
    qs = filter_warnings(Warning.objects.visible_to(request.user), filters)
    qs = qs.prefetch_related("streets").order_by("-effective", "-id")
    paginator = Paginator(qs, 50)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "warnings/list.html",
        {
            "form": form,
            "page_obj": page,
            "paginator": paginator,
            "page_range": pagination_range(page),
            "can_issue": services.can_issue(request.user),
            "active_count": Warning.objects.visible_to(request.user).active().count(),
        },
    )


@login_required
@forbidden_as_page
def warning_detail(request: HttpRequest, pk: int) -> HttpResponseBase:
    user = request.user
    warning = visible_or_404(Warning.objects.all(), user, pk=pk)
    can_issue = services.can_issue(user)
    cancel_form = CancelForm(request.POST or None) if can_issue else None
    deliveries = services.deliveries_visible_to(user, warning).select_related("street", "message")
    return render(
        request,
        "warnings/detail.html",
        {
            "warning": warning,
            "object": warning,
            "streets": list(warning.streets.all()),
            "cap_xml": services.current_document(warning),
            "coverage": services.coverage(warning),
            "deliveries": deliveries.order_by("-id")[:200],
            "delivery_count": deliveries.count(),
            "threats": services.threatened(warning, user),
            "events": warning.events.select_related("actor"),
            "history": history_rows(warning),
            "map_config": leaflet_config(_features(warning)),
            "can_issue": can_issue,
            "cancel_form": cancel_form,
            "is_draft": warning.state == WarningState.DRAFT,
            "is_active_state": warning.state in ACTIVE_STATES,
        },
    )


@login_required
@forbidden_as_page
def warning_edit(request: HttpRequest, pk: int | None = None) -> HttpResponseBase:
    user = request.user
    services.require_issuer(user)
    warning = visible_or_404(Warning.objects.all(), user, pk=pk) if pk is not None else None
    if warning is not None and warning.state not in (WarningState.DRAFT, *ACTIVE_STATES):
        raise PermissionDenied(_("An ended warning cannot be changed."))
    form = WarningForm(request.POST or None, instance=warning)
    if request.method == "POST" and form.is_valid():
        saved = form.save(user)
        if saved is not None:
            messages.success(
                request,
                _("The warning was updated and the update is being published.")
                if warning is not None and warning.state != WarningState.DRAFT
                else _("The draft was saved."),
            )
            return redirect("warnings:detail", pk=saved.pk)
    return render(
        request,
        "warnings/form.html",
        {
            "form": form,
            "warning": warning,
            "preview_url": reverse("warnings:preview")
            + (f"?warning={warning.pk}" if warning else ""),
            "initial_preview": services.current_document(warning) if warning else "",
        },
    )


@login_required
@require_POST
def warning_preview(request: HttpRequest) -> HttpResponse:
    """The CAP document the form's current values would send (htmx fragment)."""
    if not services.can_issue(request.user):
        raise Http404
    instance = None
    ref = request.GET.get("warning", "")
    if ref.isdigit():
        instance = visible_or_404(Warning.objects.all(), request.user, pk=int(ref))
    form = WarningForm(request.POST, instance=instance)
    xml, problems = "", []
    if form.is_valid():
        try:
            xml, errors = services.preview_from(form.data_for_service(), instance)
        except ValidationError as exc:
            errors = exc.message_dict
        problems = [m for msgs in errors.values() for m in msgs]
    else:
        problems = [
            f"{form.fields[n].label if n in form.fields else ''}: {m}".lstrip(": ")
            for n, msgs in form.errors.items()
            for m in msgs
        ]
    return render(
        request,
        "warnings/_preview.html",
        {"xml": xml, "problems": problems, "schema_errors": cap.validate(xml) if xml else []},
    )


@login_required
@require_POST
@forbidden_as_page
def warning_issue(request: HttpRequest, pk: int) -> HttpResponseBase:
    warning = visible_or_404(Warning.objects.all(), request.user, pk=pk)
    try:
        services.issue(request.user, warning)
    except ValidationError as exc:
        for msgs in exc.message_dict.values():
            for m in msgs:
                messages.error(request, m)
    else:
        messages.success(request, _("The warning was issued and is being published."))
    return redirect("warnings:detail", pk=warning.pk)


@login_required
@forbidden_as_page
def warning_cancel(request: HttpRequest, pk: int) -> HttpResponseBase:
    warning = visible_or_404(Warning.objects.all(), request.user, pk=pk)
    services.require_issuer(request.user)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.cancel(request.user, warning, form.cleaned_data["reason"])
        except ValidationError as exc:
            for msgs in exc.message_dict.values():
                for m in msgs:
                    form.add_error(None, m)
        else:
            messages.success(request, _("The warning was cancelled."))
            return redirect("warnings:detail", pk=warning.pk)
    return render(request, "warnings/cancel.html", {"warning": warning, "form": form})


@login_required
@forbidden_as_page
def cap_import(request: HttpRequest) -> HttpResponseBase:
    services.require_issuer(request.user)
    form = CapUploadForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            warning = services.import_cap(request.user, form.body())
        except cap.CapError as exc:
            errors = exc.errors
        else:
            messages.success(request, _("The CAP document was imported."))
            return redirect("warnings:detail", pk=warning.pk)
    return render(request, "warnings/import.html", {"form": form, "errors": errors})


# --- public ------------------------------------------------------------------------------


def _active_public() -> Any:
    return Warning.objects.active().prefetch_related("streets").order_by("-colour", "-effective")


def public(request: HttpRequest) -> HttpResponse:
    """Active warnings for everyone, no login: Chinese by default, English on request."""
    from .choices import COLOUR_RANK

    warnings = sorted(
        _active_public(), key=lambda w: (-COLOUR_RANK.get(w.colour, 0), -w.effective.timestamp())
    )
    return render(
        request,
        "warnings/public.html",
        {"warnings": warnings, "now": timezone.now(), "colours": WarningColour},
    )


def public_cap(request: HttpRequest, pk: int) -> HttpResponse:
    """The CAP document of a published warning (not of a draft), for anyone."""
    warning = Warning.objects.exclude(state=WarningState.DRAFT).filter(pk=pk).first()
    if warning is None:
        raise Http404
    return HttpResponse(services.current_document(warning), content_type=cap.CONTENT_TYPE)


def feed(request: HttpRequest) -> HttpResponse:
    """Atom feed of active warnings, each entry linking its CAP 1.2 document."""
    base = str(config.get("CITYGUARD_PUBLIC_URL") or "").rstrip("/") or request.build_absolute_uri(
        "/"
    ).rstrip("/")
    page = base + reverse("warnings:public")
    f = Atom1Feed(
        title=_("Active warnings"),
        link=page,
        description=_("Official warnings in force in the district, with their CAP 1.2 documents."),
        language="zh-CN",
        feed_url=base + reverse("warnings:feed"),
        feed_guid=base + reverse("warnings:feed"),
    )
    for warning in _active_public():
        latest = warning.messages.order_by("-sent", "-id").first()
        f.add_item(
            title=f"{cap.event_name(warning.kind, warning.colour)}：{warning.headline}",
            link=page + f"#w{warning.pk}",
            description=warning.description,
            unique_id=f"{latest.sender},{latest.identifier}" if latest else page,
            updateddate=latest.sent if latest else warning.updated_at,
            pubdate=warning.issued_at or warning.effective,
            author_name=warning.authority,
            cap_url=base + reverse("warnings:public_cap", args=[warning.pk]),
        )

    class _Feed(Atom1Feed):
        def add_item_elements(self, handler: Any, item: dict[str, Any]) -> None:
            super().add_item_elements(handler, item)
            handler.addQuickElement(
                "link",
                "",
                {"rel": "alternate", "type": cap.CONTENT_TYPE, "href": item["cap_url"]},
            )

    f.__class__ = _Feed
    response = HttpResponse(content_type="application/atom+xml; charset=utf-8")
    f.write(response, "utf-8")
    return response
