"""The API at /api/v1/equipment: lists and filters, detail, create, update, inspections,
due/overdue lists, JSON errors, scoping."""

from __future__ import annotations

import datetime as dt

import pytest

from cityguard.equipment import services
from cityguard.equipment.models import Equipment, Inspection

pytestmark = pytest.mark.django_db


def test_list_and_filters(users, units, district, api_as):
    api = api_as(users.admin, "/equipment")
    r = api.get("")
    assert r.status_code == 200
    body = r.json()
    assert body["count"] == 4 and {"items", "count"} <= set(body)
    item = next(i for i in body["items"] if i["name"] == "西区2号梯")
    assert item["state"] == "overdue" and item["street"] == district.west.code
    assert item["place_kind"] == "high_rise"
    assert api.get("", overdue="true").json()["count"] == 1
    assert api.get("", overdue="false").json()["count"] == 3
    assert api.get("", status="unregistered").json()["count"] == 1
    assert api.get("", street=district.east.code).json()["count"] == 2
    assert api.get("", organization=users.west_org.pk).json()["count"] == 2
    assert api.get("", kind="boiler").json()["count"] == 0
    assert api.get("", state="ok").json()["count"] == 2
    assert api.get("", q="yp0003").json()["count"] == 1
    assert api.get("", due=400).json()["count"] == 2
    assert api.get("", plan_places="true").json()["count"] == 4
    assert api.get("", kind="spaceship").status_code == 422


def test_lists_are_scoped(users, units, api_as):
    assert api_as(users.west_officer, "/equipment").get("").json()["count"] == 2
    assert api_as(users.east_manager, "/equipment").get("").json()["count"] == 2
    r = api_as(users.west_officer, "/equipment").get(f"/{units.east_ok.pk}")
    assert r.status_code == 404 and r.json()["detail"]
    assert api_as(None, "/equipment").get("").status_code == 401


def test_create_and_update(users, places, api_as):
    api = api_as(users.west_manager, "/equipment")
    r = api.post(
        "",
        {"name": "新电梯", "kind": "elevator", "registration_no": "梯11沪YP0500(19)",
         "organization": users.west_org.pk, "place": places.west_tower.pk,
         "parameters": {"rated_load_kg": 1000, "rated_speed_ms": 1.75, "floors": 30}},
    )  # fmt: skip
    assert r.status_code == 201, r.json()
    created = r.json()
    assert created["state"] == "overdue"  # registered and in use, never inspected
    assert created["parameters"]["floors"] == 30
    pk = created["id"]
    r = api.patch(f"/{pk}", {"model_name": "TKJ1000/1.75", "interval_months": 6})
    assert r.status_code == 200 and r.json()["model_name"] == "TKJ1000/1.75"
    r = api.get(f"/{pk}/history")
    assert r.status_code == 200 and len(r.json()) == 2


def test_bad_input_is_a_json_error_and_changes_nothing(users, units, api_as):
    api = api_as(users.admin, "/equipment")
    r = api.post(
        "",
        {"name": "重号", "kind": "elevator", "registration_no": "梯11沪YP0001(19)",
         "organization": users.west_org.pk},
    )  # fmt: skip
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "registration_no"]
    r = api.post("", {"name": "x", "kind": "elevator", "organization": 999999})
    assert r.status_code == 422
    r = api.post(
        "", {"name": "x", "kind": "elevator", "organization": users.west_org.pk, "colour": 1}
    )
    assert r.status_code == 422
    r = api.patch(f"/{units.west_ok.pk}", {"parameters": {"floors": "many"}})
    assert r.status_code == 422
    r = api.post("", "{not json", content_type="application/json")
    assert r.status_code in (400, 422)
    assert Equipment.objects.count() == 4


def test_writes_refused_for_readers_and_outside_reach(users, units, api_as):
    r = api_as(users.viewer, "/equipment").patch(f"/{units.west_ok.pk}", {"model_name": "x"})
    assert r.status_code == 403 and r.json()["detail"]
    r = api_as(users.west_manager, "/equipment").patch(f"/{units.east_ok.pk}", {"model_name": "x"})
    assert r.status_code == 404
    r = api_as(users.west_manager, "/equipment").post(
        "", {"name": "x", "kind": "elevator", "organization": users.east_org.pk}
    )
    assert r.status_code == 422  # the east organisation is out of reach: "No such organisation"


def test_inspections(users, units, api_as):
    api = api_as(users.west_officer, "/equipment")
    pk = units.west_late.pk
    day = services.today() - dt.timedelta(days=2)
    r = api.post(f"/{pk}/inspections", {"inspected_on": day.isoformat(), "result": "pass",
                                         "body": "上海市特检院", "report_no": "JY-1"})  # fmt: skip
    assert r.status_code == 201, r.json()
    assert r.json()["next_due"] == services.add_months(day, 12).isoformat()
    listed = api.get(f"/{pk}/inspections").json()
    assert listed[0]["inspected_on"] == day.isoformat() and len(listed) == 2
    assert api.get(f"/{pk}").json()["state"] == "ok"


def test_future_inspection_refused_in_both_languages(users, units, api_as):
    future = (services.today() + dt.timedelta(days=5)).isoformat()
    pk = units.west_ok.pk
    r = api_as(users.admin, "/equipment").post(
        f"/{pk}/inspections", {"inspected_on": future, "result": "pass"}
    )
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "inspected_on"]
    assert "future" in r.json()["detail"][0]["msg"]
    r = api_as(users.admin, "/equipment", language="zh-hans").post(
        f"/{pk}/inspections", {"inspected_on": future, "result": "pass"}
    )
    assert r.status_code == 422 and "未来" in r.json()["detail"][0]["msg"]
    day = (services.today() - dt.timedelta(days=5)).isoformat()
    before = (services.today() - dt.timedelta(days=6)).isoformat()
    r = api_as(users.admin, "/equipment").post(
        f"/{pk}/inspections", {"inspected_on": day, "result": "pass", "next_due": before}
    )
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "next_due"]
    assert Inspection.objects.filter(equipment_id=pk).count() == 1
    r = api_as(users.viewer, "/equipment").post(
        f"/{pk}/inspections", {"inspected_on": day, "result": "pass"}
    )
    assert r.status_code == 403


def test_due_overdue_reminders_and_intervals(users, units, api_as):
    api = api_as(users.admin, "/equipment")
    r = api.get("/overdue")
    assert r.status_code == 200 and [i["name"] for i in r.json()["items"]] == ["西区2号梯"]
    assert api.get("/due", days=400).json()["count"] == 2
    assert api.get("/due").json()["count"] == 0
    assert api.get("/due", days=-1).status_code == 422
    services.raise_reminders()
    r = api.get("/reminders")
    assert r.json()["count"] == 1 and r.json()["items"][0]["kind"] == "overdue"
    assert api_as(users.east_officer, "/equipment").get("/reminders").json()["count"] == 0
    months = {i["kind"]: i["months"] for i in api.get("/intervals").json()}
    assert months["elevator"] == 12 and months["pressure_vessel"] == 36
    assert months["lifting"] == 24
