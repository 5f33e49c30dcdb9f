"""Importing duty-list items from CSV or Excel (.xlsx).

The file is read by core's reader (`core.imports.read_table`: size and row limits, CSV
encodings, .xlsx checks) and reported with its `ImportReport` / `RowError`. Every row goes
through `services.save_item` (the same rules and reach as a hand-made item), one savepoint
per row in one transaction: by default one bad row means nothing is written; `partial`
writes the good rows; `dry_run` writes nothing.

Columns (English name or Chinese header): kind/清单类型, unit/单位 (department name or
id, street name or code), title/事项名称, content/事项内容, legal_basis/法律依据,
legal_article/条款, responsible_post/责任岗位, responsible_person/责任人,
owner/任务负责人 (user name; tasks), due_date/完成时限 (YYYY-MM-DD; tasks).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from cityguard.core.choices import Level, OrganizationKind
from cityguard.core.imports import ImportReport, Refused, RowError, _key, _text, read_table
from cityguard.core.models import Jurisdiction, Organization

from . import services
from .choices import ListKind

ENTITY = "duty_item"

# field → (Chinese header, other spellings)
COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "kind": ("清单类型", ("清单", "类型", "list")),
    "unit": ("单位", ("责任单位", "部门", "街道", "unit_name")),
    "title": ("事项名称", ("事项", "名称", "任务", "name")),
    "content": ("事项内容", ("内容", "description")),
    "legal_basis": ("法律依据", ("依据", "law")),
    "legal_article": ("条款", ("条款号", "article")),
    "responsible_post": ("责任岗位", ("岗位", "post")),
    "responsible_person": ("责任人", ("person",)),
    "owner": ("任务负责人", ("负责人", "owner_user")),
    "due_date": ("完成时限", ("截止日期", "期限", "due")),
}
REQUIRED = ("kind", "unit", "title")
KIND_WORDS = {
    "responsibility": ("责任清单", "责任", "responsibility"),
    "power": ("权力清单", "权力", "power"),
    "supervision": ("监管清单", "监管", "supervision"),
    "task": ("任务清单", "任务", "task"),
}


def _index() -> dict[str, str]:
    index: dict[str, str] = {}
    for name, (header, aliases) in COLUMNS.items():
        for spelling in (name, header, *aliases):
            index.setdefault(_key(spelling), name)
    return index


def _kind(text: str) -> str:
    k = _key(text)
    for value, words in KIND_WORDS.items():
        if k in {_key(w) for w in words} or k == _key(str(ListKind(value).label)):
            return value
    raise ValueError(
        _("Unknown list “%(value)s”: say 责任清单, 权力清单, 监管清单 or 任务清单.")
        % {"value": text}
    )


def _unit(text: str) -> Organization | Jurisdiction:
    depts = Organization.objects.filter(kind=OrganizationKind.DEPARTMENT)
    if text.isdigit() and len(text) < 18:
        found = depts.filter(pk=int(text)).first()
        if found:
            return found
    found_org = list(depts.filter(name=text)[:2])
    if len(found_org) == 1:
        return found_org[0]
    streets = Jurisdiction.objects.filter(level=Level.STREET)
    found_street = streets.filter(code=text).first() or streets.filter(name=text).first()
    if found_street:
        return found_street
    raise ValueError(_("No department or street matches “%(value)s”.") % {"value": text})


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(_text(value).replace("/", "-"))
    except ValueError:
        raise ValueError(_("Enter a date (YYYY-MM-DD).")) from None


def import_file(
    actor: Any, filename: str, content: bytes, *, partial: bool = False, dry_run: bool = False
) -> ImportReport:
    report = ImportReport(ENTITY, filename=filename, partial=partial, dry_run=dry_run)
    try:
        if not services.reach_can_write(actor):
            raise PermissionDenied
        table = read_table(filename, content)
        columns = _map_header(table.header)
    except Refused as exc:
        report.reason, report.refusal = exc.code, exc.message
        for err in exc.errors:
            report.add(err)
        return report
    except PermissionDenied:
        report.reason, report.refusal = "forbidden", _("You may not change this record.")
        return report
    report.rows = len(table.rows)
    users = get_user_model().objects
    with transaction.atomic():
        sid = transaction.savepoint()
        for number, values in table.rows:
            cells = {
                columns[i]: v
                for i, v in enumerate(values)
                if i < len(columns) and columns[i] and v not in (None, "")
            }
            bad = False
            for name in REQUIRED:
                if name not in cells:
                    report.add(
                        RowError(number, name, _("This field is required."), COLUMNS[name][0])
                    )
                    bad = True
            if bad:
                continue
            data: dict[str, Any] = {}
            try:
                data["kind"] = _kind(_text(cells["kind"]))
            except ValueError as exc:
                report.add(RowError(number, "kind", str(exc), COLUMNS["kind"][0]))
                bad = True
            try:
                unit = _unit(_text(cells["unit"]))
                data["organization"], data["street"] = services.unit_parts(unit)
            except ValueError as exc:
                report.add(RowError(number, "unit", str(exc), COLUMNS["unit"][0]))
                bad = True
            for name in (
                "title",
                "content",
                "legal_basis",
                "legal_article",
                "responsible_post",
                "responsible_person",
            ):
                if name in cells:
                    data[name] = _text(cells[name])
            if "owner" in cells:
                user = users.filter(username=_text(cells["owner"]), is_active=True).first()
                if user is None:
                    report.add(RowError(number, "owner", _("No such user."), COLUMNS["owner"][0]))
                    bad = True
                data["owner_user"] = user
            if "due_date" in cells:
                try:
                    data["due_date"] = _date(cells["due_date"])
                except ValueError as exc:
                    report.add(RowError(number, "due_date", str(exc), COLUMNS["due_date"][0]))
                    bad = True
            if bad:
                continue
            row_sid = transaction.savepoint()
            try:
                services.save_item(actor, data)
            except ValidationError as exc:
                transaction.savepoint_rollback(row_sid)
                for field, messages in exc.message_dict.items():
                    header = COLUMNS.get(field, (field, ()))[0]
                    for message in messages:
                        report.add(RowError(number, field, message, header))
                continue
            except PermissionDenied:
                transaction.savepoint_rollback(row_sid)
                report.add(
                    RowError(
                        number, "unit", _("This unit is outside your reach."), COLUMNS["unit"][0]
                    )
                )
                continue
            transaction.savepoint_commit(row_sid)
            report.created += 1
        if dry_run or (report.error_count and not partial) or not report.created:
            transaction.savepoint_rollback(sid)
            if dry_run:
                return report
            report.written = False
            if report.error_count and not partial:
                report.created = 0
            return report
        transaction.savepoint_commit(sid)
        report.written = True
    return report


def _map_header(header: list[str]) -> list[str | None]:
    index = _index()
    out: list[str | None] = []
    unknown = []
    for text in header:
        name = index.get(_key(text)) if text else None
        if text and name is None:
            unknown.append(text)
        out.append(name)
    if unknown:
        raise Refused(
            "columns",
            _("Unknown column: %(columns)s. The columns are: %(known)s.")
            % {
                "columns": "、".join(f"“{u}”" for u in unknown),
                "known": "、".join(h for h, _a in COLUMNS.values()),
            },
            [RowError(1, u, _("Unknown column."), u) for u in unknown],
        )
    missing = [n for n in REQUIRED if n not in out]
    if missing:
        raise Refused(
            "columns",
            _("Required columns are missing: %(columns)s.")
            % {"columns": "、".join(COLUMNS[n][0] for n in missing)},
        )
    return out


def template_csv() -> bytes:
    header = ",".join(h for h, _a in COLUMNS.values())
    row = "责任清单,杨浦区应急管理局,安全生产综合监管,指导协调全区安全生产工作,中华人民共和国安全生产法,第十条,综合监管科,,,"
    return ("\ufeff" + header + "\n" + row + "\n").encode("utf-8")
