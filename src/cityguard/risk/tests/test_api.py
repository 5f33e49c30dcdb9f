"""The risk API: scoring, the register, assessments, overdue, stats — each caller in reach."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone

from cityguard.risk import services
from cityguard.risk.models import Assessment, RiskPoint

from .conftest import assess_lec


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"method": "lec", "l": 6, "e": 3, "c": 15}, (270, "large", "orange")),
        ({"method": "lec", "l": 10, "e": 1, "c": 7}, (70, "low", "blue")),
        ({"method": "lec", "l": 10, "e": 0.5, "c": 15}, (75, "general", "yellow")),
        ({"method": "lec", "l": 10, "e": 1, "c": 15}, (150, "general", "yellow")),
        ({"method": "lec", "l": 10, "e": 6, "c": 3}, (180, "large", "orange")),
        ({"method": "lec", "l": 10, "e": 10, "c": 3}, (300, "large", "orange")),
        ({"method": "lec", "l": 3, "e": 3, "c": 40}, (360, "major", "red")),
        ({"method": "matrix", "likelihood": 2, "severity": 4}, (8, "low", "blue")),
        ({"method": "matrix", "likelihood": 3, "severity": 3}, (9, "general", "yellow")),
        ({"method": "matrix", "likelihood": 2, "severity": 7 - 0}, None),
        ({"method": "matrix", "likelihood": 3, "severity": 5}, (15, "large", "orange")),
        ({"method": "matrix", "likelihood": 4, "severity": 4}, (16, "large", "orange")),
        ({"method": "matrix", "likelihood": 4, "severity": 5}, (20, "major", "red")),
    ],
)
def test_score_endpoint(users: SimpleNamespace, api: Any, body: dict, expected: Any) -> None:
    r = api(users.viewer).post("/score", body)
    if expected is None:
        assert r.status_code == 422
        return
    assert r.status_code == 200, r.content
    data = r.json()
    assert (data["method"], data["score"], data["level"], data["colour"]) == (
        body["method"],
        *expected,
    )


@pytest.mark.parametrize(
    ("body", "field", "allowed"),
    [
        ({"method": "lec", "l": 7, "e": 3, "c": 15}, "l", "10, 6, 3, 1, 0.5, 0.2, 0.1"),
        ({"method": "lec", "l": 6, "e": 4, "c": 15}, "e", "10, 6, 3, 2, 1, 0.5"),
        ({"method": "lec", "l": 6, "e": 3, "c": 50}, "c", "100, 40, 15, 7, 3, 1"),
        ({"method": "lec", "l": 6, "e": 3}, "c", "100, 40, 15, 7, 3, 1"),
        ({"method": "matrix", "likelihood": 0, "severity": 5}, "likelihood", "1, 2, 3, 4, 5"),
        ({"method": "matrix", "likelihood": 4, "severity": 6}, "severity", "1, 2, 3, 4, 5"),
        ({"method": "matrix", "likelihood": 4.5, "severity": 5}, "likelihood", "1, 2, 3, 4, 5"),
    ],
)
def test_score_refuses_values_off_the_scale_naming_the_allowed_ones(
    users: SimpleNamespace, api: Any, body: dict, field: str, allowed: str
) -> None:
    r = api(users.viewer).post("/score", body)
    assert r.status_code == 422
    (err,) = r.json()["detail"]
    assert err["loc"] == ["body", field]
    assert allowed in err["msg"]


def test_score_refuses_unknown_methods_and_stray_factors(users: SimpleNamespace, api: Any) -> None:
    caller = api(users.viewer)
    assert caller.post("/score", {"method": "bowtie"}).status_code == 422
    r = caller.post("/score", {"method": "matrix", "likelihood": 4, "severity": 5, "l": 6})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "l"]
    assert (
        caller.post("/score", {"method": "lec", "l": 6, "e": 3, "c": 15, "x": 1}).status_code == 422
    )


def test_score_needs_authentication(db: None, api: Any) -> None:
    assert (
        api().post("/score", {"method": "matrix", "likelihood": 1, "severity": 1}).status_code
        == 401
    )


def test_score_in_chinese_names_the_values(users: SimpleNamespace, api: Any) -> None:
    r = api(users.viewer, "zh-hans").post("/score", {"method": "lec", "l": 7, "e": 3, "c": 15})
    assert r.status_code == 422
    assert "10, 6, 3, 1, 0.5, 0.2, 0.1" in r.json()["detail"][0]["msg"]


def test_domains(users: SimpleNamespace, api: Any) -> None:
    r = api(users.viewer).get("/domains")
    assert r.status_code == 200
    codes = [d["code"] for d in r.json()]
    assert codes[:3] == ["special_equipment", "hazardous_chemicals", "fire"]
    assert len(codes) == 17
    zh = api(users.viewer, "zh-hans").get("/domains").json()
    assert zh[2]["name"] == "消防安全"
    assert api(users.viewer).get("/domains").json()[2]["name"] == "Fire safety"


def test_create_update_and_read_a_point(users: SimpleNamespace, api: Any) -> None:
    caller = api(users.west_officer)
    r = caller.post(
        "/points",
        {
            "name": "有限空间：污水井",
            "domain": "confined_space",
            "organization": users.west_org.pk,
            "measures": [
                {"description": "作业审批", "tier": "unit", "responsible_person": "张三"},
                {"description": "通风检测", "tier": "post"},
            ],
        },
    )
    assert r.status_code == 201, r.content
    data = r.json()
    assert data["domain"] == "confined_space"
    assert data["level"] is None and data["level_label"]
    assert data["jurisdiction"] == "310110001001" and data["street"] == "310110001"
    assert [m["description"] for m in data["measures"]] == ["作业审批", "通风检测"]
    pk = data["id"]
    r = caller.patch(f"/points/{pk}", {"description": "地下污水井", "measures": []})
    assert r.status_code == 200 and r.json()["description"] == "地下污水井"
    assert r.json()["measures"] == []
    hist = caller.get(f"/points/{pk}/history").json()
    assert len(hist) == 2
    assert caller.get(f"/points/{pk}").json()["name"] == "有限空间：污水井"


def test_create_refuses_bad_input(users: SimpleNamespace, api: Any) -> None:
    caller = api(users.admin)
    r = caller.post("/points", {"name": "x", "domain": "nope", "organization": users.west_org.pk})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "domain"]
    r = caller.post("/points", {"name": "x", "domain": "fire"})
    assert r.status_code == 422  # no location, no organisation
    r = caller.post("/points", {"name": "x", "domain": "fire", "lon": 120.0, "lat": 30.0})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "lon"]
    assert RiskPoint.objects.count() == 0


def test_scoping_in_the_api(users: SimpleNamespace, points: SimpleNamespace, api: Any) -> None:
    west = api(users.west_officer)
    ids = [p["id"] for p in west.get("/points").json()["items"]]
    assert ids == [points.west.pk]
    assert west.get(f"/points/{points.east.pk}").status_code == 404
    assert west.patch(f"/points/{points.east.pk}", {"name": "x"}).status_code == 404
    body = {"method": "lec", "l": 6, "e": 3, "c": 15}
    assert west.post(f"/points/{points.east.pk}/assessments", body).status_code == 404
    # Moving a point out of one's street is refused.
    r = west.patch(f"/points/{points.west.pk}", {"lon": 121.55, "lat": 31.27})
    assert r.status_code == 403
    assert api(users.viewer).post(f"/points/{points.west.pk}/assessments", body).status_code == 403
    assert api(users.east_manager).get("/points").json()["count"] == 1
    assert api(users.admin).get("/points").json()["count"] == 2
    # A point for an organisation the caller cannot see is refused as unknown.
    r = west.post("/points", {"name": "x", "domain": "fire", "organization": users.east_org.pk})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "organization"]


def test_assessments_by_api(users: SimpleNamespace, points: SimpleNamespace, api: Any) -> None:
    caller = api(users.west_officer)
    url = f"/points/{points.west.pk}/assessments"
    r = caller.post(url, {"method": "lec", "l": 6, "e": 3, "c": 15, "assessor": "安全评价公司"})
    assert r.status_code == 201, r.content
    assert (r.json()["score"], r.json()["level"], r.json()["colour"]) == (270, "large", "orange")
    assert r.json()["assessed_by"] == "west1"
    r = caller.post(url, {"method": "matrix", "likelihood": 4, "severity": 5})
    assert r.status_code == 201
    point = caller.get(f"/points/{points.west.pk}").json()
    assert (point["level"], point["colour"], point["method"]) == ("major", "red", "matrix")
    listed = caller.get(url).json()
    assert listed["count"] == 2 and [a["level"] for a in listed["items"]] == ["major", "large"]
    r = caller.post(url, {"method": "lec", "l": 6, "e": 3, "c": 16})
    assert r.status_code == 422 and "100, 40, 15, 7, 3, 1" in r.json()["detail"][0]["msg"]
    assert Assessment.objects.count() == 2


def test_filters_overdue_and_stats(
    users: SimpleNamespace, points: SimpleNamespace, api: Any
) -> None:
    long_ago = timezone.now() - dt.timedelta(days=400)
    assess_lec(users.admin, points.west, 3, 3, 40, assessed_at=long_ago)  # major, due in 3 months
    assess_lec(users.admin, points.east, 1, 1, 1)  # low
    caller = api(users.admin)
    assert [p["id"] for p in caller.get("/points", level="major").json()["items"]] == [
        points.west.pk
    ]
    assert caller.get("/points", domain="fire").json()["count"] == 1
    assert caller.get("/points", jurisdiction="310110002").json()["count"] == 1
    assert caller.get("/points", organization=users.west_org.pk).json()["count"] == 1
    assert caller.get("/points", q="仓库").json()["count"] == 1
    assert caller.get("/points", overdue="true").json()["count"] == 1
    assert caller.get("/points", overdue="false").json()["count"] == 1
    assert caller.get("/points", level="unassessed").json()["count"] == 0
    services.save_control_measure(users.admin, points.east, {"description": "巡查", "tier": "post"})
    listed = {p["id"]: p for p in caller.get("/points").json()["items"]}
    assert [m["description"] for m in listed[points.east.pk]["measures"]] == ["巡查"]
    assert caller.get("/points", organization=2**63).status_code == 422
    overdue = caller.get("/overdue").json()
    assert overdue["count"] == 1 and overdue["items"][0]["overdue"] is True
    assert api(users.east_officer).get("/overdue").json()["count"] == 0
    stats = caller.get("/stats").json()
    assert stats["total"] == 2 and stats["overdue"] == 1
    assert stats["by_level"] == {"major": 1, "large": 0, "general": 0, "low": 1, "unassessed": 0}
    by_street = {s["code"]: s for s in stats["by_street"]}
    assert by_street["310110001"]["highest"] == "major"
    assert by_street["310110002"]["low"] == 1 and by_street["310110002"]["name"] == "East"
    assert {d["code"]: d["count"] for d in stats["by_domain"]} == {
        "fire": 1,
        "hazardous_chemicals": 1,
    }
    one = caller.get("/stats", street="310110002").json()
    assert one["total"] == 1 and one["by_level"]["low"] == 1
    assert api(users.west_officer).get("/stats").json()["total"] == 1
