"""`core.imports.TableReader`, the base of the apps' table imports (chemicals, monitoring,
equipment): header mapping, cell errors, organisation look-up and the run of a file."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.utils import translation
from django.utils.translation import gettext_lazy

from cityguard.core import imports
from cityguard.core.models import Organization


@pytest.fixture(autouse=True)
def fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


class Reader(imports.TableReader):
    COLUMNS = (
        imports.Column("name", "名称", "text", gettext_lazy("Name"), aliases=("单位名称",)),
        imports.Column("organization", "单位", "organization", gettext_lazy("Organisation")),
        imports.Column("notes", "备注", "text", gettext_lazy("Notes")),
    )
    REQUIRED = ("name", "organization")

    def run(self, table: imports.Table) -> None:
        for number, values in table.rows:
            try:
                org = self.organization(imports._text(values[1]))
            except imports.CellError as err:
                self.error(number, "organization", str(err))
                continue
            org.address = imports._text(values[0])
            org.save(update_fields=["address"])
            self.report.updated += 1


def csv_bytes(rows: list[list[Any]]) -> bytes:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    return buf.getvalue().encode("utf-8-sig")


def reader(actor: Any = None) -> Reader:
    return Reader(actor, imports.ImportReport(entity="test"))


def test_header_accepts_names_headers_aliases_and_labels() -> None:
    r = reader()
    with translation.override("en"):
        r.map_header(["单位名称", "Organisation", "", "notes"])
    assert [c.name if c else None for c in r.columns] == ["name", "organization", None, "notes"]
    assert r.header_of == {"name": "单位名称", "organization": "Organisation", "notes": "notes"}


def test_header_refusals() -> None:
    with translation.override("en"):
        with pytest.raises(imports.Refused) as dup:
            reader().map_header(["名称", "单位", "name"])
        assert dup.value.code == "columns"
        assert dup.value.message == "The columns “名称” and “name” both mean 名称."
        with pytest.raises(imports.Refused) as unknown:
            reader().map_header(["名称", "单位", "colour"])
        assert (
            unknown.value.message == "Unknown column: “colour”. The columns are: 名称、单位、备注."
        )
        assert [(e.row, e.field, e.message) for e in unknown.value.errors] == [
            (1, "colour", "Unknown column.")
        ]
        with pytest.raises(imports.Refused) as missing:
            reader().map_header(["备注"])
        assert missing.value.message == "Required columns are missing: 名称、单位."
        assert [e.field for e in missing.value.errors] == ["name", "organization"]


def test_error_names_the_files_column_or_the_header() -> None:
    r = reader()
    r.map_header(["name", "单位"])
    r.error(3, "name", "bad")
    r.error(4, "notes", "worse")
    r.error(5, "", "whole row")
    assert [(e.row, e.column) for e in r.report.errors] == [(3, "name"), (4, "备注"), (5, "")]
    assert r.report.error_rows == 3


@pytest.mark.django_db
def test_organization_within_reach(users: Any) -> None:
    west, east = users.west_org, users.east_org
    r = reader(users.west_manager)
    assert r.organization(str(west.pk)) == west
    assert r.organization(west.name) == west
    with translation.override("en"):
        with pytest.raises(imports.CellError, match="No organisation you can reach matches"):
            r.organization(east.name)
        with pytest.raises(imports.CellError):
            r.organization(str(east.pk))
    staff = reader(users.staff)
    assert staff.organization(east.name) == east
    Organization.objects.filter(pk=west.pk).update(name=east.name)
    assert reader(users.west_manager).organization(east.name) == west
    with (
        translation.override("en"),
        pytest.raises(imports.CellError, match="Several organisations are called"),
    ):
        reader(users.staff).organization(east.name)


@pytest.mark.django_db
def test_execute_is_all_or_nothing_and_refuses_readers(users: Any) -> None:
    west = users.west_org
    content = csv_bytes([["名称", "单位"], ["新地址", west.name], ["x", "nobody"]])
    report = reader(users.staff).execute("f.csv", content)
    assert report.error_count == 1 and not report.written and report.updated == 0
    west.refresh_from_db()
    assert west.address != "新地址"
    partial = Reader(users.staff, imports.ImportReport(entity="test", partial=True))
    assert partial.execute("f.csv", content).written
    west.refresh_from_db()
    assert west.address == "新地址"
    viewer = reader(users.viewer).execute("f.csv", content)
    assert viewer.reason == "forbidden"
    empty = reader(users.staff).execute("f.csv", csv_bytes([["名称", "单位"]]))
    assert empty.reason == "empty"
