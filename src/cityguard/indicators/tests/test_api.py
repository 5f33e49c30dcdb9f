"""The API: shape, filters, bad input, access."""

from __future__ import annotations

import pytest

from cityguard.indicators import registry, services

from .conftest import EAST, WEST

pytestmark = pytest.mark.django_db


def test_list_shape_and_order(users, api_as, incidents) -> None:
    r = api_as(users.staff, "/indicators").get("")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["period"] == str(services.current_period()) and body["street"] is None
    codes = [i["code"] for i in body["items"]]
    assert codes == [i.code for i in registry.all_indicators()]  # everything declared
    plan = [c for c in codes if c.startswith("plan-")]
    assert codes[: len(plan)] == sorted(plan)
    item = {i["code"]: i for i in body["items"]}["plan-02"]
    for key in (
        "code",
        "name_zh",
        "name_en",
        "unit",
        "target",
        "value",
        "on_target",
        "source",
        "binding",
        "comparison",
        "entered",
    ):
        assert key in item
    assert item["name_en"] == "Major and extraordinarily serious production safety accidents"
    assert item["name_zh"] == "重大及特别重大生产安全事故起数"
    assert item["value"] == 2 and item["on_target"] is False and item["target"] == 0
    assert item["binding"] is True and item["comparison"] == "<="


def test_street_and_period_filters(users, api_as, incidents) -> None:
    api = api_as(users.staff, "/indicators")
    body = api.get("", street=WEST).json()
    assert body["street"] == WEST
    items = {i["code"]: i for i in body["items"]}
    assert items["plan-02"]["value"] == 1
    assert items["plan-01"]["value"] is None  # district only
    now = services.current_period()
    body = api.get("", period=f"{now.year - 1}-12").json()
    assert {i["code"]: i for i in body["items"]}["plan-02"]["value"] == 1


@pytest.mark.parametrize(
    "params,field",
    [
        ({"street": "999"}, "street"),
        ({"street": "310110001001"}, "street"),
        ({"period": "2025-13"}, "period"),
        ({"period": "June"}, "period"),
        ({"period": "2999-01"}, "period"),
    ],
)
def test_bad_filters_answer_400(users, api_as, district, params, field) -> None:
    r = api_as(users.staff, "/indicators").get("", **params)
    assert r.status_code == 400
    detail = r.json()["detail"]
    assert detail[0]["loc"] == ["query", field]
    zh = api_as(users.staff, "/indicators", language="zh-hans").get("", **params).json()
    assert zh["detail"][0]["msg"] != detail[0]["msg"]  # in the caller's language


def test_street_officer_reads_own_street(users, api_as, incidents) -> None:
    api = api_as(users.west_officer, "/indicators")
    body = api.get("").json()
    assert body["street"] == WEST
    assert {i["code"]: i for i in body["items"]}["plan-02"]["value"] == 1
    assert api.get("", street=EAST).status_code == 404
    detail = api.get("/plan-02").json()
    assert [b["street"] for b in detail["breakdown"]] == [WEST]
    streets = api.get("/streets").json()["streets"]
    assert [s["code"] for s in streets] == [WEST]


def test_detail_with_trend_and_breakdown(users, api_as, incidents) -> None:
    api = api_as(users.admin, "/indicators")
    body = api.get("/plan-03").json()
    assert body["code"] == "plan-03" and body["value"] == 1
    assert len(body["trend"]) == 12
    assert body["trend"][-1] == {"period": body["period"], "value": 1.0, "on_target": False}
    assert {b["street"]: b["value"] for b in body["breakdown"]} == {WEST: 1, EAST: 0}
    assert api.get("/nope").status_code == 404
    assert api.get("/plan-01").json()["breakdown"] == []


def test_streets_summary(users, api_as, incidents) -> None:
    body = api_as(users.staff, "/indicators").get("/streets").json()
    by_code = {s["code"]: s for s in body["streets"]}
    assert set(by_code) == {WEST, EAST}
    assert by_code[WEST]["values"]["plan-03"] == {"value": 1.0, "on_target": False}
    assert by_code[EAST]["values"]["plan-03"]["on_target"] is True
    assert by_code[WEST]["off_target"] >= 2  # plan-02 and plan-03


def test_enter_figures(users, api_as, district) -> None:
    staff = api_as(users.staff, "/indicators")
    year = services.current_period().year
    r = staff.post("/figures", {"code": "plan-04", "year": year, "value": 12, "source": "交警支队"})
    assert r.status_code == 201, r.content
    assert r.json()["entered_by"] == users.staff.username
    r = staff.post("/figures", {"code": "plan-04", "year": year, "value": -1, "source": "交警支队"})
    assert r.status_code == 422
    r = staff.post("/figures", {"code": "plan-04", "year": year, "value": 3, "source": ""})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "source"]
    r = staff.post("/figures", {"code": "plan-04", "year": 1990, "value": 3, "source": "x"})
    assert r.status_code == 422
    viewer = api_as(users.viewer, "/indicators")
    r = viewer.post("/figures", {"code": "plan-04", "year": year, "value": 1, "source": "x"})
    assert r.status_code == 403
    west = api_as(users.west_officer, "/indicators")
    body = {
        "code": "plan-07",
        "year": year,
        "value": 5,
        "base": 6,
        "source": "教育局",
        "street": WEST,
    }
    assert west.post("/figures", body).status_code == 201
    assert west.post("/figures", {**body, "street": EAST}).status_code == 403
    assert staff.post("/figures", {**body, "street": EAST}).status_code == 201
    # Reading: the west officer sees the district's and the west street's figures.
    assert {(f["code"], f["street"]) for f in west.get("/figures").json()["items"]} == {
        ("plan-04", None),
        ("plan-07", WEST),
    }
    assert staff.get("/figures", code="plan-07").json()["count"] == 2
    fid = staff.get("/figures", code="plan-04").json()["items"][0]["id"]
    staff.post("/figures", {"code": "plan-04", "year": year, "value": 13, "source": "交警支队"})
    history = staff.get(f"/figures/{fid}/history").json()
    assert len(history) == 2
    east_fid = staff.get("/figures", code="plan-07").json()["items"]
    east_id = next(f["id"] for f in east_fid if f["street"] == EAST)
    assert west.get(f"/figures/{east_id}/history").status_code == 404
    value = {i["code"]: i for i in staff.get("").json()["items"]}["plan-04"]
    assert value["value"] == 13 and value["on_target"] is True


def test_anonymous_is_refused(api_as, district) -> None:
    assert api_as(None, "/indicators").get("").status_code == 401
