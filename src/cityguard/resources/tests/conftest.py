"""Fixtures of the resources tests: a warehouse, a team and a shelter in each street."""

from __future__ import annotations

import datetime as dt
import json
from types import SimpleNamespace
from typing import Any

import pytest

from cityguard.resources import services
from cityguard.resources.models import Material


@pytest.fixture(autouse=True)
def _fresh_cache() -> Any:
    services.clear_cache()
    yield
    services.clear_cache()


@pytest.fixture
def res(users: SimpleNamespace) -> SimpleNamespace:
    admin = users.admin
    tent = services.save_material(
        admin,
        {"code": "tent", "name": "帐篷", "name_en": "Tent", "category": "shelter", "unit": "顶"},
    )
    water = services.save_material(
        admin,
        {
            "code": "water",
            "name": "矿泉水",
            "name_en": "Bottled water",
            "category": "food",
            "unit": "箱",
        },
    )
    west_wh = services.save_warehouse(
        admin, {"name": "西街道储备库", "reserve_level": "street", "lon": 121.51, "lat": 31.28}
    )
    east_wh = services.save_warehouse(
        admin, {"name": "东街道储备库", "reserve_level": "street", "lon": 121.55, "lat": 31.28}
    )
    west_team = services.save_team(
        admin,
        {
            "name": "西街道志愿者队",
            "kind": "volunteer",
            "headcount": 20,
            "lon": 121.505,
            "lat": 31.27,
        },
    )
    east_team = services.save_team(
        admin,
        {"name": "东区消防救援队", "kind": "fire", "headcount": 30, "lon": 121.545, "lat": 31.27},
    )
    west_shelter = services.save_shelter(
        admin, {"name": "西区小学避难场所", "capacity": 500, "lon": 121.52, "lat": 31.30}
    )
    east_shelter = services.save_shelter(
        admin,
        {
            "name": "东区公园避难场所",
            "capacity": 2000,
            "occupancy": 100,
            "lon": 121.54,
            "lat": 31.30,
        },
    )
    return SimpleNamespace(
        tent=tent,
        water=water,
        west_wh=west_wh,
        east_wh=east_wh,
        west_team=west_team,
        east_team=east_team,
        west_shelter=west_shelter,
        east_shelter=east_shelter,
    )


def stock(wh: Any, material: Material, qty: Any, days: int | None = None, lot: str = "") -> Any:
    exp = dt.date(2030, 1, 1) + dt.timedelta(days=days) if days is not None else None
    return services.receive_stock(
        None, warehouse=wh, material=material, quantity=qty, expires_on=exp, lot_no=lot
    )


class Api:
    """A caller of /api/v1/resources with one user's bearer token, reading English."""

    def __init__(self, client: Any, user: Any = None, language: str = "en") -> None:
        from cityguard.core.models import ApiToken

        self.client = client
        self.headers = {"HTTP_ACCEPT_LANGUAGE": language}
        if user is not None:
            _token, raw = ApiToken.issue(user)
            self.headers["HTTP_AUTHORIZATION"] = f"Bearer {raw}"

    def get(self, url: str, **params: Any) -> Any:
        return self.client.get("/api/v1/resources" + url, params, **self.headers)

    def post(self, url: str, body: Any) -> Any:
        data = body if isinstance(body, str) else json.dumps(body)
        return self.client.post(
            "/api/v1/resources" + url, data=data, content_type="application/json", **self.headers
        )

    def patch(self, url: str, body: Any) -> Any:
        data = body if isinstance(body, str) else json.dumps(body)
        return self.client.patch(
            "/api/v1/resources" + url, data=data, content_type="application/json", **self.headers
        )


@pytest.fixture
def api(client: Any) -> Any:
    return lambda user=None, language="en": Api(client, user, language)
