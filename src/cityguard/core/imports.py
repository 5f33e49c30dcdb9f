"""Importing organisations and places from CSV or Excel (.xlsx) files.

`import_file` reads a spreadsheet whose first row names the columns (English field names
or the Chinese headers of the downloadable templates), turns every further row into field
values and hands them to the same services the pages and the API use
(`services.save_organization` / `services.save_place`), one savepoint per row, inside one
transaction. So an import obeys exactly the rules of a hand-made edit, scoping included,
and the history of every record names the importing user.

Every problem is reported as a `RowError` (spreadsheet row number, field, reason). By
default one bad row means nothing at all is written; `partial=True` writes the good rows
and reports the bad ones; `dry_run=True` checks everything and writes nothing.

Updates: a row with an `id` updates that record. For organisations, a row without an `id`
whose credit code belongs to an organisation the user can see updates that organisation
instead of creating a new one. In an update an empty cell leaves the field as it is (an
import never clears a field; the edit page does). Places have no natural key, so only
`id` updates them.
"""

from __future__ import annotations

import csv
import io
import logging
import math
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import DataError, IntegrityError, transaction
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import access, creditcode, geo, services
from .choices import OrganizationKind, PlaceKind
from .models import Jurisdiction, Organization, Place

log = logging.getLogger(__name__)

Entity = Literal["organization", "place"]
ENTITIES: tuple[str, ...] = ("organization", "place")
DATUMS: tuple[str, ...] = ("wgs84", "gcj02", "bd09")

# Kept in the report; the counts stay exact beyond it. A file of 20 000 bad rows would
# otherwise make a report too large to show or send.
MAX_REPORTED_ERRORS = 1000
# Spreadsheets drag along formatted but empty rows; past this many physical rows the
# file is refused rather than scanned forever.
PHYSICAL_ROW_FACTOR = 5
MAX_COLUMNS = 64
SAMPLES_DIR = Path(__file__).resolve().parent / "data" / "import_samples"

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls / .et


# --- the report --------------------------------------------------------------------------


@dataclass
class RowError:
    """One problem: `row` is the spreadsheet row (the header is row 1, data starts at 2;
    0 for a problem with the whole file), `field` the English field name, `column` the
    column's header as the file spells it (or the field's label), `message` the reason in
    the user's language."""

    row: int
    field: str
    message: str
    column: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "field": self.field,
            "column": self.column,
            "message": self.message,
        }


@dataclass
class ImportReport:
    entity: str
    filename: str = ""
    partial: bool = False
    dry_run: bool = False
    rows: int = 0
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    written: bool = False
    # A refusal of the whole file (too large, not a spreadsheet, unknown column …):
    # `reason` is a stable code, `refusal` the message for the user.
    reason: str = ""
    refusal: str = ""
    _bad_rows: set[int] = field(default_factory=set, repr=False)

    @property
    def refused(self) -> bool:
        return bool(self.reason)

    @property
    def error_rows(self) -> int:
        """How many data rows have at least one error."""
        return len(self._bad_rows)

    @property
    def errors_truncated(self) -> bool:
        return self.error_count > len(self.errors)

    @property
    def ok(self) -> bool:
        return not self.refused and not self.error_count

    @property
    def accepted(self) -> bool:
        """Did the import do what was asked (written, or checked in a dry run)?"""
        return not self.refused and (self.written or self.dry_run)

    def add(self, error: RowError) -> None:
        self.error_count += 1
        if error.row > 1:
            self._bad_rows.add(error.row)
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(error)

    @property
    def detail(self) -> str:
        """One sentence that sums the outcome up."""
        if self.refused:
            return self.refusal
        counts = {"created": self.created, "updated": self.updated, "bad": self.error_rows}
        # Worded as "label: number" so that one message fits 1 and 1000 alike.
        if self.dry_run and self.error_count:
            text = _(
                "Check only, nothing was written. Rows with errors: %(bad)s. The other rows "
                "would create %(created)s and update %(updated)s records."
            )
        elif self.dry_run:
            text = _(
                "Check only, nothing was written. Every row is valid: would be created: "
                "%(created)s; would be updated: %(updated)s."
            )
        elif self.error_count and not self.partial:
            text = _(
                "Nothing was written. Rows with errors: %(bad)s. Correct them, or choose to "
                "write the valid rows only."
            )
        elif self.error_count and not self.written:
            text = _("Nothing was written: no row is valid. Rows with errors: %(bad)s.")
        elif self.error_count:
            text = _(
                "Only the valid rows were written: created: %(created)s; updated: "
                "%(updated)s. Rows with errors, left out: %(bad)s."
            )
        else:
            text = _("Written: created: %(created)s; updated: %(updated)s.")
        return text % counts

    def as_dict(self) -> dict[str, Any]:
        return {
            "detail": self.detail,
            "entity": self.entity,
            "filename": self.filename,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "error_rows": self.error_rows,
            "error_count": self.error_count,
            "errors": [e.as_dict() for e in self.errors],
            "errors_truncated": self.errors_truncated,
            "written": self.written,
            "dry_run": self.dry_run,
            "partial": self.partial,
            "refused": self.refused,
            "reason": self.reason,
        }


class Refused(Exception):
    """The whole file is refused; `code` is stable, the message is for the user."""

    def __init__(self, code: str, message: str, errors: list[RowError] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.errors = errors or []


# --- columns -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One importable column: its field, the Chinese header of the templates, the other
    spellings accepted, and how a cell is read."""

    name: str
    header: str
    kind: str  # id, text, credit_code, int, float, lon, lat, kind, jurisdiction, organization
    label: Any
    help: Any = ""
    aliases: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    max_length: int | None = None
    example: str = ""

    def display(self) -> str:
        """The column's name as the user's language knows it."""
        return self.header if _chinese() else self.name


def _chinese() -> bool:
    return (translation.get_language() or "").lower().startswith("zh")


_ID = Column(
    "id",
    "ID",
    "id",
    gettext_lazy("Record number"),
    gettext_lazy("Fill in only to update an existing record; leave empty to add a new one."),
    aliases=("编号", "记录编号", "序号id"),
)
_LON = Column(
    "lon",
    "经度",
    "lon",
    gettext_lazy("Longitude"),
    gettext_lazy("Decimal degrees, for example 121.52."),
    aliases=("longitude", "lng", "x"),
    example="121.5205",
)
_LAT = Column(
    "lat",
    "纬度",
    "lat",
    gettext_lazy("Latitude"),
    gettext_lazy("Decimal degrees, for example 31.27."),
    aliases=("latitude", "y"),
    example="31.2712",
)
_JURISDICTION = Column(
    "jurisdiction",
    "辖区编码",
    "jurisdiction",
    gettext_lazy("Jurisdiction"),
    gettext_lazy(
        "Code (or exact name) of the street or community; may stay empty when longitude and "
        "latitude are given."
    ),
    aliases=("辖区", "所属辖区", "辖区代码", "街道", "街镇", "jurisdictioncode"),
)

ORGANIZATION_COLUMNS: tuple[Column, ...] = (
    _ID,
    Column(
        "name",
        "名称",
        "text",
        gettext_lazy("Name"),
        gettext_lazy("Required for a new record."),
        aliases=("单位名称", "企业名称", "组织名称"),
        example="示例化工有限公司",
    ),
    Column(
        "kind",
        "类型",
        "kind",
        gettext_lazy("Kind"),
        gettext_lazy("Required for a new record: one of the kinds listed below."),
        aliases=("单位类型", "组织类型"),
        example="企业",
    ),
    Column(
        "credit_code",
        "统一社会信用代码",
        "credit_code",
        gettext_lazy("Unified social credit code"),
        gettext_lazy("18 characters. A known code updates that organisation."),
        aliases=("信用代码", "社会信用代码", "unifiedsocialcreditcode", "creditcode"),
        example="91310110MA1G8K2P99",
    ),
    Column(
        "address",
        "地址",
        "text",
        gettext_lazy("Address"),
        aliases=("详细地址", "单位地址", "注册地址"),
        example="上海市杨浦区示例路1号",
    ),
    Column(
        "phone",
        "电话",
        "text",
        gettext_lazy("Phone"),
        aliases=("联系电话", "电话号码", "telephone", "tel"),
        example="021-65000000",
    ),
    Column(
        "industry",
        "行业",
        "text",
        gettext_lazy("Industry"),
        aliases=("所属行业", "行业类别"),
        example="化学原料和化学制品制造业",
    ),
    Column(
        "employees",
        "从业人数",
        "int",
        gettext_lazy("Employees"),
        gettext_lazy("A whole number."),
        aliases=("员工人数", "职工人数", "人数"),
        minimum=0,
        maximum=10_000_000,
        example="120",
    ),
    _LON,
    _LAT,
    _JURISDICTION,
)

PLACE_COLUMNS: tuple[Column, ...] = (
    _ID,
    Column(
        "name",
        "名称",
        "text",
        gettext_lazy("Name"),
        gettext_lazy("Required for a new record."),
        aliases=("场所名称", "建筑名称"),
        example="示例商业广场",
    ),
    Column(
        "kind",
        "类型",
        "kind",
        gettext_lazy("Kind"),
        gettext_lazy("Required for a new record: one of the kinds listed below."),
        aliases=("场所类型",),
        example="商业综合体",
    ),
    Column(
        "organization",
        "所属单位",
        "organization",
        gettext_lazy("Organisation"),
        gettext_lazy(
            "Required for a new record: the owning organisation's number, credit code or "
            "exact name."
        ),
        aliases=("单位", "所属组织", "单位名称", "单位信用代码", "单位编号", "organisation"),
        example="示例化工有限公司",
    ),
    Column(
        "address",
        "地址",
        "text",
        gettext_lazy("Address"),
        aliases=("详细地址", "场所地址"),
        example="上海市杨浦区示例路2号",
    ),
    Column(
        "floors",
        "楼层数",
        "int",
        gettext_lazy("Floors"),
        gettext_lazy("A whole number."),
        aliases=("层数", "地上层数"),
        minimum=0,
        maximum=300,
        example="32",
    ),
    Column(
        "height_m",
        "高度(米)",
        "float",
        gettext_lazy("Height (m)"),
        aliases=("高度", "建筑高度", "建筑高度(米)", "height", "height(m)"),
        minimum=0,
        maximum=1000,
        example="99.5",
    ),
    Column(
        "floor_area_m2",
        "建筑面积(平方米)",
        "float",
        gettext_lazy("Floor area (m²)"),
        aliases=("建筑面积", "面积", "面积(平方米)", "建筑面积(m2)", "floorarea", "floorarea(m2)"),
        minimum=0,
        maximum=10_000_000,
        example="85000",
    ),
    Column(
        "capacity",
        "容纳人数",
        "int",
        gettext_lazy("Capacity (people)"),
        gettext_lazy("A whole number."),
        aliases=("核定人数", "最大容纳人数", "capacity(people)"),
        minimum=0,
        maximum=10_000_000,
        example="5000",
    ),
    _LON,
    _LAT,
    _JURISDICTION,
    Column(
        "notes",
        "备注",
        "text",
        gettext_lazy("Notes"),
        aliases=("说明",),
        max_length=5000,
    ),
)

COLUMNS: dict[str, tuple[Column, ...]] = {
    "organization": ORGANIZATION_COLUMNS,
    "place": PLACE_COLUMNS,
}

# The Chinese names users type for each kind. The first one is what the templates offer;
# they are listed here, not only taken from the translation catalogue, so a file reads
# the same whatever language the importing user has chosen.
KIND_ALIASES: dict[str, dict[str, tuple[str, ...]]] = {
    "organization": {
        "enterprise": ("企业", "公司", "生产经营单位", "企业单位"),
        "department": ("政府部门", "部门", "机关", "行政机关"),
        "street_office": ("街道办事处", "街道办", "街镇"),
        "school": ("学校",),
        "hospital": ("医院", "医疗机构"),
        "park": ("园区", "产业园区"),
        "commercial_complex": ("商业综合体", "大型商业综合体"),
        "construction_site": ("建筑工地", "工地", "在建工地"),
        "social": ("社会组织",),
        "other": ("其他",),
    },
    "place": {
        "crowded_place": ("人员密集场所",),
        "high_rise": ("高层建筑", "高层"),
        "commercial_complex": ("商业综合体", "大型商业综合体"),
        "underground_space": ("地下空间",),
        "confined_space": ("有限空间",),
        "glass_curtain_wall": ("玻璃幕墙建筑", "玻璃幕墙"),
        "billboard": ("户外广告设施", "户外广告", "广告牌", "户外招牌"),
        "other": ("其他",),
    },
}
KIND_CHOICES: dict[str, Any] = {"organization": OrganizationKind, "place": PlaceKind}
REQUIRED: dict[str, tuple[str, ...]] = {
    "organization": ("name", "kind"),
    "place": ("name", "kind", "organization"),
}


def _key(text: str) -> str:
    """A header or label reduced for comparison: width, case, spaces, `*` marks ignored."""
    out = unicodedata.normalize("NFKC", text).strip().lstrip("\ufeff").lower()
    for ch in " \t\r\n_-*":
        out = out.replace(ch, "")
    return out


def _column_index(entity: str) -> dict[str, Column]:
    index: dict[str, Column] = {}
    for col in COLUMNS[entity]:
        for spelling in (col.name, col.header, *col.aliases):
            index.setdefault(_key(spelling), col)
        for lang in ("en", "zh-hans"):
            with translation.override(lang):
                index.setdefault(_key(str(col.label)), col)
    return index


def kind_labels(entity: str) -> list[tuple[str, str, str]]:
    """(code, Chinese name, label in the active language) for every kind of `entity`."""
    choices = KIND_CHOICES[entity]
    return [(value, KIND_ALIASES[entity][value][0], str(label)) for value, label in choices.choices]


def _kind_index(entity: str) -> dict[str, str]:
    choices = KIND_CHOICES[entity]
    index: dict[str, str] = {}
    for value, label in choices.choices:
        index[_key(value)] = value
        for alias in KIND_ALIASES[entity].get(value, ()):
            index.setdefault(_key(alias), value)
        for lang in ("en", "zh-hans"):
            with translation.override(lang):
                index.setdefault(_key(str(label)), value)
    return index


# --- reading the file --------------------------------------------------------------------


@dataclass
class Table:
    header: list[str]
    rows: list[tuple[int, list[Any]]]  # (spreadsheet row number, cell values)


def limits() -> tuple[int, int]:
    return int(settings.CITYGUARD_IMPORT_MAX_BYTES), int(settings.CITYGUARD_IMPORT_MAX_ROWS)


def too_large_message(max_bytes: int | None = None) -> str:
    limit = max_bytes if max_bytes is not None else limits()[0]
    return _("The file is larger than %(max)s; split it into smaller files.") % {
        "max": filesizeformat(limit)
    }


def _too_many_rows(max_rows: int) -> Refused:
    return Refused(
        "too_many_rows",
        _("The file has more than %(max)s rows; split it into smaller files.") % {"max": max_rows},
    )


def read_table(filename: str, content: bytes) -> Table:
    """The header and the non-empty rows of a CSV or .xlsx file, or `Refused`."""
    max_bytes, max_rows = limits()
    if len(content) > max_bytes:
        raise Refused("too_large", too_large_message(max_bytes))
    if not content:
        raise Refused("empty", _("The file is empty."))
    suffix = Path(filename or "").suffix.lower()
    is_zip = content.startswith(_ZIP_MAGIC)
    is_ole = content.startswith(_OLE_MAGIC)
    if suffix in {".xls", ".et"} or (is_ole and suffix in {".xlsx", ".csv", ".txt"}):
        raise Refused(
            "format",
            _("Old Excel files (.xls) cannot be read: save the sheet as .xlsx or CSV first."),
        )
    if suffix in {".xlsx", ".xlsm"}:
        if not is_zip:
            raise Refused(
                "format",
                _("The file is named .xlsx but is not an Excel workbook."),
            )
        return _read_xlsx(content, max_bytes, max_rows)
    if suffix in {".csv", ".txt"}:
        if is_zip:
            raise Refused(
                "format",
                _(
                    "The file is named .csv but holds an Excel workbook: name it .xlsx, or "
                    "save it as CSV."
                ),
            )
        return _read_csv(content, max_rows)
    raise Refused("format", _("Upload a CSV (.csv) or Excel (.xlsx) file."))


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _collect(source: Iterator[list[Any]], max_rows: int) -> Table:
    """Header first, then data rows; empty rows are skipped but keep their numbers."""
    header: list[str] | None = None
    rows: list[tuple[int, list[Any]]] = []
    physical_limit = max_rows * PHYSICAL_ROW_FACTOR + 1000
    for number, raw in enumerate(source, start=1):
        if number > physical_limit:
            raise _too_many_rows(max_rows)
        values = [_cell(v) for v in raw]
        if header is None:
            header = ["" if v is None else str(v).strip() for v in values]
            continue
        if all(v is None for v in values):
            continue
        rows.append((number, values))
        if len(rows) > max_rows:
            raise _too_many_rows(max_rows)
    if header is None or not any(header):
        raise Refused("empty", _("The first row must name the columns; it is empty."))
    while header and not header[-1]:
        header.pop()
    return Table(header, rows)


def _decode(content: bytes) -> str:
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return content.decode("utf-16")
        except UnicodeDecodeError:
            pass
    elif b"\x00" not in content:
        try:
            return content.decode("utf-8-sig")
        except UnicodeDecodeError:
            pass
        # Excel on a Chinese Windows saves "CSV" in the ANSI code page, i.e. GBK;
        # GB 18030 is its superset.
        try:
            return content.decode("gb18030")
        except UnicodeDecodeError:
            pass
    raise Refused(
        "format",
        _(
            "This is not a readable CSV file: save the sheet as CSV (UTF-8) or as an Excel "
            "workbook (.xlsx)."
        ),
    )


def _read_csv(content: bytes, max_rows: int) -> Table:
    text = _decode(content)
    first_line = text.split("\n", 1)[0]
    # Excel's "Unicode text" is tab-separated; some locales use semicolons.
    delimiter = max((",", "\t", ";"), key=first_line.count)
    try:
        return _collect(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), max_rows)
    except csv.Error:
        raise Refused("format", _("The CSV file cannot be read: check its quotes and lines."))


def _read_xlsx(content: bytes, max_bytes: int, max_rows: int) -> Table:
    import openpyxl

    try:
        with zipfile.ZipFile(io.BytesIO(content)) as zf:
            names = set(zf.namelist())
            unpacked = sum(info.file_size for info in zf.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise Refused("format", _("The Excel file is damaged and cannot be read."))
    if "xl/workbook.xml" not in names:
        raise Refused("format", _("The file is named .xlsx but is not an Excel workbook."))
    # A small zip can unpack to gigabytes; refuse before openpyxl inflates it.
    if unpacked > max(50 * max_bytes, 10 * 2**20):
        raise Refused("too_large", too_large_message(max_bytes))
    try:
        wb = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:
        # A third-party parser on an untrusted file: whatever it raises means "unreadable".
        log.info("unreadable xlsx upload: %r", exc)
        raise Refused("format", _("The Excel file is damaged and cannot be read."))
    try:
        sheets = wb.worksheets
        if not sheets:
            raise Refused("empty", _("The workbook has no sheet."))
        ws = sheets[0]
        if hasattr(ws, "reset_dimensions"):
            # Some programs write a wrong sheet size; read what is really there.
            ws.reset_dimensions()
        source = (list(row[:MAX_COLUMNS]) for row in ws.iter_rows(values_only=True))
        return _collect(source, max_rows)
    except Refused:
        raise
    except Exception as exc:
        log.info("unreadable xlsx upload: %r", exc)
        raise Refused("format", _("The Excel file is damaged and cannot be read."))
    finally:
        wb.close()


# --- reading cells -----------------------------------------------------------------------


class CellError(ValueError):
    pass


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        # Excel keeps phone numbers and codes typed as numbers as floats.
        return str(int(value))
    return unicodedata.normalize("NFC", str(value)).strip()


def _number(value: Any) -> float:
    if isinstance(value, bool):
        raise CellError(_("Enter a number."))
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = unicodedata.normalize("NFKC", str(value)).strip().replace(",", "").replace(" ", "")
        try:
            number = float(text)
        except ValueError:
            raise CellError(_("Enter a number."))
    if not math.isfinite(number):
        raise CellError(_("Enter a finite number."))
    return number


def _bounded(col: Column, number: float) -> None:
    if col.minimum is not None and number < col.minimum:
        raise CellError(_("Enter a value of at least %(n)s.") % {"n": _plain(col.minimum)})
    if col.maximum is not None and number > col.maximum:
        raise CellError(_("Enter a value of at most %(n)s.") % {"n": _plain(col.maximum)})


def _plain(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)


# --- the import --------------------------------------------------------------------------


class _Discard(Exception):
    """Raised inside a row's savepoint to undo a row that was saved only to be checked."""


class _Importer:
    def __init__(self, actor: Any, entity: str, report: ImportReport, datum: str) -> None:
        self.actor = actor
        self.entity = entity
        self.report = report
        self.datum = datum
        self.reach = access.reach(actor)
        self.kinds = _kind_index(entity)
        self.columns: list[Column | None] = []
        self.header_of: dict[str, str] = {}
        self._jurisdictions: dict[str, Jurisdiction | str] = {}
        self._organizations: dict[str, Organization | str] = {}
        self._seen_codes: dict[str, int] = {}
        self._seen_ids: dict[int, int] = {}

    # header ------------------------------------------------------------------------------

    def map_header(self, table: Table) -> None:
        index = _column_index(self.entity)
        unknown: list[str] = []
        seen: dict[str, str] = {}
        errors: list[RowError] = []
        for text in table.header:
            if not text:
                self.columns.append(None)
                continue
            col = index.get(_key(text))
            if col is None:
                unknown.append(text)
                errors.append(RowError(1, text, _("Unknown column."), text))
                self.columns.append(None)
                continue
            if col.name in seen:
                raise Refused(
                    "columns",
                    _("The columns “%(first)s” and “%(second)s” both mean %(field)s.")
                    % {"first": seen[col.name], "second": text, "field": col.display()},
                    [RowError(1, col.name, _("This column appears twice."), text)],
                )
            seen[col.name] = text
            self.header_of[col.name] = text
            self.columns.append(col)
        if unknown:
            sep = "、" if _chinese() else ", "
            raise Refused(
                "columns",
                _("Unknown column: %(columns)s. The columns are: %(known)s.")
                % {
                    "columns": sep.join(f"“{u}”" for u in unknown),
                    "known": sep.join(c.display() for c in COLUMNS[self.entity]),
                },
                errors,
            )
        keyed = "id" in seen or (self.entity == "organization" and "credit_code" in seen)
        if not keyed:
            missing = [
                c
                for c in COLUMNS[self.entity]
                if c.name in REQUIRED[self.entity] and c.name not in seen
            ]
            if missing:
                names = ("、" if _chinese() else ", ").join(c.display() for c in missing)
                raise Refused(
                    "columns",
                    _("Required columns are missing: %(columns)s.") % {"columns": names},
                    [
                        RowError(1, c.name, _("This column is required."), c.display())
                        for c in missing
                    ],
                )
        # A value under a nameless column would be dropped without a word: refuse instead.
        named = len(self.columns)
        for number, values in table.rows:
            for pos, value in enumerate(values):
                if value is not None and (pos >= named or self.columns[pos] is None):
                    raise Refused(
                        "columns",
                        _("Row %(row)s has a value in column %(n)s, which has no name.")
                        % {"row": number, "n": pos + 1},
                        [RowError(number, "", _("This cell lies in a column without a name."))],
                    )

    def column_name(self, field_name: str) -> str:
        if field_name in self.header_of:
            return self.header_of[field_name]
        for col in COLUMNS[self.entity]:
            if col.name == field_name:
                return col.display()
        if not field_name or field_name == "__all__":
            return ""
        model = Organization if self.entity == "organization" else Place
        try:
            model_field = model._meta.get_field(field_name)
        except FieldDoesNotExist:
            return field_name
        return str(getattr(model_field, "verbose_name", field_name))

    def error(self, row: int, field_name: str, message: str) -> None:
        name = "" if field_name == "__all__" else field_name
        self.report.add(RowError(row, name, str(message), self.column_name(name)))

    # cells -------------------------------------------------------------------------------

    def parse(self, col: Column, value: Any) -> Any:
        kind = col.kind
        if kind == "text":
            text = _text(value)
            if col.max_length and len(text) > col.max_length:
                raise CellError(_("Enter at most %(n)s characters.") % {"n": col.max_length})
            return text
        if kind == "credit_code":
            return _text(value)
        if kind in {"int", "id"}:
            number = _number(value)
            if not number.is_integer():
                raise CellError(_("Enter a whole number."))
            if kind == "id" and number < 1:
                raise CellError(_("Enter a record number of at least 1."))
            _bounded(col, number)
            return int(number)
        if kind in {"float", "lon", "lat"}:
            number = _number(value)
            _bounded(col, number)
            return number
        if kind == "kind":
            found = self.kinds.get(_key(_text(value)))
            if found is None:
                raise CellError(
                    _("Unknown kind “%(value)s”. Use one of: %(choices)s.")
                    % {"value": _text(value), "choices": self._kind_list()}
                )
            return found
        if kind == "jurisdiction":
            return self._jurisdiction(_text(value))
        if kind == "organization":
            return self._organization(value)
        raise AssertionError(kind)  # pragma: no cover

    def _kind_list(self) -> str:
        if _chinese():
            return "、".join(zh for _code, zh, _label in kind_labels(self.entity))
        return ", ".join(code for code, _zh, _label in kind_labels(self.entity))

    def _jurisdiction(self, text: str) -> Jurisdiction:
        if text not in self._jurisdictions:
            self._jurisdictions[text] = self._find_jurisdiction(text)
        result = self._jurisdictions[text]
        if isinstance(result, str):
            raise CellError(result)
        return result

    @staticmethod
    def _find_jurisdiction(text: str) -> Jurisdiction | str:
        node = Jurisdiction.objects.filter(code=text).first()
        if node is not None:
            return node
        named = list(Jurisdiction.objects.filter(name=text)[:2]) or list(
            Jurisdiction.objects.filter(name_en__iexact=text)[:2]
        )
        if len(named) == 1:
            return named[0]
        if named:
            return _("Several jurisdictions are called “%(value)s”; give the code.") % {
                "value": text
            }
        return _("No jurisdiction has the code or name “%(value)s”.") % {"value": text}

    def _organization(self, value: Any) -> Organization:
        text = _text(value)
        if text not in self._organizations:
            self._organizations[text] = self._find_organization(text)
        result = self._organizations[text]
        if isinstance(result, str):
            raise CellError(result)
        return result

    def _find_organization(self, text: str) -> Organization | str:
        visible = Organization.objects.visible_to(self.actor)
        if text.isdigit() and len(text) < 18:
            org = visible.filter(pk=int(text)).first()
            if org is not None:
                return org  # type: ignore[no-any-return]
        code = creditcode.normalise(text)
        if len(code) == 18:
            org = visible.filter(credit_code=code).first()
            if org is not None:
                return org  # type: ignore[no-any-return]
        named = list(visible.filter(name=text)[:2])
        if len(named) == 1:
            return named[0]  # type: ignore[no-any-return]
        if len(named) > 1:
            return _(
                "Several organisations are called “%(value)s”; give the number or credit code."
            ) % {"value": text}
        return _("No organisation you can reach matches “%(value)s”.") % {"value": text}

    # rows --------------------------------------------------------------------------------

    def run(self, table: Table) -> None:
        for number, values in table.rows:
            self.report.rows += 1
            self.row(number, values)

    def row(self, number: int, values: list[Any]) -> None:
        data: dict[str, Any] = {}
        bad: set[str] = set()
        for pos, col in enumerate(self.columns):
            if col is None or pos >= len(values) or values[pos] is None:
                continue
            try:
                data[col.name] = self.parse(col, values[pos])
            except CellError as err:
                self.error(number, col.name, str(err))
                bad.add(col.name)
        if {"lon", "lat"} & bad:
            bad |= {"lon", "lat"}
            data.pop("lon", None)
            data.pop("lat", None)
        self._duplicates(number, data, bad)

        instance = self._instance(number, data, bad)
        if instance is False:
            return  # the record to update is out of reach: nothing more to check
        data.pop("id", None)
        if "lon" in data and "lat" in data:
            if self.datum != "wgs84":
                lon, lat = geo.to_wgs84(data["lon"], data["lat"], self.datum)
                data["lon"], data["lat"] = round(float(lon), 6), round(float(lat), 6)
            if "jurisdiction" not in data and "jurisdiction" not in bad:
                # A new location decides the jurisdiction anew.
                data["jurisdiction"] = None
        self.save(number, data, instance, bad)

    def _duplicates(self, number: int, data: dict[str, Any], bad: set[str]) -> None:
        if "id" in data:
            first = self._seen_ids.setdefault(data["id"], number)
            if first != number:
                self.error(
                    number,
                    "id",
                    _("The same record number is already in row %(row)s.") % {"row": first},
                )
                bad.add("id")
        if self.entity == "organization" and data.get("credit_code"):
            code = creditcode.normalise(data["credit_code"])
            first = self._seen_codes.setdefault(code, number)
            if first != number:
                self.error(
                    number,
                    "credit_code",
                    _("The same credit code is already in row %(row)s.") % {"row": first},
                )
                bad.add("credit_code")

    def _instance(self, number: int, data: dict[str, Any], bad: set[str]) -> Any:
        """The record this row updates, None to create one, False when it may not."""
        model = Organization if self.entity == "organization" else Place
        visible = model.objects.visible_to(self.actor)  # type: ignore[attr-defined]
        if "id" in data:
            obj = visible.filter(pk=data["id"]).first()
            if obj is None:
                self.error(number, "id", _("No record with this number is within your reach."))
                return False
        elif self.entity == "organization" and data.get("credit_code") and "credit_code" not in bad:
            obj = visible.filter(credit_code=creditcode.normalise(data["credit_code"])).first()
            if obj is None:
                return None
        else:
            return None
        if not access.can_change(self.actor, obj):
            self.error(number, "id", _("You may not change this record."))
            return False
        return obj

    def save(self, number: int, data: dict[str, Any], instance: Any, bad: set[str]) -> None:
        save = services.save_organization if self.entity == "organization" else services.save_place
        errors: dict[str, list[str]] = {}
        try:
            with transaction.atomic():
                save(self.actor, data, instance)
                if bad:
                    raise _Discard
        except _Discard:
            pass
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                errors = {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
            else:
                errors = {"__all__": [str(m) for m in exc.messages]}
        except PermissionDenied as exc:
            errors = {self._denied_field(): [self._denied_message(data, instance, exc)]}
        except (IntegrityError, DataError):
            # The row's savepoint is rolled back, so the other rows carry on.
            errors = {"__all__": [_("The row conflicts with another record.")]}
        else:
            if instance is None:
                self.report.created += 1
            else:
                self.report.updated += 1
            return
        quiet = set(bad)
        if {"lon", "lat", "organization"} & bad:
            # "Give a location" follows from an unreadable point (or, for a place, from an
            # unknown owner whose point it would have taken).
            quiet.add("jurisdiction")
        for field_name, messages in errors.items():
            if field_name in quiet:
                continue  # already reported from the cell itself
            for message in messages:
                self.error(number, field_name, message)

    def _denied_field(self) -> str:
        if self.reach.path is not None:
            return "jurisdiction"  # a street-level user: the place decides
        return "organization" if self.entity == "place" else ""

    def _denied_message(self, data: dict[str, Any], instance: Any, exc: Exception) -> str:
        where = self._where(data, instance)
        if self.reach.path is not None and where is not None:
            return _("%(where)s lies outside your reach.") % {"where": where.name}
        return str(exc) or _("You do not have permission to do this.")

    def _where(self, data: dict[str, Any], instance: Any) -> Jurisdiction | None:
        lon = data.get("lon", getattr(instance, "lon", None))
        lat = data.get("lat", getattr(instance, "lat", None))
        if lon is not None and lat is not None:
            found = services.locate(lon, lat)
            if found is not None:
                return found
        if isinstance(data.get("jurisdiction"), Jurisdiction):
            return data["jurisdiction"]  # type: ignore[no-any-return]
        org = data.get("organization")
        if isinstance(org, Organization):
            return org.jurisdiction
        return getattr(instance, "jurisdiction", None)


def import_file(
    actor: Any,
    entity: Entity | str,
    filename: str,
    content: bytes,
    *,
    partial: bool = False,
    dry_run: bool = False,
    datum: str = "wgs84",
) -> ImportReport:
    """Import organisations or places from a CSV or .xlsx file; see the module docstring.

    `datum` says which coordinate system the file's longitude and latitude use (wgs84,
    gcj02 as in AMap/Tencent, bd09 as in Baidu); they are stored as WGS 84.
    """
    if entity not in ENTITIES:
        raise ValueError(f"unknown entity {entity!r}")
    if datum not in DATUMS:
        raise ValueError(f"unknown datum {datum!r}")
    report = ImportReport(entity=entity, filename=filename, partial=partial, dry_run=dry_run)
    if not access.reach(actor).can_write:
        report.reason = "forbidden"
        report.refusal = _("You do not have permission to do this.")
        return report
    importer = _Importer(actor, entity, report, datum)
    try:
        table = read_table(filename, content)
        importer.map_header(table)
        if not table.rows:
            raise Refused("empty", _("The file has no data rows below the column names."))
    except Refused as refused:
        report.reason = refused.code
        report.refusal = refused.message
        for err in refused.errors:
            report.add(err)
        return report
    with transaction.atomic():
        importer.run(table)
        keep = not dry_run and (partial or not report.error_count)
        if not keep:
            transaction.set_rollback(True)
    report.written = keep and (report.created + report.updated) > 0
    if not dry_run and not keep:
        report.created = report.updated = 0  # counted, then rolled back
    return report


# --- templates ---------------------------------------------------------------------------


def template_header(entity: str) -> list[str]:
    """The Chinese column names of the downloadable template (no `id`: it adds records)."""
    return [c.header for c in COLUMNS[entity] if c.name != "id"]


def template_csv(entity: str) -> bytes:
    """The CSV template: UTF-8 with a byte-order mark so that Excel shows the Chinese."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerow(template_header(entity))
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def template_xlsx(entity: str) -> bytes:
    """The Excel template: the sheet to fill in (with a kind picker) and a sheet of help,
    in Chinese and English so that one file serves every user."""
    import openpyxl
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    def both(text: Any) -> tuple[str, str]:
        with translation.override("zh-hans"):
            zh = str(text)
        with translation.override("en"):
            en = str(text)
        return zh, en

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "单位 Organisations" if entity == "organization" else "场所 Places"
    cols = [c for c in COLUMNS[entity] if c.name != "id"]
    ws.append([c.header for c in cols])
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for pos, col in enumerate(cols, start=1):
        cell = ws.cell(row=1, column=pos)
        cell.font = bold
        cell.fill = fill
        letter = get_column_letter(pos)
        ws.column_dimensions[letter].width = max(12, len(col.header) * 2 + 4)
        if col.kind in {"credit_code", "text", "organization", "jurisdiction"}:
            # Text format keeps credit codes and phone numbers from turning into numbers.
            ws.column_dimensions[letter].number_format = "@"
        if col.kind == "kind":
            names = ",".join(zh for _c, zh, _l in kind_labels(entity))
            picker = DataValidation(type="list", formula1=f'"{names}"', allow_blank=True)
            picker.add(f"{letter}2:{letter}1001")
            ws.add_data_validation(picker)
    ws.freeze_panes = "A2"

    help_ws = wb.create_sheet("填写说明 Help")
    help_ws.append(["列名 Column", "字段 Field", "说明", "Description", "示例 Example"])
    for cell in help_ws[1]:
        cell.font = bold
    for col in COLUMNS[entity]:
        label_zh, label_en = both(col.label)
        help_zh, help_en = both(col.help) if col.help else ("", "")
        zh_text = f"{label_zh}。{help_zh}" if help_zh else label_zh
        en_text = f"{label_en}. {help_en}" if help_en else label_en
        help_ws.append([col.header, col.name, zh_text, en_text, col.example])
    help_ws.append([])
    help_ws.append(["类型 Kind", "代码 Code", "", "", ""])
    for cell in help_ws[help_ws.max_row]:
        cell.font = bold
    for code, zh, _label in kind_labels(entity):
        help_ws.append([zh, code, "", both(KIND_CHOICES[entity](code).label)[1], ""])
    for letter, width in zip("ABCDE", (20, 16, 48, 48, 28), strict=True):
        help_ws.column_dimensions[letter].width = width
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def sample_path(entity: str, fmt: str) -> Path:
    """The committed template file for `entity` ("organization"/"place") in csv or xlsx."""
    if entity not in ENTITIES or fmt not in {"csv", "xlsx"}:
        raise ValueError(f"no template {entity}.{fmt}")
    return SAMPLES_DIR / f"{entity}s.{fmt}"


def write_samples(directory: Path | None = None) -> list[Path]:
    """(Re)write the downloadable template files; run after changing the columns."""
    target = directory or SAMPLES_DIR
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for entity in ENTITIES:
        for fmt, build in (("csv", template_csv), ("xlsx", template_xlsx)):
            path = target / f"{entity}s.{fmt}"
            path.write_bytes(build(entity))
            written.append(path)
    return written


DATUM_CHOICES: tuple[tuple[str, Any], ...] = (
    ("wgs84", gettext_lazy("WGS 84 (GPS, Tianditu)")),
    ("gcj02", gettext_lazy("GCJ-02 (AMap, Tencent)")),
    ("bd09", gettext_lazy("BD-09 (Baidu)")),
)


# --- a base for the tables other apps import ---------------------------------------------


class TableReader:
    """What every app's table import shares: the header read against the app's `COLUMNS`
    (names, Chinese headers, aliases and labels in either language), the report of a
    problem in a cell, the organisation a cell names, and the run of a whole file.

    A subclass sets `COLUMNS` and `REQUIRED` (the names of the columns a file must have)
    and writes `run(table)`, which reads the rows and writes through the app's services,
    calling `error(row, field, message)` for every problem."""

    COLUMNS: tuple[Column, ...] = ()
    REQUIRED: tuple[str, ...] = ()

    def __init__(self, actor: Any, report: ImportReport) -> None:
        self.actor = actor
        self.report = report
        self.columns: list[Column | None] = []
        self.header_of: dict[str, str] = {}
        self._orgs: dict[str, Organization | str] = {}

    @classmethod
    def column_index(cls) -> dict[str, Column]:
        """Every spelling of every column (normalised by `_key`) → the column."""
        index: dict[str, Column] = {}
        for col in cls.COLUMNS:
            for spelling in (col.name, col.header, *col.aliases):
                index.setdefault(_key(spelling), col)
            for lang in ("en", "zh-hans"):
                with translation.override(lang):
                    index.setdefault(_key(str(col.label)), col)
        return index

    def map_header(self, header: list[str]) -> None:
        """Map the file's header onto the columns; refuse duplicate, unknown or missing
        columns."""
        index = self.column_index()
        unknown = []
        for text in header:
            col = index.get(_key(text)) if text else None
            if text and col is None:
                unknown.append(text)
            if col is not None and col.name in self.header_of:
                raise Refused(
                    "columns",
                    _("The columns “%(first)s” and “%(second)s” both mean %(field)s.")
                    % {"first": self.header_of[col.name], "second": text, "field": col.header},
                )
            if col is not None:
                self.header_of[col.name] = text
            self.columns.append(col)
        if unknown:
            raise Refused(
                "columns",
                _("Unknown column: %(columns)s. The columns are: %(known)s.")
                % {
                    "columns": "、".join(f"“{u}”" for u in unknown),
                    "known": "、".join(c.header for c in self.COLUMNS),
                },
                [RowError(1, u, _("Unknown column."), u) for u in unknown],
            )
        missing = [
            c for c in self.COLUMNS if c.name in self.REQUIRED and c.name not in self.header_of
        ]
        if missing:
            raise Refused(
                "columns",
                _("Required columns are missing: %(columns)s.")
                % {"columns": "、".join(c.header for c in missing)},
                [RowError(1, c.name, _("This column is required."), c.header) for c in missing],
            )

    def error(self, row: int, field: str, message: str) -> None:
        """Report a problem in `row`'s `field`, named by the file's own header."""
        column = self.header_of.get(field) or next(
            (c.header for c in self.COLUMNS if c.name == field), field
        )
        self.report.add(RowError(row, field, str(message), column))

    def organization(self, text: str, visible: bool = True) -> Organization:
        """The organisation `text` names (number, credit code or unique exact name) among
        those the actor can reach (all of them with `visible=False`); `CellError` when
        none or several match. Answers are cached per file."""
        key = f"{int(visible)}:{text}"
        if key not in self._orgs:
            qs = Organization.objects.visible_to(self.actor) if visible else Organization.objects
            found: Organization | str | None = None
            if text.isdigit() and len(text) < 18:
                found = qs.filter(pk=int(text)).first()
            if found is None and len(creditcode.normalise(text)) == 18:
                found = qs.filter(credit_code=creditcode.normalise(text)).first()
            if found is None:
                named = list(qs.filter(name=text)[:2])
                if len(named) == 1:
                    found = named[0]
                elif named:
                    found = _(
                        "Several organisations are called “%(value)s”; give the number or credit code."
                    ) % {"value": text}
                else:
                    found = _("No organisation you can reach matches “%(value)s”.") % {
                        "value": text
                    }
            self._orgs[key] = found
        result = self._orgs[key]
        if isinstance(result, str):
            raise CellError(result)
        return result

    def run(self, table: Table) -> None:
        raise NotImplementedError

    def execute(self, filename: str, content: bytes) -> ImportReport:
        """Read the file and run it into `self.report`: refused when the actor may not
        write or the file is unreadable; in one transaction, rolled back on a dry run or
        (unless partial) when any row has an error."""
        report = self.report
        if not access.reach(self.actor).can_write:
            report.reason = "forbidden"
            report.refusal = _("You do not have permission to do this.")
            return report
        try:
            table = read_table(filename, content)
            self.map_header(table.header)
            if not table.rows:
                raise Refused("empty", _("The file has no data rows below the column names."))
        except Refused as refused:
            report.reason = refused.code
            report.refusal = refused.message
            for err in refused.errors:
                report.add(err)
            return report
        with transaction.atomic():
            self.run(table)
            keep = not report.dry_run and (report.partial or not report.error_count)
            if not keep:
                transaction.set_rollback(True)
        report.written = keep and (report.created + report.updated) > 0
        if not report.dry_run and not keep:
            report.created = report.updated = 0  # counted, then rolled back
        return report
