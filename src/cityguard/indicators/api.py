"""API of the indicators app, mounted at /api/v1/indicators.

- `GET /` (`?street=<code>&period=YYYY-MM`): every indicator's value, the plan's ten
  (plan-01 … plan-10) first; an unknown street or a malformed period is answered 400.
- `GET /streets` (`?period=`): per street, how many indicators are off target and each value.
- `GET /figures` (`?code=&year=`), `POST /figures`: figures entered by hand.
- `GET /{code}` (`?street=&period=`): one indicator with its trend by month and its
  breakdown by street.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from ninja import Path, Query, Router, Status
from ninja.pagination import paginate

from cityguard.apierrors import field_errors
from cityguard.core.api import ERRORS, Page, history_out
from cityguard.core.schemas import MAX_ID, HistoryOut

from . import registry, services
from .schemas import FigureIn, FigureOut, IndicatorDetail, IndicatorList, StreetsOut

router = Router(tags=["indicators"])

StreetQ = Query(None, max_length=32, description="a street's code")  # type: ignore[type-arg]
PeriodQ = Query(None, max_length=16, description="YYYY-MM (default: this month)")  # type: ignore[type-arg]
FigureId = Path(..., ge=1, le=MAX_ID)  # type: ignore[type-arg]


def _bad(exc: ValidationError) -> Status[dict[str, Any]]:
    return Status(400, {"detail": field_errors(exc.message_dict, "query")})


@router.get("", response={200: IndicatorList, **ERRORS}, url_name="indicators")
def list_indicators(
    request: HttpRequest, street: str | None = StreetQ, period: str | None = PeriodQ
) -> Any:
    """Every declared indicator for the month (this month by default) and the street (the
    district by default; a street officer's own street)."""
    try:
        when = services.resolve_period(period)
        code = services.resolve_street(request.user, street)
    except ValidationError as exc:
        return _bad(exc)
    items = [v.as_dict() for v in services.compute(request.user, code, when)]
    return {"period": str(when), "street": code, "items": items, "count": len(items)}


@router.get("/streets", response={200: StreetsOut, **ERRORS}, url_name="indicators_streets")
def list_streets(request: HttpRequest, period: str | None = PeriodQ) -> Any:
    """Per street the reader reaches: indicators off and on target, and every value."""
    try:
        when = services.resolve_period(period)
    except ValidationError as exc:
        return _bad(exc)
    return {"period": str(when), "streets": services.off_target_by_street(request.user, when)}


@router.get("/figures", response=list[FigureOut], url_name="indicators_figures")
@paginate(Page)
def list_figures(
    request: HttpRequest,
    code: str | None = Query(None, max_length=40),  # type: ignore[type-arg]
    year: int | None = Query(None, ge=2000, le=2100),  # type: ignore[type-arg]
) -> Any:
    """Figures entered by hand that the caller may read, newest year first."""
    qs = services.figures_for(request.user)
    if code:
        qs = qs.filter(code=code.strip())
    if year is not None:
        qs = qs.filter(year=year)
    return qs


@router.post("/figures", response={201: FigureOut, **ERRORS}, url_name="indicators_figure_create")
def create_figure(request: HttpRequest, payload: FigureIn) -> Any:
    """Enter a figure (district staff; a street officer for their own street where the
    indicator is kept per street). The same indicator, year and street again changes the
    figure; its history keeps the earlier value."""
    figure = services.save_figure(request.user, payload.dict())
    return Status(201, figure)


@router.get(
    "/figures/{int:figure_id}/history",
    response={200: list[HistoryOut], **ERRORS},
    url_name="indicators_figure_history",
)
def figure_history(request: HttpRequest, figure_id: int = FigureId) -> Any:
    figure = services.figures_for(request.user).filter(pk=figure_id).first()
    if figure is None:
        raise Http404
    return history_out(figure)


@router.get("/{code}", response={200: IndicatorDetail, **ERRORS}, url_name="indicator")
def get_indicator(
    request: HttpRequest,
    code: str = Path(..., max_length=40),  # type: ignore[type-arg]
    street: str | None = StreetQ,
    period: str | None = PeriodQ,
) -> Any:
    """One indicator: its value, its trend by month (snapshots; this month live) and its
    value in each street the caller reaches."""
    ind = registry.find(code)
    if ind is None:
        raise Http404
    try:
        when = services.resolve_period(period)
        where = services.resolve_street(request.user, street)
    except ValidationError as exc:
        return _bad(exc)
    value = services.compute(request.user, where, when, [ind])[0]
    nodes, table = services.breakdown(request.user, when, [ind])
    rows = [
        {
            "street": n.code,
            "name": n.name,
            "value": table[ind.code][n.code].value,
            "on_target": table[ind.code][n.code].on_target,
        }
        for n in nodes
    ]
    return {
        **value.as_dict(),
        "period": str(when),
        "street": where,
        "trend": services.trend(request.user, where, [ind], when, [value])[ind.code],
        "breakdown": rows if ind.per_street else [],
    }
