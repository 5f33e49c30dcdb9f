"""The monitoring API: readings, sensors, rules, alarms, contexts, figures; scoping and
validation in both languages."""

from __future__ import annotations

from typing import Any

import pytest

from cityguard.monitoring import services
from cityguard.monitoring.models import Alarm, DeadLetter, Notification, Reading, Sensor

pytestmark = pytest.mark.django_db

MIN = 60_000


def body(
    mon: Any, code: str = "west_gas", values: tuple[float, ...] = (1.0,), start: int = 0
) -> dict[str, Any]:
    return {
        "readings": [
            {"sensor": code, "ts": mon.t0 + start + i * MIN, "value": v}
            for i, v in enumerate(values)
        ]
    }


# --- readings --------------------------------------------------------------------------


def test_post_readings(mon: Any, api_as: Any) -> None:
    api = api_as(mon.users.api_client, "/monitoring")
    r = api.post("/readings", body(mon, values=(1.0, 2.0)))
    assert r.status_code == 200, r.content
    assert r.json() == {"accepted": 2, "duplicates": 0, "rejected": []}
    r = api.post("/readings", body(mon, values=(1.0, 2.0, 3.0)))
    assert r.json() == {"accepted": 1, "duplicates": 2, "rejected": []}
    assert Reading.objects.count() == 3


def test_post_readings_rejects_bad_items_in_the_callers_language(mon: Any, api_as: Any) -> None:
    items = body(mon)["readings"] + [{"sensor": "nope", "ts": mon.t0, "value": 1}]
    r = api_as(mon.users.staff, "/monitoring", language="en").post("/readings", {"readings": items})
    assert r.status_code == 200
    assert r.json()["rejected"] == [{"index": 1, "error": "No sensor has the code nope."}]
    r = api_as(mon.users.staff, "/monitoring", language="zh-hans").post(
        "/readings", {"readings": [{"sensor": "nope", "ts": mon.t0, "value": 1}]}
    )
    assert r.json()["rejected"][0]["error"] == "没有编码为 nope 的传感器。"
    assert DeadLetter.objects.count() == 2


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        ("{not json", 400),
        ("[]", 400),
        ('{"readings": 5}', 400),
        ('{"other": []}', 400),
    ],
)
def test_post_readings_bad_body(mon: Any, api_as: Any, payload: str, status: int) -> None:
    r = api_as(mon.users.staff, "/monitoring").post("/readings", payload)
    assert r.status_code == status
    assert isinstance(r.json()["detail"], str)
    assert not Reading.objects.exists() and not DeadLetter.objects.exists()


def test_post_readings_bad_body_in_chinese(mon: Any, api_as: Any) -> None:
    r = api_as(mon.users.staff, "/monitoring", language="zh-hans").post("/readings", "{x")
    assert r.status_code == 400 and r.json()["detail"] == "请求正文不是有效的 JSON。"


def test_post_readings_batch_cap(mon: Any, api_as: Any, settings: Any) -> None:
    settings.CITYGUARD_MONITORING_MAX_BATCH = 2
    r = api_as(mon.users.staff, "/monitoring").post("/readings", body(mon, values=(1, 2, 3)))
    assert r.status_code == 413 and "2" in r.json()["detail"]
    assert not Reading.objects.exists()


@pytest.mark.parametrize("who", ["viewer", "west_officer", "west_manager"])
def test_post_readings_needs_an_ingesting_role(mon: Any, api_as: Any, who: str) -> None:
    r = api_as(getattr(mon.users, who), "/monitoring").post("/readings", body(mon))
    assert r.status_code == 403
    assert not Reading.objects.exists()


def test_post_readings_needs_authentication(mon: Any, api_as: Any) -> None:
    assert api_as(None, "/monitoring").post("/readings", body(mon)).status_code == 401


# --- sensors ---------------------------------------------------------------------------


def test_create_sensor_and_defaults(mon: Any, api_as: Any) -> None:
    api = api_as(mon.users.staff, "/monitoring")
    r = api.post(
        "/sensors",
        {"code": "HP-1", "kind": "water_pressure", "lon": 121.54, "lat": 31.27,
         "expected_interval_s": 30},
    )  # fmt: skip
    assert r.status_code == 201, r.content
    out = r.json()
    assert out["unit"] == "MPa" and out["street"] == "310110002" and out["state"] == "normal"
    assert api.get("/sensors/HP-1").json()["code"] == "HP-1"
    s = Sensor.objects.get(code="HP-1")
    assert s.street == mon.district.east
    assert s.history.first().history_user == mon.users.staff


def test_create_sensor_validation(mon: Any, api_as: Any) -> None:
    api = api_as(mon.users.staff, "/monitoring", language="en")
    r = api.post("/sensors", {"code": "X", "kind": "water_pressure", "lon": 120.0, "lat": 31.0})
    assert r.status_code == 422 and "outside the district" in str(r.json()["detail"])
    r = api.post("/sensors", {"code": "west_gas", "kind": "smoke", "lon": 121.51, "lat": 31.27})
    assert r.status_code == 422 and "already taken" in str(r.json()["detail"])
    r = api.post("/sensors", {"code": "bad code", "kind": "smoke", "lon": 121.51, "lat": 31.27})
    assert r.status_code == 422
    r = api.post("/sensors", {"code": "Y", "kind": "plasma", "lon": 121.51, "lat": 31.27})
    assert r.status_code == 422
    r = api.post("/sensors", {"code": "Y", "kind": "smoke"})
    assert r.status_code == 422 and "longitude" in str(r.json()["detail"])
    zh = api_as(mon.users.staff, "/monitoring", language="zh-hans")
    r = zh.post("/sensors", {"code": "Y", "kind": "smoke"})
    assert "经度" in str(r.json()["detail"])
    assert not Sensor.objects.filter(code__in=["X", "Y"]).exists()


def test_sensor_scoping(mon: Any, api_as: Any) -> None:
    west = api_as(mon.users.west_officer, "/monitoring")
    codes = {s["code"] for s in west.get("/sensors").json()["items"]}
    assert codes == {"west_gas", "west_level", "west_pressure"}
    assert west.get("/sensors/east_gas").status_code == 404
    assert west.patch("/sensors/east_gas", {"name": "x"}).status_code == 404
    manager = api_as(mon.users.east_manager, "/monitoring")
    assert {s["code"] for s in manager.get("/sensors").json()["items"]} == {"east_gas"}
    viewer = api_as(mon.users.viewer, "/monitoring")
    assert viewer.get("/sensors").json()["count"] == 5
    assert viewer.patch("/sensors/east_gas", {"name": "x"}).status_code == 403


def test_officer_and_manager_create_only_within_reach(mon: Any, api_as: Any) -> None:
    west = api_as(mon.users.west_officer, "/monitoring")
    ok = west.post("/sensors", {"code": "W1", "kind": "smoke", "lon": 121.51, "lat": 31.27})
    assert ok.status_code == 201
    east = west.post("/sensors", {"code": "E1", "kind": "smoke", "lon": 121.55, "lat": 31.27})
    assert east.status_code == 403
    mgr = api_as(mon.users.west_manager, "/monitoring")
    own = mgr.post(
        "/sensors",
        {"code": "M1", "kind": "smoke", "lon": 121.51, "lat": 31.27,
         "organization": mon.users.west_org.pk},
    )  # fmt: skip
    assert own.status_code == 201
    other = mgr.post(
        "/sensors",
        {"code": "M2", "kind": "smoke", "lon": 121.51, "lat": 31.27,
         "organization": mon.users.east_org.pk},
    )  # fmt: skip
    assert other.status_code == 403
    assert not Sensor.objects.filter(code__in=["E1", "M2"]).exists()


def test_patch_sensor_disable(mon: Any, api_as: Any) -> None:
    api = api_as(mon.users.west_officer, "/monitoring")
    r = api.patch("/sensors/west_gas", {"enabled": False, "name": "Gas 1"})
    assert r.status_code == 200 and r.json()["state"] == "disabled"
    r = api.patch("/sensors/west_gas", {"enabled": True})
    assert r.json()["state"] == "normal"


def test_series_from_aggregates(mon: Any, api_as: Any, feed: Any) -> None:
    feed("west_gas", [1.0, 3.0], step_s=30)
    feed("west_gas", [5.0], start=mon.t0 + MIN)
    api = api_as(mon.users.west_officer, "/monitoring")
    r = api.get("/sensors/west_gas/series", period="m")
    assert r.status_code == 200
    items = r.json()["items"]
    assert items[0] == {"start": mon.t0, "count": 2, "min": 1.0, "max": 3.0, "avg": 2.0}
    assert items[1]["start"] == mon.t0 + MIN
    assert api.get("/sensors/west_gas/series", period="x").status_code == 422
    assert api.get("/sensors/east_gas/series").status_code == 404


# --- rules -----------------------------------------------------------------------------


RULE = {
    "name": "Gas high",
    "sensor": None,
    "sensor_kind": "combustible_gas",
    "severity": "critical",
    "condition": {"op": ">=", "value": 50},
    "for_seconds": 0,
    "clear_condition": None,
}


def test_create_rule_in_issue_shape(mon: Any, api_as: Any) -> None:
    api = api_as(mon.users.staff, "/monitoring")
    r = api.post("/rules", RULE)
    assert r.status_code == 201, r.content
    out = r.json()
    assert out["condition"] == {"op": ">=", "value": 50.0} and out["sensor"] is None
    rid = out["id"]
    r = api.patch(f"/rules/{rid}", {"clear_condition": {"op": "<", "value": 40}})
    assert r.status_code == 200 and r.json()["clear_condition"] == {"op": "<", "value": 40.0}
    assert api.get(f"/rules/{rid}").json()["name"] == "Gas high"
    assert api.get("/rules").json()["count"] == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"sensor": "west_gas"}, "sensor"),  # both sensor and kind
        ({"sensor_kind": None}, "sensor"),  # neither
        ({"sensor": "nope", "sensor_kind": None}, "sensor"),
        ({"condition": None}, "condition"),
        ({"condition": {"op": "=", "value": 1}}, "condition"),
        ({"condition": {"op": ">", "value": "x"}}, "condition"),
        ({"severity": "doom"}, "severity"),
        ({"clear_condition": {"op": ">", "value": 60}}, "clear_condition"),
        ({"kind": "rate"}, "window_s"),
        ({"for_seconds": -1}, "for_seconds"),
    ],
)
def test_rule_validation(mon: Any, api_as: Any, change: dict[str, Any], field: str) -> None:
    r = api_as(mon.users.staff, "/monitoring").post("/rules", {**RULE, **change})
    assert r.status_code == 422, r.content
    assert field in str(r.json()["detail"])


def test_rule_validation_in_chinese(mon: Any, api_as: Any) -> None:
    r = api_as(mon.users.staff, "/monitoring", language="zh-hans").post(
        "/rules", {**RULE, "sensor": "west_gas"}
    )
    assert r.status_code == 422 and "传感器" in str(r.json()["detail"])


@pytest.mark.parametrize("who", ["west_officer", "west_manager", "viewer", "api_client"])
def test_only_district_staff_write_rules(mon: Any, api_as: Any, who: str) -> None:
    r = api_as(getattr(mon.users, who), "/monitoring").post("/rules", RULE)
    assert r.status_code == 403


def test_sensor_rules_visible_with_the_sensor(mon: Any, api_as: Any, rule: Any) -> None:
    rule(name="own east", sensor="east_gas", condition={"op": ">", "value": 1})
    rule(name="kind", condition={"op": ">", "value": 1})
    west = api_as(mon.users.west_officer, "/monitoring")
    assert [r["name"] for r in west.get("/rules").json()["items"]] == ["kind"]


# --- alarms ----------------------------------------------------------------------------


@pytest.fixture
def alarms(mon: Any, feed: Any, rule: Any) -> Any:
    rule(condition={"op": ">", "value": 10})
    feed("west_gas", [20])
    feed("east_gas", [30])
    return mon


def test_alarm_list_and_scoping(alarms: Any, api_as: Any) -> None:
    staff = api_as(alarms.users.staff, "/monitoring")
    items = staff.get("/alarms").json()["items"]
    assert {a["sensor"] for a in items} == {"west_gas", "east_gas"}
    a = items[0]
    assert set(a) >= {"id", "sensor", "rule", "severity", "state", "opened_at", "cleared_at",
                      "peak_value"}  # fmt: skip
    assert staff.get("/alarms", sensor="west_gas").json()["count"] == 1
    assert staff.get("/alarms", state="active").json()["count"] == 2
    assert staff.get("/alarms", state="cleared").json()["count"] == 0
    assert staff.get("/alarms", state="bogus").status_code == 422
    west = api_as(alarms.users.west_officer, "/monitoring")
    assert [a["sensor"] for a in west.get("/alarms").json()["items"]] == ["west_gas"]
    east_id = Alarm.objects.get(sensor__code="east_gas").pk
    assert west.get(f"/alarms/{east_id}").status_code == 404
    assert west.post(f"/alarms/{east_id}/acknowledge", {}).status_code == 404
    mgr = api_as(alarms.users.east_manager, "/monitoring")
    assert [a["sensor"] for a in mgr.get("/alarms").json()["items"]] == ["east_gas"]


def test_acknowledge_and_clear(alarms: Any, api_as: Any) -> None:
    aid = Alarm.objects.get(sensor__code="west_gas").pk
    west = api_as(alarms.users.west_officer, "/monitoring")
    r = west.post(f"/alarms/{aid}/acknowledge", {"comment": "on my way"})
    assert r.status_code == 200
    out = r.json()
    assert out["state"] == "acknowledged" and out["acknowledged_by"] == "west1"
    assert [e["kind"] for e in out["events"]][-1] == "acknowledged"
    again = west.post(f"/alarms/{aid}/acknowledge", {})
    assert again.status_code == 422
    r = west.post(f"/alarms/{aid}/clear", {"comment": "vented"})
    assert r.status_code == 200 and r.json()["state"] == "cleared"
    assert Sensor.objects.get(code="west_gas").state == "normal"
    assert west.post(f"/alarms/{aid}/clear", {}).status_code == 422


def test_viewer_cannot_acknowledge(alarms: Any, api_as: Any) -> None:
    aid = Alarm.objects.get(sensor__code="west_gas").pk
    viewer = api_as(alarms.users.viewer, "/monitoring")
    assert viewer.get(f"/alarms/{aid}").status_code == 200
    assert viewer.post(f"/alarms/{aid}/acknowledge", {}).status_code == 403
    assert viewer.post(f"/alarms/{aid}/clear", {}).status_code == 403
    assert Alarm.objects.get(pk=aid).state == "active"


def test_manager_acknowledges_own_alarm(alarms: Any, api_as: Any) -> None:
    aid = Alarm.objects.get(sensor__code="east_gas").pk
    mgr = api_as(alarms.users.east_manager, "/monitoring")
    assert mgr.post(f"/alarms/{aid}/acknowledge", {}).status_code == 200


def test_open_incident_from_alarm(alarms: Any, api_as: Any) -> None:
    aid = Alarm.objects.get(sensor__code="west_gas").pk
    staff = api_as(alarms.users.staff, "/monitoring")
    r = staff.post(f"/alarms/{aid}/incident", {})
    assert r.status_code == 201, r.content
    inc = r.json()["incident"]
    assert Alarm.objects.get(pk=aid).incident_id == inc
    again = staff.post(f"/alarms/{aid}/incident", {})
    assert again.json()["incident"] == inc
    kinds = list(Alarm.objects.get(pk=aid).events.values_list("kind", flat=True))
    assert kinds.count("incident") == 1


# --- contexts --------------------------------------------------------------------------


def test_contexts(mon: Any, api_as: Any) -> None:
    staff = api_as(mon.users.staff, "/monitoring")
    r = staff.post(
        "/contexts",
        {"street": "310110001", "sensor_kind": "water_level", "tighten": 0.2,
         "reason": "Rainstorm blue warning"},
    )  # fmt: skip
    assert r.status_code == 201, r.content
    cid = r.json()["id"]
    assert r.json()["active"] is True
    assert staff.get("/contexts", active=True).json()["count"] == 1
    r = staff.post(f"/contexts/{cid}/release", {})
    assert r.status_code == 200 and r.json()["active"] is False
    assert staff.post(f"/contexts/{cid}/release", {}).status_code == 422


def test_context_validation_and_reach(mon: Any, api_as: Any) -> None:
    staff = api_as(mon.users.staff, "/monitoring")
    base = {"street": "310110001", "sensor_kind": "water_level", "tighten": 0.2, "reason": "r"}
    assert staff.post("/contexts", {**base, "tighten": 0}).status_code == 422
    assert staff.post("/contexts", {**base, "street": "310110"}).status_code == 422
    assert staff.post("/contexts", {**base, "street": "nowhere"}).status_code == 422
    west = api_as(mon.users.west_officer, "/monitoring")
    assert west.post("/contexts", base).status_code == 201
    assert west.post("/contexts", {**base, "street": "310110002"}).status_code == 403
    assert api_as(mon.users.west_manager, "/monitoring").post("/contexts", base).status_code == 403
    east = api_as(mon.users.east_officer, "/monitoring")
    assert east.get("/contexts").json()["count"] == 0


def test_release_contexts_by_source(mon: Any) -> None:
    for kind in ("water_level", "water_pressure"):
        services.set_context(
            mon.users.staff,
            street=mon.district.west,
            sensor_kind=kind,
            tighten=0.1,
            reason="typhoon",
            source="warning:7",
        )
    assert services.release_contexts("warning:7") == 2
    assert services.release_contexts("warning:7") == 0


# --- figures ---------------------------------------------------------------------------


def test_stats_scoped(alarms: Any, api_as: Any, feed: Any) -> None:
    feed("east_level", [0.1, 0.2])
    DeadLetter.objects.create(source="http", sensor_code="east_gas", reason="x")
    DeadLetter.objects.create(source="mqtt", sensor_code="", reason="bad json")
    staff = api_as(alarms.users.staff, "/monitoring").get("/stats").json()
    assert staff == {"sensors": 5, "sensors_offline": 0, "readings": 4, "dead_letters": 2,
                     "alarms_active": 2}  # fmt: skip
    west = api_as(alarms.users.west_officer, "/monitoring").get("/stats").json()
    assert west == {"sensors": 3, "sensors_offline": 0, "readings": 1, "dead_letters": 0,
                    "alarms_active": 1}  # fmt: skip
    mgr = api_as(alarms.users.east_manager, "/monitoring").get("/stats").json()
    assert mgr == {"sensors": 1, "sensors_offline": 0, "readings": 1, "dead_letters": 1,
                   "alarms_active": 1}  # fmt: skip
    viewer = api_as(alarms.users.viewer, "/monitoring").get("/stats").json()
    # A viewer sees every sensor, and the dead letters naming one (not the unreadable).
    assert viewer == {**staff, "dead_letters": 1}
    dl = api_as(alarms.users.east_manager, "/monitoring").get("/dead-letters").json()
    assert [d["sensor_code"] for d in dl["items"]] == ["east_gas"]


def test_availability(mon: Any, api_as: Any) -> None:
    Sensor.objects.filter(code="west_level").update(state="offline")
    rows = api_as(mon.users.staff, "/monitoring").get("/availability").json()
    level = next(r for r in rows if r["street"] == "310110001" and r["kind"] == "water_level")
    assert level == {**level, "sensors": 1, "online": 0, "offline": 1, "rate": 0.0}
    west_rows = api_as(mon.users.east_officer, "/monitoring").get("/availability").json()
    assert {r["street"] for r in west_rows} == {"310110002"}


def test_notifications_mine(
    mon: Any, api_as: Any, feed: Any, rule: Any, django_capture_on_commit_callbacks: Any
) -> None:
    rule(condition={"op": ">", "value": 10})
    with django_capture_on_commit_callbacks(execute=True):
        feed("west_gas", [20])
    api = api_as(mon.users.west_manager, "/monitoring")
    items = api.get("/notifications").json()["items"]
    assert len(items) == 1 and items[0]["read_at"] is None
    nid = items[0]["id"]
    assert api.post(f"/notifications/{nid}/read", {}).json()["read_at"] is not None
    assert api.get("/notifications", unread=True).json()["count"] == 0
    other = api_as(mon.users.east_manager, "/monitoring")
    assert other.post(f"/notifications/{nid}/read", {}).status_code == 404
    assert Notification.objects.get(pk=nid).user == mon.users.west_manager


def test_bare_nan_in_a_batch_refuses_only_that_reading(mon: Any, api_as: Any) -> None:
    from cityguard.monitoring.models import DeadLetter, Reading

    code = next(iter(mon.sensors))
    body = (
        '{"readings": [{"sensor": "%s", "ts": %d, "value": NaN},'
        ' {"sensor": "%s", "ts": %d, "value": 1.5},'
        ' {"sensor": "%s", "ts": %d, "value": -Infinity}]}'
        % (code, mon.t0, code, mon.t0 + 1000, code, mon.t0 + 2000)
    )
    r = api_as(mon.users.api_client, "/monitoring").post("/readings", body)
    assert r.status_code == 200, r.content
    out = r.json()
    assert out["accepted"] == 1 and [x["index"] for x in out["rejected"]] == [0, 2]
    assert Reading.objects.filter(sensor__code=code).count() == 1
    assert DeadLetter.objects.count() == 2
