"""The map API: the layer list and each layer's GeoJSON for a viewport."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client

from cityguard import testing
from cityguard.core import geo, services

LAYERS = "/api/v1/map/layers"
ENTERPRISES = f"{LAYERS}/core.organizations.enterprise"
WEST_BOX = "121.50,31.26,121.52,31.28"  # holds west_org (121.51, 31.27) only


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def geojson(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/geo+json")
    return json.loads(response.content)


def names(collection: dict[str, Any]) -> set[str]:
    return {f["properties"]["name"] for f in collection["features"]}


@pytest.fixture
def admin(users: SimpleNamespace) -> Client:
    return client_for(users.admin)


def test_layer_list_names_the_core_layers(admin: Client) -> None:
    response = admin.get(LAYERS)
    assert response.status_code == 200
    layers = {layer["name"]: layer for layer in response.json()}
    for name in ("core.street", "core.community", "core.places", "core.organizations.enterprise"):
        assert name in layers
        assert layers[name]["url"] == f"{LAYERS}/{name}"
    assert layers["core.street"]["geometry"] == "polygon"
    assert layers["core.places"]["geometry"] == "point"
    assert layers["core.places"]["cluster"] is True
    assert layers["core.places"]["legend"], "places carry a legend of their kinds"


def test_layer_titles_follow_the_language(admin: Client) -> None:
    english = {
        lyr["name"]: lyr["title"] for lyr in admin.get(LAYERS, HTTP_ACCEPT_LANGUAGE="en").json()
    }
    assert english["core.street"] == "Streets and towns"


def test_bbox_returns_only_the_features_inside(admin: Client, users: SimpleNamespace) -> None:
    everything = geojson(admin.get(ENTERPRISES))
    assert names(everything) == {users.west_org.name, users.east_org.name}
    west = geojson(admin.get(ENTERPRISES, {"bbox": WEST_BOX}))
    assert names(west) == {users.west_org.name}
    empty = geojson(admin.get(ENTERPRISES, {"bbox": "121.40,31.10,121.45,31.15"}))
    assert empty["features"] == []
    streets = geojson(admin.get(f"{LAYERS}/core.street", {"bbox": WEST_BOX}))
    assert [f["properties"]["code"] for f in streets["features"]] == ["310110001"]


def test_point_features_are_rfc7946(admin: Client, users: SimpleNamespace) -> None:
    body = geojson(admin.get(ENTERPRISES, {"bbox": WEST_BOX}))
    assert body["type"] == "FeatureCollection"
    assert body["truncated"] is False
    (feature,) = body["features"]
    assert feature["type"] == "Feature"
    assert feature["geometry"]["type"] == "Point"
    # RFC 7946: longitude first, no "crs" member (WGS 84 is implied).
    assert feature["geometry"]["coordinates"] == [121.51, 31.27]
    assert "crs" not in body and "crs" not in feature["geometry"]
    props = feature["properties"]
    assert props["id"] == users.west_org.pk
    assert props["kind"] == "enterprise"
    assert props["url"] == f"/organizations/{users.west_org.pk}/"


def test_polygon_features_are_rfc7946(admin: Client) -> None:
    body = geojson(admin.get(f"{LAYERS}/core.community"))
    assert {f["properties"]["code"] for f in body["features"]} == {"310110001001", "310110002001"}
    for feature in body["features"]:
        geometry = feature["geometry"]
        assert geometry["type"] in ("Polygon", "MultiPolygon")
        ring = geometry["coordinates"][0]
        assert ring[0] == ring[-1], "rings are closed"
        assert all(121 < x < 122 and 31 < y < 32 for x, y in ring), "[lon, lat] order"
        # The shape parses back into a valid polygon.
        assert geo.parse_area(geometry).is_valid


def test_places_layer(admin: Client, users: SimpleNamespace) -> None:
    services.save_place(
        users.admin,
        {
            "name": "西区商场",
            "kind": "crowded_place",
            "organization": users.west_org,
            "lon": 121.515,
            "lat": 31.275,
        },
    )
    body = geojson(admin.get(f"{LAYERS}/core.places", {"bbox": WEST_BOX}))
    (feature,) = body["features"]
    assert feature["geometry"]["coordinates"] == [121.515, 31.275]
    assert feature["properties"]["organization"] == users.west_org.name
    assert feature["properties"]["url"].startswith("/places/")


def test_limit_marks_the_collection_truncated(admin: Client, users: SimpleNamespace) -> None:
    testing.make_organization(users.admin, "西区第二厂", 121.505, 31.265)
    body = geojson(admin.get(ENTERPRISES, {"limit": 2}))
    assert len(body["features"]) == 2
    assert body["truncated"] is True
    body = geojson(admin.get(ENTERPRISES, {"limit": 3}))
    assert body["truncated"] is False


@pytest.mark.parametrize(
    "bbox",
    [
        "121.50,31.26,121.52",  # three numbers
        "121.50,31.26,121.52,31.28,1",  # five numbers
        "west,south,east,north",  # text
        "121.52,31.26,121.50,31.28",  # min lon > max lon
        "121.50,31.28,121.52,31.26",  # min lat > max lat
        "nan,31.26,121.52,31.28",  # NaN
        "121.50,31.26,inf,31.28",  # infinity
        "121.50,-91,121.52,31.28",  # latitude out of range
        "",
    ],
)
def test_malformed_bbox_is_422(admin: Client, bbox: str) -> None:
    response = admin.get(ENTERPRISES, {"bbox": bbox})
    if bbox == "":
        # An empty bbox means "no viewport", like leaving it out.
        assert response.status_code == 200
        return
    assert response.status_code == 422, response.content
    detail = response.json()["detail"]
    assert detail and "bbox" in detail[0]["loc"]


def test_bad_crs_and_limit_are_422(admin: Client) -> None:
    assert admin.get(ENTERPRISES, {"crs": "mercator"}).status_code == 422
    assert admin.get(ENTERPRISES, {"limit": 0}).status_code == 422
    assert "detail" in admin.get(ENTERPRISES, {"limit": 10**9}).json()


def test_unknown_layer_is_404(admin: Client) -> None:
    response = admin.get(f"{LAYERS}/core.nothing")
    assert response.status_code == 404
    assert response.json()["detail"]


def test_street_officer_sees_only_their_street(users: SimpleNamespace) -> None:
    west = client_for(users.west_officer)
    assert names(geojson(west.get(ENTERPRISES))) == {users.west_org.name}
    east = client_for(users.east_officer)
    assert names(geojson(east.get(ENTERPRISES))) == {users.east_org.name}
    manager = client_for(users.east_manager)
    assert names(geojson(manager.get(ENTERPRISES))) == {users.east_org.name}


def test_gcj02_shifts_points_and_reads_the_bbox_in_gcj02(admin: Client) -> None:
    gx, gy = geo.wgs84_to_gcj02(121.51, 31.27)
    # In Shanghai the shift is a few hundred metres: big enough to be sure it happened.
    assert abs(gx - 121.51) > 0.003 and abs(gy - 31.27) > 0.001
    body = geojson(admin.get(ENTERPRISES, {"bbox": WEST_BOX, "crs": "gcj02"}))
    (feature,) = body["features"]
    x, y = feature["geometry"]["coordinates"]
    assert x == pytest.approx(gx, abs=1e-6)
    assert y == pytest.approx(gy, abs=1e-6)
    # A box drawn tightly around the shifted point finds it only when read as GCJ-02.
    tight = f"{gx - 0.0005},{gy - 0.0005},{gx + 0.0005},{gy + 0.0005}"
    assert len(geojson(admin.get(ENTERPRISES, {"bbox": tight, "crs": "gcj02"}))["features"]) == 1
    assert geojson(admin.get(ENTERPRISES, {"bbox": tight}))["features"] == []


def test_bd09_shifts_polygons(admin: Client) -> None:
    body = geojson(admin.get(f"{LAYERS}/core.street", {"crs": "bd09"}))
    west = next(f for f in body["features"] if f["properties"]["code"] == "310110001")
    bx, by = geo.wgs84_to_bd09(121.50, 31.26)
    ring = west["geometry"]["coordinates"][0]
    # The south-west corner, wherever the stored ring starts.
    assert any(abs(x - bx) < 1e-6 and abs(y - by) < 1e-6 for x, y in ring), ring
    assert not any(abs(x - 121.50) < 1e-6 and abs(y - 31.26) < 1e-6 for x, y in ring)


@pytest.mark.django_db
def test_anonymous_is_401() -> None:
    anonymous = Client()
    for url in (LAYERS, ENTERPRISES):
        response = anonymous.get(url)
        assert response.status_code == 401
        assert response.json()["detail"]


def test_bearer_token_works(users: SimpleNamespace) -> None:
    token = Client().post(
        "/api/v1/auth/token",
        {"username": users.west_officer.username, "password": testing.PASSWORD},
        content_type="application/json",
    )
    assert token.status_code == 200
    headers = {"Authorization": f"Bearer {token.json()['token']}"}
    body = geojson(Client().get(ENTERPRISES, headers=headers))
    assert names(body) == {users.west_org.name}
