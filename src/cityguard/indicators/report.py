"""The monthly indicator report: every indicator against its target, the breakdown by
street and the trend by month — as xlsx (openpyxl) and as PDF (reportlab).

Chinese in the PDF uses reportlab's built-in CID font STSong-Light, as the incidents
app's after-action report does, so no font file is needed on the server.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from cityguard.core.export import XLSX_CONTENT_TYPE, cell
from cityguard.core.pdf import cjk_font

from . import registry, services
from .registry import Period

RED, GREEN, GREY = "#ffcdd2", "#c8e6c9", "#eceff1"


@dataclass
class Report:
    period: Period
    scope: str
    indicators: list[dict[str, Any]] = field(default_factory=list)
    streets: list[dict[str, Any]] = field(default_factory=list)
    street_codes: list[str] = field(default_factory=list)  # indicators kept per street
    months: list[str] = field(default_factory=list)
    trend: dict[str, list[float | None]] = field(default_factory=dict)
    generated: Any = None


def build(user: Any, period: Period) -> Report:
    street = services.own_street(user)
    values = services.compute(user, street, period)
    inds = [v.indicator for v in values]
    trend = services.trend(user, street, inds, period, values)
    by_street = services.off_target_by_street(user, period)
    r = Report(
        period=period,
        scope=next((s.name for s in services.streets() if s.code == street), None)
        or _("Whole district"),
        indicators=[v.as_dict() for v in values],
        streets=by_street,
        street_codes=[i.code for i in inds if i.per_street],
        months=[p["period"] for p in next(iter(trend.values()), [])],
        trend={code: [p["value"] for p in points] for code, points in trend.items()},
        generated=timezone.localtime(),
    )
    return r


def fmt(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:,.4f}".rstrip("0").rstrip(".") if value != int(value) else f"{int(value):,}"


def target_text(item: dict[str, Any]) -> str:
    if item["target"] is None:
        return "—"
    return f"{item['comparison']} {fmt(item['target'])}"


def status_text(on_target: bool | None) -> str:
    if on_target is None:
        return "—"
    return _("On target") if on_target else _("Off target")


def kind_text(binding: bool) -> str:
    return _("Binding") if binding else _("Expected")


def _colour(on_target: bool | None) -> str:
    return GREY if on_target is None else (GREEN if on_target else RED)


def _title(r: Report) -> str:
    return _("Monthly indicator report %(period)s") % {"period": r.period}


# --- xlsx ----------------------------------------------------------------------------------


def render_xlsx(r: Report) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    def fill(on_target: bool | None) -> Any:
        colour = _colour(on_target).lstrip("#")
        return PatternFill("solid", start_color=colour, end_color=colour)

    wb = Workbook()
    ws = wb.active
    ws.title = _("Indicators")[:31]
    ws.append([_title(r), "", str(r.scope)])
    ws["A1"].font = Font(bold=True, size=14)
    head = [
        _("Code"),
        _("Indicator"),
        _("Chinese name"),
        _("Unit"),
        _("Type"),
        _("Target"),
        _("Value"),
        _("Status"),
        _("Source"),
    ]
    ws.append(head)
    for c in ws[2]:
        c.font = Font(bold=True)
    for item in r.indicators:
        ws.append(
            [
                cell(x)
                for x in (
                    item["code"],
                    item["name"],
                    item["name_zh"],
                    item["unit"],
                    kind_text(item["binding"]),
                    target_text(item),
                    item["value"],
                    status_text(item["on_target"]),
                    item["source"],
                )
            ]
        )
        ws.cell(row=ws.max_row, column=8).fill = fill(item["on_target"])
    for col, width in zip("ABCDEFGHI", (30, 50, 36, 14, 10, 10, 12, 12, 70), strict=True):
        ws.column_dimensions[col].width = width

    names = {i["code"]: i["name"] for i in r.indicators}
    ws2 = wb.create_sheet(_("By street")[:31])
    ws2.append([_("Street"), _("Off target"), _("On target"), *r.street_codes])
    ws2.append(["", "", "", *[names[c] for c in r.street_codes]])
    for row in (ws2[1], ws2[2]):
        for c in row:
            c.font = Font(bold=True)
    for s in r.streets:
        ws2.append(
            [
                cell(s["name"]),
                s["off_target"],
                s["on_target"],
                *[s["values"][c]["value"] for c in r.street_codes],
            ]
        )
        for j, code in enumerate(r.street_codes, start=4):
            ws2.cell(row=ws2.max_row, column=j).fill = fill(s["values"][code]["on_target"])
    ws2.column_dimensions["A"].width = 18

    ws3 = wb.create_sheet(_("Trend")[:31])
    ws3.append([_("Code"), _("Indicator"), *r.months])
    for c in ws3[1]:
        c.font = Font(bold=True)
    for item in r.indicators:
        ws3.append([item["code"], cell(item["name"]), *r.trend.get(item["code"], [])])
    ws3.column_dimensions["A"].width = 30
    ws3.column_dimensions["B"].width = 50
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# --- PDF -------------------------------------------------------------------------------------


def render_pdf(r: Report) -> bytes:
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Table, TableStyle

    font = cjk_font()
    body = ParagraphStyle("body", fontName=font, fontSize=8, leading=10, wordWrap="CJK")
    h1 = ParagraphStyle("h1", parent=body, fontSize=16, leading=20, spaceAfter=6)
    h2 = ParagraphStyle("h2", parent=body, fontSize=12, leading=16, spaceBefore=8, spaceAfter=4)

    def p(text: Any) -> Any:
        return Paragraph(escape(str(text if text is not None else "")), body)

    def table(
        rows: list[list[Any]], widths: list[float] | None, fills: list[tuple[int, int, str]]
    ) -> Any:
        t = Table([[p(c) for c in row] for row in rows], colWidths=widths, repeatRows=1)
        style = [
            ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#cfd8dc")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]
        style += [("BACKGROUND", (c, rr), (c, rr), colors.HexColor(hx)) for c, rr, hx in fills]
        t.setStyle(TableStyle(style))
        return t

    rows = [
        [
            _("Code"),
            _("Indicator"),
            _("Unit"),
            _("Type"),
            _("Target"),
            _("Value"),
            _("Status"),
            _("Source"),
        ]
    ]
    fills = []
    for i, item in enumerate(r.indicators, start=1):
        rows.append(
            [
                item["code"],
                f"{item['name']}\n{item['name_zh']}"
                if item["name"] != item["name_zh"]
                else item["name"],
                item["unit"],
                kind_text(item["binding"]),
                target_text(item),
                fmt(item["value"]),
                status_text(item["on_target"]),
                item["source"],
            ]
        )
        fills.append((6, i, _colour(item["on_target"])))
    story: list[Any] = [
        Paragraph(escape(_title(r)), h1),
        p(f"{r.scope} · " + _("Generated %(at)s") % {"at": r.generated.strftime("%Y-%m-%d %H:%M")}),
        Paragraph(escape(_("Indicators")), h2),
        table(
            rows, [32 * mm, 62 * mm, 22 * mm, 14 * mm, 16 * mm, 18 * mm, 16 * mm, 87 * mm], fills
        ),
    ]
    if r.streets and r.street_codes:
        codes = r.street_codes
        head = [_("Street"), _("Off target"), *[str(i + 1) for i in range(len(codes))]]
        srows = [head]
        sfills = []
        for j, s in enumerate(r.streets, start=1):
            srows.append(
                [s["name"], s["off_target"], *[fmt(s["values"][c]["value"]) for c in codes]]
            )
            sfills += [
                (k + 2, j, _colour(s["values"][c]["on_target"])) for k, c in enumerate(codes)
            ]
        width = (267 - 40) / max(1, len(codes) + 1)
        story += [
            PageBreak(),
            Paragraph(escape(_("By street")), h2),
            table(srows, [28 * mm, 12 * mm, *[width * mm] * len(codes)], sfills),
            p("  ".join(f"{i + 1} = {c}" for i, c in enumerate(codes))),
        ]
    if r.months:
        trows = [[_("Code"), *[m[2:] for m in r.months]]]
        tfills = []
        for i, item in enumerate(r.indicators, start=1):
            points = r.trend.get(item["code"], [])
            trows.append([item["code"], *[fmt(v) for v in points]])
            ind = registry.get(item["code"])
            tfills += [(k + 1, i, _colour(ind.on_target(v))) for k, v in enumerate(points)]
        width = (267 - 40) / max(1, len(r.months))
        story += [
            PageBreak(),
            Paragraph(escape(_("Trend")), h2),
            table(trows, [40 * mm, *[width * mm] * len(r.months)], tfills),
        ]
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=landscape(A4),
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
        title=_title(r),
    )
    doc.build(story)
    return buf.getvalue()


def response(r: Report, fmt_name: str) -> HttpResponse:
    name = f"cityguard-indicators-{r.period}.{fmt_name}"
    if fmt_name == "pdf":
        resp = HttpResponse(render_pdf(r), content_type="application/pdf")
    else:
        resp = HttpResponse(render_xlsx(r), content_type=XLSX_CONTENT_TYPE)
    resp["Content-Disposition"] = f'attachment; filename="{name}"'
    return resp
