"""The resources pages render in Chinese and English, respect scope, and write through
the services."""

from __future__ import annotations

import json

import pytest

from cityguard.resources import demo, services
from cityguard.resources.models import StockMovement, Team

from .conftest import stock

pytestmark = pytest.mark.django_db

PAGES = [
    "/resources/",
    "/resources/warehouses/",
    "/resources/materials/",
    "/resources/materials/?category=food&q=水",
    "/resources/ledger/",
    "/resources/rotation/",
    "/resources/teams/",
    "/resources/shelters/",
    "/resources/experts/",
    "/resources/fire-stations/",
    "/resources/nearest/",
    "/resources/nearest/?lon=121.51&lat=31.27&kind=team&k=3",
    "/resources/nearest/?lon=121.51&lat=31.27&kind=shelter&k=3",
    "/resources/nearest/?lon=121.51&lat=31.27&kind=warehouse&material=tent&k=3",
]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_pages_render(res, users, client, language):
    demo.load_demo(scale=0.05, seed=3)
    services.raise_rotation_alerts()
    client.force_login(users.admin)
    client.cookies["django_language"] = language
    h = {"HTTP_ACCEPT_LANGUAGE": language}
    wh = res.west_wh
    stock(wh, res.tent, 5, days=10)
    urls = [
        *PAGES,
        f"/resources/warehouses/{wh.pk}/",
        f"/resources/warehouses/{wh.pk}/receive/",
        f"/resources/warehouses/{wh.pk}/issue/",
        f"/resources/warehouses/{wh.pk}/transfer/",
        f"/resources/warehouses/{wh.pk}/stocktake/",
        f"/resources/teams/{res.west_team.pk}/",
        f"/resources/shelters/{res.west_shelter.pk}/",
    ]
    for url in urls:
        r = client.get(url, **h)
        assert r.status_code == 200, (url, r.status_code)
        text = r.content.decode()
        assert f'<html lang="{language}"' in text, url
        if language == "en":
            assert "Emergency resources" in text, url


def test_nearest_page_lists_results(res, users, client):
    client.force_login(users.admin)
    r = client.get(
        "/resources/nearest/?lon=121.50&lat=31.27&kind=team&k=2", HTTP_ACCEPT_LANGUAGE="en"
    )
    text = r.content.decode()
    assert text.index(res.west_team.name) < text.index(res.east_team.name)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exports(res, users, client, fmt):
    client.force_login(users.admin)
    for url in ("/resources/warehouses/", "/resources/teams/", "/resources/shelters/"):
        r = client.get(url, {"format": fmt})
        assert r.status_code == 200 and r["X-Export-Rows"] == "2", url


def test_scoped_lists_and_detail(res, users, client):
    client.force_login(users.west_officer)
    text = client.get("/resources/warehouses/").content.decode()
    assert res.west_wh.name in text and res.east_wh.name not in text
    assert client.get(f"/resources/warehouses/{res.east_wh.pk}/").status_code == 404
    assert client.get(f"/resources/warehouses/{res.east_wh.pk}/issue/").status_code == 404


def test_issue_page_refuses_over_issue(res, users, client):
    stock(res.west_wh, res.water, 3)
    client.force_login(users.west_officer)
    url = f"/resources/warehouses/{res.west_wh.pk}/issue/"
    r = client.post(url, {"material": "water", "quantity": "5"}, HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 200 and "cannot be issued" in r.content.decode()
    assert services.held(res.west_wh, res.water) == 3
    r = client.post(url, {"material": "water", "quantity": "2", "incident_ref": "INC-9"})
    assert r.status_code == 302
    assert StockMovement.objects.filter(kind="issue", incident_ref="INC-9").count() == 1


def test_viewer_cannot_open_issue_form(res, users, client):
    client.force_login(users.viewer)
    assert client.get(f"/resources/warehouses/{res.west_wh.pk}/issue/").status_code == 403


def test_stocktake_page(res, users, client):
    lot = stock(res.west_wh, res.water, 3).lot
    client.force_login(users.admin)
    r = client.post(f"/resources/warehouses/{res.west_wh.pk}/stocktake/", {f"lot_{lot.pk}": "2"})
    assert r.status_code == 302
    assert services.held(res.west_wh, res.water) == 2


def test_team_status_page(res, users, client):
    client.force_login(users.admin)
    url = f"/resources/teams/{res.west_team.pk}/"
    assert client.post(url, {"status": "dispatched"}).status_code == 302
    r = client.post(url, {"status": "dispatched"}, HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 200 and "already dispatched" in r.content.decode()
    assert Team.objects.get(pk=res.west_team.pk).status == "dispatched"


def test_coverage_page_shows_gap(res, users, client):
    services.save_fire_station(
        users.admin,
        {
            "name": "西站",
            "lon": 121.51,
            "lat": 31.27,
            "service_area": json.dumps(
                {
                    "type": "Polygon",
                    "coordinates": [
                        [
                            [121.5, 31.26],
                            [121.53, 31.26],
                            [121.53, 31.32],
                            [121.5, 31.32],
                            [121.5, 31.26],
                        ]
                    ],
                }
            ),
        },
    )
    client.force_login(users.admin)
    r = client.get("/resources/fire-stations/", HTTP_ACCEPT_LANGUAGE="en")
    text = r.content.decode()
    assert "over the standard" in text
    cov = services.station_coverage(users.admin)
    assert cov.gap_km2 == pytest.approx(cov.district_km2 / 2, rel=0.01)
    assert f"{cov.gap_km2:.2f}" in text


def test_shelter_occupancy_page(res, users, client):
    client.force_login(users.admin)
    url = f"/resources/shelters/{res.west_shelter.pk}/"
    assert client.post(url, {"occupancy": "600", "status": "open"}).status_code == 200
    res.west_shelter.refresh_from_db()
    assert res.west_shelter.occupancy == 0
    assert client.post(url, {"occupancy": "200", "status": "open"}).status_code == 302
    res.west_shelter.refresh_from_db()
    assert (res.west_shelter.occupancy, res.west_shelter.status) == (200, "open")


def test_materials_catalogue_shows_held(res, users, client):
    stock(res.west_wh, res.tent, 7)
    stock(res.east_wh, res.tent, 5)
    client.force_login(users.west_officer)
    r = client.get("/resources/materials/?format=csv")
    body = b"".join(r.streaming_content).decode("utf-8-sig")
    line = next(x for x in body.splitlines() if x.startswith("tent,"))
    assert float(line.rsplit(",", 1)[1]) == 7
