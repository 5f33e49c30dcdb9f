"""Importing sensors from CSV or Excel, through the page and the API: the row-by-row
report, all-or-nothing by default, and the same rules as the form (services.save_sensor)."""

from __future__ import annotations

import io
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cityguard import testing
from cityguard.monitoring import imports
from cityguard.monitoring.models import Sensor

from .test_pages import build_world, login

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(district: testing.District, users: SimpleNamespace) -> SimpleNamespace:
    return build_world(district, users)


HEADER = "编码,名称,类型,单位,经度,纬度,所属单位,场所,上报间隔(秒)\n"


def _csv(*rows: str, header: str = HEADER) -> bytes:
    return (header + "\n".join(rows) + "\n").encode("utf-8")


def test_a_good_file_creates_and_updates_sensors(world: SimpleNamespace) -> None:
    content = _csv(
        f"WL-1,车库水位,水位,,121.512,31.291,{world.west_org.credit_code},,30",
        "GAS-1,Kitchen gas,Combustible gas,%LEL,121.513,31.292,,,",
        "W-1,renamed,water_level,m,121.515,31.29,,,60",
    )
    report = imports.import_file(world.west_officer, "s.csv", content)
    assert report.ok and report.written, report.as_dict()
    assert (report.created, report.updated) == (2, 1)
    wl = Sensor.objects.get(code="WL-1")
    assert wl.kind == "water_level" and wl.unit == "m" and wl.expected_interval_s == 30
    assert wl.organization == world.west_org and wl.street == world.district.west
    assert wl.history.first().history_user == world.west_officer
    assert Sensor.objects.get(code="GAS-1").kind == "combustible_gas"
    assert Sensor.objects.get(code="W-1").name == "renamed"


def test_one_bad_row_writes_nothing_and_reports_row_field_and_reason(
    world: SimpleNamespace,
) -> None:
    content = _csv(
        "OK-1,ok,水位,,121.512,31.291,,,",
        "BAD-1,bad,volcano,,121.512,31.291,,,",
        "BAD-2,bad,水位,,abc,31.291,,,0",
        "OK-1,dup,水位,,121.512,31.291,,,",
        "E-9,east,水位,,121.545,31.29,,,",
    )
    report = imports.import_file(world.west_officer, "s.csv", content)
    assert not report.written and report.created == 0
    errors = {(e.row, e.field) for e in report.errors}
    assert (3, "kind") in errors
    assert (4, "lon") in errors and (4, "expected_interval_s") in errors
    assert (5, "code") in errors
    assert any(e.row == 6 for e in report.errors)  # outside the officer's street
    kind_error = next(e for e in report.errors if e.field == "kind")
    assert kind_error.column == "类型" and "volcano" in kind_error.message
    assert not Sensor.objects.filter(code="OK-1").exists()
    # partial=True writes the good row only; dry_run writes nothing at all.
    dry = imports.import_file(world.west_officer, "s.csv", content, partial=True, dry_run=True)
    assert dry.created == 1 and not dry.written and not Sensor.objects.filter(code="OK-1").exists()
    part = imports.import_file(world.west_officer, "s.csv", content, partial=True)
    assert part.written and part.created == 1 and Sensor.objects.filter(code="OK-1").exists()


def test_files_that_cannot_be_read_are_refused(world: SimpleNamespace) -> None:
    assert imports.import_file(world.admin, "s.csv", b"").reason == "empty"
    assert imports.import_file(world.admin, "s.pdf", b"%PDF").reason == "format"
    unknown = imports.import_file(world.admin, "s.csv", _csv("A,b", header="编码,颜色\n"))
    assert unknown.reason == "columns" and any(e.column == "颜色" for e in unknown.errors)
    missing = imports.import_file(world.admin, "s.csv", _csv("A", header="编码\n"))
    assert missing.reason == "columns"
    assert (
        imports.import_file(world.viewer, "s.csv", _csv("A,,水位,,121.5,31.29,,,")).reason
        == "forbidden"
    )


def test_an_excel_file_and_the_templates(world: SimpleNamespace) -> None:
    import openpyxl

    template = imports.template_xlsx()
    wb = openpyxl.load_workbook(io.BytesIO(template))
    ws = wb.active
    assert [c.value for c in ws[1]] == [c.header for c in imports.COLUMNS]
    # The template's example row imports as it is.
    report = imports.import_file(world.admin, "t.xlsx", template)
    assert report.ok and report.created == 1, report.as_dict()
    assert Sensor.objects.filter(code="WL-0001").exists()
    csv_template = imports.template_csv().decode("utf-8-sig")
    assert csv_template.splitlines()[0] == HEADER.strip()


def test_the_import_page(world: SimpleNamespace) -> None:
    client = login(world.west_officer, "en")
    upload = SimpleUploadedFile("s.csv", _csv("P-1,page,水位,,121.512,31.291,,,"))
    response = client.post(
        reverse("monitoring:sensor_import"),
        {"file": upload, "datum": "wgs84"},
    )
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.context["report"]["created"] == 1
    assert Sensor.objects.filter(code="P-1").exists()
    # Reloading the report does not import again, and shows no report.
    assert client.get(response["Location"]).context["report"] is None
    for fmt in ("csv", "xlsx"):
        got = client.get(reverse("monitoring:sensor_import_template", args=[fmt]))
        assert got.status_code == 200 and "attachment" in got["Content-Disposition"]
    html = client.get(reverse("monitoring:sensor_list")).content.decode()
    assert reverse("monitoring:sensor_import") in html


def _upload(api: Any, upload: Any) -> Any:
    return api.client.post(api.prefix + "/import/sensors", {"file": upload}, **api.headers)


def test_the_api_route(world: SimpleNamespace, api_as: Any) -> None:
    api = api_as(world.staff, "/monitoring")
    bad = SimpleUploadedFile("s.csv", _csv("A-1,a,volcano,,121.512,31.291,,,"))
    response = _upload(api, bad)
    assert response.status_code == 422
    body = response.json()
    assert body["errors"][0]["row"] == 2 and body["errors"][0]["field"] == "kind"
    good = SimpleUploadedFile("s.csv", _csv("A-1,a,水位,,121.512,31.291,,,"))
    response = _upload(api, good)
    assert response.status_code == 200 and response.json()["created"] == 1
    viewer = api_as(world.viewer, "/monitoring")
    again = SimpleUploadedFile("s.csv", _csv("A-2,a,水位,,121.512,31.291,,,"))
    assert _upload(viewer, again).status_code == 403
    assert not Sensor.objects.filter(code="A-2").exists()
