"""Exports: the CSV/xlsx writer, and the list pages' exports holding exactly their rows."""

from __future__ import annotations

import csv
import datetime as dt
import io
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from cityguard import testing
from cityguard.core import export, services
from cityguard.core.models import Organization

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
# xlsx has no time zones: cells hold the site's local time (Asia/Shanghai), naive.
LOCAL_1030 = dt.datetime(2025, 3, 1, 10, 30, tzinfo=SHANGHAI).replace(tzinfo=None)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    # PBKDF2 at Django's work factor costs ~0.5 s per user created by the fixtures.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def body(response: Any) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def csv_rows(response: Any) -> list[list[str]]:
    data = body(response)
    assert data.startswith(b"\xef\xbb\xbf"), "CSV must start with a UTF-8 BOM for Excel"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def xlsx_rows(response: Any) -> list[list[Any]]:
    wb = load_workbook(io.BytesIO(body(response)), read_only=True)
    ws = wb.worksheets[0]
    return [list(row) for row in ws.iter_rows(values_only=True)]


COLUMNS: list[export.Column] = [
    ("名称", lambda r: r["name"]),
    ("Count", lambda r: r["n"]),
    ("When", lambda r: r["at"]),
    ("Active", lambda r: r["ok"]),
]
ROWS = [
    {
        "name": "杨浦化工厂",
        "n": 12,
        "at": dt.datetime(2025, 3, 1, 2, 30, tzinfo=dt.UTC),
        "ok": True,
    },
    {"name": '=HYPERLINK("x")', "n": -3.5, "at": None, "ok": False},
    {"name": "bell\x07", "n": None, "at": None, "ok": None},
]


# --- the writer ------------------------------------------------------------------------


def test_csv_has_bom_headers_and_values(settings: Any) -> None:
    with translation.override("en"):
        response = export.export(ROWS, COLUMNS, "csv", "things")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="things-') and disposition.endswith('.csv"')
    with translation.override("en"):
        rows = csv_rows(response)  # the stream is produced as it is read
    assert rows[0] == ["名称", "Count", "When", "Active"]
    # times in the site's zone (Asia/Shanghai), as a reader expects them
    assert rows[1] == ["杨浦化工厂", "12", "2025-03-01 10:30:00", "Yes"]
    # formula-looking text is defused; numbers stay numbers
    assert rows[2] == ['\'=HYPERLINK("x")', "-3.5", "", "No"]
    assert rows[3] == ["bell", "", "", ""]


def test_xlsx_keeps_types(settings: Any) -> None:
    with translation.override("en"):
        response = export.export(ROWS, COLUMNS, "xlsx", "things", title="Things")
    assert response["Content-Type"] == export.XLSX_CONTENT_TYPE
    assert response["Content-Disposition"].endswith('.xlsx"')
    wb = load_workbook(io.BytesIO(body(response)))
    ws = wb["Things"]
    assert ws.freeze_panes == "A2"
    assert ws["A1"].font.bold
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    assert rows[0] == ["名称", "Count", "When", "Active"]
    assert rows[1] == ["杨浦化工厂", 12, LOCAL_1030, "Yes"]
    assert rows[2][0] == '\'=HYPERLINK("x")' and rows[2][1] == -3.5
    assert rows[3][0] == "bell"  # a control character would corrupt the workbook


def test_row_cap() -> None:
    with pytest.raises(export.TooManyRows) as caught:
        export.export(ROWS, COLUMNS, "csv", "things", limit=2)
    assert caught.value.count == 3 and caught.value.limit == 2
    assert "3" in caught.value.message and "2" in caught.value.message
    assert export.export(ROWS, COLUMNS, "csv", "things", limit=3).status_code == 200


def test_generators_are_exported_whole() -> None:
    response = export.export((r for r in ROWS), COLUMNS, "csv", "things")
    assert len(csv_rows(response)) == 4


def test_unknown_format() -> None:
    with pytest.raises(ValueError):
        export.export(ROWS, COLUMNS, "pdf", "things")


def test_cell_values() -> None:
    assert export.cell(None) == ""
    assert export.cell(0) == 0
    assert export.cell("+1 555") == "'+1 555"
    assert export.cell("-") == "'-"
    assert export.cell("plain") == "plain"
    naive = export.cell(dt.datetime(2025, 1, 1, 0, 0, tzinfo=SHANGHAI))
    assert naive.tzinfo is None and naive.isoformat() == "2025-01-01T00:00:00"


# --- the list pages' exports -----------------------------------------------------------


@pytest.fixture
def many(users: SimpleNamespace, district: testing.District) -> SimpleNamespace:
    """More organisations than one page holds, in the west, plus a school."""
    Organization.objects.bulk_create(
        Organization(
            name=f"批量公司{i:03d}",
            kind="enterprise",
            jurisdiction=district.west_community,
            lon=121.51,
            lat=31.27,
            address="=cmd|' /C calc'!A0" if i == 0 else "",
        )
        for i in range(70)
    )
    school = testing.make_organization(users.admin, "东区学校", 121.55, 31.30, kind="school")
    return SimpleNamespace(school=school)


def test_organization_export_holds_every_page_of_the_filtered_list(
    client: Client, users: Any, many: Any
) -> None:
    client.force_login(users.admin)
    url = reverse("core:organization_list")
    page = client.get(url, {"kind": "enterprise"})
    assert page.context["paginator"].count == 72
    # the links carry the filters and drop the page number
    text = page.content.decode()
    assert 'href="?kind=enterprise&amp;format=csv"' in text
    assert 'href="?kind=enterprise&amp;format=xlsx"' in text

    response = client.get(
        url, {"kind": "enterprise", "format": "csv", "page": 2}, HTTP_ACCEPT_LANGUAGE="en"
    )
    rows = csv_rows(response)
    assert response["X-Export-Rows"] == "72"
    assert rows[0][:3] == ["ID", "Name", "Kind"]
    names = [r[1] for r in rows[1:]]
    assert len(names) == 72
    assert "东区学校" not in names
    assert names == sorted(names)  # the list's order
    # the spreadsheet will not run a formula planted in the data
    assert "'=cmd|' /C calc'!A0" in [r[7] for r in rows[1:]]

    response = client.get(url, {"kind": "enterprise", "format": "xlsx"})
    xrows = xlsx_rows(response)
    assert len(xrows) == 73
    assert [r[1] for r in xrows[1:]] == names
    assert response["Content-Disposition"].startswith('attachment; filename="organizations-')


def test_export_is_scoped_like_the_list(client: Client, users: Any, many: Any) -> None:
    client.force_login(users.east_officer)
    url = reverse("core:organization_list")
    names = [r[1] for r in csv_rows(client.get(url, {"format": "csv"}))[1:]]
    assert sorted(names) == ["东区学校", "东区物流有限公司"]
    xnames = [r[1] for r in xlsx_rows(client.get(url, {"format": "xlsx"}))[1:]]
    assert sorted(xnames) == ["东区学校", "东区物流有限公司"]


def test_west_officer_export_leaves_out_the_east(client: Client, users: Any) -> None:
    services.save_place(
        users.admin,
        {"name": "东区商场", "kind": "commercial_complex", "organization": users.east_org},
    )
    services.save_place(
        users.admin, {"name": "西区仓库", "kind": "crowded_place", "organization": users.west_org}
    )
    client.force_login(users.west_officer)
    for fmt, read in (("csv", csv_rows), ("xlsx", xlsx_rows)):
        orgs = read(client.get(reverse("core:organization_list"), {"format": fmt}))
        assert [r[1] for r in orgs[1:]] == ["西区化工有限公司"], fmt
        assert orgs[1][4] == "西街道" and orgs[1][3] == users.west_org.credit_code
        places = read(client.get(reverse("core:place_list"), {"format": fmt}))
        assert [r[1] for r in places[1:]] == ["西区仓库"], fmt
        assert places[1][3] == "西区化工有限公司"


def test_manager_export_is_their_organisation(client: Client, users: Any, many: Any) -> None:
    client.force_login(users.west_manager)
    rows = csv_rows(client.get(reverse("core:organization_list"), {"format": "csv"}))
    assert [r[1] for r in rows[1:]] == ["西区化工有限公司"]


def test_export_over_the_cap_says_so(
    client: Client, users: Any, many: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(export, "MAX_ROWS", 50)
    client.force_login(users.admin)
    url = reverse("core:organization_list")
    response = client.get(url, {"q": "批量", "format": "xlsx"})
    assert response.status_code == 302
    assert response["Location"] == f"{url}?q=%E6%89%B9%E9%87%8F"
    page = client.get(response["Location"])
    assert (
        "50" in page.content.decode() and 'class="message message-error"' in page.content.decode()
    )
    # a narrower list exports
    assert client.get(url, {"q": "批量公司00", "format": "csv"}).status_code == 200


def test_unknown_format_shows_the_list(client: Client, users: Any) -> None:
    client.force_login(users.admin)
    response = client.get(reverse("core:organization_list"), {"format": "pdf"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")


def test_jurisdiction_export_counts(client: Client, users: Any, district: Any) -> None:
    client.force_login(users.west_officer)
    rows = csv_rows(
        client.get(
            reverse("core:jurisdiction_list"),
            {"level": "street", "format": "csv"},
            HTTP_ACCEPT_LANGUAGE="en",
        )
    )
    header = rows[0]
    by_code = {r[0]: dict(zip(header, r, strict=True)) for r in rows[1:]}
    assert set(by_code) == {district.west.code, district.east.code}
    # counts are of what the user may see
    assert by_code[district.west.code]["Organisations"] == "1"
    assert by_code[district.east.code]["Organisations"] == "0"


def test_export_headers_follow_the_language(client: Client, users: Any) -> None:
    client.force_login(users.admin)
    rows = csv_rows(
        client.get(reverse("core:place_list"), {"format": "csv"}, HTTP_ACCEPT_LANGUAGE="en")
    )
    assert rows[0][:4] == ["ID", "Name", "Kind", "Organisation"]
