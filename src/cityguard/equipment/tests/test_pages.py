"""The pages render in Chinese and English, respect scope and write through the services."""

from __future__ import annotations

import datetime as dt

import pytest

from cityguard.equipment import services
from cityguard.equipment.models import Equipment, Inspection

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_pages_render(users, units, client, language):
    services.raise_reminders()
    client.force_login(users.admin)
    client.cookies["django_language"] = language
    h = {"HTTP_ACCEPT_LANGUAGE": language}
    pk = units.west_late.pk
    urls = [
        "/equipment/",
        "/equipment/?state=overdue&kind=elevator&sort=due",
        "/equipment/?plan_places=true&jurisdiction=310110001",
        f"/equipment/?organization={users.west_org.pk}",
        "/equipment/due/",
        "/equipment/due/?days=400",
        "/equipment/new/",
        "/equipment/import/",
        f"/equipment/{pk}/",
        f"/equipment/{pk}/edit/",
        f"/equipment/{pk}/inspect/",
        f"/equipment/organizations/{users.west_org.pk}/",
    ]
    for url in urls:
        r = client.get(url, **h)
        assert r.status_code == 200, (url, r.status_code)
        text = r.content.decode()
        assert f'<html lang="{language}"' in text, url
        if language == "en":
            assert "Special equipment" in text, url
        else:
            assert "特种设备" in text, url
    detail = client.get(f"/equipment/{pk}/", **h).content.decode()
    assert "梯11沪YP0002(19)" in detail
    due = client.get("/equipment/due/", **h).content.decode()
    assert "西区2号梯" in due


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export(users, units, client, fmt):
    client.force_login(users.west_officer)
    r = client.get("/equipment/", {"format": fmt})
    assert r.status_code == 200 and r["X-Export-Rows"] == "2"


def test_scope_on_pages(users, units, client):
    client.force_login(users.west_manager)
    assert client.get(f"/equipment/{units.east_ok.pk}/").status_code == 404
    assert client.get(f"/equipment/{units.east_ok.pk}/edit/").status_code == 404
    assert client.get(f"/equipment/organizations/{users.east_org.pk}/").status_code == 404
    text = client.get("/equipment/").content.decode()
    assert "西区1号梯" in text and "东区1号梯" not in text
    client.force_login(users.viewer)
    assert client.get(f"/equipment/{units.west_ok.pk}/").status_code == 200
    assert client.get(f"/equipment/{units.west_ok.pk}/edit/").status_code == 403
    assert client.get("/equipment/new/").status_code == 403
    assert client.get("/equipment/import/").status_code == 403
    r = client.post(
        f"/equipment/{units.west_ok.pk}/inspect/", {"inspected_on": "2025-01-01", "result": "pass"}
    )
    assert r.status_code == 403
    assert Inspection.objects.filter(equipment=units.west_ok).count() == 1


def test_create_edit_and_inspect_through_the_forms(users, places, client):
    client.force_login(users.west_officer)
    r = client.post(
        "/equipment/new/",
        {"name": "表单电梯", "kind": "elevator", "registration_no": "梯11沪YP0600(19)",
         "status": "in_use", "organization": users.west_org.pk, "place": places.west_tower.pk,
         "parameters_text": "rated_load_kg = 1000\nfloors = 30"},
    )  # fmt: skip
    assert r.status_code == 302, r.content.decode()[:2000]
    eq = Equipment.objects.get(name="表单电梯")
    assert eq.parameters == {"rated_load_kg": 1000, "floors": 30}
    r = client.post(
        f"/equipment/{eq.pk}/edit/",
        {"name": "表单电梯", "kind": "elevator", "registration_no": "梯11沪YP0600(19)",
         "status": "in_use", "organization": users.west_org.pk, "place": places.west_tower.pk,
         "parameters_text": "floors = lots"},
        HTTP_ACCEPT_LANGUAGE="en",
    )  # fmt: skip
    assert r.status_code == 200 and "must be a number" in r.content.decode()
    future = (services.today() + dt.timedelta(days=2)).isoformat()
    r = client.post(f"/equipment/{eq.pk}/inspect/", {"inspected_on": future, "result": "pass"},
                    HTTP_ACCEPT_LANGUAGE="en")  # fmt: skip
    assert r.status_code == 200 and "lies in the future" in r.content.decode()
    day = (services.today() - dt.timedelta(days=3)).isoformat()
    r = client.post(
        f"/equipment/{eq.pk}/inspect/", {"inspected_on": day, "result": "pass", "body": "特检院"}
    )
    assert r.status_code == 302
    eq.refresh_from_db()
    assert eq.last_inspection_on.isoformat() == day


def test_duplicate_number_on_the_form(users, units, client):
    client.force_login(users.admin)
    r = client.post(
        "/equipment/new/",
        {"name": "重号", "kind": "elevator", "registration_no": "梯11沪YP0001(19)",
         "status": "in_use", "organization": users.west_org.pk},
        HTTP_ACCEPT_LANGUAGE="en",
    )  # fmt: skip
    assert r.status_code == 200 and "already recorded" in r.content.decode()
    assert Equipment.objects.count() == 4


def test_map_layer(users, units, client):
    client.force_login(users.west_officer)
    r = client.get("/api/v1/map/layers/equipment", {"bbox": "121.5,31.26,121.56,31.32"})
    assert r.status_code == 200
    feats = r.json()["features"]
    states = {f["properties"]["name"]: f["properties"]["state"] for f in feats}
    assert states == {"西区1号梯": "ok", "西区2号梯": "overdue"}
    assert all(f["properties"]["colour"].startswith("#") for f in feats)


def test_organization_page_offers_new_equipment_to_those_who_may_add(users, units, client):
    url = f"/equipment/organizations/{users.west_org.pk}/"
    new = f"/equipment/new/?organization={users.west_org.pk}"
    for user in (users.west_officer, users.west_manager, users.staff):
        client.force_login(user)
        text = client.get(url).content.decode()
        assert new in text and "西区2号梯" in text, user
    client.force_login(users.viewer)
    assert new not in client.get(url).content.decode()
    client.force_login(users.east_officer)
    assert client.get(url).status_code == 404
