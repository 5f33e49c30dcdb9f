"""The sensors map layer: coloured by state, scoped to the reader, with popup facts; the
map page loads the script that keeps it live."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from django.urls import reverse

from cityguard import testing
from cityguard.monitoring.choices import SensorState
from cityguard.monitoring.layers import LAYER_NAME, sensor_props
from cityguard.onemap import registry

from .test_pages import build_world, login

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(district: testing.District, users: SimpleNamespace) -> SimpleNamespace:
    return build_world(district, users)


def _features(user: object) -> list[dict]:
    layer = registry.get(LAYER_NAME)
    assert layer is not None
    return json.loads(layer.feature_collection(user, None, 100))["features"]  # type: ignore[no-any-return]


def test_the_layer_is_registered_with_a_legend_of_states() -> None:
    layer = registry.get(LAYER_NAME)
    assert layer is not None and layer.geometry == "point"
    described = layer.describe()
    assert [item["colour"] for item in described["legend"]] == [
        SensorState.colour_of(v) for v in SensorState.values
    ]


def test_features_are_coloured_by_state_and_scoped(world: SimpleNamespace) -> None:
    feats = {f["properties"]["sensor_code"]: f for f in _features(world.admin)}
    assert set(feats) == {"W-1", "W-2", "E-1"}
    assert feats["E-1"]["properties"]["colour"] == SensorState.colour_of("alarm")
    assert feats["W-2"]["properties"]["colour"] == SensorState.colour_of("offline")
    assert feats["W-1"]["properties"]["url"] == reverse("monitoring:sensor_detail", args=["W-1"])
    assert feats["W-1"]["geometry"]["coordinates"] == [121.515, 31.29]
    west = {f["properties"]["sensor_code"] for f in _features(world.west_officer)}
    assert west == {"W-1", "W-2"}
    mgr = {f["properties"]["sensor_code"] for f in _features(world.east_manager)}
    assert mgr == {"E-1"}


def test_popup_facts_give_kind_state_and_last_value() -> None:
    props = sensor_props((1, "W-1", "水位计", "water_level", "", "alarm", 1.75))
    assert props["name"] == "W-1 水位计"
    assert "1.75 m" in props["kind_label"]
    assert props["state"] == "alarm" and props["unit"] == "m"
    none = sensor_props((2, "X", "", "gas", "ppm", "normal", None))
    assert none["kind_label"].endswith("—")


def test_the_map_page_loads_the_live_script(world: SimpleNamespace) -> None:
    html = login(world.admin, "en").get(reverse("onemap:map")).content.decode()
    assert "monitoring/map_live.js" in html
    config = json.loads(
        html.split('id="cg-map-config" type="application/json">')[1].split("</script>")[0]
    )
    assert LAYER_NAME in [layer["name"] for layer in config["layers"]]
