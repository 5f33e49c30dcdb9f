"""Identification of units in the database: snapshots, registry, risk register, scoping."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError

from cityguard.chemicals import services
from cityguard.chemicals.choices import PopulationSource, SourceStatus, Trigger
from cityguard.chemicals.models import Assessment, Inventory, MajorHazardSource, Unit
from cityguard.core import services as core_services
from cityguard.risk.models import RiskPoint

from .conftest import make_unit

pytestmark = pytest.mark.django_db


def risk_point(source: MajorHazardSource) -> RiskPoint | None:
    ct = ContentType.objects.get_for_model(MajorHazardSource)
    return RiskPoint.objects.filter(origin_type=ct, origin_id=source.pk).first()


def stock(actor: Any, unit: Unit, chems: SimpleNamespace, chlorine: float, ammonia: float) -> None:
    services.replace_inventories(
        actor, unit, [(chems.chlorine, chlorine, ""), (chems.ammonia, ammonia, "")]
    )


def test_chlorine_and_ammonia_unit_is_grade_4_and_registered(
    users: SimpleNamespace, chems: SimpleNamespace, west_unit: Unit
) -> None:
    stock(users.west_manager, west_unit, chems, 3, 20)
    west_unit.refresh_from_db()
    assert west_unit.s == pytest.approx(2.6) and west_unit.is_major
    assert west_unit.alpha == 1.5 and west_unit.r == pytest.approx(9.6) and west_unit.grade == 4
    assert west_unit.population_source == PopulationSource.ENTERED

    snap = Assessment.objects.filter(unit=west_unit).first()
    assert snap is not None and snap.trigger == Trigger.INVENTORY
    assert snap.actor_name == "westmgr"
    by_name = {i["chemical"]: i for i in snap.items}
    assert by_name["氯"]["threshold_t"] == 5 and by_name["氯"]["beta"] == 4
    assert by_name["氯"]["beta_source"] == "table3" and by_name["氯"]["ratio"] == 0.6
    assert by_name["氨"]["threshold_t"] == 10 and by_name["氨"]["beta"] == 2
    assert snap.population == 60 and snap.grade == 4

    source = MajorHazardSource.objects.get(unit=west_unit)
    assert source.status == SourceStatus.ACTIVE and source.grade == 4
    assert source.assessment_id == snap.pk and source.code == f"MH-{west_unit.pk:06d}"
    point = risk_point(source)
    assert point is not None and point.is_active
    assert point.level == "low" and point.domain.code == "hazardous_chemicals"
    assert point.organization_id == users.west_org.pk


def test_every_inventory_change_recomputes_and_keeps_a_snapshot(
    users: SimpleNamespace, chems: SimpleNamespace, west_unit: Unit
) -> None:
    before = Assessment.objects.filter(unit=west_unit).count()  # one, when it was created
    services.set_inventory(users.admin, west_unit, chems.chlorine, 3)
    services.set_inventory(users.admin, west_unit, chems.ammonia, 20)
    services.set_inventory(users.admin, west_unit, chems.chlorine, 30)
    west_unit.refresh_from_db()
    # S = 6 + 2 = 8; R = 1.5 × (4 × 6 + 2 × 2) = 42 → grade 3 → general (yellow)
    assert west_unit.s == pytest.approx(8) and west_unit.r == pytest.approx(42)
    assert west_unit.grade == 3
    assert Assessment.objects.filter(unit=west_unit).count() == before + 3
    source = MajorHazardSource.objects.get(unit=west_unit)
    assert source.grade == 3 and risk_point(source).level == "general"  # type: ignore[union-attr]

    # Down to nothing: no longer major, retired and taken off the register.
    for inv in Inventory.objects.filter(unit=west_unit):
        services.remove_inventory(users.admin, inv)
    west_unit.refresh_from_db()
    assert not west_unit.is_major and west_unit.s == 0 and west_unit.grade is None
    source.refresh_from_db()
    assert source.status == SourceStatus.RETIRED and source.retired_at is not None
    assert risk_point(source).is_active is False  # type: ignore[union-attr]
    # … and back again: the same registry entry and risk point come back.
    stock(users.admin, west_unit, chems, 3, 20)
    source.refresh_from_db()
    assert source.status == SourceStatus.ACTIVE and risk_point(source).is_active  # type: ignore[union-attr]
    assert MajorHazardSource.objects.count() == 1


def test_snapshots_are_immutable(
    users: SimpleNamespace, chems: SimpleNamespace, west_unit: Unit
) -> None:
    stock(users.admin, west_unit, chems, 3, 20)
    snap = Assessment.objects.filter(unit=west_unit).first()
    assert snap is not None
    snap.s = 0
    with pytest.raises(PermissionDenied):
        snap.save()
    with pytest.raises(PermissionDenied):
        snap.delete()
    with pytest.raises(PermissionDenied):
        Assessment.objects.filter(pk=snap.pk).update(s=0)
    with pytest.raises(PermissionDenied):
        Assessment.objects.filter(pk=snap.pk).delete()
    snap.refresh_from_db()
    assert snap.s == pytest.approx(2.6)


def test_grade_to_level_mapping_is_configurable(
    settings: Any, users: SimpleNamespace, chems: SimpleNamespace, west_unit: Unit
) -> None:
    settings.CITYGUARD_MAJOR_HAZARD_LEVELS = {4: "general"}
    stock(users.admin, west_unit, chems, 3, 20)
    source = MajorHazardSource.objects.get(unit=west_unit)
    assert risk_point(source).level == "general"  # type: ignore[union-attr]


def test_population_is_estimated_from_the_community(
    district: Any, users: SimpleNamespace, chems: SimpleNamespace
) -> None:
    core_services.save_jurisdiction(users.admin, {"population": 12000}, district.west_community)
    unit = make_unit(users.admin, users.west_org, "无人口数据的罐区")
    stock(users.admin, unit, chems, 3, 20)
    unit.refresh_from_db()
    snap = Assessment.objects.filter(unit=unit).first()
    assert snap is not None
    assert unit.population_source == PopulationSource.ESTIMATED
    detail = snap.population_detail
    assert detail["jurisdiction"] == district.west_community.code
    # 0.03° × 0.03° at 31.27° N ≈ 2.853 km × 3.317 km ≈ 9.46 km²; 12000 / 9.46 × 0.785 ≈ 996
    assert detail["area_km2"] == pytest.approx(9.46, rel=0.01)
    assert snap.population == pytest.approx(996, abs=5)
    assert unit.alpha == 2.0  # ≥ 100 people


def test_population_falls_back_to_the_street_then_to_the_cautious_default(
    district: Any,
    users: SimpleNamespace,
    chems: SimpleNamespace,
    django_capture_on_commit_callbacks: Any,
) -> None:
    unit = make_unit(users.admin, users.west_org, "罐区")
    stock(users.admin, unit, chems, 3, 20)
    unit.refresh_from_db()
    # No population anywhere: assumed 100 (α 2), and said so in the snapshot.
    assert unit.population_source == PopulationSource.UNKNOWN and unit.alpha == 2.0
    snap = Assessment.objects.filter(unit=unit).first()
    assert snap is not None and snap.parameters["population_assumed"] is True
    # The street's density: 0.03° × 0.06° ≈ 18.9 km²; 480 people → ≈ 20 within 500 m.
    with django_capture_on_commit_callbacks(execute=True):
        # The change of population data re-identifies the units estimated from it.
        core_services.save_jurisdiction(users.admin, {"population": 480}, district.west)
    unit.refresh_from_db()
    assert unit.population_source == PopulationSource.ESTIMATED
    assert unit.population_used == pytest.approx(20, abs=1) and unit.alpha == 1.0


def test_enterprise_users_reach_only_their_own_units(
    users: SimpleNamespace, chems: SimpleNamespace, west_unit: Unit
) -> None:
    east_unit = make_unit(users.admin, users.east_org, "东区仓库")
    assert list(Unit.objects.visible_to(users.east_manager)) == [east_unit]
    assert set(Unit.objects.visible_to(users.west_officer)) == {west_unit}
    assert set(Unit.objects.visible_to(users.admin)) == {west_unit, east_unit}
    with pytest.raises(PermissionDenied):
        services.set_inventory(users.east_manager, west_unit, chems.chlorine, 3)
    with pytest.raises(PermissionDenied):
        services.set_inventory(users.viewer, east_unit, chems.chlorine, 3)
    with pytest.raises(PermissionDenied):
        make_unit(users.east_manager, users.west_org, "不属于自己的单元")
    services.set_inventory(users.east_manager, east_unit, chems.chlorine, 3)
    assert not Inventory.objects.filter(unit=west_unit).exists()
    assert Assessment.objects.visible_to(users.east_manager).filter(unit=west_unit).count() == 0


@pytest.mark.parametrize("bad", [-1, "abc", float("nan"), float("inf"), None])
def test_bad_quantities_write_nothing(
    users: SimpleNamespace, chems: SimpleNamespace, west_unit: Unit, bad: Any
) -> None:
    before = Assessment.objects.count()
    with pytest.raises(ValidationError):
        services.set_inventory(users.admin, west_unit, chems.chlorine, bad)
    with pytest.raises(ValidationError):
        services.replace_inventories(
            users.admin, west_unit, [(chems.ammonia, 20, ""), (chems.chlorine, bad, "")]
        )
    assert not Inventory.objects.filter(unit=west_unit).exists()
    assert Assessment.objects.count() == before


def test_unit_location_defaults_to_its_organisation(users: SimpleNamespace) -> None:
    unit = make_unit(users.admin, users.east_org, "东区罐区")
    assert (unit.lon, unit.lat) == (users.east_org.lon, users.east_org.lat)
    assert unit.jurisdiction.path.startswith(users.east_org.jurisdiction.path[:20])
    with pytest.raises(ValidationError) as err:
        make_unit(users.admin, users.east_org, "区外", lon=120.0, lat=30.0)
    assert "lon" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        make_unit(users.admin, users.east_org, "负人口", exposed_population=-3)
    assert "exposed_population" in err.value.message_dict


def test_catalogue_change_recomputes_the_units_holding_it(
    users: SimpleNamespace,
    chems: SimpleNamespace,
    django_capture_on_commit_callbacks: Any,
) -> None:
    units = [
        make_unit(users.admin, users.west_org, f"柴油罐{i}", exposed_population=10 * i)
        for i in range(3)
    ]
    for u in units:
        services.set_inventory(users.admin, u, chems.diesel, 20)
    assert not Unit.objects.filter(is_major=True).exists()  # 20 / 5000
    with django_capture_on_commit_callbacks(execute=True):
        services.save_chemical(users.admin, {"categories": ["W5.1"]}, chems.diesel)  # Q 10
    majors = Unit.objects.filter(is_major=True).order_by("pk")
    assert [u.pk for u in majors] == [u.pk for u in units]
    assert all(u.s == pytest.approx(2) for u in majors)
    # 0 people → α 0.5; 10 → 1.0; 20 → 1.0; β 1.5 × 2 = 3
    assert [u.r for u in majors] == pytest.approx([1.5, 3.0, 3.0])
    snaps = Assessment.objects.filter(trigger=Trigger.CATALOGUE)
    assert snaps.count() == 3 and all(s.actor_name == "admin1" for s in snaps)
    assert MajorHazardSource.objects.filter(status=SourceStatus.ACTIVE).count() == 3
    for source in MajorHazardSource.objects.all():
        assert risk_point(source).is_active  # type: ignore[union-attr]


def test_batch_recompute_agrees_with_one_by_one(
    users: SimpleNamespace, chems: SimpleNamespace
) -> None:
    units = []
    for i, (cl, nh3, lpg) in enumerate([(3, 20, 0), (0.5, 1, 10), (10, 0, 60), (0, 0, 0)]):
        u = make_unit(users.admin, users.west_org, f"单元{i}", exposed_population=25 * i)
        rows = [
            (c, q, "")
            for c, q in ((chems.chlorine, cl), (chems.ammonia, nh3), (chems.lpg, lpg))
            if q
        ]
        services.replace_inventories(users.admin, u, rows)
        units.append(u)
    one_by_one = {
        u.pk: (u.s, u.r, u.grade) for u in Unit.objects.filter(pk__in=[u.pk for u in units])
    }
    result = services.recompute(Unit.objects.all(), trigger=Trigger.MANUAL)
    assert result.units == 4 and result.changed == 0
    batch = {u.pk: (u.s, u.r, u.grade) for u in Unit.objects.all()}
    for pk, (s, r, g) in one_by_one.items():
        assert batch[pk][0] == pytest.approx(s) and batch[pk][2] == g
        assert (batch[pk][1] is None and r is None) or batch[pk][1] == pytest.approx(r)
    manual = Assessment.objects.filter(trigger=Trigger.MANUAL)
    assert manual.count() == 4
    sample = manual.get(unit=units[0])
    assert [i["chemical"] for i in sample.items] == ["氨", "氯"]
    assert [i["threshold_t"] for i in sample.items] == [10, 5]
