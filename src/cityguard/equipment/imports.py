"""Importing special equipment from CSV or Excel (.xlsx) files.

The file is read by core's importer (`core.imports.read_table`: size and row limits, CSV
encodings, .xlsx safety checks) and reported with its `ImportReport` / `RowError` (row,
column, reason), so the page and the API answer the same report as the organisation
import. One row = one unit, saved through `services.save_equipment` (the rules and reach
of a hand-made edit); a row whose registration number is already recorded updates that
unit. A row with a last inspection date also records that inspection (once: the same
date is not recorded twice) through `services.record_inspection`. By default one bad row
means nothing is written (all or nothing); `partial=True` writes the good rows;
`dry_run=True` writes nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cityguard.core import access
from cityguard.core.imports import (
    CellError,
    Column,
    ImportReport,
    TableReader,
    _key,
    _number,
    _text,
)
from cityguard.core.models import Organization, Place

from . import parameters, services
from .choices import EquipmentKind, EquipmentStatus, InspectionResult
from .models import Equipment, Inspection

ENTITY = "equipment"

COLUMNS: tuple[Column, ...] = (
    Column("name", "设备名称", "text", gettext_lazy("Name"), gettext_lazy("For example “1号客梯”."),
           aliases=("名称", "设备"), max_length=200, example="1号客梯"),
    Column("kind", "设备种类", "kind", gettext_lazy("Kind"),
           gettext_lazy("A kind in Chinese or English, e.g. 电梯 (elevator), 锅炉 (boiler), 压力容器 (pressure vessel), 起重机械 (lifting machinery)."),
           aliases=("种类", "设备类别", "类别"), example="电梯"),
    Column("registration_no", "使用登记证编号", "text", gettext_lazy("Registration number"),
           gettext_lazy("Empty for a unit not registered."),
           aliases=("登记证编号", "使用登记证号", "登记编号", "registrationnumber"), max_length=40,
           example="梯11沪YP0123(19)"),
    Column("code", "设备代码", "text", gettext_lazy("Equipment code"), aliases=("设备编码",), max_length=32,
           example="31103101202019000123"),
    Column("status", "设备状态", "text", gettext_lazy("Status"),
           gettext_lazy("在用 (in use), 停用 (not in use), 报停 (stopped), 报废 (scrapped), 未登记 (unregistered); empty: in use when registered."),
           aliases=("状态", "使用状态"), example="在用"),
    Column("organization", "使用单位", "organization", gettext_lazy("User unit"),
           gettext_lazy("Number, unified social credit code or exact name."),
           aliases=("单位", "使用单位名称", "organisation"), example="示例物业管理有限公司"),
    Column("place", "所在场所", "text", gettext_lazy("Place"), gettext_lazy("Number or exact name of the place."),
           aliases=("场所", "场所名称", "建筑"), example=""),
    Column("maintenance_unit", "维保单位", "text", gettext_lazy("Maintenance unit"),
           aliases=("维护保养单位", "维保"), max_length=200, example="示例电梯工程有限公司"),
    Column("model_name", "型号", "text", gettext_lazy("Model"), aliases=("设备型号", "model"), max_length=100),
    Column("manufacturer", "制造单位", "text", gettext_lazy("Manufacturer"), aliases=("生产厂家", "制造商"),
           max_length=200),
    Column("address", "设备地址", "text", gettext_lazy("Address"), aliases=("地址", "使用地点"), max_length=255),
    Column("lon", "经度", "lon", gettext_lazy("Longitude"), gettext_lazy("WGS 84; empty: the place's location.")),
    Column("lat", "纬度", "lat", gettext_lazy("Latitude")),
    Column("interval_months", "检验周期(月)", "int", gettext_lazy("Inspection interval (months)"),
           gettext_lazy("Empty for the default of the kind."), aliases=("检验周期", "定检周期"),
           minimum=1, maximum=120),
    Column("registered_on", "登记日期", "date", gettext_lazy("Registered"), aliases=("使用登记日期",)),
    Column("last_inspection_on", "最近检验日期", "date", gettext_lazy("Last inspection"),
           gettext_lazy("With a result: the inspection is recorded."),
           aliases=("检验日期", "上次检验日期", "定检日期"), example="2025-05-20"),
    Column("last_result", "检验结论", "text", gettext_lazy("Result"), gettext_lazy("合格 (pass), 有条件合格 (pass with conditions), 不合格 (fail)."),
           aliases=("结论", "检验结果"), example="合格"),
    Column("inspection_body", "检验机构", "text", gettext_lazy("Inspecting body"), aliases=("检验单位",),
           max_length=200, example="上海市特种设备监督检验技术研究院"),
    Column("report_no", "检验报告编号", "text", gettext_lazy("Report number"), aliases=("报告编号",),
           max_length=60),
    Column("next_due", "下次检验日期", "date", gettext_lazy("Next due"),
           gettext_lazy("Empty: the interval after the inspection."), aliases=("下次检验", "下次定检日期")),
    Column("parameters", "技术参数", "text", gettext_lazy("Parameters"),
           gettext_lazy("“name = value” pairs separated by semicolons, e.g. rated_load_kg = 1000; floors = 18."),
           aliases=("参数",), example="rated_load_kg = 1000; floors = 18"),
)  # fmt: skip
REQUIRED = ("name", "kind", "organization")
KIND_WORDS: dict[str, tuple[str, ...]] = {
    "elevator": ("电梯", "梯", "自动扶梯", "乘客电梯", "载货电梯"),
    "boiler": ("锅炉", "锅"),
    "pressure_vessel": ("压力容器", "容器", "容"),
    "pressure_piping": ("压力管道", "管道", "管"),
    "lifting": ("起重机械", "起重机", "起", "塔吊", "塔式起重机"),
    "site_vehicle": ("场(厂)内专用机动车辆", "场内专用机动车辆", "厂内专用机动车辆", "叉车", "车"),
    "ropeway": ("客运索道", "索道", "索"),
    "amusement_ride": ("大型游乐设施", "游乐设施", "游"),
    "filling_station": ("气瓶充装站", "充装站", "气瓶充装", "加气站"),
    "other": ("其他", "其它"),
}
STATUS_WORDS: dict[str, tuple[str, ...]] = {
    "in_use": ("在用", "使用", "正常"),
    "idle": ("停用", "闲置", "未使用"),
    "stopped": ("报停", "停止使用", "暂停"),
    "scrapped": ("报废", "注销", "已注销", "已报废"),
    "unregistered": ("未登记", "未注册", "未办理"),
}
RESULT_WORDS: dict[str, tuple[str, ...]] = {
    "pass": ("合格", "允许使用", "通过"),
    "conditional": ("复检合格", "有条件合格", "整改后合格", "基本合格"),
    "fail": ("不合格", "不允许使用", "停止使用"),
}


def _words(choices: Any, words: dict[str, tuple[str, ...]]) -> dict[str, str]:
    index: dict[str, str] = {}
    for value, label in choices.choices:
        index[_key(value)] = value
        for word in words.get(value, ()):
            index.setdefault(_key(word), value)
        for lang in ("en", "zh-hans"):
            with translation.override(lang):
                index.setdefault(_key(str(label)), value)
    return index


def parse_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    m = re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?", text)
    if m:
        try:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            pass
    raise CellError(_("Enter a date (YYYY-MM-DD)."))


class _Importer(TableReader):
    COLUMNS = COLUMNS
    REQUIRED = REQUIRED

    def __init__(self, actor: Any, report: ImportReport) -> None:
        super().__init__(actor, report)
        self.kinds = _words(EquipmentKind, KIND_WORDS)
        self.statuses = _words(EquipmentStatus, STATUS_WORDS)
        self.results = _words(InspectionResult, RESULT_WORDS)

    def place(self, text: str) -> Place:
        qs = Place.objects.visible_to(self.actor)
        if text.isdigit():
            found = qs.filter(pk=int(text)).first()
            if found is not None:
                return found
        named = list(qs.filter(name=text)[:2])
        if len(named) == 1:
            return named[0]
        if named:
            raise CellError(
                _("Several places are called “%(value)s”; give the number.") % {"value": text}
            )
        raise CellError(_("No place you can reach matches “%(value)s”.") % {"value": text})

    def _choice(self, index: dict[str, str], text: str, field: str) -> str:
        value = index.get(_key(text))
        if value is None:
            raise CellError(_("“%(value)s” is not one of the accepted values.") % {"value": text})
        return value

    def parse(self, number: int, values: list[Any]) -> tuple[dict[str, Any], dict[str, Any]] | None:
        cells: dict[str, Any] = {}
        for pos, col in enumerate(self.columns):
            if col is None or pos >= len(values) or values[pos] in (None, ""):
                continue
            cells[col.name] = values[pos]
        bad = False
        for name in REQUIRED:
            if name not in cells:
                self.error(number, name, _("This field is required."))
                bad = True
        if bad:
            return None
        data: dict[str, Any] = {}
        insp: dict[str, Any] = {}

        def read(name: str, fn: Any) -> None:
            nonlocal bad
            if name not in cells:
                return
            try:
                fn(cells[name])
            except CellError as err:
                self.error(number, name, str(err))
                bad = True

        def text(name: str) -> Any:
            col = next(c for c in COLUMNS if c.name == name)

            def set_text(v: Any) -> None:
                value = _text(v)
                if col.max_length and len(value) > col.max_length:
                    raise CellError(_("Enter at most %(n)s characters.") % {"n": col.max_length})
                data[name] = value

            return set_text

        for name in ("name", "code", "model_name", "manufacturer", "address"):
            read(name, text(name))
        read("registration_no", lambda v: data.__setitem__("registration_no", _text(v)))
        read("kind", lambda v: data.__setitem__("kind", self._choice(self.kinds, _text(v), "kind")))
        read(
            "status",
            lambda v: data.__setitem__("status", self._choice(self.statuses, _text(v), "status")),
        )
        read(
            "organization", lambda v: data.__setitem__("organization", self.organization(_text(v)))
        )
        read("place", lambda v: data.__setitem__("place", self.place(_text(v))))

        def maintenance(v: Any) -> None:
            name = _text(v)[:200]
            org = Organization.objects.filter(name=name).first()
            data["maintenance_org"] = org
            data["maintenance_unit"] = "" if org else name

        read("maintenance_unit", maintenance)

        def coord(name: str) -> Any:
            def set_coord(v: Any) -> None:
                value = _number(v)
                limit = 180 if name == "lon" else 90
                if not -limit <= value <= limit:
                    raise CellError(
                        _("Longitude must lie within −180…180 and latitude within −90…90.")
                    )
                data[name] = value

            return set_coord

        read("lon", coord("lon"))
        read("lat", coord("lat"))

        def interval(v: Any) -> None:
            value = _number(v)
            if not value.is_integer() or not 1 <= value <= 120:
                raise CellError(_("The interval must lie between 1 and 120 months."))
            data["interval_months"] = int(value)

        read("interval_months", interval)
        read("registered_on", lambda v: data.__setitem__("registered_on", parse_date(v)))
        read("last_inspection_on", lambda v: insp.__setitem__("inspected_on", parse_date(v)))
        read(
            "last_result",
            lambda v: insp.__setitem__("result", self._choice(self.results, _text(v), "result")),
        )
        read("inspection_body", lambda v: insp.__setitem__("body", _text(v)[:200]))
        read("report_no", lambda v: insp.__setitem__("report_no", _text(v)[:60]))
        read("next_due", lambda v: insp.__setitem__("next_due", parse_date(v)))

        def params(v: Any) -> None:
            try:
                data["parameters"] = parameters.from_text(
                    _text(v).replace(";", "\n").replace("；", "\n")
                )
            except ValueError as exc:
                raise CellError(str(exc)) from None

        read("parameters", params)
        if "status" not in data and "kind" in data:
            data["status"] = (
                EquipmentStatus.IN_USE
                if data.get("registration_no")
                else EquipmentStatus.UNREGISTERED
            )
        if insp and "inspected_on" not in insp:
            self.error(number, "last_inspection_on", _("Give the inspection date with its result."))
            bad = True
        if "inspected_on" in insp and "result" not in insp:
            self.error(number, "last_result", _("Give the result of the inspection."))
            bad = True
        if bad:
            return None
        return data, insp

    def run(self, table: Any) -> None:
        seen: dict[str, int] = {}
        for number, values in table.rows:
            self.report.rows += 1
            parsed = self.parse(number, values)
            if parsed is None:
                continue
            data, insp = parsed
            reg = services.normalise_registration(data.get("registration_no"))
            if reg:
                if reg in seen:
                    self.error(
                        number,
                        "registration_no",
                        _("The same registration number is already in row %(row)s.")
                        % {"row": seen[reg]},
                    )
                    continue
                seen[reg] = number
            instance = Equipment.objects.filter(registration_no=reg).first() if reg else None
            if instance is not None and not access.can_see(self.actor, instance):
                self.error(
                    number,
                    "registration_no",
                    _("The registration number %(value)s is already recorded for another unit.")
                    % {"value": reg},
                )
                continue
            try:
                with transaction.atomic():
                    obj = services.save_equipment(self.actor, data, instance)
                    if (
                        insp
                        and not Inspection.objects.filter(
                            equipment=obj, inspected_on=insp["inspected_on"]
                        ).exists()
                    ):
                        services.record_inspection(self.actor, obj, **insp)
                if instance is None:
                    self.report.created += 1
                else:
                    self.report.updated += 1
            except PermissionDenied as exc:
                self.error(number, "organization", str(exc) or _("You may not change this record."))
            except ValidationError as exc:
                names = {c.name for c in COLUMNS}
                renamed = {
                    "inspected_on": "last_inspection_on",
                    "result": "last_result",
                    "body": "inspection_body",
                    "maintenance_org": "maintenance_unit",
                    "jurisdiction": "lon",
                }
                for field, messages in getattr(exc, "message_dict", {"": exc.messages}).items():
                    name = renamed.get(field, field)
                    for message in messages:
                        self.error(number, name if name in names else "", message)


def import_file(
    actor: Any, filename: str, content: bytes, *, partial: bool = False, dry_run: bool = False
) -> ImportReport:
    """Import units from a CSV or .xlsx file; see the module docstring."""
    report = ImportReport(entity=ENTITY, filename=filename, partial=partial, dry_run=dry_run)
    return _Importer(actor, report).execute(filename, content)


EXAMPLE = [
    "1号客梯", "电梯", "梯11沪YP0123(19)", "31103101202019000123", "在用", "示例物业管理有限公司",
    "", "示例电梯工程有限公司", "TKJ1000/1.75-JXW", "示例电梯有限公司", "杨浦区示例路1号", "", "",
    "", "2019-06-01", "2025-05-20", "合格", "上海市特种设备监督检验技术研究院", "DT2025-0001", "",
    "rated_load_kg = 1000; rated_speed_ms = 1.75; floors = 18",
]  # fmt: skip


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
    ws.title = "特种设备 Equipment"
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
