"""The hazards API: list with filters and scoping, detail, create, transitions, photos,
plans, checklists, inspections, look-back and stats."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from cityguard.core.models import ApiToken
from cityguard.hazards.models import Hazard, HazardEvent

from .helpers import png_upload, walk

API = "/api/v1/hazards"


def client_for(user: Any) -> Client:
    _token, raw = ApiToken.issue(user)
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def hazards(users: Any, report: Any) -> dict[str, Hazard]:
    today = timezone.localdate()
    return {
        "west": report(title="西区通道堵塞"),
        "west_major": report(
            title="西区喷淋失效", severity="major", deadline=today + timedelta(days=60)
        ),
        "east": report(
            actor=users.east_officer,
            title="东区燃气软管老化",
            domain="city_gas",
            organization=users.east_org,
        ),
    }


def test_list_is_scoped_and_filtered(users: Any, hazards: dict[str, Hazard]) -> None:
    def titles(user: Any, query: str = "") -> set[str]:
        r = client_for(user).get(f"{API}{query}")
        assert r.status_code == 200, r.content
        body = r.json()
        assert body["count"] == len(body["items"])
        return {h["title"] for h in body["items"]}

    assert titles(users.staff) == {"西区通道堵塞", "西区喷淋失效", "东区燃气软管老化"}
    assert titles(users.west_officer) == {"西区通道堵塞", "西区喷淋失效"}
    assert titles(users.east_manager) == {"东区燃气软管老化"}
    assert titles(users.viewer) == {"西区通道堵塞", "西区喷淋失效", "东区燃气软管老化"}
    assert titles(users.staff, "?severity=major") == {"西区喷淋失效"}
    assert titles(users.staff, "?domain=city_gas") == {"东区燃气软管老化"}
    assert titles(users.staff, f"?jurisdiction={users.east_org.jurisdiction.parent.code}") == {
        "东区燃气软管老化"
    }
    assert titles(users.staff, "?q=喷淋") == {"西区喷淋失效"}
    assert titles(users.staff, f"?q=YH{hazards['east'].pk:06d}") == {"东区燃气软管老化"}
    assert titles(users.staff, "?state=closed") == set()
    assert titles(users.west_officer, "?mine=true") == {"西区通道堵塞", "西区喷淋失效"}
    r = client_for(users.staff).get(f"{API}?state=nonsense")
    assert r.status_code == 422
    assert Client().get(API).status_code == 401


def test_detail_and_404_outside_reach(users: Any, hazards: dict[str, Hazard]) -> None:
    h = hazards["west"]
    r = client_for(users.west_officer).get(f"{API}/{h.pk}")
    assert r.status_code == 200
    body = r.json()
    assert body["reference"] == h.reference and body["domain"] == "fire"
    assert body["street"] == users.west_org.jurisdiction.parent.code
    assert body["actions"] == ["assign"]
    assert [e["kind"] for e in body["events"]] == ["report"]
    assert client_for(users.west_manager).get(f"{API}/{h.pk}").json()["actions"] == []
    assert client_for(users.east_officer).get(f"{API}/{h.pk}").status_code == 404
    assert client_for(users.staff).get(f"{API}/999999").status_code == 404


def test_create_and_bad_input(users: Any, district: Any) -> None:
    c = client_for(users.west_officer)
    ok = {
        "title": "配电箱未上锁",
        "source": "street_inspection",
        "domain": "fire",
        "lon": 121.51,
        "lat": 31.28,
        "deadline": (timezone.localdate() + timedelta(days=5)).isoformat(),
    }
    r = c.post(API, ok, content_type="application/json")
    assert r.status_code == 201, r.content
    assert r.json()["jurisdiction"] == district.west_community.code
    bad = [
        ({**ok, "domain": "nowhere"}, "domain"),
        ({**ok, "deadline": (timezone.localdate() - timedelta(days=1)).isoformat()}, "deadline"),
        ({**ok, "lon": 121.55}, None),  # in the east: outside the officer's street
        ({k: v for k, v in ok.items() if k not in ("lon", "lat")}, "jurisdiction"),
        ({**ok, "extra": 1}, "extra"),
    ]
    for payload, field in bad:
        before = Hazard.objects.count()
        r = c.post(API, payload, content_type="application/json")
        assert r.status_code in (403, 422), (payload, r.content)
        detail = r.json()["detail"]
        if field:
            assert any(field in d["loc"] for d in detail), detail
        assert Hazard.objects.count() == before


def test_transitions_over_the_api(users: Any, hazards: dict[str, Hazard]) -> None:
    h = hazards["west"]
    officer, manager = client_for(users.west_officer), client_for(users.west_manager)

    def post(c: Client, body: dict[str, Any]) -> Any:
        return c.post(f"{API}/{h.pk}/transitions", body, content_type="application/json")

    r = post(officer, {"action": "verify", "comment": "too early"})
    assert r.status_code == 422
    assert "assign" in str(r.json()["detail"]).lower() or "交办" in str(r.json()["detail"])
    r = post(manager, {"action": "assign", "comment": "mine", "responsible_person": "x"})
    assert r.status_code == 403
    r = post(
        officer,
        {
            "action": "assign",
            "comment": "请整改",
            "responsible_unit": users.west_org.pk,
            "responsible_person": "赵六",
        },
    )
    assert r.status_code == 200 and r.json()["state"] == "assigned"
    assert r.json()["responsible_unit_name"] == users.west_org.name
    assert post(manager, {"action": "start"}).json()["state"] == "rectifying"
    r = post(manager, {"action": "submit"})
    assert r.status_code == 422  # a comment is required
    assert post(manager, {"action": "submit", "comment": "已整改"}).json()["state"] == "verifying"
    r = post(officer, {"action": "verify", "comment": "合格"})
    assert r.json()["state"] == "closed" and r.json()["closed_on_time"] is True
    kinds = [e["kind"] for e in r.json()["events"]]
    assert kinds == ["report", "assign", "start", "submit", "verify"]
    assert post(client_for(users.viewer), {"action": "reject", "comment": "no"}).status_code == 403


def test_photos_upload_and_serving(users: Any, hazards: dict[str, Hazard], settings: Any) -> None:
    h = hazards["west"]
    c = client_for(users.west_officer)
    r = c.post(
        f"{API}/{h.pk}/photos", {"photos": [png_upload(), png_upload("two.png")], "comment": "现场"}
    )
    assert r.status_code == 201, r.content
    photos = r.json()["photos"]
    assert len(photos) == 2 and photos[0]["content_type"] == "image/png"
    r = c.post(f"{API}/{h.pk}/photos", {"photos": [png_upload("x.txt")], "comment": ""})
    assert r.status_code == 201
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("evil.png", b"<?php echo 1; ?>", content_type="image/png")
    r = c.post(f"{API}/{h.pk}/photos", {"photos": [fake]})
    assert r.status_code == 422
    settings.CITYGUARD_HAZARD_PHOTO_MAX_BYTES = 20
    r = c.post(f"{API}/{h.pk}/photos", {"photos": [png_upload()]})
    assert r.status_code == 422 and "MB" in str(r.json()["detail"])
    # Files are served to those who see the hazard, never to others.
    url = photos[0]["url"]
    web = Client()
    web.force_login(users.west_officer)
    response = web.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    web.force_login(users.east_officer)
    assert web.get(url).status_code == 404
    assert Client().get(url).status_code == 404


def test_plan_over_the_api(users: Any, hazards: dict[str, Hazard]) -> None:
    h = walk(hazards["west_major"], users, "assign")
    today = timezone.localdate()
    c = client_for(users.west_manager)
    r = c.post(f"{API}/{h.pk}/transitions", {"action": "start"}, content_type="application/json")
    assert r.status_code == 422 and "plan" in str(r.json()["detail"])
    body = {
        "measures": "更换报警阀组",
        "responsible_person": "王五",
        "target_date": (today + timedelta(days=40)).isoformat(),
        "supervisor": users.staff.username,
        "milestones": [{"title": "采购", "due": (today + timedelta(days=10)).isoformat()}],
    }
    r = c.put(f"{API}/{h.pk}/plan", body, content_type="application/json")
    assert r.status_code == 200, r.content
    assert r.json()["supervisor"] == users.staff.username and len(r.json()["milestones"]) == 1
    r = c.post(f"{API}/{h.pk}/transitions", {"action": "start"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["plan"]["measures"] == "更换报警阀组"


def test_checklists_inspections_and_results(users: Any, district: Any) -> None:
    c = client_for(users.west_officer)
    r = c.get(f"{API}/checklists")
    codes = {t["code"] for t in r.json()}
    assert {"fire-general", "hazchem-storage", "confined-space", "city-gas-users"} <= codes
    fire = next(t for t in r.json() if t["code"] == "fire-general")
    assert fire["domain"] == "fire" and len(fire["items"]) >= 6
    r = c.post(
        f"{API}/inspections",
        {
            "organization": users.west_org.pk,
            "template": "fire-general",
            "kind": "street",
            "unannounced": True,
        },
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    inspection = r.json()
    assert inspection["unannounced"] is True and inspection["state"] == "planned"
    items = fire["items"]
    results = [{"item": i["id"], "outcome": "pass"} for i in items]
    results[0] = {"item": items[0]["id"], "outcome": "fail", "note": "二楼安全出口上锁"}
    results[2] = {"item": items[2]["id"], "outcome": "fail", "severity": "general"}
    r = c.post(
        f"{API}/inspections/{inspection['id']}/results",
        {"results": results[:3]},
        content_type="application/json",
    )
    assert r.status_code == 422  # every item needs an outcome
    r = c.post(
        f"{API}/inspections/{inspection['id']}/results",
        {"results": results},
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    done = r.json()
    assert done["state"] == "done" and len(done["hazards"]) == 2
    found = Hazard.objects.filter(pk__in=done["hazards"]).order_by("id")
    assert [h.severity for h in found] == ["major", "general"]  # item 1 is major if failed
    assert all(
        h.source == "street_inspection" and h.inspection_id == inspection["id"] for h in found
    )
    r = c.post(
        f"{API}/inspections/{inspection['id']}/results",
        {"results": results},
        content_type="application/json",
    )
    assert r.status_code == 422  # already done
    # A street officer cannot run a district inspection; an enterprise only a self one.
    r = c.post(
        f"{API}/inspections",
        {"organization": users.west_org.pk, "kind": "district"},
        content_type="application/json",
    )
    assert r.status_code == 403
    r = client_for(users.west_manager).post(
        f"{API}/inspections",
        {"organization": users.west_org.pk, "kind": "self", "template": "fire-general"},
        content_type="application/json",
    )
    assert r.status_code == 201
    assert (
        client_for(users.east_manager).get(f"{API}/inspections/{inspection['id']}").status_code
        == 404
    )


def test_stats_and_lookbacks(users: Any, hazards: dict[str, Hazard]) -> None:
    r = client_for(users.staff).get(f"{API}/stats")
    assert r.status_code == 200
    body = r.json()
    assert body["total"] == 3 and body["open"] == 3 and body["open_major"] == 1
    assert {s["key"]: s["count"] for s in body["by_state"]}["reported"] == 3
    assert {d["key"] for d in body["by_domain"]} == {"fire", "city_gas"}
    assert sum(s["count"] for s in body["by_street"]) == 3
    assert len(body["by_month"]) == 12 and body["by_month"][-1]["count"] == 3
    r = client_for(users.staff).get(f"{API}/lookbacks")
    assert r.status_code == 200 and r.json()["count"] == 0


def test_events_record_actor_for_api_calls(users: Any, hazards: dict[str, Hazard]) -> None:
    h = hazards["west"]
    client_for(users.west_officer).post(
        f"{API}/{h.pk}/notes", {"comment": "已电话通知"}, content_type="application/json"
    )
    event = HazardEvent.objects.filter(hazard=h).order_by("-id").first()
    assert event is not None and event.actor == users.west_officer and event.kind == "comment"
