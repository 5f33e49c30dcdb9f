"""Importing sensors from CSV or Excel (.xlsx).

The file is read by core's importer (`core.imports.read_table`: size and row limits, CSV
encodings, .xlsx safety checks) and reported with its `ImportReport` / `RowError`, so the
page and the API answer the same row-by-row report as the organisation import.

One row = one sensor: code, name, kind, unit, longitude and latitude, the owning
organisation (unified social credit code, number or exact name), the place (number or
exact name within that organisation) and the expected reporting interval. A row whose
code is already recorded (and within reach) updates that sensor; other rows add sensors.
Every row is saved by `services.save_sensor`, the same rules as the form and the API, in
a savepoint of its own inside one transaction. By default one bad row means nothing is
written; `partial=True` writes the good rows; `dry_run=True` writes nothing.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import File, Query, Status
from ninja.files import UploadedFile

from cityguard.core import access, geo
from cityguard.core.api_imports import RESPONSES, ImportQuery
from cityguard.core.imports import (
    DATUMS,
    CellError,
    Column,
    ImportReport,
    TableReader,
    _key,
    _number,
    _text,
    limits,
    too_large_message,
)
from cityguard.core.models import Organization, Place

from .choices import SensorKind
from .models import Sensor

ENTITY = "sensor"

COLUMNS: tuple[Column, ...] = (
    Column(
        "code",
        "编码",
        "text",
        gettext_lazy("Code"),
        gettext_lazy("The device's code, as it reports readings; unique."),
        aliases=("传感器编码", "设备编码", "设备编号", "编号", "sensor", "sensorcode"),
        max_length=64,
        example="WL-0001",
    ),
    Column(
        "name",
        "名称",
        "text",
        gettext_lazy("Name"),
        aliases=("传感器名称", "设备名称"),
        max_length=200,
        example="地下车库水位计",
    ),
    Column(
        "kind",
        "类型",
        "kind",
        gettext_lazy("Kind"),
        gettext_lazy("The sensor kind, in Chinese or English, or its code (water_level …)."),
        aliases=("传感器类型", "监测类型", "sensorkind"),
        example="水位",
    ),
    Column(
        "unit",
        "单位",
        "text",
        gettext_lazy("Unit"),
        gettext_lazy("Leave empty for the kind's usual unit."),
        aliases=("计量单位", "unitofmeasure"),
        max_length=16,
        example="m",
    ),
    Column(
        "lon",
        "经度",
        "lon",
        gettext_lazy("Longitude"),
        gettext_lazy("Decimal degrees, for example 121.52."),
        aliases=("longitude", "lng", "x"),
        minimum=-180,
        maximum=180,
        example="121.5205",
    ),
    Column(
        "lat",
        "纬度",
        "lat",
        gettext_lazy("Latitude"),
        gettext_lazy("Decimal degrees, for example 31.27."),
        aliases=("latitude", "y"),
        minimum=-90,
        maximum=90,
        example="31.2712",
    ),
    Column(
        "organization",
        "所属单位",
        "organization",
        gettext_lazy("Organisation"),
        gettext_lazy("Unified social credit code, number or exact name; may stay empty."),
        aliases=("单位", "统一社会信用代码", "企业", "organisation", "organizationcreditcode"),
        example="",
    ),
    Column(
        "place",
        "场所",
        "text",
        gettext_lazy("Place"),
        gettext_lazy("Number or exact name of one of the organisation's places; may stay empty."),
        aliases=("所在场所", "场所名称"),
        max_length=200,
    ),
    Column(
        "expected_interval_s",
        "上报间隔(秒)",
        "int",
        gettext_lazy("Expected reporting interval (s)"),
        gettext_lazy("Seconds between readings; 60 when empty."),
        aliases=("上报间隔", "采集间隔", "间隔", "interval", "expectedinterval"),
        minimum=1,
        maximum=86_400 * 7,
        example="60",
    ),
)
REQUIRED = ("code", "kind", "lon", "lat")


def _kind_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for value, label in SensorKind.choices:
        index[_key(value)] = value
        for lang in ("en", "zh-hans"):
            with translation.override(lang):
                index.setdefault(_key(str(label)), value)
    # Common short Chinese names.
    extra = {
        "水位": "water_level", "水压": "water_pressure", "消防水压": "water_pressure",
        "可燃气体": "combustible_gas", "有毒气体": "toxic_gas", "燃气": "gas", "温度": "temperature",
        "烟感": "smoke", "烟雾": "smoke", "倾角": "tilt", "湿度": "humidity", "位移": "displacement",
    }  # fmt: skip
    for word, value in extra.items():
        index.setdefault(_key(word), value)
    return index


class _Importer(TableReader):
    COLUMNS = COLUMNS
    REQUIRED = REQUIRED

    def __init__(self, actor: Any, report: ImportReport, datum: str) -> None:
        super().__init__(actor, report)
        self.datum = datum
        self._kinds = _kind_index()

    def place(self, text: str, org: Organization | None) -> Place:
        visible = Place.objects.visible_to(self.actor)
        if org is not None:
            visible = visible.filter(organization=org)
        found = visible.filter(pk=int(text)).first() if text.isdigit() else None
        if found is None:
            named = list(visible.filter(name=text)[:2])
            if len(named) > 1:
                raise CellError(
                    _("Several places are called “%(value)s”; give the number.") % {"value": text}
                )
            found = named[0] if named else None
        if found is None:
            raise CellError(_("No place you can reach matches “%(value)s”.") % {"value": text})
        return found

    def number(self, number: int, name: str, raw: Any) -> float | None:
        col = next(c for c in COLUMNS if c.name == name)
        try:
            value = _number(raw)
            if col.minimum is not None and value < col.minimum:
                raise CellError(_("Enter a value of at least %(n)s.") % {"n": f"{col.minimum:g}"})
            if col.maximum is not None and value > col.maximum:
                raise CellError(_("Enter a value of at most %(n)s.") % {"n": f"{col.maximum:g}"})
            if col.kind == "int" and not value.is_integer():
                raise CellError(_("Enter a whole number."))
        except CellError as err:
            self.error(number, name, str(err))
            return None
        return value

    def parse(self, number: int, values: list[Any]) -> dict[str, Any] | None:
        cells: dict[str, Any] = {}
        for pos, col in enumerate(self.columns):
            if col is None or pos >= len(values) or values[pos] is None:
                continue
            cells[col.name] = values[pos]
        bad = False
        for name in REQUIRED:
            if cells.get(name) in (None, ""):
                self.error(number, name, _("This field is required."))
                bad = True
        if bad:
            return None
        data: dict[str, Any] = {"code": _text(cells["code"])}
        for name in ("code", "name", "unit"):
            if name in cells:
                text = _text(cells[name])
                limit = next(c.max_length for c in COLUMNS if c.name == name) or 200
                if len(text) > limit:
                    self.error(number, name, _("At most %(n)s characters.") % {"n": limit})
                    bad = True
                data[name] = text
        kind = self._kinds.get(_key(_text(cells["kind"])))
        if kind is None:
            self.error(
                number,
                "kind",
                _("Unknown sensor kind “%(value)s”. The kinds are: %(known)s.")
                % {
                    "value": _text(cells["kind"]),
                    "known": "、".join(str(label) for _v, label in SensorKind.choices),
                },
            )
            bad = True
        data["kind"] = kind
        lon = self.number(number, "lon", cells["lon"])
        lat = self.number(number, "lat", cells["lat"])
        if lon is None or lat is None:
            bad = True
        else:
            if self.datum != "wgs84":
                x, y = geo.to_wgs84(lon, lat, self.datum)
                lon, lat = round(float(x), 6), round(float(y), 6)
            data["lon"], data["lat"] = lon, lat
        if cells.get("expected_interval_s") not in (None, ""):
            interval = self.number(number, "expected_interval_s", cells["expected_interval_s"])
            if interval is None:
                bad = True
            else:
                data["expected_interval_s"] = int(interval)
        org = None
        if cells.get("organization") not in (None, ""):
            try:
                org = self.organization(_text(cells["organization"]))
                data["organization"] = org
            except CellError as err:
                self.error(number, "organization", str(err))
                bad = True
        if cells.get("place") not in (None, "") and not bad:
            try:
                data["place"] = self.place(_text(cells["place"]), org)
            except CellError as err:
                self.error(number, "place", str(err))
                bad = True
        return None if bad else data

    def run(self, table: Any) -> None:
        from . import services

        seen: dict[str, int] = {}
        names = {c.name for c in COLUMNS}
        for number, values in table.rows:
            self.report.rows += 1
            data = self.parse(number, values)
            if data is None:
                continue
            code = data["code"]
            if code in seen:
                self.error(
                    number,
                    "code",
                    _("The same code is already in row %(row)s.") % {"row": seen[code]},
                )
                continue
            seen[code] = number
            existing = Sensor.objects.filter(code=code).first()
            if (
                existing is not None
                and not Sensor.objects.visible_to(self.actor).filter(pk=existing.pk).exists()
            ):
                self.error(number, "code", _("A sensor with this code already exists."))
                continue
            try:
                with transaction.atomic():
                    services.save_sensor(self.actor, data, existing)
            except PermissionDenied as exc:
                self.error(number, "code", str(exc) or _("You may not change this record."))
                continue
            except ValidationError as exc:
                errors = getattr(exc, "message_dict", None) or {"": exc.messages}
                for field, messages in errors.items():
                    name = field.removesuffix("_id")
                    for message in messages:
                        self.error(number, name if name in names else "", message)
                continue
            if existing is None:
                self.report.created += 1
            else:
                self.report.updated += 1


def import_file(
    actor: Any,
    filename: str,
    content: bytes,
    *,
    partial: bool = False,
    dry_run: bool = False,
    datum: str = "wgs84",
) -> ImportReport:
    """Import sensors from a CSV or .xlsx file; see the module docstring."""
    if datum not in DATUMS:
        raise ValueError(f"unknown datum {datum!r}")
    report = ImportReport(entity=ENTITY, filename=filename, partial=partial, dry_run=dry_run)
    return _Importer(actor, report, datum).execute(filename, content)


def import_upload(
    actor: Any, upload: Any, *, partial: bool = False, dry_run: bool = False, datum: str = "wgs84"
) -> ImportReport:
    """`import_file` for an uploaded file; a file over the size limit is not even read."""
    max_bytes = limits()[0]
    if upload.size is not None and upload.size > max_bytes:
        report = ImportReport(entity=ENTITY, filename=upload.name or "")
        report.reason = "too_large"
        report.refusal = too_large_message(max_bytes)
        return report
    return import_file(
        actor,
        upload.name or "",
        upload.read(max_bytes + 1),
        partial=partial,
        dry_run=dry_run,
        datum=datum,
    )


EXAMPLE = ["WL-0001", "地下车库水位计", "水位", "m", "121.5205", "31.2712", "", "", "60"]


def template_csv() -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([c.header for c in COLUMNS])
    writer.writerow(EXAMPLE)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def template_xlsx() -> bytes:
    import openpyxl
    from openpyxl.styles import Font

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "传感器 Sensors"
    ws.append([c.header for c in COLUMNS])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.append(EXAMPLE)
    help_ws = wb.create_sheet("填写说明 Help")
    for col in COLUMNS:
        with translation.override("zh-hans"):
            zh = f"{col.label}。{col.help}" if col.help else str(col.label)
        with translation.override("en"):
            en = f"{col.label}. {col.help}" if col.help else str(col.label)
        help_ws.append([col.header, col.name, zh, en, col.example])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# --- the API route ---------------------------------------------------------------------------
# Added to the monitoring router; `cityguard.api` imports this module before it mounts the
# routers (ninja copies a router's operations when it is mounted).


def _add_route() -> None:
    from .api import router

    @router.post("/import/sensors", response=RESPONSES, tags=["monitoring"])
    def import_sensors(
        request: HttpRequest,
        options: Query[ImportQuery],  # type: ignore[type-arg]
        file: File[UploadedFile],  # type: ignore[type-arg]
    ) -> Any:
        """Import sensors from a CSV or Excel (.xlsx) file (multipart field `file`).

        Columns: 编码 (code), 名称 (name), 类型 (kind), 单位 (unit), 经度 (lon), 纬度 (lat),
        所属单位 (organization: credit code, number or name), 场所 (place),
        上报间隔(秒) (expected_interval_s); the template is at
        /monitoring/sensors/import/template.xlsx. A row with a known code updates that
        sensor. By default nothing is written when any row is bad (422 with every row's
        errors); `partial=true` writes the good rows, `dry_run=true` writes nothing.
        """
        if not access.reach(request.user).can_write:
            raise PermissionDenied
        report = import_upload(
            request.user,
            file,
            partial=options.partial,
            dry_run=options.dry_run,
            datum=options.datum,
        )
        if report.reason == "too_large":
            return Status(413, report.as_dict())
        return Status(200 if report.accepted else 422, report.as_dict())


_add_route()
