"""The hazards benchmark at a tiny size: data of the right shape, a report of the right
shape, reuse of generated data, and the command on its own SQLite file. No timing is
asserted."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cityguard.hazards import bench, lifecycle
from cityguard.hazards.models import Hazard


def test_generate_and_measure_in_process(db: Any) -> None:
    assert bench.prepare(400, seed=3, write=lambda _m: None) is not None
    assert Hazard.objects.count() == 400
    assert bench.prepare(400, seed=3, write=lambda _m: None) is None  # reused
    states = set(Hazard.objects.values_list("state", flat=True))
    assert lifecycle.CLOSED in states and len(states) >= 3
    assert not Hazard.objects.filter(is_open=True, state="closed").exists()
    assert not Hazard.objects.filter(escalated_at__isnull=False, is_open=False).exists()
    assert Hazard.objects.filter(street__isnull=True).count() == 0
    report = bench.measure(requests=2, warmup=0)
    assert report["hazards"] == 400
    assert {(r["page"], r["scenario"]) for r in report["results"]} == {
        (page, scenario)
        for page in ("board", "overdue")
        for scenario in ("district", "district, one street", "street officer")
    }
    for row in report["results"]:
        for key in ("request_ms", "floor_ms"):
            stats = row[key]
            assert 0 <= stats["p50"] <= stats["p95"] <= stats["p99"] <= stats["max"]
        assert row["ratio_p95"] is None or row["ratio_p95"] > 0
        assert isinstance(row["target_met"], bool)
    text = bench.format_report({**report, "size": 400})
    assert "floor" in text and "board" in text and "overdue" in text
    json.dumps(report)


def test_main_runs_on_its_own_sqlite_file(tmp_path: Path) -> None:
    db, output = tmp_path / "hz.sqlite3", tmp_path / "hz.json"
    report = bench.main(
        [
            "--size",
            "300",
            "--requests",
            "2",
            "--warmup",
            "0",
            "--db",
            str(db),
            "--output",
            str(output),
        ]
    )
    assert db.exists() and output.exists()
    assert report["size"] == 300 and report["hazards"] == 300
    assert report["generate_s"] is not None
    assert report["database"]["vendor"] == "sqlite"
    assert json.loads(output.read_text(encoding="utf-8")) == report


def test_options_are_stripped_for_the_child() -> None:
    assert bench._without_options(
        ["--size", "5", "--db", "x", "--output=y"], ("--db", "--output")
    ) == [
        "--size",
        "5",
    ]
