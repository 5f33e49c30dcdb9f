"""The chemicals API: the calculator, catalogue search, units and their inventories."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client

from cityguard.chemicals.models import Assessment, Inventory, Unit
from cityguard.core.models import ApiToken

pytestmark = pytest.mark.django_db

ASSESS = "/api/v1/chemicals/major-hazard/assess"


class Api:
    def __init__(self, client: Client, user: Any = None) -> None:
        self.client = client
        self.headers = {"HTTP_ACCEPT_LANGUAGE": "en"}
        if user is not None:
            _token, raw = ApiToken.issue(user)
            self.headers["HTTP_AUTHORIZATION"] = f"Bearer {raw}"

    def get(self, url: str, **params: Any) -> Any:
        return self.client.get(url, params, **self.headers)

    def send(self, method: str, url: str, body: Any) -> Any:
        data = body if isinstance(body, str) else json.dumps(body)
        return getattr(self.client, method)(
            url, data=data, content_type="application/json", **self.headers
        )

    def post(self, url: str, body: Any) -> Any:
        return self.send("post", url, body)

    def put(self, url: str, body: Any) -> Any:
        return self.send("put", url, body)

    def patch(self, url: str, body: Any) -> Any:
        return self.send("patch", url, body)


@pytest.fixture
def api(client: Client, users: SimpleNamespace) -> Api:
    return Api(client, users.viewer)


def test_assess_the_chlorine_and_ammonia_case(api: Api) -> None:
    body = {
        "items": [
            {"chemical": "7782-50-5", "quantity_t": 3.0},
            {"chemical": "液氨", "quantity_t": 20},
        ],
        "exposed_population": 60,
    }
    r = api.post(ASSESS, body)
    assert r.status_code == 200, r.content
    out = r.json()
    assert out["s"] == 2.6 and out["is_major"] is True
    assert out["r"] == 9.6 and out["grade"] == 4 and out["alpha"] == 1.5
    chlorine, ammonia = out["items"]
    assert chlorine["chemical"] == "7782-50-5" and chlorine["name"] == "氯"
    assert (chlorine["threshold_t"], chlorine["beta"], chlorine["ratio"]) == (5, 4, 0.6)
    assert (ammonia["threshold_t"], ammonia["beta"], ammonia["ratio"]) == (10, 2, 2)
    assert Assessment.objects.count() == 0  # the calculator stores nothing


def test_assess_item_not_in_table1_uses_its_categories(api: Api) -> None:
    r = api.post(
        ASSESS,
        {
            "items": [
                {"chemical": "某种溶剂混合物", "categories": ["W5.3", "J3"], "quantity_t": 60},
            ],
            "exposed_population": 0,
        },
    )
    assert r.status_code == 200, r.content
    (item,) = r.json()["items"]
    assert item["threshold_t"] == 50 and item["threshold_source"] == "table2"
    assert item["beta"] == 2 and item["categories"] == ["J3", "W5.3"]
    assert item["chemical_id"] is None
    out = r.json()
    assert out["s"] == 1.2 and out["r"] == pytest.approx(0.5 * 2 * 1.2) and out["grade"] == 4


def test_assess_not_major_has_null_r_and_grade(api: Api) -> None:
    r = api.post(
        ASSESS, {"items": [{"chemical": "柴油", "quantity_t": 100}], "exposed_population": 500}
    )
    out = r.json()
    assert r.status_code == 200 and out["is_major"] is False
    assert out["s"] == 0.02 and out["r"] is None and out["grade"] is None


def test_assess_unknown_chemical_without_categories_is_422_naming_the_item(api: Api) -> None:
    r = api.post(
        ASSESS,
        {
            "items": [
                {"chemical": "氯", "quantity_t": 1},
                {"chemical": "神秘物质X", "quantity_t": 2},
            ]
        },
    )
    assert r.status_code == 422
    (err,) = r.json()["detail"]
    assert err["loc"] == ["body", "items", 1, "chemical"]
    assert "神秘物质X" in err["msg"] and "Item 2" in err["msg"]


def test_assess_ambiguous_cas_needs_the_grade(api: Api) -> None:
    r = api.post(ASSESS, {"items": [{"chemical": "9004-70-0", "quantity_t": 1}]})
    assert r.status_code == 422
    assert "硝化纤维素" in r.json()["detail"][0]["msg"]
    r = api.post(
        ASSESS,
        {
            "items": [{"chemical": "9004-70-0", "grade": "含乙醇≥25%", "quantity_t": 10}],
            "exposed_population": 100,
        },
    )
    out = r.json()
    assert out["items"][0]["threshold_t"] == 10 and out["s"] == 1 and out["grade"] == 4


@pytest.mark.parametrize(
    "item",
    [
        {"chemical": "氯", "quantity_t": -1},
        {"chemical": "氯", "quantity_t": "three"},
        {"chemical": "氯"},
        {"chemical": "氯", "quantity_t": 1, "categories": ["W9.9"]},
        {"chemical": "", "quantity_t": 1},
        {"chemical": "氯", "quantity_t": 1, "colour": "green"},
    ],
)
def test_assess_bad_items_are_422(api: Api, item: dict[str, Any]) -> None:
    r = api.post(ASSESS, {"items": [item]})
    assert r.status_code == 422, r.content
    assert r.json()["detail"]


def test_assess_needs_authentication(client: Client) -> None:
    r = Api(client).post(ASSESS, {"items": [{"chemical": "氯", "quantity_t": 1}]})
    assert r.status_code == 401


def test_catalogue_search_and_detail(api: Api) -> None:
    r = api.get("/api/v1/chemicals/catalogue", q="Ｔｏｌｕｅｎｅ")
    assert r.status_code == 200
    first = r.json()["items"][0]
    assert first["name_zh"] == "甲苯" and first["threshold_t"] == 500 and first["beta"] == 1
    detail = api.get(f"/api/v1/chemicals/catalogue/{first['id']}").json()
    assert detail["sds"]["exposure_limits"].startswith("PC-TWA 50")
    co = api.get("/api/v1/chemicals/catalogue", q="630-08-0").json()["items"][0]
    assert co["table1_no"] == 13 and co["threshold_t"] == 20 and co["beta"] == 2


def test_units_and_inventory_through_the_api(client: Client, users: SimpleNamespace) -> None:
    mgr = Api(client, users.west_manager)
    r = mgr.post(
        "/api/v1/chemicals/units",
        {
            "organization": users.west_org.pk,
            "kind": "storage",
            "name": "1号罐区",
            "exposed_population": 60,
        },
    )
    assert r.status_code == 201, r.content
    unit_id = r.json()["id"]
    r = mgr.put(
        f"/api/v1/chemicals/units/{unit_id}/inventory",
        {
            "items": [
                {"chemical": "液氯", "max_quantity_t": 3},
                {"chemical": "氨", "max_quantity_t": 20},
            ]
        },
    )
    assert r.status_code == 200, r.content
    snap = r.json()
    assert snap["s"] == pytest.approx(2.6) and snap["grade"] == 4 and snap["trigger"] == "inventory"
    detail = mgr.get(f"/api/v1/chemicals/units/{unit_id}").json()
    assert detail["is_major"] and len(detail["inventories"]) == 2
    history = mgr.get(f"/api/v1/chemicals/units/{unit_id}/assessments").json()
    assert history["count"] == 2  # on creation, on the inventory
    sources = mgr.get("/api/v1/chemicals/major-hazard-sources").json()
    assert sources["count"] == 1 and sources["items"][0]["grade"] == 4
    sid = sources["items"][0]["id"]
    r = mgr.patch(
        f"/api/v1/chemicals/major-hazard-sources/{sid}",
        {"main_name": "张三", "technical_name": "李四", "operational_name": "王五"},
    )
    assert r.status_code == 200 and r.json()["technical_name"] == "李四"

    # A bad item writes nothing.
    r = mgr.put(
        f"/api/v1/chemicals/units/{unit_id}/inventory",
        {
            "items": [
                {"chemical": "液氯", "max_quantity_t": 1},
                {"chemical": "无此物", "max_quantity_t": 1},
            ]
        },
    )
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "items.1.chemical"]
    assert Inventory.objects.get(unit_id=unit_id, chemical__key="t1-12").max_quantity_t == 3

    # Another enterprise neither sees nor changes it.
    east = Api(client, users.east_manager)
    assert east.get(f"/api/v1/chemicals/units/{unit_id}").status_code == 404
    r = east.put(f"/api/v1/chemicals/units/{unit_id}/inventory", {"items": []})
    assert r.status_code == 404
    assert east.get("/api/v1/chemicals/major-hazard-sources").json()["count"] == 0
    r = east.post(
        "/api/v1/chemicals/units",
        {"organization": users.west_org.pk, "kind": "storage", "name": "x"},
    )
    assert r.status_code == 422  # the west organisation is not within its reach
    assert Unit.objects.count() == 1


def test_viewer_cannot_write(client: Client, users: SimpleNamespace) -> None:
    r = Api(client, users.viewer).post(
        "/api/v1/chemicals/units",
        {"organization": users.west_org.pk, "kind": "storage", "name": "x"},
    )
    assert r.status_code in (403, 422)
    assert not Unit.objects.exists()


def test_catalogue_patch_is_for_the_district(client: Client, users: SimpleNamespace) -> None:
    api = Api(client, users.west_officer)
    chem_id = api.get("/api/v1/chemicals/catalogue", q="柴油").json()["items"][0]["id"]
    r = api.patch(f"/api/v1/chemicals/catalogue/{chem_id}", {"notes": "x"})
    assert r.status_code == 403
    r = Api(client, users.admin).patch(
        f"/api/v1/chemicals/catalogue/{chem_id}", {"un_number": "12"}
    )
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "un_number"]


def test_inventory_import_api(client: Client, users: SimpleNamespace) -> None:
    _token, raw = ApiToken.issue(users.west_manager)
    body = (
        "organization,unit,unit_kind,chemical,quantity,quantity_unit,exposed_population\r\n"
        f"{users.west_org.pk},A区,storage,液氯,3,t,60\r\n"
        f"{users.west_org.pk},A区,,氨,20,t,\r\n"
    ).encode()
    from django.core.files.uploadedfile import SimpleUploadedFile

    url = "/api/v1/chemicals/inventories/import"
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}", "HTTP_ACCEPT_LANGUAGE": "en"}
    r = client.post(url + "?dry_run=true", {"file": SimpleUploadedFile("i.csv", body)}, **headers)
    assert r.status_code == 200 and r.json()["created"] == 2 and not r.json()["written"]
    assert not Unit.objects.exists()
    r = client.post(url, {"file": SimpleUploadedFile("i.csv", body)}, **headers)
    assert r.status_code == 200, r.content
    unit = Unit.objects.get(name="A区")
    assert unit.grade == 4 and unit.r == pytest.approx(9.6)
    bad = body.replace(b",3,t,", b",-3,t,")
    r = client.post(url, {"file": SimpleUploadedFile("i.csv", bad)}, **headers)
    assert r.status_code == 422
    assert r.json()["errors"][0]["row"] == 2 and r.json()["errors"][0]["field"] == "quantity"
