"""The hazards pages: every page for every role in both languages, and the main flows
driven through the forms (report, act, plan, inspect, tip, triage)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from cityguard.hazards import antispam, services
from cityguard.hazards.models import Hazard, Inspection, RectificationPlan, Tip

from .helpers import png_upload, walk


def web(user: Any = None, lang: str = "zh-hans") -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE=lang)
    if user is not None:
        c.force_login(user)
    return c


@pytest.fixture
def data(users: Any, report: Any) -> dict[str, Any]:
    hazard = walk(report(title="二楼安全出口上锁"), users, "assign")
    major = report(
        title="喷淋系统失效", severity="major", deadline=timezone.localdate() + timedelta(days=60)
    )
    inspection = services.create_inspection(
        users.west_officer, {"organization": users.west_org, "kind": "street", "unannounced": True}
    )
    tip = services.submit_tip({"description": "楼道堆放杂物", "lon": 121.51, "lat": 31.27})
    return {"hazard": hazard, "major": major, "inspection": inspection, "tip": tip}


PAGES = [
    "/hazards/",
    "/hazards/list/",
    "/hazards/mine/",
    "/hazards/overdue/",
    "/hazards/dashboard/",
    "/hazards/inspections/",
    "/hazards/checklists/",
    "/hazards/lookback/",
    "/hazards/tip/",
]


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_every_page_for_every_role(users: Any, data: dict[str, Any], lang: str) -> None:
    hazard, inspection, tip = data["hazard"], data["inspection"], data["tip"]
    for name in ("admin", "staff", "west_officer", "east_officer", "west_manager", "viewer"):
        c = web(getattr(users, name), lang)
        for url in PAGES:
            r = c.get(url)
            assert r.status_code == 200, (name, url, r.status_code)
            assert f'lang="{lang}"' in r.content.decode()
        sees = name in ("admin", "staff", "west_officer", "west_manager", "viewer")
        assert c.get(f"/hazards/{hazard.pk}/").status_code == (200 if sees else 404)
        assert c.get(f"/hazards/inspections/{inspection.pk}/").status_code == (200 if sees else 404)
        triager = name in ("admin", "staff", "west_officer")
        assert c.get(f"/hazards/tips/{tip.pk}/").status_code == (200 if triager else 404)
        assert c.get("/hazards/tips/").status_code == (
            200 if triager or name == "east_officer" else 403
        )
    # The login wall, except for the public tip pages.
    anon = web()
    assert anon.get("/hazards/").status_code == 302
    assert anon.get("/hazards/tip/").status_code == 200
    assert anon.get(f"/hazards/tip/{tip.code}/").status_code == 200
    assert anon.get(f"/hazards/{hazard.pk}/").status_code == 302


def test_board_shows_columns_with_counts(users: Any, data: dict[str, Any]) -> None:
    page = web(users.staff, "en").get("/hazards/").content.decode()
    for label in ("Reported", "Assigned", "Rectifying", "Awaiting verification", "Closed"):
        assert label in page
    counts = dict(re.findall(r'id="col-(\w+)".*?data-count="(\d+)"', page, re.S))
    assert counts == {
        "reported": "1",
        "assigned": "1",
        "rectifying": "0",
        "verifying": "0",
        "closed": "0",
    }
    page = web(users.staff, "en").get("/hazards/?severity=major").content.decode()
    assert "喷淋系统失效" in page and "二楼安全出口上锁" not in page


def test_report_through_the_form(users: Any, district: Any) -> None:
    c = web(users.west_officer, "en")
    assert c.get("/hazards/new/").status_code == 200
    from cityguard.risk.models import Domain

    fire = Domain.objects.get(code="fire")
    form = {
        "title": "灭火器过期",
        "domain": fire.pk,
        "severity": "general",
        "source": "street_inspection",
        "organization": users.west_org.pk,
        "deadline": (timezone.localdate() - timedelta(days=1)).isoformat(),
        "photos": [png_upload()],
    }
    r = c.post("/hazards/new/", form)
    assert r.status_code == 422 and "cannot be in the past" in r.content.decode()
    form["deadline"] = (timezone.localdate() + timedelta(days=7)).isoformat()
    form["photos"] = [png_upload()]
    r = c.post("/hazards/new/", form)
    assert r.status_code == 302
    hazard = Hazard.objects.get(title="灭火器过期")
    assert r["Location"] == f"/hazards/{hazard.pk}/"
    assert hazard.photos.count() == 1 and hazard.reported_by == users.west_officer
    # The viewer may not report.
    assert web(users.viewer).get("/hazards/new/").status_code == 403


def test_act_through_the_page(users: Any, data: dict[str, Any]) -> None:
    hazard = data["hazard"]
    manager = web(users.west_manager, "en")
    page = manager.get(f"/hazards/{hazard.pk}/").content.decode()
    assert 'data-action="start"' in page and 'data-action="verify"' not in page
    r = manager.post(f"/hazards/{hazard.pk}/actions/start/", {"start-comment": "开工"})
    assert r.status_code == 302
    r = manager.post(f"/hazards/{hazard.pk}/actions/submit/", {"submit-comment": ""})
    assert r.status_code == 422 and "Describe what was done" in r.content.decode()
    r = manager.post(
        f"/hazards/{hazard.pk}/actions/submit/",
        {"submit-comment": "已拆除门锁", "submit-photos": [png_upload()]},
    )
    assert r.status_code == 302
    # Out of order: refused with the reason, nothing changes.
    r = manager.post(f"/hazards/{hazard.pk}/actions/verify/", {"verify-comment": "me"})
    assert r.status_code == 403
    hazard.refresh_from_db()
    assert hazard.state == "verifying"
    officer = web(users.west_officer, "en")
    r = officer.post(
        f"/hazards/{hazard.pk}/actions/assign/",
        {"assign-deadline": "2099-01-01", "assign-responsible_person": "x"},
    )
    assert r.status_code == 422 and "cannot be" in r.content.decode()
    r = officer.post(f"/hazards/{hazard.pk}/actions/verify/", {"verify-comment": "复查合格"})
    assert r.status_code == 302
    hazard.refresh_from_db()
    assert hazard.state == "closed"
    page = officer.get(f"/hazards/{hazard.pk}/").content.decode()
    assert "已拆除门锁" in page and "/hazards/photos/" in page
    r = officer.post(f"/hazards/{hazard.pk}/notes/", {"note-comment": "回访正常"})
    assert r.status_code == 302


def test_plan_through_the_page(users: Any, data: dict[str, Any]) -> None:
    major = walk(data["major"], users, "assign")
    c = web(users.west_manager, "en")
    page = c.get(f"/hazards/{major.pk}/").content.decode()
    assert "needs a rectification plan" in page
    today = timezone.localdate()
    form = {
        "measures": "更换报警阀组并联动调试",
        "funding": "企业自筹 20 万元",
        "responsible_person": "王五",
        "target_date": (today + timedelta(days=45)).isoformat(),
        "supervisor": users.staff.pk,
        "m-TOTAL_FORMS": "3",
        "m-INITIAL_FORMS": "0",
        "m-0-title": "采购",
        "m-0-due": (today + timedelta(days=10)).isoformat(),
        "m-1-title": "安装",
        "m-1-due": (today + timedelta(days=50)).isoformat(),
        "m-2-title": "",
        "m-2-due": "",
    }
    r = c.post(f"/hazards/{major.pk}/plan/", form)
    assert r.status_code == 422 and "after the plan" in r.content.decode()
    form["m-1-due"] = (today + timedelta(days=30)).isoformat()
    r = c.post(f"/hazards/{major.pk}/plan/", form)
    assert r.status_code == 302
    plan = RectificationPlan.objects.get(hazard=major)
    assert plan.milestones.count() == 2 and plan.supervisor == users.staff
    assert c.post(f"/hazards/{major.pk}/actions/start/", {"start-comment": ""}).status_code == 302
    first = plan.milestones.order_by("due").first()
    assert c.post(f"/hazards/{major.pk}/milestones/{first.pk}/done/").status_code == 302
    first.refresh_from_db()
    assert first.done_at is not None


def test_inspection_through_the_pages(users: Any, district: Any) -> None:
    from cityguard.hazards.models import ChecklistTemplate

    template = ChecklistTemplate.objects.get(code="city-gas-users")
    c = web(users.west_officer, "en")
    r = c.post(
        "/hazards/inspections/new/",
        {
            "organization": users.west_org.pk,
            "template": template.pk,
            "kind": "street",
            "unannounced": "on",
        },
    )
    assert r.status_code == 302
    inspection = Inspection.objects.get()
    assert inspection.unannounced
    items = list(template.items.all())
    form = {f"outcome-{i.pk}": "pass" for i in items}
    del form[f"outcome-{items[-1].pk}"]
    r = c.post(f"/hazards/inspections/{inspection.pk}/", form)
    assert r.status_code == 422 and "missing" in r.content.decode()
    form[f"outcome-{items[-1].pk}"] = "fail"
    form[f"note-{items[-1].pk}"] = "燃气灶具超期使用"
    r = c.post(f"/hazards/inspections/{inspection.pk}/", form)
    assert r.status_code == 302
    hazard = Hazard.objects.get(inspection=inspection)
    assert hazard.domain.code == "city_gas" and "燃气灶具超期使用" in hazard.description
    page = c.get(f"/hazards/inspections/{inspection.pk}/").content.decode()
    assert hazard.reference in page


def test_public_tip_page_flow(district: Any, users: Any, settings: Any) -> None:
    settings.CITYGUARD_TIP_MIN_SECONDS = 0
    anon = web(lang="en")
    page = anon.get("/hazards/tip/").content.decode()
    question = re.search(r"what is (\d+) \+ (\d+)\?", page)
    token = re.search(r'name="token" value="([^"]+)"', page)
    assert question and token and 'name="website"' in page
    answer = int(question.group(1)) + int(question.group(2))
    base = {
        "description": "消防栓被圈占",
        "lon": "121.515",
        "lat": "31.275",
        "token": token.group(1),
        "answer": str(answer),
        "question": f"{question.group(1)} + {question.group(2)}",
    }
    r = anon.post("/hazards/tip/", {**base, "lon": "", "lat": ""})
    assert r.status_code == 422 and "location" in r.content.decode()
    r = anon.post("/hazards/tip/", {**base, "website": "http://x.example"})
    assert r.status_code == 422 and Tip.objects.count() == 0
    r = anon.post("/hazards/tip/", {**base, "answer": str(answer + 1)})
    assert r.status_code == 422 and "answer" in r.content.decode().lower()
    r = anon.post("/hazards/tip/", {**base, "photo": png_upload("scene.png")})
    assert r.status_code == 302
    tip = Tip.objects.get()
    assert r["Location"] == f"/hazards/tip/{tip.code}/?new=1"
    status = anon.get(r["Location"]).content.decode()
    assert tip.code in status and "Thank you" in status
    assert (
        anon.get(f"/hazards/tip/status/?code={tip.code.lower()}")["Location"]
        == f"/hazards/tip/{tip.code}/"
    )
    assert anon.get("/hazards/tip/AAAA-BBBB-CCCC/").status_code == 404
    # Staff triage it on its page.
    officer = web(users.west_officer, "en")
    from cityguard.risk.models import Domain

    r = officer.post(
        f"/hazards/tips/{tip.pk}/",
        {
            "form": "triage",
            "decision": "accept",
            "title": "消防栓被圈占",
            "domain": Domain.objects.get(code="fire").pk,
            "severity": "general",
        },
    )
    assert r.status_code == 302
    tip.refresh_from_db()
    assert tip.status == "accepted" and tip.hazard.photos.count() == 1
    assert "Confirmed as a hazard" in anon.get(f"/hazards/tip/{tip.code}/").content.decode()


def test_tip_page_rate_limit(district: Any, settings: Any) -> None:
    settings.CITYGUARD_TIP_LIMIT = 1
    settings.CITYGUARD_TIP_MIN_SECONDS = 0
    anon = web(lang="en")
    challenge = antispam.issue()
    a, b = (int(x) for x in challenge.question.split(" + "))
    body = {
        "description": "电动车楼道充电",
        "lon": "121.515",
        "lat": "31.275",
        "token": challenge.token,
        "answer": str(a + b),
    }
    assert anon.post("/hazards/tip/", body).status_code == 302
    challenge = antispam.issue()
    a, b = (int(x) for x in challenge.question.split(" + "))
    r = anon.post("/hazards/tip/", {**body, "token": challenge.token, "answer": str(a + b)})
    assert r.status_code == 429 and "Too many tips" in r.content.decode()
    assert Tip.objects.count() == 1


def test_list_export(users: Any, data: dict[str, Any]) -> None:
    r = web(users.staff, "en").get("/hazards/list/?format=csv")
    assert r.status_code == 200
    text = b"".join(r.streaming_content).decode("utf-8-sig")
    assert "二楼安全出口上锁" in text and "Rectification deadline" in text
