"""Permits API and pages: apply, approve out of order (refused with the reason), gas test,
start outside the window, scoping (404), both languages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from cityguard.permits import rules, services
from cityguard.permits.models import Permit

from .conftest import data, gas

pytestmark = pytest.mark.django_db


def body(org, **extra):
    now = timezone.now()
    b = {
        "organization": org.pk,
        "kind": "hot_work",
        "grade": "2",
        "location": "2号罐区",
        "content": "法兰焊接",
        "guardian": "王监护",
        "workers": ["张三", "李四"],
        "hazards": "可燃气体",
        "measures": [c for c, _l in rules.measures("hot_work")],
        "valid_from": (now - dt.timedelta(minutes=1)).isoformat(),
        "valid_to": (now + dt.timedelta(hours=3)).isoformat(),
    }
    b.update(extra)
    return b


def test_api_flow(users, pw, api_as):
    mgr = api_as(users.west_manager, "/permits")
    r = mgr.post("", body(users.west_org))
    assert r.status_code == 201, r.content
    p = r.json()
    assert p["next_step"] == 1 and "approve" in p["actions"] and len(p["approvals"]) == 3
    pid = p["id"]
    r = api_as(pw.m2, "/permits").post(f"/{pid}/approve", {"step": 2})
    assert r.status_code == 422 and "statutory order" in str(r.json()["detail"])
    assert (
        api_as(pw.m2, "/permits")
        .post(f"/{pid}/approve", {"step": 1, "opinion": "同意"})
        .status_code
        == 200
    )
    assert api_as(pw.m3, "/permits").post(f"/{pid}/approve", {"step": 2}).status_code == 200
    r = api_as(pw.m4, "/permits").post(f"/{pid}/approve", {"step": 3})
    assert r.status_code == 422 and "gas analysis" in str(r.json()["detail"])
    now = timezone.now()
    r = mgr.post(
        f"/{pid}/gas-tests",
        {
            "analysed_at": now.isoformat(),
            "analyst": "赵",
            "o2_pct": 20.9,
            "combustible_pct": 0.1,
            "lel_pct": 5,
        },
    )
    assert r.status_code == 201 and r.json()["gas_tests"][0]["passed"]
    assert (
        mgr.post(
            f"/{pid}/gas-tests", {"analysed_at": now.isoformat(), "analyst": "赵", "o2_pct": 120}
        ).status_code
        == 422
    )
    assert (
        api_as(pw.m4, "/permits").post(f"/{pid}/approve", {"step": 3}).json()["state"] == "approved"
    )
    assert mgr.post(f"/{pid}/start").json()["state"] == "in_progress"
    assert mgr.post(f"/{pid}/close", {"site_cleared": False}).status_code == 422
    assert (
        mgr.post(f"/{pid}/close", {"site_cleared": True, "note": "ok"}).json()["state"] == "closed"
    )
    assert mgr.get("", state="closed").json()["count"] == 1


def test_api_refusals_and_scope(users, pw, api_as):
    mgr = api_as(users.west_manager, "/permits")
    r = mgr.post(
        "",
        body(
            users.west_org,
            grade="1",
            valid_to=(timezone.now() + dt.timedelta(hours=10)).isoformat(),
        ),
    )
    assert r.status_code == 422 and "8 hours" in str(r.json()["detail"])
    r = mgr.post(
        "",
        body(
            users.west_org,
            kind="confined_space",
            grade="",
            place=pw.hall.pk,
            measures=[c for c, _ in rules.measures("confined_space")],
        ),
    )
    assert r.status_code == 422 and "confined space" in str(r.json()["detail"])
    r = mgr.post("", body(users.east_org))
    assert r.status_code in (403, 422)
    assert api_as(users.staff, "/permits").post("", body(users.west_org)).status_code == 403
    assert api_as(users.viewer, "/permits").post("", body(users.west_org)).status_code == 403
    pid = mgr.post("", body(users.west_org)).json()["id"]
    assert api_as(users.east_officer, "/permits").get(f"/{pid}").status_code == 404
    assert (
        api_as(users.east_manager, "/permits").post(f"/{pid}/approve", {"step": 1}).status_code
        == 404
    )
    assert api_as(users.west_officer, "/permits").get(f"/{pid}").status_code == 200
    assert api_as(users.staff, "/permits").get("", street="310110001").json()["count"] == 1
    assert api_as(users.staff, "/permits").get("", street="310110002").json()["count"] == 0
    r = api_as(users.west_officer, "/permits").post(f"/{pid}/cancel", {"reason": "x"})
    assert r.status_code == 403
    assert Permit.objects.get(pk=pid).state == "applied"


def test_start_outside_window_via_api(users, pw, api_as):
    p = services.apply(users.west_manager, data(users.west_org))
    gas(users.west_manager, p)
    for i, who in enumerate((pw.m2, pw.m3, pw.m4), start=1):
        services.approve_step(who, p, i)
    Permit.objects.filter(pk=p.pk).update(valid_from=timezone.now() + dt.timedelta(hours=1))
    r = api_as(users.west_manager, "/permits").post(f"/{p.pk}/start")
    assert r.status_code == 422 and "outside its window" in str(r.json()["detail"])
    r = api_as(users.west_manager, "/permits", language="zh-hans").post(f"/{p.pk}/start")
    assert "有效期" in str(r.json()["detail"])


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_pages_render(users, pw, client, language):
    p = services.apply(users.west_manager, data(users.west_org))
    gas(users.west_manager, p)
    c = services.apply(
        users.west_manager, data(users.west_org, "confined_space", "", place=pw.west_space)
    )
    client.force_login(users.west_manager)
    client.cookies["django_language"] = language
    h = {"HTTP_ACCEPT_LANGUAGE": language}
    for url in [
        "/permits/",
        "/permits/?state=applied&kind=hot_work&q=罐&live=on",
        "/permits/?jurisdiction=310110001",
        "/permits/?jurisdiction=nope",
        "/permits/?format=csv",
        "/permits/new/",
        "/permits/new/?kind=hot_work",
        "/permits/new/?kind=confined_space",
        "/permits/new/?kind=lifting",
        f"/permits/{p.pk}/",
        f"/permits/{c.pk}/",
        f"/permits/{p.pk}/print/",
    ]:
        assert client.get(url, **h).status_code == 200, url
    text = client.get(f"/permits/{p.pk}/", **h).content.decode()
    assert ("Approval chain" if language == "en" else "审批") in text
    client.force_login(users.staff)
    assert client.get(f"/permits/{p.pk}/", **h).status_code == 200
    assert client.get("/permits/new/", **h).status_code == 403


def test_pages_write(users, pw, client):
    client.force_login(users.west_manager)
    now = timezone.localtime()
    r = client.post(
        "/permits/new/?kind=hot_work",
        {
            "kind": "hot_work",
            "grade": "2",
            "location": "3号罐区",
            "content": "焊接",
            "guardian": "王",
            "workers": "张三",
            "hazards": "可燃",
            "measures": [c for c, _l in rules.measures("hot_work")],
            "valid_from": now.strftime("%Y-%m-%dT%H:%M"),
            "valid_to": (now + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    p = Permit.objects.get(location="3号罐区")
    assert r.status_code == 302
    client.force_login(pw.m2)
    client.post(f"/permits/{p.pk}/approve/", {"step": 2})
    assert not p.approvals.filter(signed_at__isnull=False).exists()
    client.post(f"/permits/{p.pk}/approve/", {"step": 1, "opinion": "同意"})
    assert p.approvals.get(position=1).signed_by == pw.m2
    client.force_login(users.east_manager)
    assert client.post(f"/permits/{p.pk}/cancel/", {"reason": "x"}).status_code == 404
    client.force_login(users.west_manager)
    client.post(f"/permits/{p.pk}/cancel/", {"reason": "计划变更"})
    p.refresh_from_db()
    assert p.state == "cancelled"


def test_list_page_filters_by_area(users, pw, client):
    west = services.apply(users.west_manager, data(users.west_org, location="西区罐区"))
    east = services.apply(users.east_manager, data(users.east_org, location="东区仓库"))
    client.force_login(users.staff)
    text = client.get("/permits/?jurisdiction=310110001").content.decode()
    assert west.number in text and east.number not in text
    client.force_login(users.east_officer)
    text = client.get("/permits/").content.decode()
    assert east.number in text and west.number not in text


def test_temporary_power_in_a_hazardous_area_through_api_and_page(users, pw, api_as, client):
    power = rules.measures("temporary_power")
    mgr = api_as(users.west_manager, "/permits")
    r = mgr.post(
        "",
        body(
            users.west_org,
            kind="temporary_power",
            grade="",
            hazardous_area=True,
            measures=[c for c, _l in power],
        ),
    )
    assert r.status_code == 201, r.content
    assert r.json()["hazardous_area"] is True and "gas_test" in r.json()["actions"]
    client.force_login(users.west_manager)
    form = client.get("/permits/new/?kind=temporary_power")
    assert b'name="hazardous_area"' in form.content
    assert b'name="hazardous_area"' not in client.get("/permits/new/?kind=height").content
    now = timezone.localtime()
    client.post(
        "/permits/new/?kind=temporary_power",
        {
            "kind": "temporary_power",
            "location": "4号装置区",
            "hazardous_area": "on",
            "content": "临时照明",
            "guardian": "王",
            "workers": "张三",
            "hazards": "可燃",
            "measures": [c for c, _l in power],
            "valid_from": now.strftime("%Y-%m-%dT%H:%M"),
            "valid_to": (now + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    p = Permit.objects.get(location="4号装置区")
    assert p.hazardous_area and p.needs_gas_test
    page = client.get(f"/permits/{p.pk}/")
    assert "位于具有火灾爆炸危险的场所" in page.content.decode()
