"""Importing inventories (design maximum quantity per chemical and unit) from CSV or Excel.

The file is read by core's importer (`core.imports.read_table`: size and row limits, CSV
encodings, .xlsx safety checks) and reported with its `ImportReport` / `RowError`, so the
page and the API answer the same row-by-row report as the organisation import.

One row = one chemical in one unit: the organisation (number, credit code or exact name),
the unit (name or code within that organisation; a unit not yet known is created when the
row gives its kind), the chemical (CAS number, name, alias or English name, and the grade
where entries share one), the quantity and its unit of measure (t by default; kg; L and m³
with the catalogue's density), and optionally the population within 500 m. Each unit a
file touches is identified once at the end (trigger "import"). By default one bad row
means nothing is written; `partial=True` writes the good rows; `dry_run=True` writes
nothing.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
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
from cityguard.core.models import Organization

from . import measure, services
from .choices import Trigger, UnitKind
from .models import Inventory, Unit

ENTITY = "inventory"

COLUMNS: tuple[Column, ...] = (
    Column(
        "organization",
        "单位",
        "organization",
        gettext_lazy("Organisation"),
        gettext_lazy("Number, unified social credit code or exact name."),
        aliases=("企业", "企业名称", "单位名称", "统一社会信用代码", "organisation"),
        example="示例化工有限公司",
    ),
    Column(
        "unit",
        "单元",
        "text",
        gettext_lazy("Unit"),
        gettext_lazy("Name or code of the production or storage unit."),
        aliases=("单元名称", "储存单元", "生产单元", "装置", "罐区", "仓库", "unitname"),
        max_length=200,
        example="1号罐区",
    ),
    Column(
        "unit_kind",
        "单元类型",
        "kind",
        gettext_lazy("Kind of unit"),
        gettext_lazy("Production unit or storage unit; needed for a unit not yet recorded."),
        aliases=("类型", "kind"),
        example="储存单元",
    ),
    Column(
        "chemical",
        "化学品",
        "text",
        gettext_lazy("Chemical"),
        gettext_lazy("CAS number, Chinese name, alias or English name."),
        aliases=("化学品名称", "品名", "危险化学品", "cas", "cas号", "物质名称"),
        max_length=200,
        example="液氯",
    ),
    Column(
        "grade",
        "规格",
        "text",
        gettext_lazy("Grade"),
        gettext_lazy("Only where several entries share a name or CAS number."),
        aliases=("等级", "含量", "规格型号"),
        max_length=200,
    ),
    Column(
        "quantity",
        "设计最大量",
        "float",
        gettext_lazy("Design maximum quantity"),
        gettext_lazy("A number, zero or more."),
        aliases=("最大储量", "设计最大储量", "最大量", "数量", "max_quantity_t", "maxquantity"),
        minimum=0,
        maximum=1e9,
        example="3",
    ),
    Column(
        "quantity_unit",
        "计量单位",
        "text",
        gettext_lazy("Unit of measure"),
        gettext_lazy("t (default), kg, L or m³."),
        aliases=("计量", "单位(计量)", "unitofmeasure", "uom"),
        max_length=16,
        example="t",
    ),
    Column(
        "exposed_population",
        "周边500米人口",
        "int",
        gettext_lazy("Population within 500 m"),
        gettext_lazy("Residents within 500 m outside the site; empty to estimate it."),
        aliases=("500米人口", "周边人口", "exposedpopulation"),
        minimum=0,
        maximum=10_000_000,
    ),
)
REQUIRED = ("organization", "unit", "chemical", "quantity")
KIND_WORDS = {
    "production": ("生产单元", "生产装置", "装置", "production", "生产"),
    "storage": ("储存单元", "储存", "仓库", "罐区", "storage", "储罐区"),
}


@dataclass
class Row:
    number: int
    organization: Organization
    unit: str
    unit_kind: str | None
    chemical: Any
    quantity_t: float
    population: int | None


def _kind(text: str) -> str:
    k = _key(text)
    for value, words in KIND_WORDS.items():
        if k in {_key(w) for w in words} or k == _key(str(UnitKind(value).label)):
            return value
    raise CellError(_("Say “生产单元” (production unit) or “储存单元” (storage unit)."))


class _Importer(TableReader):
    COLUMNS = COLUMNS
    REQUIRED = REQUIRED

    def __init__(self, actor: Any, report: ImportReport) -> None:
        super().__init__(actor, report)

    def parse(self, number: int, values: list[Any]) -> Row | None:
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
        out: dict[str, Any] = {}
        try:
            out["organization"] = self.organization(_text(cells["organization"]))
        except CellError as err:
            self.error(number, "organization", str(err))
            bad = True
        out["unit"] = _text(cells["unit"])[:200]
        out["unit_kind"] = None
        if cells.get("unit_kind") not in (None, ""):
            try:
                out["unit_kind"] = _kind(_text(cells["unit_kind"]))
            except CellError as err:
                self.error(number, "unit_kind", str(err))
                bad = True
        chem_text = _text(cells["chemical"])
        grade = _text(cells["grade"]) if cells.get("grade") else None
        try:
            out["chemical"] = services.resolve(chem_text, grade)
        except services.Ambiguous as exc:
            self.error(number, "chemical", services.ambiguous_message(chem_text, exc.candidates))
            bad = True
        except services.NotFound:
            self.error(
                number,
                "chemical",
                _("“%(value)s” is not in the chemical catalogue.") % {"value": chem_text},
            )
            bad = True
        try:
            quantity = _number(cells["quantity"])
            if quantity < 0:
                raise CellError(_("A quantity cannot be negative."))
        except CellError as err:
            self.error(number, "quantity", str(err))
            bad = True
            quantity = None
        uom = _text(cells["quantity_unit"]) if cells.get("quantity_unit") else "t"
        try:
            measure.unit_code(uom)
        except measure.QuantityError:
            self.error(number, "quantity_unit", _("Unknown unit of measure: use t, kg, L or m³."))
            bad = True
        population = None
        if cells.get("exposed_population") not in (None, ""):
            try:
                value = _number(cells["exposed_population"])
                if value < 0 or not value.is_integer():
                    raise CellError(_("Enter a whole number of people, zero or more."))
                population = int(value)
            except CellError as err:
                self.error(number, "exposed_population", str(err))
                bad = True
        if bad or quantity is None:
            return None
        chem = out["chemical"]
        try:
            density = chem.density_t_m3 if measure.unit_code(uom) in measure.NEEDS_DENSITY else None
            tonnes = measure.to_tonnes(quantity, uom, density)
        except measure.QuantityError:
            self.error(
                number,
                "quantity_unit",
                _("A volume needs the density (t/m³) to be converted into tonnes."),
            )
            return None
        return Row(
            number, out["organization"], out["unit"], out["unit_kind"], chem, tonnes, population
        )

    def unit_for(self, row: Row, created: dict[tuple[int, str], Unit]) -> Unit | None:
        key = (row.organization.pk, _key(row.unit))
        if key in created:
            return created[key]
        qs = Unit.objects.filter(organization=row.organization)
        found = list(qs.filter(name=row.unit)[:2]) or list(qs.filter(code=row.unit)[:2])
        if len(found) > 1:
            self.error(row.number, "unit", _("Several units have this name; give its code."))
            return None
        if found:
            unit = found[0]
            if not access.can_change(self.actor, unit):
                self.error(row.number, "unit", _("You may not change this record."))
                return None
            if row.population is not None and unit.exposed_population != row.population:
                services.save_unit(self.actor, {"exposed_population": row.population}, unit)
            created[key] = unit
            return unit
        if row.unit_kind is None:
            self.error(
                row.number,
                "unit_kind",
                _("The unit “%(value)s” is not recorded yet: give its kind to create it.")
                % {"value": row.unit},
            )
            return None
        unit = services.save_unit(
            self.actor,
            {
                "organization": row.organization,
                "name": row.unit,
                "kind": row.unit_kind,
                "exposed_population": row.population,
            },
        )
        created[key] = unit
        return unit

    def run(self, table: Any) -> None:
        units: dict[tuple[int, str], Unit] = {}
        touched: dict[int, Unit] = {}
        seen: dict[tuple[int, str, int], int] = {}
        for number, values in table.rows:
            self.report.rows += 1
            row = self.parse(number, values)
            if row is None:
                continue
            dup = (row.organization.pk, _key(row.unit), row.chemical.pk)
            if dup in seen:
                self.error(
                    number,
                    "chemical",
                    _("The same unit and chemical are already in row %(row)s.")
                    % {"row": seen[dup]},
                )
                continue
            seen[dup] = number
            try:
                with transaction.atomic():
                    unit = self.unit_for(row, units)
                    if unit is None:
                        continue
                    inv = Inventory.objects.filter(unit=unit, chemical=row.chemical).first()
                    is_new = inv is None
                    if inv is None:
                        inv = Inventory(unit=unit, chemical=row.chemical)
                    inv.max_quantity_t = row.quantity_t
                    inv._history_user = self.actor  # type: ignore[attr-defined,union-attr]
                    inv.save()
                    touched[unit.pk] = unit
                if is_new:
                    self.report.created += 1
                else:
                    self.report.updated += 1
            except PermissionDenied as exc:
                self.error(number, "organization", str(exc) or _("You may not change this record."))
            except ValidationError as exc:
                for field, messages in getattr(exc, "message_dict", {"": exc.messages}).items():
                    for message in messages:
                        self.error(
                            number, field if field in {c.name for c in COLUMNS} else "", message
                        )
        for unit in touched.values():
            services.identify(unit, actor=self.actor, trigger=Trigger.IMPORT)


def import_file(
    actor: Any, filename: str, content: bytes, *, partial: bool = False, dry_run: bool = False
) -> ImportReport:
    """Import inventories from a CSV or .xlsx file; see the module docstring."""
    report = ImportReport(entity=ENTITY, filename=filename, partial=partial, dry_run=dry_run)
    return _Importer(actor, report).execute(filename, content)


def template_csv() -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([c.header for c in COLUMNS])
    writer.writerow(["示例化工有限公司", "1号罐区", "储存单元", "液氯", "", "3", "t", "60"])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def template_xlsx() -> bytes:
    import openpyxl
    from openpyxl.styles import Font

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "库存 Inventories"
    ws.append([c.header for c in COLUMNS])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.append(["示例化工有限公司", "1号罐区", "储存单元", "液氯", "", 3, "t", 60])
    help_ws = wb.create_sheet("填写说明 Help")
    from django.utils import translation

    for col in COLUMNS:
        with translation.override("zh-hans"):
            zh = f"{col.label}。{col.help}" if col.help else str(col.label)
        with translation.override("en"):
            en = f"{col.label}. {col.help}" if col.help else str(col.label)
        help_ws.append([col.header, col.name, zh, en, col.example])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
