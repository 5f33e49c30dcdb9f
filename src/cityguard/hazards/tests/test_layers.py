"""The hazards' map layers: registered, scoped to the reader, coloured by state."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.test import Client
from django.utils import timezone

from cityguard.hazards import services

from .helpers import walk


def _layer(user: Any, name: str) -> dict[str, Any]:
    c = Client()
    c.force_login(user)
    r = c.get(f"/api/v1/map/layers/{name}")
    assert r.status_code == 200, r.content
    return r.json()  # type: ignore[no-any-return]


def test_layers_by_severity_and_state(users: Any, report: Any, district: Any) -> None:
    c = Client()
    c.force_login(users.staff)
    names = {layer["name"] for layer in c.get("/api/v1/map/layers").json()}
    assert {"hazards.major", "hazards.general", "hazards.closed", "hazards.tips"} <= names
    report(title="一般")
    report(title="重大", severity="major", deadline=timezone.localdate() + timedelta(days=40))
    walk(report(title="已销号"), users, "assign", "start", "submit", "verify")
    report(actor=users.east_officer, organization=users.east_org, title="东区一般")
    services.submit_tip({"description": "路灯杆倾斜", "lon": 121.52, "lat": 31.28})

    general = _layer(users.staff, "hazards.general")
    assert {f["properties"]["name"] for f in general["features"]} == {"一般", "东区一般"}
    props = general["features"][0]["properties"]
    assert props["state"] == "reported" and props["colour"] and props["url"].startswith("/hazards/")
    assert {f["properties"]["name"] for f in _layer(users.staff, "hazards.major")["features"]} == {
        "重大"
    }
    assert {f["properties"]["name"] for f in _layer(users.staff, "hazards.closed")["features"]} == {
        "已销号"
    }
    assert {
        f["properties"]["name"] for f in _layer(users.east_officer, "hazards.general")["features"]
    } == {"东区一般"}
    assert len(_layer(users.west_officer, "hazards.tips")["features"]) == 1
    assert _layer(users.east_officer, "hazards.tips")["features"] == []
    assert _layer(users.viewer, "hazards.tips")["features"] == []
