"""What a warning threatens in its area (by type, with the responsible people) and the
map layer of streets under an active warning."""

from __future__ import annotations

import json
from typing import Any

from cityguard.core import services as core_services
from cityguard.onemap.registry import get as layer
from cityguard.risk import services as risk_services
from cityguard.risk.models import Domain
from cityguard.warnings import services


def test_threatened_by_type_with_responsible_people(
    issued: Any, users: Any, district: Any, api_as: Any
) -> None:
    admin = users.admin
    garage = core_services.save_place(
        admin, {"name": "西区地下车库", "kind": "underground_space", "organization": users.west_org}
    )
    core_services.save_contact(
        admin,
        {
            "organization": users.west_org,
            "place": garage,
            "name": "钱管理",
            "role": "duty",
            "phone": "13900000001",
        },
    )
    glass = core_services.save_place(
        admin,
        {"name": "西区玻璃幕墙大楼", "kind": "glass_curtain_wall", "organization": users.west_org},
    )
    core_services.save_place(
        admin, {"name": "东区地下商场", "kind": "underground_space", "organization": users.east_org}
    )
    core_services.save_contact(
        admin,
        {
            "organization": users.west_org,
            "name": "孙负责",
            "role": "principal",
            "phone": "13900000002",
        },
    )
    point = risk_services.save_risk_point(
        admin,
        {
            "name": "西区低洼积水点",
            "domain": Domain.objects.get(code="waterlogging"),
            "organization": users.west_org,
            "responsible_person": "周工",
            "responsible_phone": "1",
        },
    )

    rain = issued(streets=[district.west.code])
    t = services.threatened(rain, users.staff)
    assert [p.name for p in t.places] == ["西区地下车库"]
    assert [c.name for c in t.places[0].responsible] == ["钱管理"]
    assert [rp.pk for rp in t.risk_points] == [point.pk]
    assert [c.name for c in t.risk_points[0].responsible] == ["孙负责"]

    gale = issued(kind="gale", colour="orange", streets=[district.west.code])
    t = services.threatened(gale, users.staff)
    assert [p.pk for p in t.places] == [glass.pk]
    assert [c.name for c in t.places[0].responsible] == ["孙负责"]  # the organisation's
    assert t.risk_points == []

    items = api_as(users.staff, "/warnings").get(f"/{rain.pk}/threatened").json()
    assert {(i["kind"], i["name"]) for i in items} == {
        ("place", "西区地下车库"),
        ("risk_point", "西区低洼积水点"),
    }
    # An enterprise manager of the other street sees none of it.
    assert services.threatened(rain, users.east_manager).places == []


def test_map_layer_colours_streets_by_most_serious(
    issued: Any, users: Any, district: Any, django_capture_on_commit_callbacks: Any
) -> None:
    issued(colour="yellow")  # both streets
    red = issued(kind="typhoon", colour="red", streets=[district.east.code])
    lyr = layer("warnings.active")
    assert lyr is not None
    features = json.loads(lyr.feature_collection(users.staff, None, 100))["features"]
    props = {f["properties"]["code"]: f["properties"] for f in features}
    assert props[district.west.code]["warning_colour"] == "yellow"
    assert props[district.east.code]["warning_colour"] == "red"
    assert props[district.east.code]["warnings"] == 2
    assert props[district.east.code]["url"] == f"/warnings/{red.pk}/"
    west_only = json.loads(lyr.feature_collection(users.west_officer, None, 100))["features"]
    assert {f["properties"]["code"] for f in west_only} == {district.west.code}
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel(users.staff, red, "解除")
    features = json.loads(lyr.feature_collection(users.staff, None, 100))["features"]
    assert {f["properties"]["code"]: f["properties"]["warning_colour"] for f in features} == {
        district.west.code: "yellow",
        district.east.code: "yellow",
    }
