"""Test helpers shared by every app's tests: a small district and a user per role.

The district is two streets side by side, each with one community, so scoping can be
proved with records on both sides of a boundary.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model

from cityguard.core import creditcode, services
from cityguard.core.choices import Level, Role
from cityguard.core.models import Jurisdiction, Membership, Organization

PASSWORD = "correct-horse-battery-9"


def square(x1: float, y1: float, x2: float, y2: float) -> str:
    return json.dumps(
        {"type": "Polygon", "coordinates": [[[x1, y1], [x2, y1], [x2, y2], [x1, y2], [x1, y1]]]}
    )


@dataclass
class District:
    root: Jurisdiction
    east: Jurisdiction
    west: Jurisdiction
    east_community: Jurisdiction
    west_community: Jurisdiction


def credit_code(n: int) -> str:
    return creditcode.make("91", "310110", f"MA{n:06d}")


def make_district(actor: Any = None) -> District:
    """Root 121.50–121.56 × 31.26–31.32; west street x < 121.53, east x ≥ 121.53."""
    actor = actor or make_user("setup-admin", Role.DISTRICT_ADMIN)
    save = services.save_jurisdiction
    root = save(
        actor,
        {
            "code": "310110",
            "name": "测试区",
            "name_en": "Test district",
            "level": Level.DISTRICT,
            "boundary": square(121.50, 31.26, 121.56, 31.32),
        },
    )
    west = save(
        actor,
        {
            "code": "310110001",
            "name": "西街道",
            "name_en": "West",
            "level": Level.STREET,
            "parent": root,
            "boundary": square(121.50, 31.26, 121.53, 31.32),
        },
    )
    east = save(
        actor,
        {
            "code": "310110002",
            "name": "东街道",
            "name_en": "East",
            "level": Level.STREET,
            "parent": root,
            "boundary": square(121.53, 31.26, 121.56, 31.32),
        },
    )
    wc = save(
        actor,
        {
            "code": "310110001001",
            "name": "西一居委",
            "level": Level.COMMUNITY,
            "parent": west,
            "boundary": square(121.50, 31.26, 121.53, 31.29),
        },
    )
    ec = save(
        actor,
        {
            "code": "310110002001",
            "name": "东一居委",
            "level": Level.COMMUNITY,
            "parent": east,
            "boundary": square(121.53, 31.26, 121.56, 31.29),
        },
    )
    return District(root, east, west, ec, wc)


def make_user(
    username: str,
    role: str,
    jurisdiction: Jurisdiction | None = None,
    organization: Organization | None = None,
    **extra: Any,
) -> Any:
    user = get_user_model().objects.create_user(username=username, password=PASSWORD, **extra)
    Membership.objects.create(
        user=user, role=role, jurisdiction=jurisdiction, organization=organization
    )
    return user


def make_organization(actor: Any, name: str, lon: float, lat: float, **fields: Any) -> Organization:
    data = {"name": name, "kind": "enterprise", "lon": lon, "lat": lat, **fields}
    return services.save_organization(actor, data)


class ApiCaller:
    """Calls /api/v1<prefix> with one user's bearer token (or none), in one language.

    `api_as(user, "/monitoring")` in a test (root conftest) gives one; responses are
    Django test responses (`.status_code`, `.json()`)."""

    def __init__(self, client: Any, user: Any, prefix: str = "", language: str = "en") -> None:
        from cityguard.core.models import ApiToken

        self.client = client
        self.prefix = "/api/v1" + prefix
        self.headers: dict[str, str] = {"HTTP_ACCEPT_LANGUAGE": language}
        if user is not None:
            _token, raw = ApiToken.issue(user)
            self.headers["HTTP_AUTHORIZATION"] = f"Bearer {raw}"

    def get(self, url: str, **params: Any) -> Any:
        return self.client.get(self.prefix + url, params, **self.headers)

    def _send(self, method: str, url: str, body: Any, content_type: str) -> Any:
        data = body if isinstance(body, str | bytes) else json.dumps(body)
        call = getattr(self.client, method)
        return call(self.prefix + url, data=data, content_type=content_type, **self.headers)

    def post(self, url: str, body: Any = None, content_type: str = "application/json") -> Any:
        return self._send("post", url, {} if body is None else body, content_type)

    def patch(self, url: str, body: Any) -> Any:
        return self._send("patch", url, body, "application/json")

    def put(self, url: str, body: Any) -> Any:
        return self._send("put", url, body, "application/json")

    def delete(self, url: str) -> Any:
        return self.client.delete(self.prefix + url, **self.headers)


# The migrations that seed reference data (catalogues, checklists, discretion table, risk
# domains). A transactional test empties every table when it ends, seeded rows included;
# a later transactional test that needs them (e.g. to load the demo) puts them back.
SEEDING_MIGRATIONS = (
    "cityguard.chemicals.migrations.0002_seed_catalogue",
    "cityguard.enforcement.migrations.0002_discretion_table",
    "cityguard.hazards.migrations.0002_seed_checklists",
    "cityguard.risk.migrations.0002_seed_domains",
)


def reseed_reference_data() -> None:
    """Run the seeding migrations' forward step again where their data is gone."""
    import importlib

    from django.apps import apps

    from cityguard.chemicals.models import Chemical

    if Chemical.objects.exists():
        return  # the database was not emptied
    for name in SEEDING_MIGRATIONS:
        importlib.import_module(name).seed(apps, None)
