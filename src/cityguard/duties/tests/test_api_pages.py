"""Duties API and pages: CRUD, completion with evidence, rates, import, public page,
scoping (404 outside reach), both languages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from cityguard.duties import services
from cityguard.duties.models import DutyItem

from .conftest import legal, task

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%%EOF\n"


def test_api_crud_and_errors(users, dw, api_as):
    staff = api_as(users.staff, "/duties")
    body = {
        "kind": "supervision",
        "unit": f"street-{dw.west.code}",
        "title": "危险化学品经营单位监管",
        "legal_basis": "危险化学品安全管理条例",
        "legal_article": "第六条",
    }
    r = staff.post("/items", body)
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    assert r.json()["version"] == 1 and r.json()["version_state"] == "draft"
    r = staff.post("/items", {**body, "legal_basis": ""})
    assert r.status_code in (400, 422) and "legal basis" in str(r.json()["detail"])
    r = staff.post("/items", {**body, "unit": "street-nope"})
    assert r.status_code in (400, 422)
    r = staff.post("/items", {**body, "bogus": 1})
    assert r.status_code == 422
    assert staff.patch(f"/items/{pk}", {"title": "改名"}).json()["title"] == "改名"
    assert len(staff.get(f"/items/{pk}/history").json()) == 2
    # scoping: east officer gets 404, viewer cannot write
    assert api_as(users.east_officer, "/duties").get(f"/items/{pk}").status_code == 404
    assert api_as(users.west_officer, "/duties").get(f"/items/{pk}").status_code == 200
    assert api_as(users.viewer, "/duties").patch(f"/items/{pk}", {"title": "x"}).status_code == 403
    assert api_as(users.viewer, "/duties").post("/items", body).status_code == 403
    v = DutyItem.objects.get(pk=pk).version_id
    r = staff.post(f"/versions/{v}/publish", {"note": "2026年版"})
    assert r.status_code == 200 and r.json()["state"] == "published"
    assert staff.patch(f"/items/{pk}", {"title": "再改"}).status_code == 422
    assert staff.delete(f"/items/{pk}").status_code == 422
    r = staff.post("/versions/draft", {"kind": "supervision", "unit": f"street-{dw.west.code}"})
    assert r.json()["number"] == 2 and r.json()["items"] == 1
    assert staff.get("/items", kind="supervision", published=True).json()["count"] == 1


def test_api_complete_and_rates(users, dw, api_as, client):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    item = services.save_item(users.staff, task(dw.west, users.west_officer, yesterday))
    officer = api_as(users.west_officer, "/duties")
    assert officer.get("/items", mine=True).json()["count"] == 1
    assert officer.get("/items", overdue=True).json()["count"] == 1
    from django.core.files.uploadedfile import SimpleUploadedFile

    url = f"/api/v1/duties/items/{item.pk}/complete"
    r = client.post(
        url, {"evidence_text": "", "files": [SimpleUploadedFile("x.exe", b"MZ")]}, **officer.headers
    )
    assert r.status_code == 422
    r = client.post(
        url,
        {"evidence_text": "已完成", "files": [SimpleUploadedFile("r.pdf", PDF)]},
        **officer.headers,
    )
    assert r.status_code == 200, r.content
    ev = r.json()["evidence"][0]
    assert r.json()["status"] == "done" and not r.json()["overdue"]
    # the file is served to those who may see the task only
    client.force_login(users.west_officer)
    assert client.get(ev["url"]).status_code == 200
    client.force_login(users.east_officer)
    assert client.get(ev["url"]).status_code == 404
    client.logout()
    assert client.get(ev["url"]).status_code == 302
    month = timezone.localdate().strftime("%Y-%m")
    rates = api_as(users.staff, "/duties").get("/rates", period=month).json()
    if yesterday.month == timezone.localdate().month:
        assert rates["due"] == 1 and rates["on_time"] == 0 and rates["rate"] == 0.0
    assert api_as(users.staff, "/duties").get("/rates", period="2026-13").status_code in (400, 422)


def test_import_with_row_report(users, dw, api_as, client):
    content = (
        "清单类型,单位,事项名称,法律依据,条款,任务负责人,完成时限\n"
        f"权力清单,{dw.dept.name},安全生产行政处罚,中华人民共和国安全生产法,第九十九条,,\n"
        f"任务清单,{dw.west.code},汛前有限空间检查,,,west1,2026-12-01\n"
        "责任清单,不存在的单位,x,安全生产法,,,\n"
        f"监管清单,{dw.west.code},无依据事项,,,,\n"
    ).encode()
    from django.core.files.uploadedfile import SimpleUploadedFile

    h = api_as(users.staff).headers
    r = client.post(
        "/api/v1/duties/import", {"file": SimpleUploadedFile("items.csv", content)}, **h
    )
    assert r.status_code == 422
    rows = {(e["row"], e["field"]) for e in r.json()["errors"]}
    assert rows == {(4, "unit"), (5, "legal_basis")}
    assert not DutyItem.objects.exists()
    r = client.post(
        "/api/v1/duties/import?partial=true",
        {"file": SimpleUploadedFile("items.csv", content)},
        **h,
    )
    assert r.status_code == 200 and r.json()["created"] == 2
    assert DutyItem.objects.filter(kind="task", owner_user=users.west_officer).count() == 1


def test_public_page_needs_no_login(users, dw, client):
    a = services.save_item(users.staff, legal(dw.dept, "power", title="公开的权力事项"))
    services.save_item(users.staff, legal(dw.dept, "supervision", title="监管事项不公开"))
    services.save_item(users.staff, legal(dw.dept, "responsibility", title="草稿中的责任事项"))
    services.publish(users.staff, a.version)
    services.publish(users.staff, DutyItem.objects.get(title="监管事项不公开").version)
    r = client.get("/duties/public/")
    text = r.content.decode()
    assert r.status_code == 200
    assert (
        "公开的权力事项" in text and "监管事项不公开" not in text and "草稿中的责任事项" not in text
    )


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_pages_render(users, dw, client, language):
    item = services.save_item(users.staff, legal(dw.west))
    t = services.save_item(
        users.staff, task(dw.west, users.staff, timezone.localdate() - dt.timedelta(days=2))
    )
    services.complete_task(users.staff, t, "ok")
    client.force_login(users.staff)
    h = {"HTTP_ACCEPT_LANGUAGE": language}
    client.cookies["django_language"] = language
    urls = [
        "/duties/",
        f"/duties/units/street-{dw.west.code}/",
        f"/duties/units/street-{dw.west.code}/?kind=task",
        f"/duties/units/org-{dw.dept.pk}/?kind=power",
        f"/duties/items/{item.pk}/",
        f"/duties/items/{t.pk}/",
        f"/duties/items/{item.pk}/edit/",
        f"/duties/items/new/?kind=task&unit=street-{dw.west.code}",
        "/duties/my-tasks/",
        "/duties/overdue/",
        "/duties/rates/",
        "/duties/rates/?period=2026-01",
        "/duties/import/",
        "/duties/public/",
    ]
    for url in urls:
        r = client.get(url, **h)
        assert r.status_code == 200, url
    if language == "en":
        assert "Duty lists" in client.get("/duties/", **h).content.decode()
    else:
        assert (
            "履职" in client.get("/duties/", **h).content.decode()
            or "清单" in client.get("/duties/", **h).content.decode()
        )


def test_pages_write_and_scope(users, dw, client):
    client.force_login(users.west_officer)
    r = client.post(
        f"/duties/items/new/?kind=power&unit=street-{dw.west.code}",
        {
            "title": "街道行政检查",
            "legal_basis": "中华人民共和国消防法",
            "legal_article": "第五十三条",
        },
    )
    item = DutyItem.objects.get(title="街道行政检查")
    assert r.status_code == 302 and item.street == dw.west
    assert client.get(f"/duties/units/street-{dw.east.code}/").status_code == 404
    e = services.save_item(users.staff, legal(dw.east))
    assert client.get(f"/duties/items/{e.pk}/").status_code == 404
    r = client.post(f"/duties/units/street-{dw.west.code}/power/publish/")
    assert r.status_code == 302
    item.refresh_from_db()
    assert item.version.state == "published"
    # editing a published item leads to its copy in the next draft
    r = client.get(f"/duties/items/{item.pk}/edit/")
    copy = DutyItem.objects.get(origin=item)
    assert r.status_code == 302 and r["Location"].endswith(f"/duties/items/{copy.pk}/edit/")
    client.force_login(users.viewer)
    assert client.post(f"/duties/items/{copy.pk}/delete/").status_code == 403


def test_pages_per_role(users, dw, client):
    d = services.save_item(users.staff, legal(dw.dept, title="部门权力事项"))
    w = services.save_item(users.staff, legal(dw.west, title="西街道权力事项"))
    client.force_login(dw.dept_user)
    home = client.get("/duties/").content.decode()
    assert dw.dept.name in home and dw.west.name not in home
    assert (
        client.get(f"/duties/units/org-{dw.dept.pk}/?kind=power&version=draft").status_code == 200
    )
    assert client.get(f"/duties/units/org-{dw.other.pk}/").status_code == 404
    assert client.get(f"/duties/items/{w.pk}/").status_code == 404
    client.force_login(users.viewer)
    page = client.get(
        f"/duties/units/street-{dw.west.code}/?kind=power&version=draft"
    ).content.decode()
    assert "西街道权力事项" in page and "/duties/items/new/" not in page
    assert client.get(f"/duties/items/{d.pk}/").status_code == 200
    assert client.get(f"/duties/items/{d.pk}/edit/").status_code == 403
    client.force_login(users.west_manager)
    assert client.get(f"/duties/units/org-{dw.dept.pk}/").status_code == 404
    client.logout()
    assert client.get("/duties/").status_code == 302
    assert client.get("/duties/public/", HTTP_ACCEPT_LANGUAGE="en").status_code == 200


def test_import_page(users, dw, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(users.staff)
    assert client.get("/duties/import/template.csv").status_code == 200
    content = f"清单类型,单位,事项名称,法律依据\n监管清单,{dw.west.name},无依据,\n".encode()
    r = client.post(
        "/duties/import/", {"file": SimpleUploadedFile("x.csv", content)}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert r.status_code == 200 and "legal basis" in r.content.decode()
    content = f"清单类型,单位,事项名称,法律依据\n监管清单,{dw.west.name},燃气安全检查,城镇燃气管理条例\n".encode()
    client.post("/duties/import/", {"file": SimpleUploadedFile("x.csv", content)})
    assert DutyItem.objects.filter(title="燃气安全检查", street=dw.west).exists()
    client.force_login(users.viewer)
    assert client.get("/duties/import/").status_code == 403
