"""The four-colour map layers and the indicators, on a small known dataset."""

from __future__ import annotations

import datetime as dt
import json
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone

from cityguard import testing
from cityguard.risk import indicators, services
from cityguard.risk.choices import LEVEL_HEX, UNASSESSED_HEX

from .conftest import assess_lec


@pytest.fixture
def graded(users: SimpleNamespace, points: SimpleNamespace) -> SimpleNamespace:
    """west: major (assessed 100 days ago, so overdue) + an unassessed one; east: low."""
    assess_lec(
        users.admin, points.west, 3, 3, 40, assessed_at=timezone.now() - dt.timedelta(days=100)
    )
    assess_lec(users.admin, points.east, 1, 1, 1)
    extra = services.save_risk_point(
        users.admin, {"name": "西区加油站", "domain": points.fire, "lon": 121.52, "lat": 31.30}
    )
    return SimpleNamespace(**vars(points), extra=extra)


def _layer(client: Any, user: Any, name: str, language: str = "en", **params: Any) -> dict:
    client.force_login(user)
    r = client.get(f"/api/v1/map/layers/{name}", params, HTTP_ACCEPT_LANGUAGE=language)
    assert r.status_code == 200, r.content
    return json.loads(r.content)


def test_layers_are_registered_with_a_four_colour_legend(
    users: SimpleNamespace, client: Any
) -> None:
    client.force_login(users.viewer)
    layers = {
        lyr["name"]: lyr
        for lyr in client.get("/api/v1/map/layers", HTTP_ACCEPT_LANGUAGE="en").json()
    }
    legend = layers["risk.points"]["legend"]
    assert [i["colour"] for i in legend] == [*LEVEL_HEX.values(), UNASSESSED_HEX]
    assert legend[0]["label"] == "Major (red)"
    assert layers["risk.streets"]["geometry"] == "polygon"


def test_points_layer_colours_by_level(
    users: SimpleNamespace, graded: SimpleNamespace, client: Any
) -> None:
    fc = _layer(client, users.admin, "risk.points")
    by_id = {f["properties"]["id"]: f for f in fc["features"]}
    assert by_id[graded.west.pk]["properties"]["colour"] == LEVEL_HEX["major"]
    assert by_id[graded.west.pk]["properties"]["level"] == "major"
    assert by_id[graded.east.pk]["properties"]["colour"] == LEVEL_HEX["low"]
    assert by_id[graded.extra.pk]["properties"]["colour"] == UNASSESSED_HEX
    assert by_id[graded.east.pk]["properties"]["domain"] == "Fire safety"
    assert by_id[graded.west.pk]["geometry"]["coordinates"] == [121.51, 31.27]


def test_points_layer_bbox_and_scope(
    users: SimpleNamespace, graded: SimpleNamespace, client: Any
) -> None:
    west_half = _layer(client, users.admin, "risk.points", bbox="121.50,31.26,121.53,31.32")
    assert {f["properties"]["id"] for f in west_half["features"]} == {
        graded.west.pk,
        graded.extra.pk,
    }
    north = _layer(client, users.admin, "risk.points", bbox="121.50,31.29,121.56,31.32")
    assert [f["properties"]["id"] for f in north["features"]] == [graded.extra.pk]
    mine = _layer(client, users.east_officer, "risk.points")
    assert [f["properties"]["id"] for f in mine["features"]] == [graded.east.pk]
    services.save_risk_point(users.admin, {"is_active": False}, graded.east)
    assert _layer(client, users.east_officer, "risk.points")["features"] == []


def test_street_choropleth(users: SimpleNamespace, graded: SimpleNamespace, client: Any) -> None:
    fc = _layer(client, users.admin, "risk.streets")
    props = {f["properties"]["code"]: f["properties"] for f in fc["features"]}
    west, east = props["310110001"], props["310110002"]
    assert (west["highest"], west["colour"], west["major"], west["unassessed"], west["total"]) == (
        "major",
        LEVEL_HEX["major"],
        1,
        1,
        2,
    )
    assert (east["highest"], east["colour"], east["low"], east["total"]) == (
        "low",
        LEVEL_HEX["low"],
        1,
        1,
    )
    # Counts are the viewer's: the east officer sees the west street (reference data) empty.
    fc = _layer(client, users.east_officer, "risk.streets")
    props = {f["properties"]["code"]: f["properties"] for f in fc["features"]}
    assert props["310110001"]["total"] == 0 and props["310110001"]["highest"] is None
    # bbox: only the east street's box intersects.
    fc = _layer(client, users.admin, "risk.streets", bbox="121.545,31.27,121.55,31.28")
    assert [f["properties"]["code"] for f in fc["features"]] == ["310110002"]


def test_indicators_on_a_known_dataset(users: SimpleNamespace, graded: SimpleNamespace) -> None:
    assert indicators.counts_by_level(None, None) == {
        "major": 1,
        "large": 0,
        "general": 0,
        "low": 1,
        "unassessed": 1,
    }
    assert indicators.counts_by_level(None, "310110002")["low"] == 1
    assert indicators.counts_by_level(users.east_officer, None)["major"] == 0
    per_street = indicators.counts_by_level_per_street(None, None)
    assert per_street["310110001"]["major"] == 1 and per_street["310110001"]["unassessed"] == 1
    assert per_street["310110002"]["low"] == 1
    assert indicators.overdue_reassessments(None, None) == 1
    assert indicators.overdue_reassessments(None, "310110002") == 0
    assert indicators.overdue_reassessments(users.west_officer, None) == 1
    assert indicators.counts_by_level(None, "nope") == dict.fromkeys(indicators.LEVEL_KEYS, 0)


def test_park_risk_assessment_rate(users: SimpleNamespace, points: SimpleNamespace) -> None:
    assert indicators.park_risk_assessment_rate(None, None) is None  # no parks
    admin = users.admin
    parks = [
        testing.make_organization(admin, f"园区{i}", lon, 31.28, kind="park")
        for i, lon in enumerate((121.51, 121.52, 121.54, 121.55))
    ]  # two west, two east
    assert indicators.park_risk_assessment_rate(None, None) == 0.0
    p0 = services.save_risk_point(
        admin, {"name": "园区0风险", "domain": points.fire, "organization": parks[0]}
    )
    assess_lec(admin, p0, 1, 1, 1)  # current
    p1 = services.save_risk_point(
        admin, {"name": "园区1风险", "domain": points.fire, "organization": parks[1]}
    )
    assess_lec(admin, p1, 3, 3, 40, assessed_at=timezone.now() - dt.timedelta(days=200))  # overdue
    services.save_risk_point(
        admin, {"name": "园区2风险", "domain": points.fire, "organization": parks[2]}
    )
    assert indicators.park_risk_assessment_rate(None, None) == 25.0
    assert indicators.park_risk_assessment_rate(None, "310110001") == 50.0
    assert indicators.park_risk_assessment_rate(None, "310110002") == 0.0
    assert indicators.park_risk_assessment_rate(users.east_officer, None) == 0.0
    # A second current point of the same park does not count it twice.
    p0b = services.save_risk_point(
        admin, {"name": "园区0风险b", "domain": points.fire, "organization": parks[0]}
    )
    assess_lec(admin, p0b, 1, 1, 1)
    assert indicators.park_risk_assessment_rate(None, None) == 25.0
