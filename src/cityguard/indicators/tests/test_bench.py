"""The benchmark's structure on a tiny dataset (no timing asserted)."""

from __future__ import annotations

import pytest

from cityguard.indicators import bench

pytestmark = pytest.mark.django_db


def test_measure_structure(users, incidents) -> None:
    report = bench.measure(repeat=1)
    assert report["streets"] == 2
    assert report["indicators"] == len(report["per_indicator"])
    assert "incidents_incident" in report["tables"]
    assert report["tables"]["incidents_incident"] == 4
    assert report["queries"] > 0 and report["total_s"] > 0 and report["floor_s"] > 0
    assert report["target_s"] == 2.0
    text = bench.format_report(report)
    assert "floor" in text and "ratio" in text


def test_tables_read() -> None:
    sql = 'SELECT COUNT(*) FROM "a_b" INNER JOIN "c" ON x LEFT OUTER JOIN d ON y'
    assert bench.tables_read([sql]) == ["a_b", "c", "d"]


def test_arguments() -> None:
    args = bench.parse(["--scale", "0.1", "--repeat", "2"])
    assert (args.scale, args.repeat) == (0.1, 2)
    with pytest.raises(SystemExit):
        bench.parse(["--scale", "0"])
