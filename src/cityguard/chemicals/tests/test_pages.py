"""The chemicals pages: every page in both languages, scoping, forms through the services,
the calculator, the trace graph and the inventory import."""

from __future__ import annotations

import io
import json
import re
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from cityguard.chemicals import ledger, services, transport
from cityguard.chemicals.choices import FlowKind
from cityguard.chemicals.models import Assessment, Flow, Inventory, TransportFiling, Unit

from .conftest import make_unit
from .test_licences import make_licence

pytestmark = pytest.mark.django_db


def login(client: Client, user: Any, language: str = "zh-hans") -> Client:
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


@pytest.fixture
def stocked(users: SimpleNamespace, chems: SimpleNamespace) -> SimpleNamespace:
    unit = make_unit(users.admin, users.west_org, "液氯储罐区", exposed_population=60)
    services.replace_inventories(
        users.admin, unit, [(chems.chlorine, 3, ""), (chems.ammonia, 20, "")]
    )
    make_licence(users.admin, users.east_org, "沪杨危化经〔2024〕0001")
    flow = ledger.record_flow(
        users.admin,
        {
            "organization": users.west_org,
            "chemical": chems.toluene,
            "kind": FlowKind.PURCHASE,
            "quantity": 5,
            "quantity_unit": "t",
            "counterparty": users.east_org,
            "lot": "L-7",
        },
    )
    transport.add_to_blacklist(
        users.admin, {"kind": "vehicle", "identifier": "沪A99999", "reason": "超载"}
    )
    return SimpleNamespace(unit=unit, flow=flow, source=unit.major_hazard)


PAGES = [
    ("chemicals:home", []),
    ("chemicals:catalogue", []),
    ("chemicals:calculator", []),
    ("chemicals:enterprise_list", []),
    ("chemicals:source_list", []),
    ("chemicals:licence_list", []),
    ("chemicals:licence_create", []),
    ("chemicals:flow_list", []),
    ("chemicals:flow_create", []),
    ("chemicals:count_create", []),
    ("chemicals:filing_list", []),
    ("chemicals:filing_create", []),
    ("chemicals:blacklist", []),
    ("chemicals:inventory_import", []),
    ("chemicals:unit_create", []),
    ("chemicals:cancelled_licences", []),
]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_page_renders_in_both_languages(
    client: Client, users: SimpleNamespace, stocked: SimpleNamespace, language: str
) -> None:
    login(client, users.admin, language)
    urls = [reverse(name, args=args) for name, args in PAGES] + [
        reverse("chemicals:unit_detail", args=[stocked.unit.pk]),
        reverse("chemicals:unit_edit", args=[stocked.unit.pk]),
        reverse("chemicals:enterprise_detail", args=[users.west_org.pk]),
        reverse("chemicals:source_edit", args=[stocked.source.pk]),
        reverse("chemicals:chemical_detail", args=[stocked.flow.chemical_id]),
        reverse("chemicals:trace") + "?lot=L-7",
        reverse("chemicals:catalogue") + "?q=７７８２－５０－５",
    ]
    for url in urls:
        r = client.get(url)
        assert r.status_code == 200, url
        text = r.content.decode()
        assert f'<html lang="{language}"' in text
        assert 'name="viewport"' in text and not re.search(r"(src|href)=\"https?://", text)


def test_lists_export(client: Client, users: SimpleNamespace, stocked: SimpleNamespace) -> None:
    login(client, users.admin, "en")
    for name in ("enterprise_list", "source_list", "licence_list", "flow_list", "filing_list"):
        r = client.get(reverse(f"chemicals:{name}") + "?format=xlsx")
        assert r.status_code == 200 and r["Content-Disposition"].endswith('.xlsx"'), name
    r = client.get(reverse("chemicals:source_list") + "?format=csv")
    body = b"".join(r.streaming_content).decode("utf-8-sig")
    assert f"MH-{stocked.unit.pk:06d}" in body


def test_unit_page_changes_the_inventory_through_the_service(
    client: Client, users: SimpleNamespace, stocked: SimpleNamespace
) -> None:
    login(client, users.west_manager, "en")
    url = reverse("chemicals:unit_detail", args=[stocked.unit.pk])
    page = client.get(url).content.decode()
    assert "Grade 4" in page and "9.60" in page
    r = client.post(url, {"chemical": "液氯", "max_quantity_t": "30"})
    assert r.status_code == 302
    stocked.unit.refresh_from_db()
    assert stocked.unit.grade == 3 and stocked.unit.r == pytest.approx(42)
    # A bad quantity shows the error and writes nothing.
    r = client.post(url, {"chemical": "液氯", "max_quantity_t": "-2"})
    assert r.status_code == 200 and "field-error" in r.content.decode()
    r = client.post(url, {"chemical": "9004-70-0", "max_quantity_t": "2"})
    assert "names several catalogue entries" in r.content.decode()
    assert Inventory.objects.get(unit=stocked.unit, chemical__key="t1-12").max_quantity_t == 30


def test_enterprise_users_only_reach_their_own_units(
    client: Client, users: SimpleNamespace, stocked: SimpleNamespace
) -> None:
    login(client, users.east_manager, "en")
    assert client.get(reverse("chemicals:unit_detail", args=[stocked.unit.pk])).status_code == 404
    r = client.get(reverse("chemicals:enterprise_list"))
    assert users.west_org.name not in r.content.decode()
    r = client.post(
        reverse("chemicals:unit_detail", args=[stocked.unit.pk]),
        {"chemical": "液氯", "max_quantity_t": "1"},
    )
    assert r.status_code == 404
    login(client, users.viewer, "en")
    r = client.post(
        reverse("chemicals:unit_detail", args=[stocked.unit.pk]),
        {"chemical": "液氯", "max_quantity_t": "1"},
    )
    assert r.status_code == 403
    assert client.get(reverse("chemicals:unit_create")).status_code == 403


def test_new_unit_page(client: Client, users: SimpleNamespace) -> None:
    login(client, users.west_manager, "en")
    r = client.post(
        reverse("chemicals:unit_create"),
        {
            "organization": users.west_org.pk,
            "kind": "storage",
            "name": "2号仓库",
            "exposed_population": "12",
            "is_active": "on",
        },
    )
    assert r.status_code == 302
    unit = Unit.objects.get(name="2号仓库")
    assert unit.exposed_population == 12 and Assessment.objects.filter(unit=unit).count() == 1


def test_calculator_page(client: Client, users: SimpleNamespace) -> None:
    login(client, users.viewer, "en")
    r = client.get(
        reverse("chemicals:calculator"),
        {
            "chemical_0": "氯",
            "quantity_0": "3",
            "chemical_1": "7664-41-7",
            "quantity_1": "20",
            "exposed_population": "60",
        },
    )
    text = r.content.decode()
    assert r.status_code == 200 and 'id="result"' in text
    assert ">2.6<" in text and ">9.6<" in text and "Grade 4" in text
    r = client.get(reverse("chemicals:calculator"), {"chemical_0": "神秘物质", "quantity_0": "3"})
    assert "not in the catalogue" in r.content.decode()
    assert not Assessment.objects.exists()


def test_trace_page_carries_the_graph(
    client: Client, users: SimpleNamespace, stocked: SimpleNamespace
) -> None:
    login(client, users.admin, "en")
    r = client.get(reverse("chemicals:trace"), {"lot": "L-7"})
    text = r.content.decode()
    data = json.loads(
        re.search(
            r'<script id="trace-data" type="application/json">(.*?)</script>', text, re.S
        ).group(1)
    )  # type: ignore[union-attr]
    assert len(data["links"]) == 1 and data["links"][0]["quantity_t"] == 5
    assert "vendor/echarts/echarts.min.js" in text


def test_flow_and_filing_forms(
    client: Client, users: SimpleNamespace, stocked: SimpleNamespace
) -> None:
    login(client, users.west_manager, "en")
    r = client.post(
        reverse("chemicals:flow_create"),
        {
            "organization": users.west_org.pk,
            "kind": "use",
            "chemical": "甲苯",
            "quantity": "9",
            "quantity_unit": "t",
        },
    )
    assert r.status_code == 200 and "below zero" in r.content.decode()
    r = client.post(
        reverse("chemicals:flow_create"),
        {
            "organization": users.west_org.pk,
            "kind": "use",
            "chemical": "甲苯",
            "quantity": "2000",
            "quantity_unit": "kg",
        },
    )
    assert r.status_code == 302
    assert Flow.objects.filter(kind="use").get().quantity_t == 2
    form = {
        "organization": users.west_org.pk,
        "chemical": "汽油",
        "quantity": "20",
        "quantity_unit": "t",
        "vehicle_plate": "沪A·99999",
        "driver_name": "赵",
        "driver_id": "D1",
        "escort_name": "钱",
        "carrier_name": "某运输公司",
        "origin": "甲",
        "destination": "乙",
        "window_start": "2030-01-01T08:00",
        "window_end": "2030-01-01T12:00",
    }
    r = client.post(reverse("chemicals:filing_create"), form)
    assert r.status_code == 200 and "is on the blacklist" in r.content.decode()
    form["vehicle_plate"] = "沪A11111"
    assert client.post(reverse("chemicals:filing_create"), form).status_code == 302
    assert TransportFiling.objects.count() == 1
    # Enterprise managers neither read nor keep the blacklist.
    assert client.get(reverse("chemicals:blacklist")).status_code == 403


def _xlsx(rows: list[list[Any]]) -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_inventory_import_reports_row_by_row(
    client: Client, users: SimpleNamespace, chems: SimpleNamespace
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    login(client, users.west_manager, "en")
    header = [
        "单位",
        "单元",
        "单元类型",
        "化学品",
        "规格",
        "设计最大量",
        "计量单位",
        "周边500米人口",
    ]
    bad = _xlsx(
        [
            header,
            [users.west_org.name, "3号罐区", "储存单元", "液氯", None, 3, "t", 60],
            [users.west_org.name, "3号罐区", None, "无此化学品", None, 1, None, None],
            [users.west_org.name, "3号罐区", None, "氨", None, -5, None, None],
            [users.east_org.name, "东罐区", "储存单元", "氨", None, 5, None, None],
            [users.west_org.name, "4号罐区", None, "氨", None, 5, "桶", None],
        ]
    )
    url = reverse("chemicals:inventory_import")
    r = client.post(url, {"file": SimpleUploadedFile("inv.xlsx", bad)}, follow=True)
    report = r.content.decode()
    assert "Nothing was written" in report
    rows = re.findall(r'data-label="Row">(\d+)<', report)
    assert rows == ["3", "4", "5", "6"]
    assert not Unit.objects.filter(name="3号罐区").exists()

    good = _xlsx(
        [
            header,
            [users.west_org.name, "3号罐区", "储存单元", "液氯", None, 3, "t", 60],
            [users.west_org.name, "3号罐区", None, "液氨", None, 20000, "kg", None],
        ]
    )
    r = client.post(url, {"file": SimpleUploadedFile("inv.xlsx", good)}, follow=True)
    assert "created: 2" in r.content.decode()
    unit = Unit.objects.get(name="3号罐区")
    assert unit.is_major and unit.grade == 4 and unit.r == pytest.approx(9.6)
    assert Assessment.objects.filter(unit=unit, trigger="import").count() == 1
    r = client.get(reverse("chemicals:inventory_import_template", args=["xlsx"]))
    assert r.status_code == 200 and r.content.startswith(b"PK")


def test_admin_edits_the_catalogue_through_the_service(client: Client, db: Any) -> None:
    from django.contrib.auth import get_user_model

    from cityguard.chemicals.models import Chemical

    root = get_user_model().objects.create_superuser("root", "root@example.com", "pw-123456789")
    client.force_login(root)
    for name in ("chemical", "unit", "assessment", "majorhazardsource", "licence", "flow"):
        assert client.get(f"/admin/chemicals/{name}/").status_code == 200, name
    chem = Chemical.objects.get(key="diesel")
    page = client.get(f"/admin/chemicals/chemical/{chem.pk}/change/")
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "id"}
    data.update(
        {
            "aliases": json.dumps(["轻柴油", "0号柴油"], ensure_ascii=False),
            "cas_numbers": json.dumps(chem.cas_numbers),
            "categories": json.dumps(chem.categories),
            "sds-TOTAL_FORMS": "1",
            "sds-INITIAL_FORMS": "1",
            "sds-MIN_NUM_FORMS": "0",
            "sds-MAX_NUM_FORMS": "1",
            "sds-0-id": str(chem.sds.pk),
            "sds-0-chemical": str(chem.pk),
            "sds-0-hazards": "易燃液体",
            "_save": "Save",
        }
    )
    for key in ("highly_toxic", "explosive_precursor", "is_active"):
        if not data.get(key):
            data.pop(key, None)
    r = client.post(f"/admin/chemicals/chemical/{chem.pk}/change/", data)
    assert r.status_code == 302, r.content.decode()[:2000]
    assert services.resolve("0号柴油").pk == chem.pk
    assert client.post("/admin/chemicals/unit/add/").status_code == 403
