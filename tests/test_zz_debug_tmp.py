"""Fuzz every operation of the open API from its own OpenAPI document: no input, valid
or not, may make the server answer 5xx.

The schema is loaded from the WSGI application itself (no network), inside the test
database, and every call carries a district administrator's bearer token so the
fuzzer reaches the handlers rather than stopping at 401.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig

from cityguard import testing
from cityguard.core.choices import Role
from cityguard.core.models import ApiToken
from cityguard.wsgi import application

MAX_EXAMPLES = 15

CONFIG = {
    "seed": 20240601,
    "suppress-health-check": ["all"],
    "generation": {
        "max-examples": MAX_EXAMPLES,
        "deterministic": True,
        "database": "none",
        "no-shrink": True,
    },
    # The stateful phase chains calls through links; it needs a live server loop.
    "phases": {"stateful": {"enabled": False}},
}


@pytest.fixture
def admin_token(settings: Any, db: Any) -> str:
    # A fast hasher: the fuzzer calls POST /auth/token many times.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    district = testing.make_district()
    admin = testing.make_user("fuzz-admin", Role.DISTRICT_ADMIN)
    org = testing.make_organization(
        admin, "模糊测试企业", 121.51, 31.27, credit_code=testing.credit_code(77)
    )
    from cityguard.core import services

    services.save_place(
        admin, {"name": "模糊测试场所", "kind": "crowded_place", "organization": org}
    )
    assert district.west.pk
    _token, raw = ApiToken.issue(admin)
    return raw


# Loading the document touches no table, so it happens at collection time; one test per
# operation follows. (The lazy fixture loader trips over pytest 9's node ids.)
schema = schemathesis.openapi.from_wsgi(
    "/api/v1/openapi.json", application, config=SchemathesisConfig.from_dict(CONFIG)
)


@pytest.mark.django_db(transaction=True)
@schema.parametrize()
def test_no_input_makes_the_api_fail_with_a_server_error(case: Any, admin_token: str) -> None:
    import sys; sys.path.insert(0, "/tmp"); import st_debug
    r = case.call_and_validate(
        headers={"Authorization": f"Bearer {admin_token}"}, checks=[not_a_server_error]
    )
    st_debug.record(case, r)
    if r.status_code >= 400: print("BODY", case.operation.path, r.status_code, r.text[:300])


def test_the_fuzzer_config_is_modest() -> None:
    """The run stays deterministic and small enough for every CI build."""
    config = SchemathesisConfig.from_dict(CONFIG)
    assert config.projects.default.generation.max_examples == MAX_EXAMPLES
    assert config.projects.default.generation.deterministic is True
    assert HealthCheck.too_slow in config.suppress_health_check


def test_zzz_print():
    import sys; sys.path.insert(0, "/tmp"); import st_debug
    for k, v in sorted(st_debug.STATS.items()): print(k, v)
