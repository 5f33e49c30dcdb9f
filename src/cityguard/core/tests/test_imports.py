"""CSV and Excel import of organisations and places: engine, API and pages."""

from __future__ import annotations

import csv
import io
from types import SimpleNamespace
from typing import Any

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from cityguard import testing
from cityguard.core import imports
from cityguard.core.models import Organization, Place

ORG_HEADER = ["名称", "类型", "统一社会信用代码", "地址", "电话", "从业人数", "经度", "纬度"]
PLACE_HEADER = ["名称", "类型", "所属单位", "楼层数", "高度(米)", "容纳人数", "经度", "纬度"]


@pytest.fixture(autouse=True)
def fast_passwords(settings: Any) -> None:
    """The `users` fixture hashes nine passwords; a fast hasher keeps these tests quick."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def csv_bytes(rows: list[list[Any]], encoding: str = "utf-8-sig") -> bytes:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    return buf.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list[Any]]) -> bytes:
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def org_row(n: int, lon: float = 121.51, lat: float = 31.28, **over: Any) -> list[Any]:
    row = {
        "name": f"导入企业{n}",
        "kind": "企业",
        "credit_code": testing.credit_code(100 + n),
        "address": f"测试路{n}号",
        "phone": "021-6500000" + str(n % 10),
        "employees": 10 * n,
        "lon": lon,
        "lat": lat,
    }
    row.update(over)
    return list(row.values())


def run(actor: Any, rows: list[list[Any]], name: str = "orgs.csv", **kw: Any) -> Any:
    entity = kw.pop("entity", "organization")
    content = xlsx_bytes(rows) if name.endswith(".xlsx") else csv_bytes(rows)
    return imports.import_file(actor, entity, name, content, **kw)


def errors_of(report: Any) -> set[tuple[int, str]]:
    return {(e.row, e.field) for e in report.errors}


# --- good files --------------------------------------------------------------------------


def test_utf8_bom_csv_creates_organisations_with_history(users: SimpleNamespace) -> None:
    report = run(users.admin, [ORG_HEADER, org_row(1), org_row(2, lon=121.55)])
    assert report.ok and report.written, report.as_dict()
    assert (report.rows, report.created, report.updated) == (2, 2, 0)
    first = Organization.objects.get(credit_code=testing.credit_code(101))
    assert first.name == "导入企业1" and first.kind == "enterprise"
    assert first.employees == 10 and first.phone == "021-65000001"
    assert first.jurisdiction.code == "310110001001"  # derived from the point: west community
    second = Organization.objects.get(credit_code=testing.credit_code(102))
    assert second.jurisdiction.code == "310110002001"
    entry = first.history.get()
    assert entry.history_type == "+" and entry.history_user == users.admin


def test_gbk_csv_as_saved_by_chinese_excel(users: SimpleNamespace) -> None:
    content = csv_bytes([ORG_HEADER, org_row(3)], encoding="gbk")
    with pytest.raises(UnicodeDecodeError):
        content.decode("utf-8")
    report = imports.import_file(users.admin, "organization", "单位.CSV", content)
    assert report.created == 1, report.as_dict()
    assert Organization.objects.get(credit_code=testing.credit_code(103)).name == "导入企业3"


def test_xlsx_creates_places_by_every_kind_of_organisation_reference(
    users: SimpleNamespace,
) -> None:
    rows = [
        [*PLACE_HEADER, "备注"],
        ["甲商场", "商业综合体", testing.credit_code(1), 5, 28.5, 3000, 121.512, 31.281, "一号"],
        ["乙大楼", "High-rise building", users.west_org.pk, 33, 101, None, None, None, None],
        ["丙地下车库", "underground_space", "西区化工有限公司", None, None, 200, 121.52, 31.3, ""],
    ]
    report = run(users.admin, rows, "places.xlsx", entity="place")
    assert report.ok and report.created == 3, report.as_dict()
    mall = Place.objects.get(name="甲商场")
    assert (mall.kind, mall.organization, mall.floors, mall.height_m, mall.capacity) == (
        "commercial_complex",
        users.west_org,
        5,
        28.5,
        3000,
    )
    assert mall.notes == "一号" and mall.history.get().history_user == users.admin
    tower = Place.objects.get(name="乙大楼")
    assert tower.kind == "high_rise"
    assert (tower.lon, tower.lat) == (users.west_org.lon, users.west_org.lat)  # the owner's point
    assert Place.objects.get(name="丙地下车库").kind == "underground_space"


def test_english_headers_kind_labels_and_jurisdiction_by_name(users: SimpleNamespace) -> None:
    header = ["Name", "kind", "Credit code", "jurisdiction", "employees"]
    rows = [header, ["Acme", "School", "", "东街道", "1,200"]]
    report = run(users.admin, rows)
    assert report.ok, report.as_dict()
    acme = Organization.objects.get(name="Acme")
    assert acme.kind == "school" and acme.jurisdiction.code == "310110002"
    assert acme.credit_code is None and acme.employees == 1200 and acme.lon is None


def test_rows_with_an_id_or_a_known_credit_code_update(users: SimpleNamespace) -> None:
    rows = [
        ["ID", "名称", "统一社会信用代码", "电话", "从业人数"],
        [users.west_org.pk, "西区化工（更名）", "", "", 55],
        ["", "", testing.credit_code(2), "021-1234", ""],
    ]
    report = run(users.admin, rows)
    assert (report.created, report.updated, report.error_count) == (0, 2, 0), report.as_dict()
    west = Organization.objects.get(pk=users.west_org.pk)
    assert west.name == "西区化工（更名）" and west.employees == 55
    assert west.credit_code == testing.credit_code(1)  # empty cell: left as it was
    east = Organization.objects.get(pk=users.east_org.pk)
    assert east.phone == "021-1234" and east.name == "东区物流有限公司"
    assert east.history.first().history_type == "~"
    assert east.history.first().history_user == users.admin


def test_gcj02_coordinates_are_stored_as_wgs84(users: SimpleNamespace) -> None:
    from cityguard.core import geo

    glon, glat = geo.wgs84_to_gcj02(121.515, 31.285)
    report = run(users.admin, [ORG_HEADER, org_row(4, lon=glon, lat=glat)], datum="gcj02")
    assert report.ok, report.as_dict()
    org = Organization.objects.get(credit_code=testing.credit_code(104))
    assert abs(org.lon - 121.515) < 1e-5 and abs(org.lat - 31.285) < 1e-5


# --- bad rows ----------------------------------------------------------------------------


BAD_ROWS = [
    ORG_HEADER,
    org_row(1),
    org_row(2, credit_code="91310110MA00000001"),  # row 3: check character wrong
    org_row(3, lon=121.70),  # row 4: east of the district
    org_row(4, kind="飞船制造"),  # row 5: no such kind
    org_row(5),
]


def test_one_bad_row_writes_nothing_and_names_row_field_and_reason(
    users: SimpleNamespace,
) -> None:
    before = Organization.objects.count()
    with translation.override("en"):
        report = run(users.admin, BAD_ROWS)
        detail = report.detail
    assert not report.written and report.created == 0
    assert Organization.objects.count() == before
    assert errors_of(report) == {(3, "credit_code"), (4, "lon"), (5, "kind")}
    by_row = {e.row: e for e in report.errors}
    assert "check character" in by_row[3].message
    assert "outside the district" in by_row[4].message
    assert "飞船制造" in by_row[5].message and "enterprise" in by_row[5].message
    assert by_row[3].column == "统一社会信用代码" and by_row[5].column == "类型"
    assert report.error_rows == 3 and "Nothing was written" in detail


def test_partial_writes_only_the_good_rows(users: SimpleNamespace) -> None:
    report = run(users.admin, BAD_ROWS, partial=True)
    assert report.written and report.created == 2 and report.error_rows == 3
    names = set(
        Organization.objects.filter(name__startswith="导入企业").values_list("name", flat=True)
    )
    assert names == {"导入企业1", "导入企业5"}
    with translation.override("en"):
        none_valid = run(users.admin, [BAD_ROWS[0], BAD_ROWS[2]], partial=True)
        assert not none_valid.written and not none_valid.accepted
        assert "no row is valid" in none_valid.detail


def test_dry_run_checks_everything_and_writes_nothing(users: SimpleNamespace) -> None:
    before = Organization.objects.count()
    good = run(users.admin, [ORG_HEADER, org_row(1), org_row(2)], dry_run=True)
    assert good.ok and good.created == 2 and not good.written and good.accepted
    bad = run(users.admin, BAD_ROWS, dry_run=True, partial=True)
    assert errors_of(bad) == {(3, "credit_code"), (4, "lon"), (5, "kind")}
    assert Organization.objects.count() == before


def test_duplicate_credit_codes_within_the_file(users: SimpleNamespace) -> None:
    code = testing.credit_code(150)
    rows = [ORG_HEADER, org_row(1, credit_code=code), org_row(2, credit_code=code)]
    report = run(users.admin, rows)
    assert errors_of(report) == {(3, "credit_code")}
    assert "2" in report.errors[0].message
    assert not Organization.objects.filter(credit_code=code).exists()


def test_cell_errors_and_service_errors_of_one_row_are_all_reported(
    users: SimpleNamespace,
) -> None:
    rows = [
        ["名称", "类型", "统一社会信用代码", "从业人数", "经度", "纬度"],
        ["", "火箭", "123", "很多", "东经", 31.3],
    ]
    report = run(users.admin, rows)
    assert errors_of(report) == {
        (2, "name"),
        (2, "kind"),
        (2, "credit_code"),
        (2, "employees"),
        (2, "lon"),
    }


def test_place_rows_need_an_organisation_within_reach(users: SimpleNamespace) -> None:
    rows = [
        ["名称", "类型", "所属单位"],
        ["场所一", "人员密集场所", "不存在的公司"],
        ["场所二", "人员密集场所", users.east_org.pk],
    ]
    report = run(users.west_officer, rows, entity="place")
    assert errors_of(report) == {(2, "organization"), (3, "organization")}
    assert not Place.objects.exists()


# --- scoping -----------------------------------------------------------------------------


def test_street_officer_cannot_import_into_another_street(users: SimpleNamespace) -> None:
    rows = [ORG_HEADER, org_row(1, lon=121.51), org_row(2, lon=121.55)]
    with translation.override("en"):
        report = run(users.west_officer, rows)
    assert errors_of(report) == {(3, "jurisdiction")}
    assert "outside your reach" in report.errors[0].message
    assert not report.written and not Organization.objects.filter(name="导入企业1").exists()

    report = run(users.west_officer, rows, partial=True)
    assert report.created == 1
    assert Organization.objects.filter(name="导入企业1").exists()
    assert not Organization.objects.filter(name="导入企业2").exists()


def test_street_officer_cannot_update_a_record_of_another_street(users: SimpleNamespace) -> None:
    rows = [["ID", "电话"], [users.east_org.pk, "110"]]
    report = run(users.west_officer, rows)
    assert errors_of(report) == {(2, "id")}
    assert Organization.objects.get(pk=users.east_org.pk).phone != "110"


def test_enterprise_manager_imports_places_of_their_own_organisation(
    users: SimpleNamespace,
) -> None:
    rows = [
        ["名称", "类型", "所属单位"],
        ["自有仓库", "有限空间", users.west_org.pk],
        ["别家仓库", "有限空间", users.east_org.pk],
    ]
    report = run(users.west_manager, rows, entity="place", partial=True)
    assert report.created == 1 and errors_of(report) == {(3, "organization")}
    assert Place.objects.get().organization == users.west_org


def test_users_who_cannot_write_are_refused(users: SimpleNamespace) -> None:
    report = run(users.viewer, [ORG_HEADER, org_row(1)])
    assert report.refused and report.reason == "forbidden"
    assert not Organization.objects.filter(name="导入企业1").exists()


# --- refused files -----------------------------------------------------------------------


def test_unknown_column_refuses_the_file(users: SimpleNamespace) -> None:
    rows = [[*ORG_HEADER, "法人代表"], [*org_row(1), "张三"]]
    with translation.override("zh-hans"):
        report = run(users.admin, rows)
    assert report.refused and report.reason == "columns"
    assert "法人代表" in report.detail and "名称" in report.detail
    assert errors_of(report) == {(1, "法人代表")}
    with translation.override("en"):
        report = run(users.admin, rows, name="orgs.xlsx")
    assert "法人代表" in report.detail and "credit_code" in report.detail
    assert not Organization.objects.filter(name="导入企业1").exists()


def test_missing_required_column_and_duplicate_column(users: SimpleNamespace) -> None:
    report = run(users.admin, [["名称", "地址"], ["甲", "乙"]])
    assert report.reason == "columns" and errors_of(report) == {(1, "kind")}
    report = run(users.admin, [["名称", "name", "类型"], ["甲", "甲", "企业"]])
    assert report.reason == "columns"


def test_value_in_a_column_without_a_name_is_refused(users: SimpleNamespace) -> None:
    report = run(users.admin, [["名称", "", "类型"], ["甲", "?", "企业"]])
    assert report.reason == "columns" and report.errors[0].row == 2


def test_oversized_file_is_refused(users: SimpleNamespace, settings: Any) -> None:
    settings.CITYGUARD_IMPORT_MAX_BYTES = 300
    rows = [ORG_HEADER] + [org_row(n) for n in range(1, 10)]
    for name in ("big.csv", "big.xlsx"):
        report = run(users.admin, rows, name)
        assert report.refused and report.reason == "too_large", name
    assert not Organization.objects.filter(name__startswith="导入企业").exists()


def test_too_many_rows_is_refused(users: SimpleNamespace, settings: Any) -> None:
    settings.CITYGUARD_IMPORT_MAX_ROWS = 3
    rows = [ORG_HEADER] + [org_row(n) for n in range(1, 5)]
    report = run(users.admin, rows)
    assert report.reason == "too_many_rows"
    assert run(users.admin, rows[:4], dry_run=True).ok


@pytest.mark.parametrize(
    "name, content",
    [
        ("photo.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00"),
        ("orgs.xlsx", "名称,类型\n甲,企业\n".encode()),
        ("orgs.xlsx", b"PK\x03\x04 this is not really a zip"),
        ("orgs.csv", xlsx_bytes([["名称", "类型"], ["甲", "企业"]])),
        ("orgs.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100),
        ("orgs.pdf", b"%PDF-1.7\n"),
        ("orgs.csv", b""),
        ("orgs.csv", "名称,类型\n".encode()),
    ],
)
def test_files_that_are_not_usable_spreadsheets_are_refused(
    users: SimpleNamespace, name: str, content: bytes
) -> None:
    report = imports.import_file(users.admin, "organization", name, content)
    assert report.refused and report.detail and report.reason in {"format", "empty"}
    assert not report.written


def test_blank_rows_are_skipped_but_row_numbers_stay_true(users: SimpleNamespace) -> None:
    rows = [ORG_HEADER, org_row(1), [], ["", "", ""], org_row(2, kind="x")]
    report = run(users.admin, rows, "gaps.xlsx")
    assert report.rows == 2 and errors_of(report) == {(5, "kind")}


# --- templates ---------------------------------------------------------------------------


@pytest.mark.parametrize("entity", ["organization", "place"])
def test_committed_templates_match_the_columns(entity: str) -> None:
    csv_file = imports.sample_path(entity, "csv").read_bytes()
    assert csv_file == imports.template_csv(entity)
    wb = openpyxl.load_workbook(imports.sample_path(entity, "xlsx"), read_only=True)
    header = [c for c in next(wb.worksheets[0].iter_rows(values_only=True)) if c]
    assert header == imports.template_header(entity)


def test_a_filled_in_excel_template_imports(users: SimpleNamespace) -> None:
    wb = openpyxl.load_workbook(imports.sample_path("organization", "xlsx"))
    ws = wb.worksheets[0]
    values = dict.fromkeys(imports.template_header("organization"), None)
    values.update({"名称": "模板企业", "类型": "园区", "经度": 121.52, "纬度": 31.3})
    values["统一社会信用代码"] = testing.credit_code(77)
    ws.append(list(values.values()))
    buf = io.BytesIO()
    wb.save(buf)
    report = imports.import_file(users.admin, "organization", "模板.xlsx", buf.getvalue())
    assert report.ok and report.created == 1, report.as_dict()
    assert Organization.objects.get(name="模板企业").kind == "park"


# --- API ---------------------------------------------------------------------------------


def bearer(client: Client, username: str) -> dict[str, str]:
    res = client.post(
        "/api/v1/auth/token",
        {"username": username, "password": testing.PASSWORD},
        content_type="application/json",
    )
    assert res.status_code == 200, res.content
    return {"HTTP_AUTHORIZATION": f"Bearer {res.json()['token']}"}


def upload(name: str, content: bytes) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def test_api_imports_organizations(users: SimpleNamespace, client: Client) -> None:
    auth = bearer(client, "admin1")
    url = "/api/v1/organizations/import"
    content = csv_bytes([ORG_HEADER, org_row(1), org_row(2)])
    res = client.post(url, {"file": upload("o.csv", content)}, **auth)
    assert res.status_code == 200, res.content
    body = res.json()
    assert body["created"] == 2 and body["written"] is True and body["errors"] == []
    assert Organization.objects.filter(name__startswith="导入企业").count() == 2
    history = Organization.objects.get(name="导入企业1").history.get()
    assert history.history_user == users.admin


def test_api_refuses_a_file_with_bad_rows(users: SimpleNamespace, client: Client) -> None:
    auth = bearer(client, "admin1")
    url = "/api/v1/organizations/import"
    content = csv_bytes(BAD_ROWS)
    res = client.post(url, {"file": upload("o.csv", content)}, HTTP_ACCEPT_LANGUAGE="en", **auth)
    assert res.status_code == 422
    body = res.json()
    assert "Nothing was written" in body["detail"]
    assert {(e["row"], e["field"]) for e in body["errors"]} == {
        (3, "credit_code"),
        (4, "lon"),
        (5, "kind"),
    }
    assert all(e["message"] for e in body["errors"])
    assert not Organization.objects.filter(name__startswith="导入企业").exists()

    res = client.post(f"{url}?partial=true", {"file": upload("o.csv", content)}, **auth)
    assert res.status_code == 200 and res.json()["created"] == 2
    res = client.post(f"{url}?dry_run=true", {"file": upload("o.csv", content)}, **auth)
    assert res.status_code == 200 and res.json()["dry_run"] is True


def test_api_refused_files(users: SimpleNamespace, client: Client, settings: Any) -> None:
    auth = bearer(client, "admin1")
    url = "/api/v1/places/import"
    res = client.post(
        url, {"file": upload("p.csv", csv_bytes([["名称", "颜色"], ["a", "b"]]))}, **auth
    )
    assert res.status_code == 422 and "颜色" in res.json()["detail"]
    res = client.post(url, {"file": upload("p.docx", b"hello")}, **auth)
    assert res.status_code == 422
    res = client.post(url, {}, **auth)
    assert res.status_code == 422
    settings.CITYGUARD_IMPORT_MAX_BYTES = 50
    big = csv_bytes([PLACE_HEADER, ["x" * 100, "其他", users.west_org.pk]])
    res = client.post(url, {"file": upload("p.csv", big)}, **auth)
    assert res.status_code == 413 and res.json()["reason"] == "too_large"


def test_api_scoping_and_permissions(users: SimpleNamespace, client: Client) -> None:
    url = "/api/v1/organizations/import"
    content = csv_bytes([ORG_HEADER, org_row(1, lon=121.55)])
    res = client.post(url, {"file": upload("o.csv", content)})
    assert res.status_code == 401
    res = client.post(url, {"file": upload("o.csv", content)}, **bearer(client, "viewer1"))
    assert res.status_code == 403
    res = client.post(url, {"file": upload("o.csv", content)}, **bearer(client, "west1"))
    assert res.status_code == 422
    assert [(e["row"], e["field"]) for e in res.json()["errors"]] == [(2, "jurisdiction")]


# --- pages -------------------------------------------------------------------------------


def login(client: Client, username: str) -> Client:
    assert client.login(username=username, password=testing.PASSWORD)
    return client


def test_import_page_flow_upload_then_report(users: SimpleNamespace, client: Client) -> None:
    login(client, "admin1")
    url = reverse("core:organization_import")
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'enctype="multipart/form-data"' in html and 'name="partial"' in html
    assert reverse("core:organization_import_template", args=["xlsx"]) in html

    content = csv_bytes(BAD_ROWS)
    res = client.post(url, {"file": upload("bad.csv", content), "datum": "wgs84"})
    assert res.status_code == 302
    report = client.get(res["Location"], HTTP_ACCEPT_LANGUAGE="en")
    html = report.content.decode()
    assert "bad.csv" in html and "飞船制造" in html and "统一社会信用代码" in html
    assert '<td class="num" data-label="Row">4</td>' in html
    assert not Organization.objects.filter(name__startswith="导入企业").exists()
    # The report is shown once: reloading does not import again or show it again.
    assert "飞船制造" not in client.get(res["Location"]).content.decode()

    res = client.post(
        url, {"file": upload("bad.csv", content), "partial": "on", "datum": "wgs84"}, follow=True
    )
    assert res.status_code == 200
    assert Organization.objects.filter(name__startswith="导入企业").count() == 2


def test_import_page_for_places_and_form_errors(users: SimpleNamespace, client: Client) -> None:
    login(client, "west1")
    url = reverse("core:place_import")
    res = client.post(url, {"datum": "wgs84"})
    assert res.status_code == 200 and 'class="field-error"' in res.content.decode()
    rows = [["名称", "类型", "所属单位"], ["西区场所", "人员密集场所", users.west_org.pk]]
    res = client.post(url, {"file": upload("p.xlsx", xlsx_bytes(rows)), "datum": "wgs84"})
    assert res.status_code == 302
    assert Place.objects.get().name == "西区场所"


def test_import_page_is_for_writers_only(users: SimpleNamespace, client: Client) -> None:
    url = reverse("core:organization_import")
    assert client.get(url).status_code == 302  # to the login page
    login(client, "viewer1")
    assert client.get(url).status_code == 403
    assert client.post(url, {"file": upload("o.csv", csv_bytes([ORG_HEADER]))}).status_code == 403


@pytest.mark.parametrize("entity", ["organization", "place"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_template_download(users: SimpleNamespace, client: Client, entity: str, fmt: str) -> None:
    login(client, "viewer1")
    res = client.get(reverse(f"core:{entity}_import_template", args=[fmt]))
    assert res.status_code == 200
    assert b"".join(res.streaming_content) == imports.sample_path(entity, fmt).read_bytes()
    assert "attachment" in res["Content-Disposition"]
