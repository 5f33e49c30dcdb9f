"""The consequence API: plume, threat zones (recorded runs) and exposure; bad input → 422."""

from __future__ import annotations

import math
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from cityguard.consequence import services
from cityguard.consequence.models import ThreatZoneRun

from .conftest import SOURCE, ZONE


def test_plume_issue_example(users: SimpleNamespace, api: Any) -> None:
    body = {
        "release_rate_g_s": 100,
        "wind_speed_m_s": 7,
        "stability": "D",
        "source_height_m": 90,
        "terrain": "rural",
        "receptors": [{"x_m": 1500, "y_m": 0, "z_m": 0}, {"x_m": -10, "y_m": 0, "z_m": 0}],
    }
    r = api(users.viewer).post("/plume", body)
    assert r.status_code == 200, r.content
    sy = 0.08 * 1500 / math.sqrt(1.15)
    sz = 0.06 * 1500 / math.sqrt(3.25)
    expected = 100 / (2 * math.pi * sy * sz * 7) * 2 * math.exp(-(90**2) / (2 * sz**2))
    got = r.json()["concentrations_g_m3"]
    assert got[0] == pytest.approx(expected, rel=1e-9)
    assert got[1] == 0
    assert r.json()["stability"] == "D"


def test_plume_stability_from_helper(users: SimpleNamespace, api: Any) -> None:
    body = {**SOURCE, "stability": None, "daytime": False, "cloud_oktas": 2}
    body["wind_speed_m_s"] = 2.5
    body["receptors"] = [{"x_m": 500}]
    r = api(users.viewer).post("/plume", body)
    assert r.status_code == 200, r.content
    assert r.json()["stability"] == "F"
    r = api(users.viewer).post("/plume", {**body, "daytime": None})
    assert r.status_code == 422
    assert "stability" in str(r.json()["detail"])


def test_plume_needs_authentication(db: Any, api: Any) -> None:
    r = api().post("/plume", {**SOURCE, "receptors": [{"x_m": 1}]})
    assert r.status_code == 401


@pytest.mark.parametrize(
    ("change", "field", "words_en", "words_zh"),
    [
        ({"wind_speed_m_s": 0}, "wind_speed_m_s", "invalid at zero wind", "零风速"),
        ({"wind_speed_m_s": 0.2}, "wind_speed_m_s", "near calm", "静风"),
        ({"stability": "G"}, "stability", "A–F", "A–F"),
        ({"release_rate_g_s": -5}, "release_rate_g_s", "0 or more", "不能为负"),
        ({"source_height_m": -1}, "source_height_m", "0 or more", "不能为负"),
        ({"terrain": "sea"}, "terrain", "rural or urban", "农村"),
    ],
)
def test_bad_input_is_422_with_a_message(
    users: SimpleNamespace, api: Any, change: dict, field: str, words_en: str, words_zh: str
) -> None:
    for language, words in (("en", words_en), ("zh-hans", words_zh)):
        r = api(users.viewer, language).post(
            "/plume", {**SOURCE, **change, "receptors": [{"x_m": 1}]}
        )
        assert r.status_code == 422, r.content
        detail = r.json()["detail"]
        assert detail[0]["loc"] == ["body", field]
        assert words in detail[0]["msg"], detail
        r = api(users.viewer, language).post("/threat-zone", {**ZONE, **change})
        assert r.status_code == 422
        assert words in r.json()["detail"][0]["msg"]
    assert not ThreatZoneRun.objects.exists()


def test_bad_receptors_and_thresholds(users: SimpleNamespace, api: Any) -> None:
    r = api(users.viewer).post("/plume", {**SOURCE, "receptors": [{"x_m": 1, "z_m": -3}]})
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "receptors"]
    r = api(users.viewer).post("/threat-zone", {**ZONE, "thresholds_mg_m3": [1, 2, 3, 4]})
    assert r.status_code == 422
    r = api(users.viewer).post("/threat-zone", {**ZONE, "thresholds_mg_m3": [-1]})
    assert r.status_code == 422
    r = api(users.viewer).post("/threat-zone", {**ZONE, "wind_from_deg": 361})
    assert r.status_code == 422
    r = api(users.viewer).post(
        "/plume",
        '{"release_rate_g_s": NaN, "wind_speed_m_s": 2, "stability": "D", "receptors": []}',
    )
    assert r.status_code == 422


def test_threat_zone_geojson_and_run(users: SimpleNamespace, api: Any) -> None:
    r = api(users.west_officer).post(
        "/threat-zone",
        {
            **ZONE,
            "source_height_m": 10,
            "thresholds_mg_m3": [20, 200, 1e6],
            "incident_ref": "INC-1",
        },
    )
    assert r.status_code == 200, r.content
    fc = r.json()
    assert fc["type"] == "FeatureCollection"
    feats = fc["features"]
    assert [f["properties"]["threshold_mg_m3"] for f in feats] == [1e6, 200, 20]
    assert [f["properties"]["level"] for f in feats] == [1, 2, 3]
    never = feats[0]
    assert never["geometry"] is None and "never reaches" in never["properties"]["note"]
    for f in feats[1:]:
        assert f["geometry"]["type"] == "Polygon"
        assert f["properties"]["area_m2"] > 0 and f["properties"]["max_downwind_m"] > 0
        lats = [p[1] for p in f["geometry"]["coordinates"][0]]
        assert max(lats) <= ZONE["lat"] + 1e-6  # wind from north: the zone lies to the south
    assert feats[1]["properties"]["area_m2"] < feats[2]["properties"]["area_m2"]
    run = ThreatZoneRun.objects.get(pk=fc["run_id"])
    assert run.incident_ref == "INC-1" and run.created_by == users.west_officer
    assert run.inputs["stability"] == "F" and run.geojson["features"][1] == feats[1]
    listed = api(users.viewer).get("/runs", incident_ref="INC-1").json()
    assert [x["id"] for x in listed] == [run.pk]
    assert api(users.viewer).get(f"/runs/{run.pk}").json()["geojson"]["run_id"] == run.pk
    assert api(users.viewer).get("/runs/999999").status_code == 404


def test_runs_are_immutable(users: SimpleNamespace) -> None:
    run = services.run_threat_zone(users.admin, **ZONE)
    run.incident_ref = "changed"
    with pytest.raises(ValidationError):
        run.save()
    assert ThreatZoneRun.objects.get(pk=run.pk).incident_ref == ""


def test_exposure_of_a_run(populated: SimpleNamespace, api: Any) -> None:
    from cityguard.resources.models import Shelter

    users, d = populated.users, populated.district
    # Source just north of west_org (121.51, 31.27); wind from the north carries it there.
    body = {**ZONE, "lon": 121.51, "lat": 31.275, "thresholds_mg_m3": [20]}
    run_id = api(users.admin).post("/threat-zone", body).json()["run_id"]
    inside = Shelter.objects.create(
        name="Inside", lon=121.51, lat=31.2745, capacity=100, jurisdiction=d.west_community
    )
    Shelter.objects.create(
        name="Near",
        lon=121.52,
        lat=31.27,
        capacity=100,
        occupancy=20,
        jurisdiction=d.west_community,
    )
    Shelter.objects.create(
        name="Full",
        lon=121.515,
        lat=31.27,
        capacity=50,
        occupancy=50,
        jurisdiction=d.west_community,
    )
    Shelter.objects.create(
        name="Far", lon=121.55, lat=31.27, capacity=300, jurisdiction=d.east_community
    )
    r = api(users.admin).post("/exposure", {"run_id": run_id})
    assert r.status_code == 200, r.content
    data = r.json()
    (zone,) = data["zones"]
    assert [o["name"] for o in zone["organizations"]] == [users.west_org.name]
    assert [s["id"] for s in zone["shelters"]] == [inside.pk]
    assert 0 < zone["population"] < 10_000
    assert [s["name"] for s in data["nearest_shelters_outside"]] == ["Near", "Far"]
    near = data["nearest_shelters_outside"][0]
    assert near["free_capacity"] == 80 and 0 < near["distance_m"] < 1000
    # The posted FeatureCollection gives the same answer as the run.
    fc = api(users.admin).get(f"/runs/{run_id}").json()["geojson"]
    assert api(users.admin).post("/exposure", {"zones": fc}).json() == data
    assert api(users.admin).post("/exposure", {}).status_code == 422
    assert api(users.admin).post("/exposure", {"run_id": 99999}).status_code == 404


def test_exposure_population_share_and_scope(populated: SimpleNamespace) -> None:
    from shapely.geometry import box

    users = populated.users
    # The west half of the west community (same latitudes): exactly half its residents.
    half_west = box(121.50, 31.26, 121.515, 31.29)
    both = box(121.505, 31.265, 121.555, 31.275)  # crosses both communities
    rows = services.exposure(users.admin, [half_west, both])
    assert rows[0]["population"] == 5_000
    assert [o["name"] for o in rows[0]["organizations"]] == [users.west_org.name]
    # 5/30 of the west's lon span … of each community's lat span (1/3), by area share.
    expected = 10_000 * (0.025 / 0.03) * (1 / 3) + 20_000 * (0.025 / 0.03) * (1 / 3)
    assert rows[1]["population"] == pytest.approx(expected, rel=2e-3)
    assert len(rows[1]["organizations"]) == 2
    scoped = services.exposure(users.west_officer, [both])
    assert [o["name"] for o in scoped[0]["organizations"]] == [users.west_org.name]


def test_exposure_refuses_bad_zones(users: SimpleNamespace) -> None:
    with pytest.raises(ValidationError):
        services.exposure(users.admin, {"type": "Point"})
    bad = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 1]]]}}
        ],
    }
    with pytest.raises(ValidationError):
        services.exposure(users.admin, bad)


def test_exposure_without_shelters_app(users: SimpleNamespace, monkeypatch: Any) -> None:
    from shapely.geometry import box

    monkeypatch.setattr(services, "_shelter_model", lambda: None)
    rows = services.exposure(users.admin, [box(121.50, 31.26, 121.515, 31.29)])
    assert rows[0]["shelters"] == [] and rows[0]["nearest_shelters_outside"] == []
