"""Pages of the risk register: list with export, detail, edit, assess, overdue, dashboard.

Reads go through `visible_to(request.user)` and writes through `risk.services`, so a page
never shows or changes more than the API would for the same user.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cityguard.core import export
from cityguard.core.access import can_change, reach, require_change
from cityguard.core.choices import Level, Role
from cityguard.core.models import Jurisdiction, Organization
from cityguard.core.views import (
    _area_label,
    _chain,
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
from cityguard.onemap.views import tile_config

from . import config, indicators, scoring, services
from .api import filter_risk_points, points_for
from .choices import LEVEL_HEX, UNASSESSED_HEX, RiskLevel, level_label
from .forms import (
    AssessmentForm,
    ControlMeasureFormSet,
    RiskPointFilterForm,
    RiskPointForm,
    default_assessed_at,
)
from .models import RiskPoint

# --- helpers ---------------------------------------------------------------------------


def _can_create(user: Any) -> bool:
    return reach(user).can_write


def _level_text(level: str) -> str:
    return level_label(level)


def _columns(streets: dict[str, str], today: Any) -> list[export.Column]:
    return [
        (_("ID"), lambda p: p.pk),
        (_("Name"), lambda p: p.name),
        (_("Domain"), lambda p: p.domain.name),
        (_("Domain code"), lambda p: p.domain.code),
        (_("Risk level"), lambda p: _level_text(p.level)),
        (_("Colour"), lambda p: scoring.COLOURS.get(p.level, "")),
        (_("Score"), lambda p: p.score),
        (_("Method"), lambda p: p.get_method_display() if p.method else ""),
        (_("Assessed"), lambda p: p.assessed_at),
        (_("Reassessment due"), lambda p: p.next_due),
        (_("Overdue"), lambda p: bool(p.is_active and p.next_due and p.next_due < today)),
        (_("Organisation"), lambda p: p.organization.name if p.organization_id else None),
        (_("Street"), lambda p: _street_of(p.jurisdiction, streets)),
        (_("Jurisdiction"), lambda p: p.jurisdiction.name),
        (_("Jurisdiction code"), lambda p: p.jurisdiction.code),
        (_("Address"), lambda p: p.address),
        (_("Control tier"), lambda p: p.get_control_tier_display() if p.control_tier else ""),
        (_("Responsible person"), lambda p: p.responsible_person),
        (_("Responsible person's phone"), lambda p: p.responsible_phone),
        (_("Description"), lambda p: p.description),
        (_("Active"), lambda p: p.is_active),
        (_("Longitude"), lambda p: p.lon),
        (_("Latitude"), lambda p: p.lat),
        (_("Updated"), lambda p: p.updated_at),
    ]


def _decorate(page: Any, streets: dict[str, str], today: Any) -> None:
    for p in page:
        p.area_label = _area_label(p.jurisdiction, streets)
        p.is_overdue = bool(p.is_active and p.next_due and p.next_due < today)
        p.days_overdue = (today - p.next_due).days if p.is_overdue else 0


# --- register --------------------------------------------------------------------------


@login_required
def point_list(request: HttpRequest) -> HttpResponseBase:
    user = request.user
    form = RiskPointFilterForm(request.GET, user=user)
    qs = filter_risk_points(points_for(user), form.filters()).order_by(*form.ordering())
    streets = _street_names()
    today = timezone.localdate()
    result = export_or_page(
        request, qs, lambda: _columns(streets, today), "risk-points", _("Risk register")
    )
    if isinstance(result, HttpResponseBase):
        return result
    paginator, page = result
    _decorate(page, streets, today)
    org_id = form.value("organization")
    organization = (
        Organization.objects.visible_to(user).filter(pk=org_id).first() if org_id else None
    )
    return render(
        request,
        "risk/point_list.html",
        {
            "form": form,
            "page_obj": page,
            "paginator": paginator,
            "page_range": pagination_range(page),
            "organization": organization,
            "can_create": _can_create(user),
        },
    )


@login_required
def overdue_list(request: HttpRequest) -> HttpResponseBase:
    user = request.user
    qs = services.overdue(points_for(user)).order_by("next_due", "-level_rank", "id")
    code = (request.GET.get("jurisdiction") or "").replace("\x00", "").strip()
    node = Jurisdiction.objects.filter(code=code).first() if code else None
    if code:
        qs = qs.filter(jurisdiction__path__startswith=node.path) if node else qs.none()
    streets = _street_names()
    today = timezone.localdate()
    result = export_or_page(
        request, qs, lambda: _columns(streets, today), "risk-overdue", _("Overdue reassessments")
    )
    if isinstance(result, HttpResponseBase):
        return result
    paginator, page = result
    _decorate(page, streets, today)
    return render(
        request,
        "risk/overdue_list.html",
        {
            "page_obj": page,
            "paginator": paginator,
            "page_range": pagination_range(page),
            "node": node,
            "months": config.reassess_months(),
            "levels": [(v, level_label(v), LEVEL_HEX[v]) for v in RiskLevel.values],
        },
    )


# --- detail ----------------------------------------------------------------------------


@login_required
def point_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    point = visible_or_404(
        RiskPoint.objects.select_related(
            "domain", "organization", "place", "jurisdiction", "origin_type"
        ),
        user,
        pk=pk,
    )
    assessments = list(
        point.assessments.select_related("assessed_by").order_by("-assessed_at", "-id")[:100]
    )
    measures = list(point.measures.all())
    org_visible = bool(
        point.organization_id
        and Organization.objects.visible_to(user).filter(pk=point.organization_id).exists()
    )
    features = [_geometry_feature(_point(point.lon, point.lat), point.name, point.colour)]
    origin = services.origin_of(point)
    origin_url = getattr(origin, "get_absolute_url", None)
    today = timezone.localdate()
    return render(
        request,
        "risk/point_detail.html",
        {
            "object": point,
            "point": point,
            "level_text": level_label(point.level),
            "is_overdue": bool(point.is_active and point.next_due and point.next_due < today),
            "assessments": assessments,
            "assessment_count": point.assessments.count(),
            "measures": measures,
            "org_visible": org_visible,
            "chain": _chain(point.jurisdiction),
            "history": history_rows(point),
            "map_config": leaflet_config(features),
            "origin": origin,
            "origin_url": origin_url() if callable(origin_url) else "",
            "origin_label": point.origin_type.name if point.origin_type_id else "",
            "can_change": can_change(user, point),
        },
    )


# --- edit ------------------------------------------------------------------------------


def _measure_initial(point: RiskPoint | None) -> list[dict[str, Any]]:
    if point is None:
        return []
    return [
        {
            "id": m.pk,
            "description": m.description,
            "tier": m.tier,
            "responsible_person": m.responsible_person,
            "responsible_phone": m.responsible_phone,
        }
        for m in point.measures.all()
    ]


def _save_measures(actor: Any, point: RiskPoint, formset: Any) -> bool:
    """Apply the measure rows through the services; False (with errors set) if refused."""
    existing = {m.pk: m for m in point.measures.all()}
    ok = True
    order = 0
    for form in formset.forms:
        data = form.cleaned_data
        if not data:
            continue
        pk = data.get("id")
        measure = existing.get(pk) if pk else None
        if pk and measure is None:
            continue  # not this point's: ignore a tampered id
        if data.get("DELETE") or (measure is not None and not data.get("description")):
            if measure is not None:
                services.delete_control_measure(actor, measure)
            continue
        if not data.get("description"):
            continue
        values = {
            "description": data["description"],
            "tier": data["tier"],
            "responsible_person": data.get("responsible_person") or "",
            "responsible_phone": data.get("responsible_phone") or "",
            "order": order,
        }
        order += 1
        try:
            services.save_control_measure(actor, point, values, measure)
        except ValidationError as exc:
            for field, msgs in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, msgs)
            ok = False
    return ok


@login_required
@forbidden_as_page
def point_edit(request: HttpRequest, pk: int | None = None) -> HttpResponseBase:
    user = request.user
    point = None
    initial: dict[str, Any] = {}
    if pk is not None:
        point = visible_or_404(RiskPoint.objects.select_related("jurisdiction"), user, pk=pk)
        require_change(user, point)
    else:
        r = reach(user)
        if not r.can_write:
            raise PermissionDenied(_("You may not add risk points."))
        org_id = request.GET.get("organization") or (
            r.organization_id if r.role == Role.ENTERPRISE_MANAGER else None
        )
        if org_id and str(org_id).isdigit():
            initial["organization"] = int(org_id)
    form = RiskPointForm(request.POST or None, instance=point, initial=initial, user=user)
    formset = ControlMeasureFormSet(
        request.POST or None, initial=_measure_initial(point), prefix="measures"
    )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        with transaction.atomic():
            saved = form.save(user)
            if saved is not None and not _save_measures(user, saved, formset):
                transaction.set_rollback(True)
                saved = None
                if point is None:
                    form.instance = RiskPoint()
        if saved is not None:
            messages.success(
                request,
                (_("Saved “%(name)s”.") if point else _("Added “%(name)s”."))
                % {"name": saved.name},
            )
            return redirect("risk:point_detail", pk=saved.pk)
    return render(
        request,
        "risk/point_form.html",
        {
            "form": form,
            "formset": formset,
            "object": point,
            "picker": picker_context(
                user,
                form["lon"].id_for_label,
                form["lat"].id_for_label,
                [_geometry_feature(_point(point.lon, point.lat), point.name, point.colour)]
                if point
                else [],
            ),
        },
    )


def _score_config() -> dict[str, Any]:
    """What the assess page's preview needs to score in the browser as the server does."""
    return {
        "bands": config.bands().as_dict(),
        "levels": {v: {"label": level_label(v), "colour": LEVEL_HEX[v]} for v in RiskLevel.values},
        "unassessed": {"label": level_label(""), "colour": UNASSESSED_HEX},
        "months": config.reassess_months(),
        "api": reverse("api:risk_score"),
    }


@login_required
@forbidden_as_page
def point_assess(request: HttpRequest, pk: int) -> HttpResponseBase:
    user = request.user
    point = visible_or_404(RiskPoint.objects.select_related("domain", "jurisdiction"), user, pk=pk)
    require_change(user, point)
    form = AssessmentForm(
        request.POST or None,
        initial={"method": point.method if point.method in scoring.METHODS else scoring.LEC},
    )
    if request.method == "POST" and form.is_valid():
        assessment = form.save(user, point)
        if assessment is not None:
            messages.success(
                request,
                _("Assessed: %(level)s, score %(score)s.")
                % {"level": level_label(assessment.level), "score": _num(assessment.score)},
            )
            return redirect("risk:point_detail", pk=point.pk)
    return render(
        request,
        "risk/assess_form.html",
        {
            "form": form,
            "point": point,
            "object": point,
            "level_text": level_label(point.level),
            "score_config": _score_config(),
            "now": default_assessed_at(),
            "lec_rows": _lec_table(),
        },
    )


def _num(v: float | None) -> str:
    if v is None:
        return "—"
    return scoring.format_allowed((v,))


def _lec_table() -> list[dict[str, Any]]:
    b = config.bands()
    return [
        {"level": lv, "label": level_label(lv), "colour": LEVEL_HEX[lv], "lec": lec, "matrix": mx}
        for lv, lec, mx in (
            (scoring.MAJOR, f"D > {_num(b.lec_major)}", f"R ≥ {_num(b.matrix_major)}"),
            (
                scoring.LARGE,
                f"{_num(b.lec_large)} < D ≤ {_num(b.lec_major)}",
                f"{_num(b.matrix_large)} ≤ R < {_num(b.matrix_major)}",
            ),
            (
                scoring.GENERAL,
                f"{_num(b.lec_general)} < D ≤ {_num(b.lec_large)}",
                f"{_num(b.matrix_general)} ≤ R < {_num(b.matrix_large)}",
            ),
            (scoring.LOW, f"D ≤ {_num(b.lec_general)}", f"R < {_num(b.matrix_general)}"),
        )
    ]


# --- dashboard -------------------------------------------------------------------------


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    street = (request.GET.get("street") or "").replace("\x00", "").strip() or None
    streets = Jurisdiction.objects.filter(level=Level.STREET).order_by("path")
    r = reach(user)
    if r.path:
        streets = streets.filter(path__startswith=r.path)
    street_node = streets.filter(code=street).first() if street else None
    if street and street_node is None:
        street = None
    data = services.stats(user, street)
    list_url = reverse("risk:point_list")
    suffix = f"&jurisdiction={street}" if street else ""
    level_items = [
        {
            "name": level_label(lv if lv != "unassessed" else ""),
            "value": data["by_level"][lv],
            "colour": LEVEL_HEX.get(lv, UNASSESSED_HEX),
            "url": f"{list_url}?level={lv}{suffix}",
        }
        for lv in (*scoring.LEVELS, "unassessed")
        if data["by_level"][lv]
    ]
    street_series = {
        "streets": [s["name"] or s["code"] or _("Not assigned below") for s in data["by_street"]],
        "codes": [s["code"] for s in data["by_street"]],
        "series": [
            {
                "name": level_label(lv),
                "colour": LEVEL_HEX[lv],
                "data": [s[lv] for s in data["by_street"]],
            }
            for lv in scoring.LEVELS
        ]
        + [
            {
                "name": level_label(""),
                "colour": UNASSESSED_HEX,
                "data": [s["unassessed"] for s in data["by_street"]],
            }
        ],
        "url": f"{list_url}?jurisdiction=",
    }
    domain_items = [
        {
            "name": d["name"],
            "value": d["count"],
            "colour": "#455a64",
            "url": f"{list_url}?domain={d['code']}",
        }
        for d in data["by_domain"]
    ]
    map_config = leaflet_config([])
    map_config["layers"] = [
        reverse("api:map_layer", kwargs={"name": "risk.streets"}),
        reverse("api:map_layer", kwargs={"name": "risk.points"}),
    ]
    map_config["street"] = street
    map_config["crs"] = tile_config()["crs"]
    park_rate = indicators.park_risk_assessment_rate(user, street)
    return render(
        request,
        "risk/dashboard.html",
        {
            "stats": data,
            "levels": [
                {
                    "key": lv,
                    "label": level_label(lv),
                    "colour": LEVEL_HEX[lv],
                    "n": data["by_level"][lv],
                }
                for lv in scoring.LEVELS
            ],
            "unassessed": data["by_level"]["unassessed"],
            "level_items": level_items,
            "street_series": street_series,
            "domain_items": domain_items,
            "streets": streets,
            "street": street_node,
            "park_rate": park_rate,
            "map_config": map_config,
            "legend": [(level_label(v), LEVEL_HEX[v]) for v in RiskLevel.values],
            "can_create": _can_create(user),
        },
    )
