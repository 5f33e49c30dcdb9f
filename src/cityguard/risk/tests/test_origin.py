"""register_origin / unregister_origin: the link the hazards and chemicals apps use."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cityguard.core import services as core_services
from cityguard.risk import services
from cityguard.risk.choices import DOMAIN_CODES
from cityguard.risk.models import Assessment, Domain, RiskPoint


@pytest.fixture
def origin(users: SimpleNamespace):
    # Any saved model instance can be an origin; a place stands in for a major hazard source.
    return core_services.save_place(
        users.admin, {"name": "1号储罐", "kind": "other", "organization": users.west_org}
    )


def test_taxonomy_is_seeded_with_stable_codes(db: None) -> None:
    codes = set(Domain.objects.values_list("code", flat=True))
    assert set(DOMAIN_CODES) <= codes
    assert {"special_equipment", "hazardous_chemicals", "fire", "city_gas", "heat"} <= codes
    assert Domain.objects.filter(category="natural").count() == 4
    assert Domain.objects.filter(category="safety").count() == 13
    assert Domain.objects.get(code="fire").name_zh == "消防安全"


def test_register_creates_a_point_at_the_origin_level(users: SimpleNamespace, origin) -> None:
    point = services.register_origin(
        users.admin,
        origin,
        organization=users.west_org,
        domain="hazardous_chemicals",
        name="一级重大危险源：1号储罐",
        level="major",
    )
    assert point.level == "major" and point.level_rank == 4 and point.method == "origin"
    assert point.origin == origin
    assert (point.lon, point.lat) == (users.west_org.lon, users.west_org.lat)
    assert point.jurisdiction.code == "310110001001"
    assert point.next_due is not None
    assert point.control_tier == "district"
    (a,) = point.assessments.all()
    assert a.method == "origin" and a.level == "major" and a.score is None


def test_register_is_idempotent(users: SimpleNamespace, origin) -> None:
    kwargs = dict(
        organization=users.west_org, domain="hazardous_chemicals", name="源", level="large"
    )
    first = services.register_origin(users.admin, origin, **kwargs)
    history_before = first.history.count()
    second = services.register_origin(users.admin, origin, **kwargs)
    assert second.pk == first.pk
    assert RiskPoint.objects.count() == 1
    assert Assessment.objects.count() == 1
    assert second.history.count() == history_before


def test_register_again_with_a_new_level_records_an_origin_assessment(
    users: SimpleNamespace, origin
) -> None:
    kwargs = dict(organization=users.west_org, domain="hazardous_chemicals", name="源")
    services.register_origin(users.admin, origin, level="large", **kwargs)
    point = services.register_origin(
        users.admin, origin, level="major", description="升级", **kwargs
    )
    assert point.level == "major" and point.description == "升级"
    assert list(point.assessments.values_list("level", flat=True)) == ["major", "large"]


def test_unregister_deactivates_and_register_reactivates(users: SimpleNamespace, origin) -> None:
    kwargs = dict(organization=users.west_org, domain="fire", name="源", level="general")
    point = services.register_origin(users.admin, origin, **kwargs)
    gone = services.unregister_origin(users.admin, origin)
    assert gone is not None and gone.pk == point.pk and not gone.is_active
    assert services.unregister_origin(users.admin, origin).pk == point.pk  # idempotent
    back = services.register_origin(users.admin, origin, **kwargs)
    assert back.pk == point.pk and back.is_active
    assert back.assessments.count() == 1  # the level did not change


def test_unregister_of_an_unknown_origin_returns_none(users: SimpleNamespace, origin) -> None:
    assert services.unregister_origin(users.admin, origin) is None


def test_register_checks_domain_level_and_reach(users: SimpleNamespace, origin) -> None:
    base = dict(organization=users.west_org, name="源")
    with pytest.raises(ValidationError) as exc:
        services.register_origin(users.admin, origin, domain="nope", level="major", **base)
    assert "domain" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.register_origin(users.admin, origin, domain="fire", level="red", **base)
    assert "level" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        services.register_origin(users.east_officer, origin, domain="fire", level="low", **base)
    with pytest.raises(PermissionDenied):
        services.register_origin(users.viewer, origin, domain="fire", level="low", **base)
    # The system itself (actor None) and the owner's manager may.
    assert services.register_origin(None, origin, domain="fire", level="low", **base).level == "low"
    point = services.register_origin(
        users.west_manager, origin, domain="fire", level="large", **base
    )
    assert point.level == "large"
    with pytest.raises(PermissionDenied):
        services.unregister_origin(users.east_manager, origin)


def test_register_with_explicit_location(users: SimpleNamespace, origin) -> None:
    point = services.register_origin(
        None,
        origin,
        organization=None,
        domain="city_gas",
        name="调压站",
        level="general",
        lon=121.545,
        lat=31.30,
    )
    assert point.jurisdiction.code == "310110002"
    assert point.organization is None


def test_register_with_a_location_is_idempotent_too(users: SimpleNamespace, origin) -> None:
    kwargs = dict(
        organization=users.west_org,
        domain="fire",
        name="点",
        level="low",
        lon=121.5123456789,
        lat=31.2712345678,
    )
    first = services.register_origin(users.admin, origin, **kwargs)
    n = first.history.count()
    again = services.register_origin(users.admin, origin, **kwargs)
    assert again.pk == first.pk and again.history.count() == n
