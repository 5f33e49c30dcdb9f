"""The after-action report of an incident: the data, as a PDF (reportlab) and as xlsx.

The PDF uses reportlab's built-in CID font STSong-Light so Chinese renders without a font
file on the server.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from . import grading
from .models import Incident
from .services import describe


@dataclass
class Report:
    incident: Incident
    facts: list[tuple[str, str]] = field(default_factory=list)
    timeline: list[tuple[str, str, str, str]] = field(default_factory=list)
    tasks: list[tuple[str, str, str, str]] = field(default_factory=list)
    dispatches: list[tuple[str, str, str, str, str]] = field(default_factory=list)


def _t(value: Any) -> str:
    if value is None:
        return "—"
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def build(incident: Incident) -> Report:
    inc = incident
    level = f"{grading.roman(inc.level)} · {inc.get_level_display()} ({inc.level_name_zh})"
    r = Report(incident=inc)
    r.facts = [
        (_("Title"), inc.title),
        (_("Type"), f"{inc.get_type_display()} / {inc.get_subtype_display()}"),
        (_("Source"), inc.get_source_display()),
        (_("Location"), inc.address or inc.jurisdiction.name),
        (_("Occurred"), _t(inc.occurred_at)),
        (_("Reported at"), _t(inc.reported_at)),
        (_("Closed at"), _t(inc.closed_at)),
        (_("Status"), inc.get_status_display()),
        (pgettext("incident", "Level"), level),
        (_("Deaths"), str(inc.deaths)),
        (_("Serious injuries"), str(inc.serious_injuries)),
        (_("Direct loss (CNY)"), f"{inc.direct_loss_cny:,}"),
        (_("Activated plan"), inc.plan.title if inc.plan is not None else "—"),
        (
            _("Response level"),
            inc.response_roman or "—",
        ),
    ]
    for e in inc.events.select_related("actor").order_by("at", "id"):
        r.timeline.append(
            (_t(e.at), e.actor.get_username() if e.actor_id else _("system"), describe(e), e.text)
        )
    for t in inc.tasks.select_related("organization"):
        r.tasks.append(
            (
                t.text,
                t.organization.name if t.organization_id else t.responsible_role,
                t.get_status_display(),
                _t(t.done_at) if t.done_at else "",
            )
        )
    for d in inc.dispatches.all():
        qty = f"{d.quantity.normalize():f} {d.unit}".strip() if d.quantity is not None else ""
        r.dispatches.append(
            (d.get_kind_display(), d.name, qty, d.get_status_display(), _t(d.requested_at))
        )
    return r


def _filename(incident: Incident, ext: str) -> str:
    return f"incident-{incident.pk}-report.{ext}"


def render_pdf(incident: Incident) -> bytes:
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from cityguard.core.pdf import cjk_font

    font = cjk_font()
    body = ParagraphStyle("body", fontName=font, fontSize=9, leading=12, wordWrap="CJK")
    h1 = ParagraphStyle("h1", parent=body, fontSize=16, leading=20, spaceAfter=6)
    h2 = ParagraphStyle("h2", parent=body, fontSize=12, leading=16, spaceBefore=8, spaceAfter=4)
    r = build(incident)

    def p(text: str) -> Any:
        return Paragraph(escape(text or "").replace("\n", "<br/>"), body)

    def table(rows: list[Any], widths: list[float]) -> Any:
        t = Table([[p(str(c)) for c in row] for row in rows], colWidths=widths, repeatRows=1)
        t.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eceff1")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        return t

    story: list[Any] = [
        Paragraph(escape(_("After-action report") + ": " + incident.title), h1),
        table([[_("Item"), _("Value")], *r.facts], [45 * mm, 130 * mm]),
        Paragraph(escape(_("Timeline")), h2),
        table(
            [[_("Time"), _("By"), _("Event"), _("Text")], *r.timeline],
            [28 * mm, 22 * mm, 70 * mm, 55 * mm],
        ),
        Paragraph(escape(_("Tasks")), h2),
        table(
            [[_("Task"), _("Responsible"), _("Status"), _("Done")], *r.tasks],
            [80 * mm, 45 * mm, 22 * mm, 28 * mm],
        )
        if r.tasks
        else p(_("None.")),
        Paragraph(escape(_("Resources used")), h2),
        table(
            [[_("Kind"), _("Resource"), _("Quantity"), _("Status"), _("Requested")], *r.dispatches],
            [20 * mm, 75 * mm, 25 * mm, 22 * mm, 33 * mm],
        )
        if r.dispatches
        else p(_("None.")),
        Paragraph(escape(_("Lessons learned")), h2),
        p(incident.lessons or "—"),
        Spacer(1, 6 * mm),
        p(_("Generated %(at)s") % {"at": _t(timezone.now())}),
    ]
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=incident.title,
    )
    doc.build(story)
    return buf.getvalue()


def render_xlsx(incident: Incident) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    r = build(incident)
    wb = Workbook()
    sheets: list[tuple[str, list[str], list[Any]]] = [
        (
            _("Summary"),
            [_("Item"), _("Value")],
            [*r.facts, (_("Lessons learned"), incident.lessons)],
        ),
        (_("Timeline"), [_("Time"), _("By"), _("Event"), _("Text")], r.timeline),
        (_("Tasks"), [_("Task"), _("Responsible"), _("Status"), _("Done")], r.tasks),
        (
            _("Resources used"),
            [_("Kind"), _("Resource"), _("Quantity"), _("Status"), _("Requested")],
            r.dispatches,
        ),
    ]
    for i, (title, head, rows) in enumerate(sheets):
        ws = wb.active if i == 0 else wb.create_sheet()
        ws.title = title[:31]
        ws.append(head)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in rows:
            # A leading "=" would make a spreadsheet formula of user text.
            ws.append([("'" + c) if isinstance(c, str) and c[:1] in "=+-@" else c for c in row])
        for col, width in zip("ABCDE", (20, 30, 50, 40, 20), strict=False):
            ws.column_dimensions[col].width = width
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def pdf_response(incident: Incident) -> HttpResponse:
    resp = HttpResponse(render_pdf(incident), content_type="application/pdf")
    resp["Content-Disposition"] = f'attachment; filename="{_filename(incident, "pdf")}"'
    return resp


def xlsx_response(incident: Incident) -> HttpResponse:
    resp = HttpResponse(
        render_xlsx(incident),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    resp["Content-Disposition"] = f'attachment; filename="{_filename(incident, "xlsx")}"'
    return resp
