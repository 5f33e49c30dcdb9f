"""The threat-zone page and the map layer: both languages, the form, the recorded run."""

from __future__ import annotations

import json
import re
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from cityguard.consequence import services
from cityguard.consequence.models import ThreatZoneRun
from cityguard.testing import PASSWORD

from .conftest import ZONE

URL = "/consequence/"


def _login(client: Client, user: Any) -> None:
    assert client.login(username=user.username, password=PASSWORD)


def _form(**change: Any) -> dict[str, Any]:
    data = {
        "substance": "Chlorine",
        "release_rate_g_s": "1000",
        "source_height_m": "0",
        "terrain": "rural",
        "wind_speed_m_s": "2",
        "wind_from_deg": "0",
        "stability": "F",
        "period": "day",
        "insolation": "moderate",
        "cloud_oktas": "",
        "lon": "121.51",
        "lat": "31.275",
        "threshold_1": "200",
        "threshold_2": "20",
        "threshold_3": "",
        "incident_ref": "INC-7",
    }
    data.update(change)
    return data


def test_login_required(db: Any, client: Client) -> None:
    assert reverse("consequence:threat_zone") == URL
    r = client.get(URL)
    assert r.status_code == 302 and "login" in r["Location"]


@pytest.mark.parametrize(
    ("headers", "words"),
    [
        ({}, ["威胁区", "计算威胁区", "大气稳定度"]),
        ({"HTTP_ACCEPT_LANGUAGE": "en"}, ["Threat zones", "Compute the zones"]),
    ],
)
def test_page_renders_in_both_languages(
    client: Client, users: SimpleNamespace, headers: dict, words: list[str]
) -> None:
    _login(client, users.viewer)
    run = services.run_threat_zone(users.admin, incident_ref="INC-1", **ZONE)
    for url in (URL, f"{URL}?run={run.pk}", f"{URL}?run=abc", f"{URL}?run=999999"):
        r = client.get(url, **headers)
        assert r.status_code == 200
        text = r.content.decode()
        for w in words:
            assert w in text
        assert 'name="viewport"' in text and "picker-config" in text
    r = client.get(f"{URL}?run={run.pk}", **headers)
    assert "map-config" in r.content.decode() and "INC-1" in r.content.decode()


def test_form_records_a_run_and_shows_zones(client: Client, users: SimpleNamespace) -> None:
    _login(client, users.west_officer)
    r = client.post(URL, _form(), HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 302
    run = ThreatZoneRun.objects.get()
    assert r["Location"].endswith(f"?run={run.pk}")
    assert run.incident_ref == "INC-7" and run.inputs["substance"] == "Chlorine"
    assert run.inputs["thresholds_mg_m3"] == [200.0, 20.0]
    page = client.get(r["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    config = json.loads(
        re.search(
            r'<script id="map-config" type="application/json">(.*?)</script>', page, re.S
        ).group(1)
    )
    zone_colours = [
        f["properties"]["colour"]
        for f in config["features"]["features"]
        if f["geometry"]["type"] == "Polygon"
    ]
    assert zone_colours == ["#f57c00", "#d32f2f"]  # the wider level 2 first, level 1 on top
    assert users.west_org.name in page  # west_org (121.51, 31.27) is downwind, inside


def test_form_helper_class_and_errors(client: Client, users: SimpleNamespace) -> None:
    _login(client, users.admin)
    r = client.post(URL, _form(stability="", period="night", cloud_oktas="2", wind_speed_m_s="2.5"))
    assert r.status_code == 302
    assert ThreatZoneRun.objects.get().inputs["stability"] == "F"
    r = client.post(URL, _form(wind_speed_m_s="0"), HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 200
    assert "invalid at zero wind" in r.content.decode()
    r = client.post(URL, _form(wind_speed_m_s="0"))
    assert "零风速" in r.content.decode()
    r = client.post(
        URL, _form(stability="", period="night", cloud_oktas=""), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "0–8 oktas" in r.content.decode()
    r = client.post(URL, _form(release_rate_g_s="-3"), HTTP_ACCEPT_LANGUAGE="en")
    assert "0 or more" in r.content.decode()
    assert ThreatZoneRun.objects.count() == 1


def test_zone_layer(client: Client, users: SimpleNamespace) -> None:
    services.run_threat_zone(
        users.admin, **{**ZONE, "source_height_m": 10, "thresholds_mg_m3": [200, 20]}
    )
    _login(client, users.viewer)
    layers = client.get("/api/v1/map/layers").json()
    items = layers["items"] if isinstance(layers, dict) and "items" in layers else layers
    mine = [x for x in items if x["name"] == "consequence.zones"]
    assert mine and mine[0]["visible"] is False and mine[0]["geometry"] == "polygon"
    fc = client.get("/api/v1/map/layers/consequence.zones", HTTP_ACCEPT_LANGUAGE="en").json()
    assert [f["properties"]["level"] for f in fc["features"]] == [2, 1]
    assert [f["properties"]["colour"] for f in fc["features"]] == ["#f57c00", "#d32f2f"]
    far = client.get("/api/v1/map/layers/consequence.zones", {"bbox": "100,10,101,11"}).json()
    assert far["features"] == []
