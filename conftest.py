"""Fixtures for every test: the small district and one user per role."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from cityguard import testing
from cityguard.core.choices import Role


@pytest.fixture(autouse=True, scope="session")
def _jobs_run_inline() -> None:
    # Background jobs run in the test process, against the test database.
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    # The default hasher is deliberately slow; tests hash a dozen passwords per case.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def district(db: Any) -> testing.District:
    return testing.make_district()


@pytest.fixture
def users(district: testing.District) -> SimpleNamespace:
    """admin, staff, west/east street officers, two enterprise managers, viewer, api client,
    and one enterprise in each street (west_org, east_org)."""
    admin = testing.make_user("admin1", Role.DISTRICT_ADMIN)
    west_org = testing.make_organization(
        admin, "西区化工有限公司", 121.51, 31.27, credit_code=testing.credit_code(1)
    )
    east_org = testing.make_organization(
        admin, "东区物流有限公司", 121.55, 31.27, credit_code=testing.credit_code(2)
    )
    return SimpleNamespace(
        admin=admin,
        staff=testing.make_user("staff1", Role.DISTRICT_STAFF),
        west_officer=testing.make_user("west1", Role.STREET_OFFICER, jurisdiction=district.west),
        east_officer=testing.make_user("east1", Role.STREET_OFFICER, jurisdiction=district.east),
        west_manager=testing.make_user("westmgr", Role.ENTERPRISE_MANAGER, organization=west_org),
        east_manager=testing.make_user("eastmgr", Role.ENTERPRISE_MANAGER, organization=east_org),
        viewer=testing.make_user("viewer1", Role.VIEWER),
        api_client=testing.make_user("system1", Role.API_CLIENT),
        west_org=west_org,
        east_org=east_org,
    )


@pytest.fixture
def api_as(client: Any) -> Any:
    """api_as(user, "/monitoring", language="en") → a caller of /api/v1/monitoring with a
    bearer token of that user (None: anonymous)."""

    def make(user: Any, prefix: str = "", language: str = "en") -> testing.ApiCaller:
        return testing.ApiCaller(client, user, prefix, language)

    return make
