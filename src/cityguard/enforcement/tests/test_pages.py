"""Every enforcement page renders in Chinese and English; actions go through the services."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from cityguard import testing
from cityguard.enforcement import services
from cityguard.enforcement.models import Case, Inspection

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(users: Any, officers: Any) -> Any:
    s = users.west_officer
    inspection = services.record_inspection(
        s,
        {
            "organization": users.west_org,
            "inspection_type": "fire_safety",
            "date": timezone.localdate(),
            "officers": [officers.w1, officers.w2],
        },
        [{"text": "灭火器", "result": "fail"}],
    )
    case = services.file_case(
        s, {"organization": users.west_org, "title": "消防案件", "inspection": inspection}
    )
    services.propose_penalty(
        s,
        case,
        {"kind": "fine", "rule": "fpl-60-1-1", "circumstance": "serious", "amount": "40000"},
    )
    decision = services.draft_decision(s, case, "罚款四万元")
    services.issue_decision(s, decision)
    services.publish_decision(s, decision, {"channel": "website"})
    today = timezone.localdate()
    plan = services.create_plan(
        users.staff,
        {
            "title": "企业双随机",
            "inspection_type": "work_safety",
            "period_start": today,
            "period_end": today + dt.timedelta(days=30),
            "kinds": ["enterprise"],
            "target_count": 2,
        },
    )
    services.draw_plan(users.staff, plan, seed=3)
    return {"inspection": inspection, "case": case, "plan": plan, "officer": officers.w1}


def _pages(world: Any) -> list[str]:
    return [
        reverse("enforcement:dashboard"),
        reverse("enforcement:staff"),
        reverse("enforcement:staff_create"),
        reverse("enforcement:staff_edit", args=[world["officer"].pk]),
        reverse("enforcement:plans"),
        reverse("enforcement:plan", args=[world["plan"].pk]),
        reverse("enforcement:inspections"),
        reverse("enforcement:inspection_create"),
        reverse("enforcement:inspection", args=[world["inspection"].pk]),
        reverse("enforcement:cases"),
        reverse("enforcement:case_create"),
        reverse("enforcement:case", args=[world["case"].pk]),
        reverse("enforcement:public"),
    ]


@pytest.mark.parametrize(("lang", "word"), [("en", "nforcement"), ("zh-hans", "执法")])
def test_pages_render_in_both_languages(
    client: Any, users: Any, world: Any, lang: str, word: str
) -> None:
    client.force_login(users.admin)
    for url in _pages(world):
        r = client.get(url, HTTP_ACCEPT_LANGUAGE=lang)
        assert r.status_code == 200, url
        assert word in r.content.decode(), url
    r = client.get(reverse("enforcement:dashboard"), HTTP_ACCEPT_LANGUAGE="en")
    html = r.content.decode()
    assert "The three full-coverage rates" in html and 'data-rate="publicity"' in html


def test_public_page_needs_no_login(client: Any, world: Any, users: Any) -> None:
    r = client.get(reverse("enforcement:public"), HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 200
    html = r.content.decode()
    assert users.west_org.name in html and "JD-" in html
    assert "西执法一" not in html
    assert client.get(reverse("enforcement:cases")).status_code == 302


def test_scoped_pages(client: Any, users: Any, world: Any) -> None:
    client.force_login(users.east_officer)
    assert client.get(reverse("enforcement:case", args=[world["case"].pk])).status_code == 404
    assert (
        client.get(reverse("enforcement:inspection", args=[world["inspection"].pk])).status_code
        == 404
    )
    assert client.get(reverse("enforcement:plan", args=[world["plan"].pk])).status_code == 404
    client.force_login(users.west_manager)
    r = client.get(reverse("enforcement:case", args=[world["case"].pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 200 and 'id="actions"' not in r.content.decode()
    assert client.get(reverse("enforcement:inspection_create")).status_code == 403
    client.force_login(users.viewer)
    r = client.post(
        reverse("enforcement:case", args=[world["case"].pk]),
        {"op": "step", "kind": "note", "summary": "x"},
    )
    assert r.status_code == 403
    assert world["case"].events.filter(kind="note").count() == 0


def test_inspection_form_on_site(client: Any, users: Any, officers: Any, png: bytes) -> None:
    from .conftest import upload

    client.force_login(users.west_officer)
    url = reverse("enforcement:inspection_create")
    future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    data = {
        "organization": users.west_org.pk,
        "inspection_type": "fire_safety",
        "date": future,
        "officers": [officers.w1.pk, officers.w2.pk],
        "item_0_text": "疏散通道",
        "item_0_result": "pass",
        "findings": "安全出口锁闭\n",
    }
    r = client.post(url, data, HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 200 and "cannot be in the future" in r.content.decode()
    assert not Inspection.objects.exists()
    data["date"] = timezone.localdate().isoformat()
    data["photos"] = [upload(png)]
    r = client.post(url, data)
    assert r.status_code == 302
    inspection = Inspection.objects.get()
    assert inspection.findings.get().hazard_id and inspection.evidence.count() == 1


def test_case_actions_on_the_page(client: Any, users: Any, officers: Any) -> None:
    client.force_login(users.west_officer)
    case = services.file_case(users.west_officer, {"organization": users.west_org, "title": "t"})
    url = reverse("enforcement:case", args=[case.pk])
    r = client.post(
        url,
        {
            "op": "penalty",
            "kind": "fine",
            "rule": "wsl-102",
            "circumstance": "general",
            "amount": "55000",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert r.status_code == 200 and "above the legal maximum" in r.content.decode()
    r = client.post(url, {"op": "penalty", "kind": "suspension"})
    assert r.status_code == 302
    client.post(url, {"op": "draft", "content": "停产整顿"})
    r = client.post(url, {"op": "issue"}, HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 200 and "legal review" in r.content.decode()
    client.force_login(users.staff)
    assert (
        client.post(url, {"op": "review", "outcome": "passed", "opinion": "同意"}).status_code
        == 302
    )
    client.force_login(users.west_officer)
    assert client.post(url, {"op": "issue"}).status_code == 302
    assert client.post(url, {"op": "publish", "channel": "credit"}).status_code == 302
    case = Case.objects.get(pk=case.pk)
    assert case.state == "decided" and case.decision.publications.count() == 1


def test_staff_and_plan_forms(client: Any, users: Any, district: Any, officers: Any) -> None:
    client.force_login(users.staff)
    r = client.post(
        reverse("enforcement:staff_create"),
        {
            "name": "页面新增",
            "jurisdiction": district.west.pk,
            "certificate_no": "P1",
            "valid_until": "2099-01-01",
            "training_hours": "40",
            "is_active": "on",
        },
    )
    assert r.status_code == 302
    testing.make_organization(
        users.admin, "企业甲", 121.51, 31.29, credit_code=testing.credit_code(77)
    )
    today = timezone.localdate().isoformat()
    r = client.post(
        reverse("enforcement:plans"),
        {
            "title": "页面计划",
            "jurisdiction": district.root.pk,
            "inspection_type": "work_safety",
            "period_start": today,
            "period_end": today,
            "kinds": ["enterprise"],
            "target_count": 2,
            "officers_per_target": 2,
        },
    )
    assert r.status_code == 302
    r = client.post(r.url, {"op": "draw", "seed": "99"})
    assert r.status_code == 302
    r = client.get(r.url, HTTP_ACCEPT_LANGUAGE="en")
    assert 'id="draw-result"' in r.content.decode() and "99" in r.content.decode()
