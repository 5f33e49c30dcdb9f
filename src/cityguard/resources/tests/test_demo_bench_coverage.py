"""Demo loader, benchmark structure, coverage geometry, map layers, rotation job."""

from __future__ import annotations

import json

import pytest
from shapely.geometry import box

from cityguard.resources import bench, coverage, demo, services
from cityguard.resources.models import FireStation, StockMovement, Warehouse


def test_coverage_on_a_known_geometry():
    """A 0.04° × 0.04° square near Shanghai, two stations covering its west half and a
    quarter: the gap is the remaining quarter, areas measured in an equal-area projection."""
    district = box(121.50, 31.26, 121.54, 31.30)
    west = box(121.50, 31.26, 121.52, 31.30)
    ne = box(121.52, 31.28, 121.54, 31.30)
    cov = coverage.coverage(district, [(1, "W", west), (2, "NE", ne), (3, "none", None)], 7.0)
    total = cov.district_km2
    # 0.04° of longitude at 31.28° N ≈ 3.806 km, 0.04° of latitude ≈ 4.436 km.
    assert total == pytest.approx(3.806 * 4.436, rel=0.01)
    assert cov.gap_km2 == pytest.approx(total / 4, rel=0.01)
    assert cov.gap_parts == 1
    assert cov.gap is not None and cov.gap.bounds == pytest.approx(
        (121.52, 31.26, 121.54, 31.28), abs=1e-6
    )
    areas = {s.key: s for s in cov.stations}
    assert areas[1].area_km2 == pytest.approx(total / 2, rel=0.01)
    assert areas[1].over_standard and not areas[2].over_standard
    assert cov.over_standard == [1]
    assert cov.covered_share == pytest.approx(0.75, rel=0.01)


def test_full_coverage_has_no_gap():
    district = box(121.50, 31.26, 121.52, 31.28)
    cov = coverage.coverage(district, [(1, "A", district.buffer(0.001))], 7.0)
    assert cov.gap is None and cov.gap_km2 == 0


def test_voronoi_cells_partition_the_district():
    district = box(121.50, 31.26, 121.54, 31.30)
    cells = coverage.voronoi_areas(district, [121.51, 121.53, 121.52], [31.27, 31.27, 31.29])
    assert len(cells) == 3
    assert sum(c.area for c in cells) == pytest.approx(district.area, rel=1e-4)
    assert cells[0].contains(box(121.505, 31.265, 121.506, 31.266))


@pytest.mark.django_db
def test_demo_loads_and_reconciles(users):
    counts = demo.load_demo(scale=0.1, seed=5)
    assert counts["materials"] == len(demo.MATERIALS)
    assert counts["warehouses"] >= 5 and counts["teams"] >= 4 and counts["fire_stations"] >= 3
    assert StockMovement.objects.count() == counts["movements"] == counts["lots"]
    levels = set(Warehouse.objects.values_list("reserve_level", flat=True))
    assert levels == {"city", "district", "street", "community", "household"}
    assert all(line.ok for line in services.reconcile(Warehouse.objects.all()))
    station = FireStation.objects.exclude(service_area="").first()
    assert station is not None and station.service_area_km2 > 0
    again = demo.load_demo(scale=0.1, seed=5)  # adds on top; catalogue not duplicated
    assert again["materials"] == counts["materials"]
    found = services.nearest(users.admin, lon=121.53, lat=31.29, kind="shelter", k=3)
    assert 1 <= len(found) <= 3
    cov = services.station_coverage(users.admin)
    assert cov is not None and len(cov.stations) == FireStation.objects.count()


@pytest.mark.django_db
def test_layers_serve_resources(res, users, client):
    client.force_login(users.admin)
    for name in ("resources.teams", "resources.shelters", "resources.warehouses"):
        r = client.get(f"/api/v1/map/layers/{name}")
        assert r.status_code == 200, (name, r.content)
        assert len(json.loads(r.content)["features"]) == 2
    services.save_fire_station(
        users.admin,
        {
            "name": "测试消防站",
            "lon": 121.51,
            "lat": 31.27,
            "service_area": json.dumps(
                {
                    "type": "Polygon",
                    "coordinates": [
                        [
                            [121.5, 31.26],
                            [121.52, 31.26],
                            [121.52, 31.28],
                            [121.5, 31.28],
                            [121.5, 31.26],
                        ]
                    ],
                }
            ),
        },
    )
    r = client.get("/api/v1/map/layers/resources.service_areas")
    feats = json.loads(r.content)["features"]
    assert len(feats) == 1 and feats[0]["properties"]["area_km2"] > 4
    client.force_login(users.west_officer)
    r = client.get("/api/v1/map/layers/resources.teams")
    assert len(json.loads(r.content)["features"]) == 1


@pytest.mark.django_db
def test_rotation_job_runs(res):
    from cityguard.resources import tasks

    result = tasks.rotation_alerts.call_local()
    assert result == {"raised": 0, "resolved": 0, "open": 0}


def test_bench_structure(capsys):
    out = bench.main(["--n", "2000", "--queries", "20"])
    assert out["n"] == 2000 and out["agree"] is True
    assert {"p50_ms", "p95_ms"} <= set(out["indexed"]) and "p95_ratio_brute_over_indexed" in out
    assert "brute-force" in capsys.readouterr().out
