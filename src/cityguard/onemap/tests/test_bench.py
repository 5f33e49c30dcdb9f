"""The map benchmark: viewports within the cap, a report of the right shape, reuse of
a loaded demo, and the command end to end on its own SQLite file. No timing is asserted."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from django.core.management import call_command

from cityguard.core import demo
from cityguard.onemap import bench

TINY = 0.05


def test_viewports_hold_at_most_the_cap() -> None:
    rng = np.random.default_rng(4)
    lons = rng.uniform(121.50, 121.56, 5000)
    lats = rng.uniform(31.26, 31.32, 5000)
    boxes = bench.choose_viewports(lons, lats, 40, 300, np.random.default_rng(9))
    assert len(boxes) == 40
    counts = []
    for x1, y1, x2, y2 in boxes:
        assert x1 < x2 and y1 < y2
        inside = (lons >= x1) & (lons <= x2) & (lats >= y1) & (lats <= y2)
        counts.append(int(inside.sum()))
    assert max(counts) <= 300
    # Boxes are centred on data, so each holds something, and they differ in size.
    assert min(counts) >= 1 and len(set(counts)) > 10
    # Same seed, same boxes.
    assert boxes == bench.choose_viewports(lons, lats, 40, 300, np.random.default_rng(9))


def test_viewports_need_features() -> None:
    with pytest.raises(ValueError):
        bench.choose_viewports(np.empty(0), np.empty(0), 3, 10, np.random.default_rng(0))


def test_measure_reports_percentiles_and_the_floor(db: Any) -> None:
    assert bench.prepare(TINY, write=lambda _msg: None) is not None
    report = bench.measure(requests=6, warmup=2, max_features=15, seed=3)
    assert report["layer"] == bench.DEFAULT_LAYER
    assert report["requests"] == 6
    assert report["organizations"] == demo.expected_organizations(TINY)
    assert report["layer_features"] > 0
    vf = report["viewport_features"]
    assert 0 < vf["min"] <= vf["mean"] <= vf["max"] <= 15
    for key in ("request_ms", "floor_ms", "request_cpu_ms", "floor_cpu_ms"):
        stats = report[key]
        assert set(stats) == {"p50", "p95", "p99", "mean", "max"}
        assert 0 <= stats["p50"] <= stats["p95"] <= stats["p99"] <= stats["max"]
    assert report["request_ms"]["p50"] > 0
    assert report["ratio_p95"] is None or report["ratio_p95"] > 0
    assert isinstance(report["target_met"], bool)
    assert report["database"]["vendor"] in {"sqlite", "postgresql"}
    text = bench.format_report({**report, "scale": TINY})
    assert "p95" in text and "floor" in text and bench.DEFAULT_LAYER in text
    json.dumps(report)  # the report is plain JSON


def test_prepare_reuses_the_loaded_demo_and_guards_other_data(district: Any) -> None:
    messages: list[str] = []
    # The fixture district is not the demo: replaced only when asked.
    with pytest.raises(bench.BenchDataError):
        bench.prepare(TINY, write=messages.append)
    assert bench.prepare(TINY, force=True, write=messages.append) is not None
    assert bench.prepare(TINY, write=messages.append) is None
    assert any("reusing" in m for m in messages)


def test_measure_rejects_an_unknown_layer(db: Any) -> None:
    with pytest.raises(ValueError):
        bench.measure(layer_name="no.such.layer", requests=1)


def test_command_runs_on_its_own_sqlite_file(tmp_path: Path, monkeypatch: Any) -> None:
    """`cityguard bench map` re-runs itself on the file given, loads the demo, reports."""
    db = tmp_path / "bench.sqlite3"
    output = tmp_path / "bench.json"
    out = io.StringIO()
    call_command(
        "bench",
        "map",
        "--scale",
        "0.02",
        "--requests",
        "3",
        "--max-features",
        "20",
        "--db",
        str(db),
        "--output",
        str(output),
        stdout=out,
    )
    assert db.exists()
    report = json.loads(output.read_text(encoding="utf-8"))
    assert report["scale"] == 0.02
    assert report["requests"] == 3
    assert report["viewport_features"]["mean"] > 0
    assert report["database"]["vendor"] == "sqlite"
    assert report["demo_load_s"] is not None
    assert bench.default_db(tmp_path, 100).name == "bench-scale100.sqlite3"
