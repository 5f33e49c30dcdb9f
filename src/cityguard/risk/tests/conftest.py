"""Fixtures of the risk tests: a few risk points on both sides of the street boundary."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from cityguard.risk import services
from cityguard.risk.models import Domain


@pytest.fixture
def points(users: SimpleNamespace) -> SimpleNamespace:
    """west: a chemicals point of west_org; east: a fire point of east_org; both unassessed."""
    fire = Domain.objects.get(code="fire")
    chem = Domain.objects.get(code="hazardous_chemicals")
    west = services.save_risk_point(
        users.admin,
        {"name": "西区储罐区", "domain": chem, "organization": users.west_org},
    )
    east = services.save_risk_point(
        users.admin,
        {"name": "东区仓库", "domain": fire, "organization": users.east_org},
    )
    return SimpleNamespace(west=west, east=east, fire=fire, chem=chem)


def assess_lec(actor: Any, point: Any, l: float, e: float, c: float, **kw: Any) -> Any:  # noqa: E741
    return services.add_assessment(
        actor, point, method="lec", values={"l": l, "e": e, "c": c}, **kw
    )


class Api:
    """A caller of the API with one user's bearer token, reading English."""

    def __init__(self, client: Any, user: Any = None, language: str = "en") -> None:
        import json

        from cityguard.core.models import ApiToken

        self._json = json
        self.client = client
        self.headers = {"HTTP_ACCEPT_LANGUAGE": language}
        if user is not None:
            _token, raw = ApiToken.issue(user)
            self.headers["HTTP_AUTHORIZATION"] = f"Bearer {raw}"

    def get(self, url: str, **params: Any) -> Any:
        return self.client.get("/api/v1/risk" + url, params, **self.headers)

    def post(self, url: str, body: Any) -> Any:
        data = body if isinstance(body, str) else self._json.dumps(body)
        return self.client.post(
            "/api/v1/risk" + url, data=data, content_type="application/json", **self.headers
        )

    def patch(self, url: str, body: Any) -> Any:
        data = body if isinstance(body, str) else self._json.dumps(body)
        return self.client.patch(
            "/api/v1/risk" + url, data=data, content_type="application/json", **self.headers
        )


@pytest.fixture
def api(client: Any) -> Any:
    return lambda user=None, language="en": Api(client, user, language)
