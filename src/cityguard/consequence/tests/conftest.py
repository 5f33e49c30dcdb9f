"""Fixtures of the consequence tests: an API caller and a populated small district."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import pytest

from cityguard.core.models import ApiToken, Jurisdiction


class Api:
    """A caller of /api/v1/consequence with one user's bearer token."""

    def __init__(self, client: Any, user: Any = None, language: str = "en") -> None:
        self.client = client
        self.headers = {"HTTP_ACCEPT_LANGUAGE": language}
        if user is not None:
            _token, raw = ApiToken.issue(user)
            self.headers["HTTP_AUTHORIZATION"] = f"Bearer {raw}"

    def get(self, url: str, **params: Any) -> Any:
        return self.client.get("/api/v1/consequence" + url, params, **self.headers)

    def post(self, url: str, body: Any) -> Any:
        data = body if isinstance(body, str) else json.dumps(body)
        return self.client.post(
            "/api/v1/consequence" + url, data=data, content_type="application/json", **self.headers
        )


@pytest.fixture
def api(client: Any) -> Any:
    return lambda user=None, language="en": Api(client, user, language)


@pytest.fixture
def populated(district: Any, users: SimpleNamespace) -> SimpleNamespace:
    """West community 10,000 residents, east community 20,000."""
    Jurisdiction.objects.filter(pk=district.west_community.pk).update(population=10_000)
    Jurisdiction.objects.filter(pk=district.east_community.pk).update(population=20_000)
    return SimpleNamespace(district=district, users=users)


SOURCE = {
    "release_rate_g_s": 1000,
    "wind_speed_m_s": 2,
    "stability": "F",
    "source_height_m": 0,
    "terrain": "rural",
}
ZONE = {**SOURCE, "lon": 121.515, "lat": 31.285, "wind_from_deg": 0, "thresholds_mg_m3": [20, 200]}
