"""The resources API: nearest, stock operations, team status, errors."""

from __future__ import annotations

import pytest

from cityguard.resources import services

from .conftest import stock

pytestmark = pytest.mark.django_db


def test_nearest_endpoint(res, users, api):
    r = api(users.admin).get("/nearest", lon=121.50, lat=31.27, kind="team", k=1)
    assert r.status_code == 200, r.content
    body = r.json()
    assert len(body) == 1 and body[0]["id"] == res.west_team.pk
    assert body[0]["extra"]["team_kind"] == "volunteer"
    stock(res.east_wh, res.tent, 3)
    r = api(users.admin).get("/nearest", lon=121.5, lat=31.27, kind="warehouse", material="tent")
    assert [b["id"] for b in r.json()] == [res.east_wh.pk]
    assert r.json()[0]["extra"]["quantity"] == 3


@pytest.mark.parametrize(
    "params",
    [
        {"lon": 121.5, "lat": 31.27, "kind": "boat"},
        {"lon": 1000, "lat": 31.27, "kind": "team"},
        {"lon": 121.5, "kind": "team"},
        {"lon": 121.5, "lat": 31.27, "kind": "team", "k": 0},
        {"lon": 121.5, "lat": 31.27, "kind": "warehouse", "material": "nothing"},
        {"lon": 121.5, "lat": 31.27, "kind": "team", "material": "tent"},
        {"lon": "nan", "lat": 31.27, "kind": "team"},
    ],
)
def test_nearest_bad_input(res, users, api, params):
    r = api(users.admin).get("/nearest", **params)
    assert r.status_code in (400, 422), r.content
    assert "detail" in r.json()


def test_nearest_needs_auth(res, api):
    r = api().get("/nearest", lon=121.5, lat=31.27, kind="team")
    assert r.status_code == 401


def test_issue_and_over_issue(res, users, api):
    stock(res.west_wh, res.water, 5)
    client = api(users.west_officer)
    r = client.post(f"/warehouses/{res.west_wh.pk}/issue", {"material": "water", "quantity": 2})
    assert r.status_code == 201, r.content
    assert r.json()["quantity"] in ("2.00", 2, "2")
    r = client.post(f"/warehouses/{res.west_wh.pk}/issue", {"material": "water", "quantity": 4})
    assert r.status_code == 422 and "quantity" in str(r.json()["detail"])
    assert services.held(res.west_wh, res.water) == 3
    r = client.post(f"/warehouses/{res.west_wh.pk}/issue", {"material": "water", "quantity": -1})
    assert r.status_code == 422


def test_other_street_warehouse_is_invisible(res, users, api):
    stock(res.east_wh, res.water, 5)
    client = api(users.west_officer)
    r = client.post(f"/warehouses/{res.east_wh.pk}/issue", {"material": "water", "quantity": 1})
    assert r.status_code == 404
    r = client.get("/warehouses")
    assert [w["id"] for w in r.json()["items"]] == [res.west_wh.pk]
    assert services.held(res.east_wh, res.water) == 5


def test_receive_transfer_reconcile(res, users, api):
    client = api(users.admin)
    r = client.post(
        f"/warehouses/{res.west_wh.pk}/receive",
        {"material": "tent", "quantity": 10, "expires_on": "2031-01-01", "lot_no": "A1"},
    )
    assert r.status_code == 201, r.content
    r = client.post(
        f"/warehouses/{res.west_wh.pk}/transfer",
        {"material": "tent", "quantity": 4, "target": res.east_wh.pk},
    )
    assert r.status_code == 201, r.content
    assert r.json()["out"]["kind"] == "transfer_out"
    r = client.get(f"/warehouses/{res.west_wh.pk}/reconcile")
    line = r.json()[0]
    assert line["ok"] and float(line["closing"]) == 6
    lots = client.get(f"/warehouses/{res.east_wh.pk}/lots").json()
    assert lots[0]["expires_on"] == "2031-01-01"
    moves = client.get(f"/warehouses/{res.west_wh.pk}/movements").json()
    assert moves["count"] == 2


def test_team_status_endpoint(res, users, api):
    client = api(users.admin, language="zh-hans")
    url = f"/teams/{res.west_team.pk}/status"
    assert client.post(url, {"status": "dispatched"}).status_code == 200
    r = client.post(url, {"status": "dispatched"})
    assert r.status_code == 422
    assert "已出动" in str(r.json()["detail"]) or "already" in str(r.json()["detail"])
    assert client.post(url, {"status": "sleeping"}).status_code == 422


def test_lists(res, users, api):
    client = api(users.viewer)
    assert client.get("/teams").json()["count"] == 2
    assert client.get("/shelters", free=True).json()["count"] == 2
    assert client.get("/materials").status_code == 200
    assert client.get("/experts").json()["count"] == 0
    assert client.get("/fire-stations").json() == []


def test_shelter_occupancy_endpoint(res, users, api):
    client = api(users.west_officer)
    url = f"/shelters/{res.west_shelter.pk}/occupancy"
    r = client.post(url, {"occupancy": 120, "status": "open"})
    assert r.status_code == 200, r.content
    assert r.json()["free_capacity"] == 380 and r.json()["status"] == "open"
    assert client.post(url, {"occupancy": 501}).status_code == 422
    assert (
        client.post(f"/shelters/{res.east_shelter.pk}/occupancy", {"occupancy": 1}).status_code
        == 404
    )


def test_stocktake_endpoint(res, users, api):
    lot = stock(res.west_wh, res.tent, 10).lot
    client = api(users.admin)
    r = client.post(f"/warehouses/{res.west_wh.pk}/stocktake", {"counts": {str(lot.pk): "7"}})
    assert r.status_code == 201, r.content
    assert r.json()["lines"][0]["difference"] == "-3.00"
    assert services.held(res.west_wh, res.tent) == 7
    r = client.post(f"/warehouses/{res.west_wh.pk}/stocktake", {"counts": {"999999": "1"}})
    assert r.status_code == 422
