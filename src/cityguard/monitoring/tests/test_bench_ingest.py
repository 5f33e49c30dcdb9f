"""`cityguard bench ingest --quick`: the report's structure and positive figures (the
figures of a tiny run mean nothing; no timing is asserted)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from cityguard.monitoring import bench, mqttkit

pytestmark = [
    pytest.mark.mqtt,
    pytest.mark.django_db,  # the migrated test database's schema is copied for the bench
    pytest.mark.skipif(
        mqttkit.mosquitto_binary() is None, reason="the Mosquitto broker binary is not installed"
    ),
]


@pytest.fixture(scope="module")
def schema_db(django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: Any) -> Path:
    """A SQLite file with the migrated schema, copied from the test database before any
    test opens a transaction on it (the copy would wait for that transaction)."""
    from django.db import connection

    db = tmp_path_factory.mktemp("bench") / "bench.sqlite3"
    with django_db_blocker.unblock():
        if connection.vendor != "sqlite":
            pytest.skip("the smoke test copies the SQLite test database")
        connection.ensure_connection()
        target = sqlite3.connect(db)
        connection.connection.backup(target)  # type: ignore[union-attr]
        target.close()
    return db


def test_quick_bench_reports_every_door_beside_its_floor(schema_db: Path, tmp_path: Path) -> None:
    db = schema_db
    out = tmp_path / "bench.json"
    report = bench.main(
        [
            "--quick",
            "--only",
            "direct,http,mqtt3,latency",
            "--db",
            str(db),
            "--keep-db",
            "--output",
            str(out),
        ]
    )
    assert json.loads(out.read_text(encoding="utf-8")) == report
    assert report["benchmark"] == "ingest" and report["database"] == "sqlite"
    assert report["sensors"] == 200 and report["rules"] > 0
    scenarios = report["scenarios"]
    assert set(scenarios) == {"direct", "http", "mqtt3", "latency"}
    for name in ("direct", "http", "mqtt3"):
        r = scenarios[name]
        assert r["stored"] > 0 and r["rate"] > 0, name
        assert r["floor"]["rows"] >= r["stored"] and r["floor"]["rate"] > 0
        assert r["ratio_to_floor"] == pytest.approx(r["rate"] / r["floor"]["rate"])
    assert scenarios["mqtt3"]["per_message"] == 3
    lat = scenarios["latency"]
    assert lat["probes_sent"] > 0 and lat["alarms_seen"] > 0
    assert 0 < lat["p50_ms"] <= lat["p99_ms"] <= lat["max_ms"]
    # The floor's rows were removed again: only the bench's own readings remain.
    with sqlite3.connect(db) as conn:
        (old,) = conn.execute(
            "SELECT COUNT(*) FROM monitoring_reading WHERE ts < ?", [bench.FLOOR_TS0 + 10**7]
        ).fetchone()
    assert old == 0
    assert "readings/s" in bench.format_report(report)
