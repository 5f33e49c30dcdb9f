import datetime as dt
from types import SimpleNamespace

import pytest
from django.test import Client

from cityguard import testing
from cityguard.plans import services
from cityguard.plans.models import Drill, EmergencyPlan


def client_for(user, lang: str = "zh-hans") -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE=lang)
    c.login(username=user.username, password=testing.PASSWORD)
    return c


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_pages_render(users: SimpleNamespace, district, lang: str) -> None:
    plan = services.save_plan(
        users.admin,
        {
            "title": "区总体预案",
            "kind": "overall",
            "jurisdiction": district.root,
            "last_revised": dt.date(2020, 1, 1),
        },
    )
    services.replace_response_levels(
        users.admin, plan, [{"level": 1, "actions": [{"text": "成立指挥部"}]}]
    )
    drill = services.save_drill(
        users.admin, {"plan": plan, "date": dt.date(2026, 4, 1), "kind": "tabletop"}, ["通讯不畅"]
    )
    c = client_for(users.west_officer, lang)
    for url in (
        "/plans/",
        "/plans/due/",
        f"/plans/{plan.pk}/",
        "/plans/drills/",
        f"/plans/drills/{drill.pk}/",
        "/plans/new/",
        "/plans/drills/new/",
    ):
        r = c.get(url)
        assert r.status_code == 200, (url, r.status_code)
    body = c.get(f"/plans/{plan.pk}/").content.decode()
    assert "成立指挥部" in body
    assert "区总体预案" in c.get("/plans/due/").content.decode()
    # the street officer may read the district plan but not change it
    assert c.get(f"/plans/{plan.pk}/edit/").status_code == 403


def test_edit_with_formsets_and_drill_hazard(users: SimpleNamespace, district) -> None:
    c = client_for(users.staff)
    data = {
        "title": "防汛防台专项预案",
        "kind": "special",
        "jurisdiction": district.root.pk,
        "incident_types": ["natural_disaster"],
        "subtypes": ["flood", "typhoon"],
        "min_level": "1",
        "max_level": "4",
        "revision_months": "24",
        "last_revised": "2025-06-01",
        "is_active": "on",
        "levels-TOTAL_FORMS": "2",
        "levels-INITIAL_FORMS": "0",
        "levels-0-level": "4",
        "levels-0-trigger": "蓝色预警",
        "levels-1-level": "3",
        "levels-1-trigger": "黄色预警",
        "actions-TOTAL_FORMS": "3",
        "actions-INITIAL_FORMS": "0",
        "actions-0-level": "4",
        "actions-0-text": "巡查下立交",
        "actions-0-responsible_role": "街道",
        "actions-1-level": "3",
        "actions-1-text": "转移危房人员",
        "actions-2-level": "3",
        "actions-2-text": "",
    }
    r = c.post("/plans/new/", {**data, "actions-0-responsible_unit": "999999"})
    assert r.status_code == 200 and not EmergencyPlan.objects.exists()  # unknown unit
    r = c.post("/plans/new/", {**data, "actions-0-responsible_unit": str(users.west_org.pk)})
    assert r.status_code == 302, r.content.decode()[:3000]
    plan = EmergencyPlan.objects.get(title="防汛防台专项预案")
    assert plan.next_due == dt.date(2027, 6, 1)
    assert plan.response_levels.get(level=4).actions.get().responsible_unit == users.west_org
    assert {lv.level: [a.text for a in lv.actions.all()] for lv in plan.response_levels.all()} == {
        3: ["转移危房人员"],
        4: ["巡查下立交"],
    }
    r = c.post(
        "/plans/drills/new/",
        {
            "plan": plan.pk,
            "date": "2026-06-01",
            "kind": "functional",
            "participant_count": "30",
            "problems": "泵站备用电源故障\n",
        },
    )
    assert r.status_code == 302
    drill = Drill.objects.get()
    problem = drill.problems.get()
    r = c.post(f"/plans/drills/{drill.pk}/problems/{problem.pk}/hazard/")
    assert r.status_code == 302
    problem.refresh_from_db()
    assert problem.hazard is not None and problem.hazard.domain.code == "flood_typhoon"
