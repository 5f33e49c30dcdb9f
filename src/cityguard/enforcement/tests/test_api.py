"""The enforcement API: a full case, refusals as JSON in the caller's language, scoping."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from cityguard.enforcement.models import Case, Inspection

pytestmark = pytest.mark.django_db


def test_case_flow_through_the_api(api_as: Any, users: Any, officers: Any) -> None:
    west = api_as(users.west_officer, "/enforcement")
    staff = api_as(users.staff, "/enforcement")
    today = timezone.localdate().isoformat()
    r = west.post(
        "/inspections",
        {
            "organization": users.west_org.pk,
            "inspection_type": "work_safety",
            "date": today,
            "officers": [officers.w1.pk, officers.w2.pk],
            "unannounced": True,
            "items": [{"text": "安全培训记录", "result": "fail", "note": "缺失"}],
        },
    )
    assert r.status_code == 201, r.json()
    inspection = r.json()
    assert inspection["findings"][0]["hazard_id"] and not inspection["passed"]
    r = west.post("/cases", {"title": "未按规定培训", "inspection": inspection["id"]})
    assert r.status_code == 201
    case = r.json()
    assert case["organization_id"] == users.west_org.pk
    r = west.post(
        f"/cases/{case['id']}/penalties",
        {"kind": "fine", "rule": "wsl-97-3", "circumstance": "serious", "amount": "150000"},
    )
    assert r.status_code == 422
    assert "legal maximum" in r.json()["detail"][0]["msg"]
    r = west.post(
        f"/cases/{case['id']}/penalties",
        {"kind": "fine", "rule": "wsl-97-3", "circumstance": "serious", "amount": "80000"},
    )
    assert r.status_code == 201
    r = west.post(f"/cases/{case['id']}/decision", {"content": "罚款八万元"})
    decision = r.json()["decision_detail"]
    assert decision["is_major"]
    r = west.post(f"/decisions/{decision['id']}/issue")
    assert r.status_code == 422 and "legal review" in r.json()["detail"][0]["msg"]
    r = west.post(f"/decisions/{decision['id']}/reviews", {"outcome": "passed", "opinion": "同意"})
    assert r.status_code == 403
    r = staff.post(f"/decisions/{decision['id']}/reviews", {"outcome": "passed", "opinion": "同意"})
    assert r.status_code == 201
    assert west.post(f"/decisions/{decision['id']}/issue").status_code == 200
    r = west.post(f"/decisions/{decision['id']}/publications", {"channel": "website"})
    assert r.status_code == 201
    body = r.json()
    assert body["state"] == "decided"
    assert len(body["decision_detail"]["publications"]) == 1
    assert [e["kind"] for e in body["events"]][-1] == "publication"
    r = api_as(None, "/enforcement").get("/public/decisions")
    assert r.status_code == 200
    item = r.json()["items"][0]
    assert item["number"] == decision["number"] and item["party"] == users.west_org.name
    assert "officer" not in str(item).lower()
    r = staff.get("/rates", period=timezone.localdate().strftime("%Y-%m"), span="year")
    assert {x["code"]: x["value"] for x in r.json()["rates"]}["enforcement-legal-review"] == 100.0


def test_refusals_in_the_callers_language(api_as: Any, users: Any, officers: Any) -> None:
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    body = {
        "organization": users.west_org.pk,
        "inspection_type": "fire_safety",
        "date": tomorrow,
        "officers": [officers.w1.pk],
    }
    r = api_as(users.west_officer, "/enforcement", language="en").post("/inspections", body)
    assert r.status_code == 422
    msgs = {d["loc"][-1]: d["msg"] for d in r.json()["detail"]}
    assert msgs["date"] == "The inspection date cannot be in the future."
    assert msgs["officers"] == "At least two officers must be present."
    r = api_as(users.west_officer, "/enforcement", language="zh-hans").post("/inspections", body)
    assert "未来" in {d["loc"][-1]: d["msg"] for d in r.json()["detail"]}["date"]
    assert not Inspection.objects.exists()
    r = api_as(users.west_officer, "/enforcement").post(
        "/inspections", {"date": "x", "officers": "y"}
    )
    assert r.status_code == 422
    r = api_as(users.staff, "/enforcement").get("/rates", period="2025-13")
    assert r.status_code == 422


def test_scoping(api_as: Any, users: Any, officers: Any) -> None:
    east = api_as(users.east_officer, "/enforcement")
    r = east.post("/cases", {"title": "东区案件", "organization": users.east_org.pk})
    assert r.status_code == 201
    case_id = r.json()["id"]
    assert api_as(users.west_officer, "/enforcement").get(f"/cases/{case_id}").status_code == 404
    assert (
        api_as(users.west_officer, "/enforcement")
        .post(f"/cases/{case_id}/penalties", {"kind": "warning"})
        .status_code
        == 404
    )
    mgr = api_as(users.east_manager, "/enforcement")
    assert mgr.get(f"/cases/{case_id}").status_code == 200
    assert mgr.post(f"/cases/{case_id}/penalties", {"kind": "warning"}).status_code == 403
    assert api_as(users.west_manager, "/enforcement").get("/cases").json()["count"] == 0
    viewer = api_as(users.viewer, "/enforcement")
    assert viewer.get(f"/cases/{case_id}").status_code == 200
    assert viewer.post(f"/cases/{case_id}/penalties", {"kind": "warning"}).status_code == 403
    r = api_as(users.west_officer, "/enforcement").post(
        "/cases", {"title": "越界", "organization": users.east_org.pk}
    )
    assert r.status_code == 422  # the east organisation is not in the west officer's reach
    assert Case.objects.count() == 1
    staff_names = {
        o["name"] for o in api_as(users.west_officer, "/enforcement").get("/staff").json()["items"]
    }
    assert "西执法一" in staff_names and "东执法一" not in staff_names
    assert api_as(users.east_manager, "/enforcement").get("/staff").json()["count"] == 0


def test_staff_and_plan_endpoints(api_as: Any, users: Any, officers: Any) -> None:
    staff = api_as(users.staff, "/enforcement")
    r = staff.post(
        "/staff",
        {
            "name": "新执法员",
            "jurisdiction": "310110001",
            "certificate_no": "N001",
            "valid_until": "2099-01-01",
            "training_hours": "45",
        },
    )
    assert r.status_code == 201 and r.json()["qualified"]
    r = staff.post("/staff", {"name": "重号", "certificate_no": "N001"})
    assert r.status_code == 422
    r = staff.patch(f"/staff/{officers.untrained.pk}", {"training_hours": "50"})
    assert r.status_code == 200 and r.json()["qualified"]
    assert staff.get("/staff", qualified="false").json()["count"] == 2
    r = staff.post(
        "/plans",
        {
            "title": "p",
            "inspection_type": "work_safety",
            "period_start": "2026-01-01",
            "period_end": "2026-01-31",
            "kinds": ["enterprise"],
            "target_count": 2,
        },
    )
    assert r.status_code == 201
    plan = r.json()
    r = staff.post(f"/plans/{plan['id']}/draw", {"seed": 7})
    assert r.status_code == 200, r.json()
    body = r.json()
    assert body["seed"] == 7 and body["reproducible"] and len(body["targets"]) == 2
    assert all(len(t["officers"]) == 2 for t in body["targets"])
    assert staff.post(f"/plans/{plan['id']}/draw", {}).status_code == 422
    assert staff.post(f"/plans/{plan['id']}/publish").json()["status"] == "published"
    assert len(staff.get("/discretion").json()) >= 6
