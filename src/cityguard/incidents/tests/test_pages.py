from types import SimpleNamespace

import pytest
from django.test import Client

from cityguard import testing
from cityguard.incidents import services
from cityguard.incidents.models import Incident, Task

from .helpers import chemical_plan, incident


def client_for(user, lang: str = "zh-hans") -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE=lang)
    c.login(username=user.username, password=testing.PASSWORD)
    return c


@pytest.mark.parametrize(("lang", "word"), [("zh-hans", "详细信息"), ("en", "Timeline")])
def test_pages_render(users: SimpleNamespace, district, lang: str, word: str) -> None:
    chemical_plan(district)
    inc = incident(users.admin, serious_injuries=12)
    services.add_task(users.admin, inc, "警戒")
    c = client_for(users.admin, lang)
    for url in (
        "/incidents/",
        "/incidents/new/",
        f"/incidents/{inc.pk}/edit/",
        f"/incidents/{inc.pk}/report/",
    ):
        r = c.get(url)
        assert r.status_code == 200, (url, r.status_code)
    r = c.get(f"/incidents/{inc.pk}/")
    assert r.status_code == 200
    body = r.content.decode()
    assert word in body and inc.title in body and "危险化学品事故专项应急预案" in body
    assert 'name="viewport"' in body or "viewport" in body
    r = c.get("/incidents/", {"level": 3, "format": "xlsx"})
    assert r.status_code == 200


def test_create_and_actions_through_pages(users: SimpleNamespace, district) -> None:
    plan = chemical_plan(district)
    c = client_for(users.west_officer)
    r = c.post(
        "/incidents/new/",
        {
            "title": "厂房火灾",
            "source": "phone",
            "type": "accident",
            "subtype": "fire",
            "occurred_at": "2026-05-04T09:30",
            "lon": "121.51",
            "lat": "31.28",
            "deaths": "0",
            "serious_injuries": "0",
            "direct_loss_cny": "0",
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    inc = Incident.objects.get(title="厂房火灾")
    r = c.post(
        f"/incidents/{inc.pk}/do/figures/",
        {"deaths": "3", "serious_injuries": "0", "direct_loss_cny": "0"},
    )
    assert r.status_code == 302
    inc.refresh_from_db()
    assert inc.level == 3
    assert list(inc.events.values_list("kind", flat=True)) == ["reported", "figures", "level"]
    # the fire plan does not cover fire: the chemical plan proposes only for its subtypes
    plan.subtypes = []
    plan.save()
    r = c.post(f"/incidents/{inc.pk}/do/activate/", {"plan": plan.pk, "response_level": "3"})
    assert r.status_code == 302
    assert Task.objects.filter(incident=inc).count() == 2
    task = Task.objects.filter(incident=inc).first()
    c.post(f"/incidents/{inc.pk}/do/task_status/", {"task": task.pk, "status": "in_progress"})
    task.refresh_from_db()
    assert task.status == "in_progress"
    c.post(f"/incidents/{inc.pk}/do/note/", {"text": "现场已控制"})
    c.post(f"/incidents/{inc.pk}/do/close/")
    c.post(f"/incidents/{inc.pk}/do/lessons/", {"lessons": "加强消防演练"})
    inc.refresh_from_db()
    assert inc.status == "closed" and inc.lessons == "加强消防演练"
    # negative figures refused with a message, nothing changed
    r = c.post(
        f"/incidents/{inc.pk}/do/figures/",
        {"deaths": "-1", "serious_injuries": "0", "direct_loss_cny": "0"},
        follow=True,
    )
    inc.refresh_from_db()
    assert inc.deaths == 3
    # another street's officer cannot act, a viewer cannot either
    assert (
        client_for(users.east_officer)
        .post(f"/incidents/{inc.pk}/do/note/", {"text": "x"})
        .status_code
        == 404
    )
    assert (
        client_for(users.viewer).post(f"/incidents/{inc.pk}/do/note/", {"text": "x"}).status_code
        == 403
    )
    assert client_for(users.viewer).get("/incidents/new/").status_code == 403
