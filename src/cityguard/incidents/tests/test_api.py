import io
from types import SimpleNamespace

import openpyxl
import pytest
from django.test import Client

from cityguard import testing
from cityguard.incidents import services

from .helpers import chemical_plan, incident


def client_for(user) -> Client:
    c = Client()
    c.login(username=user.username, password=testing.PASSWORD)
    return c


URL = "/api/v1/incidents"


def test_grade_endpoint(users: SimpleNamespace) -> None:
    c = client_for(users.viewer)
    r = c.post(
        f"{URL}/grade",
        {"deaths": 0, "serious_injuries": 12, "direct_loss_cny": 0},
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    assert r.json() == {
        "level": 3,
        "name_zh": "较大",
        "name_en": "Relatively serious",
        "criterion": "serious_injuries",
    }
    for bad in ({"deaths": -1}, {"deaths": 1.5}, {"deaths": "3"}, {"direct_loss_cny": 1e3}):
        r = c.post(f"{URL}/grade", bad, content_type="application/json")
        assert r.status_code == 422, (bad, r.content)
        assert "detail" in r.json()


def test_crud_and_figures(users: SimpleNamespace) -> None:
    c = client_for(users.west_officer)
    r = c.post(
        URL,
        {
            "title": "仓库火灾",
            "source": "phone",
            "subtype": "fire",
            "lon": 121.51,
            "lat": 31.28,
            "serious_injuries": 1,
        },
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert (
        body["type"] == "accident" and body["level"] == 4 and body["jurisdiction"] == "310110001001"
    )
    pk = body["id"]
    r = c.patch(f"{URL}/{pk}", {"deaths": 10}, content_type="application/json")
    assert (
        r.status_code == 200 and r.json()["level"] == 2 and r.json()["level_criterion"] == "deaths"
    )
    r = c.patch(f"{URL}/{pk}", {"deaths": -2}, content_type="application/json")
    assert r.status_code == 422
    r = c.get(f"{URL}/{pk}/timeline")
    kinds = [e["kind"] for e in r.json()["items"]]
    assert kinds == ["reported", "figures", "level"]
    assert r.json()["items"][2]["actor"] == "west1"
    assert c.get(URL, {"level": 2}).json()["count"] == 1
    assert c.get(URL, {"level": 3}).json()["count"] == 0
    # the east officer does not see it
    assert client_for(users.east_officer).get(f"{URL}/{pk}").status_code == 404
    assert client_for(users.east_officer).get(URL).json()["count"] == 0
    # a viewer may read, not write
    v = client_for(users.viewer)
    assert v.get(f"{URL}/{pk}").status_code == 200
    assert v.patch(f"{URL}/{pk}", {"deaths": 1}, content_type="application/json").status_code == 403


def test_activate_and_tasks(users: SimpleNamespace, district) -> None:
    plan = chemical_plan(district)
    inc = incident(users.admin, serious_injuries=12)
    c = client_for(users.staff)
    r = c.post(f"{URL}/{inc.pk}/activate", {}, content_type="application/json")
    assert r.status_code == 200, r.content
    assert r.json()[0]["plan"] == plan.pk and "2–4" in r.json()[0]["reason"]
    r = c.post(
        f"{URL}/{inc.pk}/activate",
        {"plan": plan.pk, "response_level": 3},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    tasks = r.json()["tasks"]
    assert len(tasks) == 2 and r.json()["incident"]["status"] == "responding"
    r = c.post(
        f"{URL}/{inc.pk}/tasks/{tasks[0]['id']}/status",
        {"status": "in_progress"},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["status"] == "in_progress"
    r = c.post(f"{URL}/{inc.pk}/tasks", {"text": "联系专家"}, content_type="application/json")
    assert r.status_code == 201
    assert len(c.get(f"{URL}/{inc.pk}/tasks").json()) == 3


def test_report_files(users: SimpleNamespace) -> None:
    inc = incident(users.admin, title="氯气泄漏事故报告测试")
    services.update_incident(users.admin, inc, {"serious_injuries": 12})
    services.close_incident(users.admin, inc)
    services.set_lessons(users.admin, inc, "=SUM(A1) 加强培训")
    c = client_for(users.staff)
    r = c.get(f"{URL}/{inc.pk}/report.pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert r.content.startswith(b"%PDF") and len(r.content) > 1000
    r = c.get(f"{URL}/{inc.pk}/report.xlsx")
    assert r.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(r.content))
    assert len(wb.sheetnames) == 4
    timeline = list(wb.worksheets[1].iter_rows(values_only=True))
    assert len(timeline) == 1 + inc.events.count()
    summary = list(wb.worksheets[0].iter_rows(values_only=True))
    assert ("标题", "氯气泄漏事故报告测试") in summary or (
        "Title",
        "氯气泄漏事故报告测试",
    ) in summary
    assert any(row[1] == "'=SUM(A1) 加强培训" for row in summary)
    assert client_for(users.east_officer).get(f"{URL}/{inc.pk}/report.pdf").status_code == 404


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_report_pdf_in_both_languages(users: SimpleNamespace, lang: str) -> None:
    inc = incident(users.admin)
    c = client_for(users.admin)
    r = c.get(f"{URL}/{inc.pk}/report.pdf", HTTP_ACCEPT_LANGUAGE=lang)
    assert r.content.startswith(b"%PDF")


def test_notes_close_and_lessons_api(users: SimpleNamespace) -> None:
    inc = incident(users.admin)
    c = client_for(users.west_officer)
    r = c.post(f"{URL}/{inc.pk}/notes", {"text": "风向转东"}, content_type="application/json")
    assert r.status_code == 201 and r.json()["text"] == "风向转东" and r.json()["actor"] == "west1"
    r = c.post(f"{URL}/{inc.pk}/close", {"text": "处置完毕"}, content_type="application/json")
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "closed"
    r = c.post(f"{URL}/{inc.pk}/close", {"text": "again"}, content_type="application/json")
    assert r.status_code == 422
    r = c.patch(f"{URL}/{inc.pk}", {"lessons": "夜间值守需加强"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["lessons"] == "夜间值守需加强"
    kinds = [e["kind"] for e in c.get(f"{URL}/{inc.pk}/timeline").json()["items"]]
    assert kinds == ["reported", "note", "closed", "lessons"]
