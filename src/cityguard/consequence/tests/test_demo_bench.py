"""The demo loader and the benchmark, at a tiny size (structure, not timing)."""

from __future__ import annotations

from types import SimpleNamespace

from cityguard import testing
from cityguard.consequence import bench, demo
from cityguard.consequence.models import ThreatZoneRun


def test_demo_is_deterministic(users: SimpleNamespace) -> None:
    testing.make_organization(users.admin, "第三化工", 121.52, 31.30)
    counts = demo.load_demo(scale=1, seed=7)
    assert (
        counts
        == {"threat_zone_runs": demo.RUNS_PER_SCALE}
        == {"threat_zone_runs": ThreatZoneRun.objects.count()}
    )
    first = list(ThreatZoneRun.objects.order_by("pk").values_list("inputs", "geojson"))
    for run in ThreatZoneRun.objects.all():
        assert run.incident_ref.startswith("DEMO-")
        assert (run.lon, run.lat) in {(121.51, 31.27), (121.55, 31.27), (121.52, 31.30)}
        assert len(run.geojson["features"]) == 3
        assert run.min_lon <= run.lon <= run.max_lon
    ThreatZoneRun.objects.all().delete()
    demo.load_demo(scale=1, seed=7)
    assert list(ThreatZoneRun.objects.order_by("pk").values_list("inputs", "geojson")) == first


def test_demo_without_enterprises(db: object) -> None:
    assert demo.load_demo(scale=1) == {"threat_zone_runs": 0}


def test_bench_structure() -> None:
    result = bench.main(["--n", "40", "--loop-n", "200", "--repeat", "1"])
    assert result["receptors"] == 1600 and result["loop_sample"] == 200
    assert result["agree"] is True
    assert {"grid_s", "zones_s", "loop_full_s_extrapolated", "ratio", "grid_vs_target"} <= set(
        result
    )
    assert [z["threshold_mg_m3"] for z in result["zones"]] == bench.THRESHOLDS
