"""Importing units from CSV/xlsx: the row report, all-or-nothing, updates, inspections."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cityguard.equipment import imports
from cityguard.equipment.models import Equipment, Inspection

pytestmark = pytest.mark.django_db

HEADER = "设备名称,设备种类,使用登记证编号,使用单位,所在场所,最近检验日期,检验结论,技术参数\n"


def csv_bytes(*rows: str) -> bytes:
    return (HEADER + "".join(r + "\n" for r in rows)).encode("utf-8")


def test_good_file_creates_units_and_inspections(users, places):
    content = csv_bytes(
        "导入1号梯,电梯,梯11沪YP0700(19),西区化工有限公司,西区大厦,2025-06-01,合格,floors = 30; rated_load_kg = 1000",
        "导入锅炉,boiler,,西区化工有限公司,,,,",
    )
    report = imports.import_file(users.admin, "units.csv", content)
    assert report.ok and report.created == 2 and report.written, report.as_dict()
    lift = Equipment.objects.get(name="导入1号梯")
    assert lift.place == places.west_tower and lift.parameters["floors"] == 30
    assert lift.last_inspection_on.isoformat() == "2025-06-01"
    assert Equipment.objects.get(name="导入锅炉").status == "unregistered"
    # The same file again updates the registered unit (an unregistered one has no key and
    # is added again), and does not record the inspection twice.
    again = imports.import_file(users.admin, "units.csv", content)
    assert again.updated == 1 and again.created == 1
    assert Inspection.objects.count() == 1


def test_one_bad_row_writes_nothing_and_is_reported(users, places):
    content = csv_bytes(
        "好梯,电梯,梯11沪YP0701(19),西区化工有限公司,,2025-06-01,合格,",
        "坏梯,火箭,梯11沪YP0702(19),西区化工有限公司,,2099-01-01,合格,",
        "重号,电梯,梯11沪YP0701(19),西区化工有限公司,,,,",
    )
    report = imports.import_file(users.admin, "units.csv", content)
    assert not report.written and report.error_rows == 2
    fields = {(e.row, e.field) for e in report.errors}
    assert (3, "kind") in fields and (4, "registration_no") in fields
    assert not Equipment.objects.exists()
    partial = imports.import_file(users.admin, "units.csv", content, partial=True)
    assert partial.created == 1 and Equipment.objects.count() == 1


def test_future_inspection_date_reported_on_its_row(users):
    content = csv_bytes("未来梯,电梯,梯11沪YP0703(19),西区化工有限公司,,2099-01-01,合格,")
    report = imports.import_file(users.admin, "units.csv", content)
    assert not report.written
    assert [(e.row, e.field) for e in report.errors] == [(2, "last_inspection_on")]


def test_scope_and_refusals(users):
    content = csv_bytes("东区梯,电梯,梯11沪YP0704(19),东区物流有限公司,,,,")
    report = imports.import_file(users.west_manager, "units.csv", content)
    assert report.errors[0].field == "organization" and not Equipment.objects.exists()
    viewer = imports.import_file(users.viewer, "units.csv", content)
    assert viewer.reason == "forbidden"
    unknown = imports.import_file(users.admin, "units.csv", b"name,colour\nx,red\n")
    assert unknown.reason == "columns"


def test_xlsx_template_round_trip(users):
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(imports.template_xlsx()))
    assert wb.worksheets[0].cell(1, 1).value == "设备名称"
    assert imports.template_csv().startswith("\ufeff设备名称".encode())


def test_api_and_page_import(users, client, api_as):
    content = csv_bytes("接口梯,电梯,梯11沪YP0705(19),西区化工有限公司,,,,")
    api = api_as(users.admin, "/equipment")
    r = api.client.post(
        "/api/v1/equipment/import?dry_run=true",
        {"file": SimpleUploadedFile("units.csv", content)},
        **api.headers,
    )
    assert r.status_code == 200 and r.json()["created"] == 1 and not Equipment.objects.exists()
    bad = content.replace("西区化工有限公司".encode(), "不存在的公司".encode())
    r = api.client.post(
        "/api/v1/equipment/import", {"file": SimpleUploadedFile("u.csv", bad)}, **api.headers
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "organization"
    viewer = api_as(users.viewer, "/equipment")
    r = viewer.client.post(
        "/api/v1/equipment/import", {"file": SimpleUploadedFile("u.csv", content)}, **viewer.headers
    )
    assert r.status_code == 403
    client.force_login(users.admin)
    upload = io.BytesIO(content)
    upload.name = "units.csv"
    r = client.post("/equipment/import/", {"file": upload}, HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 302
    assert Equipment.objects.filter(name="接口梯").exists()
    page = client.get(r["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Written" in page
