"""Demo data, benchmark (structure only), indicators and map layers."""

from __future__ import annotations

import json
from collections import Counter
from types import SimpleNamespace
from typing import Any

import pytest

from cityguard import testing
from cityguard.chemicals import bench, demo, indicators, ledger, services
from cityguard.chemicals.choices import LicenceStatus, SourceStatus
from cityguard.chemicals.models import (
    Assessment,
    Flow,
    Licence,
    MajorHazardSource,
    StockCount,
    TransportFiling,
    Unit,
)
from cityguard.chemicals.transport import blacklist_errors
from cityguard.onemap import registry

from .conftest import make_unit
from .test_licences import make_licence

pytestmark = pytest.mark.django_db


@pytest.fixture
def more_orgs(users: SimpleNamespace) -> list[Any]:
    return [
        testing.make_organization(
            users.admin,
            f"测试化工{i}",
            121.505 + 0.01 * i,
            31.275,
            credit_code=testing.credit_code(10 + i),
        )
        for i in range(4)
    ]


def test_demo_loads_every_kind_of_record(users: SimpleNamespace, more_orgs: list[Any]) -> None:
    counts = demo.load_demo(scale=0.1, seed=7)
    assert counts["chemical_enterprises"] == 4
    assert counts["chemical_units"] == Unit.objects.count() >= 8
    assert (
        counts["major_hazard_sources"]
        == MajorHazardSource.objects.filter(status=SourceStatus.ACTIVE).count()
    )
    grades = Counter(MajorHazardSource.objects.values_list("grade", flat=True))
    assert {1, 2, 3, 4} <= set(grades)
    # Every unit was identified, with a snapshot.
    assert Assessment.objects.count() == Unit.objects.count()
    assert not Unit.objects.filter(assessed_at__isnull=True).exists()
    assert counts["chemical_flows"] == Flow.objects.count() > 0
    assert counts["stock_counts"] == StockCount.objects.count()
    assert counts["transport_filings"] == TransportFiling.objects.count()
    # The demo keeps the services' rules: stock never below zero, no blacklisted filing,
    # controlled purchases with their permit.
    for org_id, chem_id in Flow.objects.values_list("organization_id", "chemical_id").distinct():
        for f in Flow.objects.filter(organization_id=org_id, chemical_id=chem_id):
            assert ledger.stock_at(org_id, chem_id, f.occurred_at) >= -1e-9
    for f in TransportFiling.objects.all():
        assert not blacklist_errors(
            {"vehicle_plate": f.vehicle_plate, "carrier_name": f.carrier_name}
        )
    for f in Flow.objects.filter(kind="purchase").select_related("chemical"):
        assert f.permit_no or not f.chemical.controlled
    # A sample re-identified one by one through the services gives the same result.
    for unit in Unit.objects.all()[:5]:
        before = (unit.s, unit.grade)
        services.identify(unit, actor=None)
        unit.refresh_from_db()
        assert unit.s == pytest.approx(before[0]) and unit.grade == before[1]


def test_demo_is_deterministic(users: SimpleNamespace, more_orgs: list[Any]) -> None:
    from django.db import transaction

    def snapshot() -> list[Any]:
        return sorted(
            (u.code, u.name, u.exposed_population, round(u.s, 6)) for u in Unit.objects.all()
        )

    with transaction.atomic():
        demo.load_demo(scale=0.1, seed=3)
        first = snapshot()
        transaction.set_rollback(True)
    demo.load_demo(scale=0.1, seed=3)
    assert snapshot() == first


def test_bench_runs_at_a_tiny_size(tmp_path: Any) -> None:
    out = tmp_path / "bench.json"
    result = bench.main(["--scale", "0.05", "--repeat", "1", "--output", str(out)])
    assert result["units"] == 10
    assert result["results_agree"] is True
    for key in ("vectorised_units_per_s", "loop_units_per_s", "speedup", "target_units_per_s"):
        assert key in result
    assert json.loads(out.read_text())["units"] == 10


def test_indicators_on_a_known_dataset(
    district: Any, users: SimpleNamespace, chems: SimpleNamespace
) -> None:
    west = make_unit(users.admin, users.west_org, "西罐区", exposed_population=60)
    services.replace_inventories(
        users.admin, west, [(chems.chlorine, 3, ""), (chems.ammonia, 20, "")]
    )
    east = make_unit(users.admin, users.east_org, "东罐区", exposed_population=0)
    services.set_inventory(users.admin, east, chems.toluene, 10)
    make_licence(users.admin, users.west_org, "I-1", days_left=30)
    gone = make_licence(users.admin, users.east_org, "I-2")
    from cityguard.chemicals import licensing

    licensing.change_status(users.admin, gone, LicenceStatus.CANCELLED, "注销")
    street_w, street_e = district.west.code, district.east.code
    assert indicators.major_hazard_sources(None, None) == 1
    assert indicators.major_hazard_sources(None, None, grade=4) == 1
    assert indicators.major_hazard_sources(None, street_e) == 0
    assert indicators.major_hazard_sources(users.east_manager, None) == 0
    assert indicators.chemical_units(None, None) == 2
    assert indicators.chemical_enterprises(users.west_officer, None) == 1
    assert indicators.valid_licences(None, None) == 1
    assert indicators.expiring_licences(None, street_w, days=60) == 1
    assert indicators.cancelled_licences(None, None) == 1
    assert indicators.cancelled_licences(None, street_w) == 0
    assert indicators.cancelled_licences(None, "no-such-street") == 0
    assert indicators.flagged_flows(None, None) == 0
    assert indicators.open_discrepancies(None, None) == 0
    assert Licence.objects.count() == 2


def test_map_layers(users: SimpleNamespace, chems: SimpleNamespace) -> None:
    unit = make_unit(users.admin, users.west_org, "罐区", exposed_population=150)
    services.set_inventory(users.admin, unit, chems.chlorine, 100)  # R 160 → grade 1
    make_unit(users.admin, users.east_org, "小仓库")
    sources = registry.get("chemicals.major_hazards")
    enterprises = registry.get("chemicals.enterprises")
    assert sources is not None and enterprises is not None
    data = json.loads(sources.feature_collection(users.admin, None, 100))
    (feature,) = data["features"]
    assert feature["properties"]["grade"] == 1 and feature["properties"]["colour"] == "#d32f2f"
    assert feature["properties"]["code"] == f"MH-{unit.pk:06d}"
    data = json.loads(enterprises.feature_collection(users.admin, None, 100))
    by_name = {f["properties"]["name"]: f["properties"] for f in data["features"]}
    assert by_name[users.west_org.name]["grade"] == 1
    assert by_name[users.east_org.name]["grade"] is None
    assert json.loads(sources.feature_collection(users.east_manager, None, 100))["features"] == []
