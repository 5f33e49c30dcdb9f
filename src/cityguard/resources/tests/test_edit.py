"""Creating and editing resource records through the pages and the API: writes go
through the services (history with the user), scope and roles are enforced, bad input
is refused with nothing written."""

from __future__ import annotations

import json

import pytest

from cityguard.resources.models import Expert, FireStation, Material, Shelter, Team, Warehouse

pytestmark = pytest.mark.django_db

TEAM_FORM = {
    "name": "西街道抢险队",
    "kind": "volunteer",
    "headcount": "12",
    "lon": "121.51",
    "lat": "31.28",
}
SHELTER_FORM = {"name": "西区体育馆", "kind": "indoor", "capacity": "800", "occupancy": "0",
                "status": "standby", "lon": "121.515", "lat": "31.29"}  # fmt: skip
WAREHOUSE_FORM = {"name": "西街道二号库", "reserve_level": "street", "mode": "physical",
                  "is_active": "on", "lon": "121.52", "lat": "31.27"}  # fmt: skip
AREA = {
    "type": "Polygon",
    "coordinates": [[[121.50, 31.26], [121.52, 31.26], [121.52, 31.28], [121.50, 31.26]]],
}


def _last_history_user(obj):
    return obj.history.order_by("-history_id").first().history_user


# --- pages -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "url", "data", "model"),
    [
        ("team", "/resources/teams/new/", TEAM_FORM, Team),
        ("shelter", "/resources/shelters/new/", SHELTER_FORM, Shelter),
        ("warehouse", "/resources/warehouses/new/", WAREHOUSE_FORM, Warehouse),
    ],
)
def test_page_create_and_edit(client, users, district, kind, url, data, model):
    client.force_login(users.west_officer)
    page = client.get(url)
    assert page.status_code == 200
    assert b"picker-config" in page.content
    r = client.post(url, data)
    assert r.status_code == 302, r.content.decode()[:2000]
    obj = model.objects.get(name=data["name"])
    assert obj.jurisdiction.path.startswith(district.west.path)
    assert _last_history_user(obj) == users.west_officer
    edit = f"/resources/{kind}s/{obj.pk}/edit/"
    assert client.get(edit).status_code == 200
    r = client.post(edit, {**data, "name": data["name"] + "（改）"})
    assert r.status_code == 302
    obj.refresh_from_db()
    assert obj.name.endswith("（改）")
    assert obj.history.count() == 2
    assert _last_history_user(obj) == users.west_officer


def test_buttons_follow_rights(client, users, res):
    client.force_login(users.west_officer)
    assert b"/resources/teams/new/" in client.get("/resources/teams/").content
    assert (
        f"/resources/teams/{res.west_team.pk}/edit/".encode()
        in client.get(f"/resources/teams/{res.west_team.pk}/").content
    )
    assert (
        f"/resources/shelters/{res.west_shelter.pk}/edit/".encode()
        in client.get(f"/resources/shelters/{res.west_shelter.pk}/").content
    )
    assert (
        f"/resources/warehouses/{res.west_wh.pk}/edit/".encode()
        in client.get(f"/resources/warehouses/{res.west_wh.pk}/").content
    )
    client.force_login(users.viewer)
    assert b"/resources/teams/new/" not in client.get("/resources/teams/").content
    assert b"/resources/shelters/new/" not in client.get("/resources/shelters/").content
    assert (
        f"/resources/teams/{res.west_team.pk}/edit/".encode()
        not in client.get(f"/resources/teams/{res.west_team.pk}/").content
    )


def test_officer_cannot_create_team_in_other_street(client, users, district):
    client.force_login(users.west_officer)
    r = client.post("/resources/teams/new/", {**TEAM_FORM, "lon": "121.55"})
    assert r.status_code in (200, 403)
    if r.status_code == 200:
        assert r.context["form"].errors
    assert not Team.objects.exists()


def test_officer_cannot_edit_other_street(client, users, res):
    client.force_login(users.west_officer)
    assert client.get(f"/resources/teams/{res.east_team.pk}/edit/").status_code == 404
    r = client.post(f"/resources/teams/{res.west_team.pk}/edit/", {**TEAM_FORM, "lon": "121.55"})
    assert r.status_code in (200, 403)
    res.west_team.refresh_from_db()
    assert res.west_team.lon == 121.505


def test_viewer_gets_403(client, users, res):
    client.force_login(users.viewer)
    for url in (
        "/resources/teams/new/",
        "/resources/shelters/new/",
        "/resources/warehouses/new/",
        f"/resources/teams/{res.west_team.pk}/edit/",
    ):
        r = client.get(url)
        assert r.status_code == 403, url
        assert "core/403.html" in [t.name for t in r.templates]
    r = client.post("/resources/teams/new/", TEAM_FORM)
    assert r.status_code == 403
    assert Team.objects.count() == 2


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({**SHELTER_FORM, "capacity": "-5"}, "capacity"),
        ({**SHELTER_FORM, "capacity": "10", "occupancy": "11"}, "occupancy"),
        ({**SHELTER_FORM, "lon": "120.0", "lat": "30.0"}, None),
    ],
)
def test_page_bad_shelter_input(client, users, district, data, field):
    client.force_login(users.admin)
    r = client.post("/resources/shelters/new/", data)
    assert r.status_code == 200
    form = r.context["form"]
    assert form.errors
    if field:
        assert field in form.errors
    assert not Shelter.objects.exists()


def test_page_refused_edit_keeps_record(client, users, res):
    client.force_login(users.admin)
    s = res.east_shelter
    url = f"/resources/shelters/{s.pk}/edit/"
    r = client.post(url, {**SHELTER_FORM, "name": s.name, "capacity": "50", "occupancy": "100"})
    assert r.status_code == 200 and "occupancy" in r.context["form"].errors
    s.refresh_from_db()
    assert s.capacity == 2000 and s.history.count() == 1


def test_page_fire_station_expert_material(client, users, district):
    client.force_login(users.admin)
    r = client.post(
        "/resources/fire-stations/new/",
        {"name": "西区消防站", "kind": "standard_1", "headcount": "40", "vehicles": "5",
         "lon": "121.51", "lat": "31.27", "service_area": json.dumps(AREA)},
    )  # fmt: skip
    assert r.status_code == 302, r.content.decode()[:3000]
    st = FireStation.objects.get()
    assert st.service_area_km2 and st.service_area_km2 > 0
    r = client.post(
        f"/resources/fire-stations/{st.pk}/edit/",
        {"name": "西区消防站", "kind": "standard_1", "headcount": "40", "vehicles": "5",
         "lon": "121.51", "lat": "31.27", "service_area": "{not json"},
    )  # fmt: skip
    assert r.status_code == 200 and "service_area" in r.context["form"].errors
    r = client.post(
        "/resources/experts/new/",
        {"name": "王工", "specialty": "危化品", "jurisdiction": district.west.pk,
         "is_available": "on"},
    )  # fmt: skip
    assert r.status_code == 302
    assert _last_history_user(Expert.objects.get()) == users.admin
    r = client.post(
        "/resources/materials/new/",
        {"code": "rope", "name": "救援绳", "category": "rescue", "unit": "根", "is_active": "on"},
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    assert _last_history_user(Material.objects.get(code="rope")) == users.admin
    client.force_login(users.west_officer)
    assert client.get("/resources/materials/new/").status_code == 403


# --- API -------------------------------------------------------------------------------


def test_api_create_and_patch(users, district, api):
    client = api(users.west_officer)
    r = client.post(
        "/teams", {"name": "西街道突击队", "kind": "volunteer", "lon": 121.51, "lat": 31.28}
    )
    assert r.status_code == 201, r.content
    team = Team.objects.get(pk=r.json()["id"])
    assert team.jurisdiction.path.startswith(district.west.path)
    r = client.patch(f"/teams/{team.pk}", {"headcount": 9})
    assert r.status_code == 200 and r.json()["headcount"] == 9
    assert team.history.count() == 2 and _last_history_user(team) == users.west_officer

    r = client.post("/shelters", {"name": "西区礼堂", "capacity": 300, "lon": 121.51, "lat": 31.29})
    assert r.status_code == 201, r.content
    sid = r.json()["id"]
    r = client.patch(f"/shelters/{sid}", {"occupancy": 20})
    assert r.status_code == 200 and r.json()["occupancy"] == 20
    assert _last_history_user(Shelter.objects.get(pk=sid)) == users.west_officer

    r = client.post(
        "/warehouses",
        {"name": "西街道三号库", "reserve_level": "street", "lon": 121.52, "lat": 31.27},
    )
    assert r.status_code == 201, r.content
    wid = r.json()["id"]
    r = client.patch(f"/warehouses/{wid}", {"manager": "李四"})
    assert r.status_code == 200 and r.json()["manager"] == "李四"
    assert _last_history_user(Warehouse.objects.get(pk=wid)) == users.west_officer


def test_api_other_kinds(users, district, api):
    client = api(users.admin)
    r = client.post(
        "/fire-stations",
        {"name": "东区消防站", "lon": 121.55, "lat": 31.27, "service_area": AREA, "vehicles": 3},
    )
    assert r.status_code == 201, r.content
    assert r.json()["service_area_km2"] > 0
    r = client.patch(f"/fire-stations/{r.json()['id']}", {"service_area": None})
    assert r.status_code == 200 and r.json()["service_area_km2"] is None
    r = client.post(
        "/experts", {"name": "张工", "specialty": "消防", "jurisdiction": district.east.code}
    )
    assert r.status_code == 201, r.content
    r = client.patch(f"/experts/{r.json()['id']}", {"is_available": False})
    assert r.status_code == 200 and r.json()["is_available"] is False
    r = client.post(
        "/materials", {"code": "rope", "name": "救援绳", "category": "rescue", "unit": "根"}
    )
    assert r.status_code == 201, r.content
    assert (
        client.post(
            "/materials", {"code": "rope", "name": "绳", "category": "rescue", "unit": "根"}
        ).status_code
        == 422
    )
    r = client.patch(f"/materials/{r.json()['id']}", {"spec": "10 m"})
    assert r.status_code == 200 and r.json()["spec"] == "10 m"
    r = api(users.west_officer).post(
        "/materials", {"code": "x", "name": "x", "category": "rescue", "unit": "个"}
    )
    assert r.status_code == 403


def test_api_scope_and_roles(users, res, api):
    r = api(users.west_officer).post(
        "/teams", {"name": "越界队", "kind": "volunteer", "lon": 121.55, "lat": 31.28}
    )
    assert r.status_code == 403
    assert not Team.objects.filter(name="越界队").exists()
    r = api(users.west_officer).patch(f"/teams/{res.east_team.pk}", {"headcount": 1})
    assert r.status_code == 404
    r = api(users.west_officer).patch(f"/teams/{res.west_team.pk}", {"lon": 121.55})
    assert r.status_code == 403
    r = api(users.viewer).post(
        "/teams", {"name": "看看", "kind": "volunteer", "lon": 121.51, "lat": 31.28}
    )
    assert r.status_code == 403
    r = api(users.viewer).patch(f"/shelters/{res.west_shelter.pk}", {"capacity": 1})
    assert r.status_code == 403
    res.west_team.refresh_from_db()
    res.west_shelter.refresh_from_db()
    assert res.west_team.lon == 121.505 and res.west_shelter.capacity == 500
    assert Team.objects.count() == 2


@pytest.mark.parametrize(
    ("url", "body", "field"),
    [
        ("/shelters", {"name": "负", "capacity": -1, "lon": 121.51, "lat": 31.29}, "capacity"),
        ("/shelters", {"name": "满", "capacity": 10, "occupancy": 11, "lon": 121.51, "lat": 31.29},
         "occupancy"),
        ("/shelters", {"name": "远", "capacity": 10, "lon": 120.0, "lat": 30.0}, None),
        ("/teams", {"name": "多", "kind": "volunteer", "lon": 121.51, "lat": 31.28, "x": 1}, None),
        ("/teams", {"name": "态", "kind": "volunteer", "status": "dispatched"}, None),
        ("/warehouses", {"name": "级", "reserve_level": "galaxy", "lon": 121.51, "lat": 31.28},
         "reserve_level"),
        ("/teams", {"name": "负", "kind": "volunteer", "headcount": -3}, "headcount"),
    ],
)  # fmt: skip
def test_api_bad_input(users, district, api, url, body, field):
    before = (Team.objects.count(), Shelter.objects.count(), Warehouse.objects.count())
    r = api(users.admin).post(url, body)
    assert r.status_code == 422, r.content
    assert r.json()["detail"]
    if field:
        assert field in json.dumps(r.json()["detail"])
    assert (Team.objects.count(), Shelter.objects.count(), Warehouse.objects.count()) == before


def test_api_patch_bad_input_keeps_record(users, res, api):
    s = res.east_shelter
    r = api(users.admin).patch(f"/shelters/{s.pk}", {"capacity": 50})
    assert r.status_code == 422 and "occupancy" in json.dumps(r.json()["detail"])
    r = api(users.admin).patch(f"/shelters/{s.pk}", {"name": None})
    assert r.status_code == 422
    r = api(users.admin).patch(f"/teams/{res.west_team.pk}", {"status": "dispatched"})
    assert r.status_code == 422
    s.refresh_from_db()
    assert s.capacity == 2000 and s.history.count() == 1


def test_other_lists_offer_new_and_edit(client, users, district):
    from cityguard.resources import services

    expert = services.save_expert(
        users.admin, {"name": "王工", "specialty": "消防", "jurisdiction": district.west}
    )
    material = services.save_material(
        users.admin, {"code": "rope", "name": "绳", "category": "rescue", "unit": "根"}
    )
    client.force_login(users.admin)
    body = client.get("/resources/experts/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "/resources/experts/new/" in body and f"/resources/experts/{expert.pk}/edit/" in body
    assert "New expert" in body
    body = client.get("/resources/materials/").content.decode()
    assert f"/resources/materials/{material.pk}/edit/" in body
    assert "/resources/materials/new/" in body
    assert (
        "/resources/fire-stations/new/" in client.get("/resources/fire-stations/").content.decode()
    )
    page = client.get("/resources/teams/new/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "New team" in page and "Basic information" in page
    client.force_login(users.viewer)
    for url, link in (
        ("/resources/experts/", f"/resources/experts/{expert.pk}/edit/"),
        ("/resources/materials/", "/resources/materials/new/"),
        ("/resources/fire-stations/", "/resources/fire-stations/new/"),
    ):
        assert link not in client.get(url).content.decode(), url
    assert client.get(f"/resources/experts/{expert.pk}/edit/").status_code == 403
