"""The map page: login required, configuration embedded for map.js."""

from __future__ import annotations

import json
import re
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from cityguard.onemap import registry

CONFIG = re.compile(r'<script id="cg-map-config" type="application/json">(.*?)</script>', re.S)


def page_config(client: Client, **headers: Any) -> dict[str, Any]:
    response = client.get(reverse("onemap:map"), **headers)
    assert response.status_code == 200
    html = response.content.decode()
    match = CONFIG.search(html)
    assert match, "the page embeds its configuration"
    for asset in ("leaflet.js", "leaflet.markercluster.js", "cityguard/coords.js", "map.js"):
        assert asset in html
    return json.loads(match.group(1))


def login(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_url() -> None:
    assert reverse("onemap:map") == "/map/"


@pytest.mark.django_db
def test_anonymous_is_sent_to_login() -> None:
    response = Client().get("/map/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert "next=/map/" in response["Location"]


def test_page_embeds_the_layer_list(users: SimpleNamespace) -> None:
    client = login(users.admin)
    cfg = page_config(client)
    assert cfg["layers"] == [layer.describe() for layer in registry.layers()]
    # The same list the API serves.
    assert cfg["layers"] == client.get("/api/v1/map/layers").json()
    names = [layer["name"] for layer in cfg["layers"]]
    assert "core.street" in names and "core.organizations.enterprise" in names
    assert cfg["api"]["organizations"] == "/api/v1/organizations"
    assert cfg["api"]["organizationUrl"] == "/organizations/{id}/"
    assert cfg["kinds"]["enterprise"]
    assert cfg["view"]["centre"] == [121.52, 31.29]


def test_page_is_translated(users: SimpleNamespace) -> None:
    client = login(users.admin)
    english = page_config(client, HTTP_ACCEPT_LANGUAGE="en")
    assert english["strings"]["layers"] == "Layers"
    titles = {layer["name"]: layer["title"] for layer in english["layers"]}
    assert titles["core.street"] == "Streets and towns"
    client.cookies["django_language"] = "en"
    html = client.get("/map/").content.decode()
    assert '<html lang="en"' in html


def test_initial_extent_is_the_district_or_the_users_street(users: SimpleNamespace) -> None:
    # The streets of the test district cover 121.50–121.56 × 31.26–31.32.
    cfg = page_config(login(users.admin))
    assert cfg["view"]["extent"] == pytest.approx([121.50, 31.26, 121.56, 31.32])
    # A west street officer opens on the west street.
    cfg = page_config(login(users.west_officer))
    assert cfg["view"]["extent"] == pytest.approx([121.50, 31.26, 121.53, 31.32])


@pytest.mark.django_db
def test_no_boundaries_falls_back_to_the_default_centre() -> None:
    from cityguard import testing
    from cityguard.core.choices import Role

    user = testing.make_user("lonely", Role.DISTRICT_ADMIN)
    cfg = page_config(login(user))
    assert cfg["view"]["extent"] is None
    assert cfg["view"]["zoom"] == 13


def test_default_basemap_is_plain(users: SimpleNamespace, settings: Any) -> None:
    settings.CITYGUARD_TILE_URL = ""
    settings.CITYGUARD_TILE_CRS = "gcj02"
    tiles = page_config(login(users.admin))["tiles"]
    assert tiles["urls"] == []
    # No basemap to align with: features stay in WGS 84.
    assert tiles["crs"] == "wgs84"


def test_configured_basemap_is_passed_through(users: SimpleNamespace, settings: Any) -> None:
    amap = "https://webrd0{s}.is.autonavi.com/appmaptile?style=8&x={x}&y={y}&z={z}"
    settings.CITYGUARD_TILE_URL = amap
    settings.CITYGUARD_TILE_CRS = "GCJ02"
    settings.CITYGUARD_TILE_SUBDOMAINS = "1234"
    settings.CITYGUARD_TILE_ATTRIBUTION = "© AutoNavi"
    tiles = page_config(login(users.admin))["tiles"]
    assert tiles == {
        "urls": [amap],
        "crs": "gcj02",
        "subdomains": "1234",
        "attribution": "© AutoNavi",
    }


def test_several_tile_layers_and_unknown_crs(users: SimpleNamespace, settings: Any) -> None:
    settings.CITYGUARD_TILE_URL = "https://a/{z}/{x}/{y}.png | https://b/{z}/{x}/{y}.png"
    settings.CITYGUARD_TILE_CRS = "mercator"
    tiles = page_config(login(users.admin))["tiles"]
    assert tiles["urls"] == ["https://a/{z}/{x}/{y}.png", "https://b/{z}/{x}/{y}.png"]
    assert tiles["crs"] == "wgs84"


def test_layer_scripts_are_loaded_once_in_layer_order(monkeypatch: Any) -> None:
    def layer(name: str, order: int, script: str) -> registry.Layer:
        return registry.Layer(
            name=name, title=name, group="g", geometry="point", order=order, script=script
        )

    monkeypatch.setattr(
        registry,
        "_LAYERS",
        {
            "b": layer("b", 20, "x/live.js"),
            "a": layer("a", 10, "y/extra.js"),
            "c": layer("c", 30, "x/live.js"),
            "d": layer("d", 5, ""),
        },
    )
    assert registry.scripts() == ["y/extra.js", "x/live.js"]
