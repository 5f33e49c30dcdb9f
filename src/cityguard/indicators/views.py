"""Pages of the indicators app: the overview, one indicator, the big screen, the monthly
report (xlsx / PDF) and the figures entered by hand.

Every value comes from `services` with the reader as `user`, so a page never shows more
than the API would for the same reader.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from cityguard.core.views import forbidden_as_page, history_rows

from . import registry, report, services
from .forms import FigureForm, IndicatorFilterForm
from .indicators import SPECS
from .registry import Period

PLAN_PREFIX = "plan-"


def _filters(request: HttpRequest) -> tuple[IndicatorFilterForm, str | None, Period, list[str]]:
    """The street and month asked for; a malformed value is reported and left out, a street
    outside the reader's reach is not found."""
    user = request.user
    form = IndicatorFilterForm(request.GET or None, user=user)
    problems: list[str] = []
    try:
        period = services.resolve_period(request.GET.get("period"))
    except ValidationError as exc:
        problems += exc.messages
        period = services.current_period()
    try:
        street = services.resolve_street(user, request.GET.get("street"))
    except ValidationError as exc:
        problems += exc.messages
        street = services.own_street(user)
    form.initial = {
        "street": street or "",
        "period": str(period),
        "max": str(services.current_period()),
    }
    return form, street, period, problems


def _street_name(code: str | None) -> str | None:
    if not code:
        return None
    node = next((s for s in services.streets() if s.code == code), None)
    return node.name if node else code


def _query(street: str | None, period: Period) -> str:
    q = f"period={period}"
    return q + (f"&street={street}" if street else "")


def _rows(
    values: list[services.Value], trends: dict[str, list[dict[str, Any]]]
) -> list[dict[str, Any]]:
    return [
        {
            **v.as_dict(),
            "trend": trends.get(v.indicator.code, []),
            "plan": v.indicator.code.startswith(PLAN_PREFIX),
        }
        for v in values
    ]


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    form, street, period, problems = _filters(request)
    values = services.compute(user, street, period)
    trends = services.trend(user, street, [v.indicator for v in values], period, values)
    rows = _rows(values, trends)
    by_street = services.off_target_by_street(user, period)
    chart = {
        "streets": [s["name"] for s in by_street],
        "off": [s["off_target"] for s in by_street],
        "on": [s["on_target"] for s in by_street],
        "labels": {"off": _("Off target"), "on": _("On target")},
    }
    sparklines = {r["code"]: [p["value"] for p in r["trend"]] for r in rows}
    months = [p["period"] for p in rows[0]["trend"]] if rows else []
    return render(
        request,
        "indicators/home.html",
        {
            "form": form,
            "problems": problems,
            "street": street,
            "street_name": _street_name(street),
            "period": period,
            "plan_rows": [r for r in rows if r["plan"]],
            "other_rows": [r for r in rows if not r["plan"]],
            "counts": {s: sum(1 for r in rows if r["status"] == s) for s in ("on", "off", "none")},
            "by_street": by_street,
            "chart": chart,
            "sparklines": {"months": months, "series": sparklines},
            "query": _query(street, period),
            "may_enter": services.may_enter(user),
        },
    )


@login_required
def detail(request: HttpRequest, code: str) -> HttpResponse:
    user = request.user
    ind = registry.find(code)
    if ind is None:
        raise Http404
    form, street, period, problems = _filters(request)
    value = services.compute(user, street, period, [ind])[0]
    trend = services.trend(user, street, [ind], period, [value])[ind.code]
    nodes, table = services.breakdown(user, period, [ind])
    breakdown = (
        [{"code": n.code, "name": n.name, **table[ind.code][n.code].as_dict()} for n in nodes]
        if ind.per_street
        else []
    )
    chart = {
        "months": [p["period"] for p in trend],
        "values": [p["value"] for p in trend],
        "target": ind.target,
        "streets": [b["name"] for b in breakdown],
        "street_values": [b["value"] for b in breakdown],
        "street_status": [b["status"] for b in breakdown],
        "unit": str(ind.unit),
        "labels": {"value": _("Value"), "target": _("Target")},
    }
    figures = services.figures_for(user).filter(code=ind.code)[:20] if ind.entered else []
    return render(
        request,
        "indicators/detail.html",
        {
            "ind": value.as_dict(),
            "form": form,
            "problems": problems,
            "street": street,
            "street_name": _street_name(street),
            "period": period,
            "trend": trend,
            "breakdown": breakdown,
            "chart": chart,
            "figures": figures,
            "may_enter": ind.code in SPECS and services.may_enter(user, ind.code),
            "query": _query(street, period),
        },
    )


def _streets_geojson() -> dict[str, Any]:
    features = []
    for s in services.streets():
        if not s.boundary:
            continue
        try:
            geometry = json.loads(s.boundary)
        except ValueError:
            continue
        if isinstance(geometry, dict) and geometry.get("type") == "Feature":
            geometry = geometry.get("geometry")
        if not isinstance(geometry, dict) or geometry.get("type") not in (
            "Polygon",
            "MultiPolygon",
        ):
            continue
        features.append(
            {
                "type": "Feature",
                "properties": {"name": s.code, "label": s.name},
                "geometry": geometry,
            }
        )
    return {"type": "FeatureCollection", "features": features}


@login_required
def screen(request: HttpRequest) -> HttpResponse:
    """The wall display: ECharts, dark, 1920×1080, refreshed from the API every minute."""
    config = {
        "api": reverse("api:indicators"),
        "streetsApi": reverse("api:indicators_streets"),
        "refreshSeconds": 60,
        "map": _streets_geojson(),
        "labels": {
            "offTarget": _("Indicators off target"),
            "target": _("Target"),
            "noData": _("No data"),
            "updated": _("Updated"),
            "failed": _("Could not refresh; showing the last figures."),
            "binding": _("Binding"),
            "expected": _("Expected"),
        },
    }
    return render(request, "indicators/screen.html", {"config": config})


@login_required
def report_view(request: HttpRequest) -> HttpResponseBase:
    """The monthly report: `?period=YYYY-MM&format=xlsx|pdf` (default: this month, xlsx)."""
    fmt = (request.GET.get("format") or "xlsx").strip().lower()
    problems: list[str] = []
    if fmt not in ("xlsx", "pdf"):
        problems.append(_("Choose the format xlsx or pdf."))
    try:
        period = services.resolve_period(request.GET.get("period"))
    except ValidationError as exc:
        problems += exc.messages
        period = services.current_period()
    if problems:
        return render(request, "indicators/report_error.html", {"problems": problems}, status=400)
    data = report.build(request.user, period)
    return report.response(data, fmt)


@login_required
def figure_list(request: HttpRequest) -> HttpResponse:
    qs = services.figures_for(request.user)
    code = (request.GET.get("code") or "").strip()
    if code in SPECS:
        qs = qs.filter(code=code)
    names = {c: registry.get(c).name for c in SPECS}
    return render(
        request,
        "indicators/figure_list.html",
        {
            "figures": list(qs[:500]),
            "specs": [(c, names[c]) for c in SPECS],
            "code": code,
            "may_enter": services.may_enter(request.user),
        },
    )


@login_required
@forbidden_as_page
def figure_create(request: HttpRequest) -> HttpResponseBase:
    user = request.user
    if not services.may_enter(user):
        raise PermissionDenied(_("Only district staff may enter this figure."))
    initial = {"code": request.GET.get("code", "")}
    form = FigureForm(request.POST or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            figure = services.save_figure(user, form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            messages.success(request, _("The figure was saved."))
            return redirect("indicators:figure_detail", pk=figure.pk)
    specs = [
        {
            "code": code,
            "value": str(spec.value_label),
            "base": str(spec.base_label) if spec.base_label else None,
            "per_street": spec.per_street,
        }
        for code, spec in SPECS.items()
    ]
    return render(request, "indicators/figure_form.html", {"form": form, "specs": specs})


@login_required
def figure_detail(request: HttpRequest, pk: int) -> HttpResponse:
    figure = services.figures_for(request.user).filter(pk=pk).first()
    if figure is None:
        raise Http404
    spec = SPECS.get(figure.code)
    return render(
        request,
        "indicators/figure_detail.html",
        {
            "figure": figure,
            "ind": registry.find(figure.code),
            "spec": spec,
            "history": history_rows(figure),
            "may_enter": services.may_enter(request.user, figure.code, figure.street),
        },
    )
