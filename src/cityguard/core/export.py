"""Exporting a list as CSV or Excel: one function, any queryset, any columns.

A column is a (header label, accessor) pair; the accessor takes a row and returns a
plain value. CSV is streamed row by row with a UTF-8 byte-order mark (without it Excel
reads the file as the local code page and garbles Chinese); xlsx is written with
openpyxl's write-only workbook, which keeps memory flat however many rows there are.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.functional import Promise
from django.utils.translation import gettext as _

Column = tuple[Any, Callable[[Any], Any]]

FORMATS = ("csv", "xlsx")
MAX_ROWS = 100_000
CHUNK_SIZE = 2_000
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# A spreadsheet runs a cell that starts with one of these as a formula; user-entered
# text must never do that when a colleague opens the export.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Characters XML 1.0 (and so xlsx) cannot hold.
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


class TooManyRows(Exception):
    """The export would exceed MAX_ROWS; the caller tells the user to narrow it."""

    def __init__(self, count: int, limit: int) -> None:
        super().__init__(count, limit)
        self.count = count
        self.limit = limit

    @property
    def message(self) -> str:
        return _(
            "This list has %(count)s rows; an export holds at most %(limit)s. "
            "Narrow the filters and export again."
        ) % {"count": f"{self.count:,}", "limit": f"{self.limit:,}"}


def cell(value: Any) -> Any:
    """A value as a spreadsheet cell: numbers stay numbers, times local and naive,
    text made safe to open."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(tzinfo=None, microsecond=0)
    if isinstance(value, dt.date):
        return value
    text = _ILLEGAL_XML.sub("", force_str(value) if isinstance(value, Promise) else str(value))
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


def rows_of(items: Iterable[Any], columns: Sequence[Column]) -> Iterator[list[Any]]:
    accessors = [accessor for _label, accessor in columns]
    for item in items:
        yield [cell(accessor(item)) for accessor in accessors]


def headers_of(columns: Sequence[Column]) -> list[str]:
    return [force_str(label) for label, _accessor in columns]


def filename(stem: str, fmt: str) -> str:
    return f"{stem}-{timezone.localtime():%Y%m%d-%H%M}.{fmt}"


def _iterate(items: Iterable[Any]) -> Iterable[Any]:
    if isinstance(items, QuerySet):
        # Chunks with their select_related joins, never the whole result in memory.
        return items.iterator(chunk_size=CHUNK_SIZE)
    return items


class _Echo:
    """A file-like object whose write returns the text, for csv.writer streaming."""

    def write(self, value: str) -> str:
        return value


def _csv_stream(items: Iterable[Any], columns: Sequence[Column]) -> Iterator[bytes]:
    writer = csv.writer(_Echo())
    yield b"\xef\xbb\xbf" + writer.writerow(headers_of(columns)).encode("utf-8")
    for row in rows_of(_iterate(items), columns):
        out = [v.isoformat(sep=" ") if isinstance(v, dt.datetime) else v for v in row]
        yield writer.writerow(out).encode("utf-8")


def _xlsx_bytes(items: Iterable[Any], columns: Sequence[Column], title: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=re.sub(r"[\\/*?:\[\]]", " ", title)[:31] or "Sheet1")
    ws.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for label in headers_of(columns):
        c = WriteOnlyCell(ws, value=label)
        c.font = bold
        header.append(c)
    ws.append(header)
    for row in rows_of(_iterate(items), columns):
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def export(
    items: Iterable[Any],
    columns: Sequence[Column],
    fmt: str,
    stem: str,
    title: str = "",
    count: int | None = None,
    limit: int | None = None,
) -> HttpResponse | StreamingHttpResponse:
    """An attachment response with `items` as CSV or xlsx.

    Raises TooManyRows above `limit` (MAX_ROWS by default) and ValueError for an
    unknown format. `count` spares a second COUNT query when the caller has it.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    limit = MAX_ROWS if limit is None else limit
    if not isinstance(items, QuerySet):
        items = list(items)
    if count is None:
        count = items.count() if isinstance(items, QuerySet) else len(items)
    if count > limit:
        raise TooManyRows(count, limit)
    name = filename(stem, fmt)
    response: HttpResponse | StreamingHttpResponse
    if fmt == "csv":
        # Under ASGI Django gathers a synchronous stream before sending it; MAX_ROWS
        # keeps that to tens of megabytes, and WSGI deployments stream row by row.
        response = StreamingHttpResponse(_csv_stream(items, columns), content_type=CSV_CONTENT_TYPE)
    else:
        response = HttpResponse(
            _xlsx_bytes(items, columns, title or stem), content_type=XLSX_CONTENT_TYPE
        )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Export-Rows"] = str(count)
    return response
