from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from cityguard import testing
from cityguard.incidents import services
from cityguard.incidents.choices import EventKind

from .helpers import incident

pytest.importorskip("cityguard.consequence.services")


def test_threat_zone_run_kept_with_incident(users: SimpleNamespace) -> None:
    inc = incident(users.admin, chemical="氯气")
    run = services.compute_threat_zone(
        users.admin,
        inc,
        release_rate_g_s=500,
        wind_speed_m_s=3,
        stability="D",
        wind_from_deg=270,
        source_height_m=0,
        terrain="urban",
        thresholds_mg_m3=[100, 10],
    )
    assert services.latest_threat_zone(inc) == run
    event = inc.events.get(kind=EventKind.THREAT_ZONE)
    assert event.data["run"] == run.pk and event.data["zones"] >= 1
    c = Client()
    c.login(username=users.admin.username, password=testing.PASSWORD)
    r = c.get(f"/incidents/{inc.pk}/")
    assert r.status_code == 200


def test_calm_wind_refused_nothing_kept(users: SimpleNamespace) -> None:
    inc = incident(users.admin)
    with pytest.raises(ValidationError):
        services.compute_threat_zone(
            users.admin,
            inc,
            release_rate_g_s=500,
            wind_speed_m_s=0,
            stability="D",
            wind_from_deg=270,
            thresholds_mg_m3=[100],
        )
    assert services.latest_threat_zone(inc) is None
    assert inc.events.count() == 1


def test_active_layer(users: SimpleNamespace) -> None:
    west = incident(users.admin, deaths=10)
    closed = incident(users.admin, title="已结束")
    services.close_incident(users.admin, closed)
    incident(users.admin, lon=121.55, title="东区")
    c = Client()
    c.login(username=users.west_officer.username, password=testing.PASSWORD)
    r = c.get("/api/v1/map/layers/incidents.active")
    assert r.status_code == 200, r.content
    feats = r.json()["features"]
    assert [f["properties"]["id"] for f in feats] == [west.pk]
    assert feats[0]["properties"]["colour"] == "#f57c00"


def test_threat_zone_from_the_command_page(users: SimpleNamespace) -> None:
    inc = incident(users.admin, chemical="氨")
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    c.login(username=users.west_officer.username, password=testing.PASSWORD)
    form = {
        "release_rate_g_s": "800",
        "wind_speed_m_s": "2",
        "wind_from_deg": "45",
        "stability": "F",
        "source_height_m": "0",
        "terrain": "urban",
        "thresholds_mg_m3": "500, 50",
    }
    r = c.post(f"/incidents/{inc.pk}/do/threat_zone/", form)
    assert r.status_code == 302
    assert services.latest_threat_zone(inc) is not None
    body = c.get(f"/incidents/{inc.pk}/").content.decode()
    assert "Zone 1" in body
    # a calm wind: a clear message, nothing kept
    r = c.post(f"/incidents/{inc.pk}/do/threat_zone/", {**form, "wind_speed_m_s": "0"}, follow=True)
    assert inc.events.filter(kind=EventKind.THREAT_ZONE).count() == 1
    assert any("wind" in str(m).lower() for m in r.context["messages"])
