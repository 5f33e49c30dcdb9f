"""Benchmark: every indicator for the district and for every street, at demo scale 100.

    cityguard bench indicators [--scale 100] [--repeat 5] [--db var/bench-scale100.sqlite3]

Uses the same demo database as the map benchmark (`var/bench-scale<N>.sqlite3`, loaded
once and kept; `--force` reloads it) — or the PostgreSQL database of DATABASE_URL. It
times `services.compute(None, None, month)` (the district's value of every indicator) plus
`services.breakdown(None, month, live=True)` (every indicator in every street): what the
snapshot job and the overview page do. Target: ≤ 2 s.

Beside it, the FLOOR: a plain `COUNT(*)` of every table the indicators read (found by
capturing the SQL of one computation). No indicator can be figured faster than its rows
can be counted; the ratio says what the filtering, grouping and Python add.
Per indicator, the time of its own share is listed, so a slow one stands out.

Django is configured once per process, so for the SQLite file the command re-runs itself
in a subprocess with DATABASE_URL pointing at it; the child writes the JSON report.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

CHILD_ENV = "CITYGUARD_INDICATORS_BENCH_CHILD"
TARGET_S = 2.0
_TABLE = re.compile(r'\b(?:FROM|JOIN)\s+"?([A-Za-z_][A-Za-z0-9_]*)"?', re.IGNORECASE)


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="cityguard bench indicators", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--scale", type=float, default=100.0, help="demo scale (default 100)")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs; the best counts")
    parser.add_argument("--seed", type=int, default=None, help="demo seed (default: core's)")
    parser.add_argument("--db", default=None, help="SQLite file (default var/bench-scale<N>)")
    parser.add_argument(
        "--output", default=None, help="JSON report (default var/bench-indicators.json)"
    )
    parser.add_argument("--force", action="store_true", help="reload the demo even if loaded")
    args = parser.parse_args(argv)
    if args.scale <= 0 or args.repeat < 1:
        parser.error("--scale and --repeat must be positive")
    return args


def main(argv: list[str]) -> dict[str, Any]:
    from django.conf import settings

    from cityguard.onemap import bench as map_bench

    args = parse(argv)
    output = Path(args.output or Path(settings.VAR_DIR) / "bench-indicators.json")
    engine = settings.DATABASES["default"]["ENGINE"]
    if os.environ.get(CHILD_ENV) == "1" or (args.db is None and "postgresql" in engine):
        return run_here(args, output)
    db = Path(args.db or map_bench.default_db(Path(settings.VAR_DIR), args.scale))
    db.parent.mkdir(parents=True, exist_ok=True)
    # The map benchmark's marker too: its `prepare` may then replace the file's data.
    env = dict(
        os.environ,
        DATABASE_URL=f"sqlite:///{db.resolve()}",
        **{CHILD_ENV: "1", map_bench.CHILD_ENV: "1"},
    )
    child = [sys.executable, "-m", "cityguard.cli", "bench", "indicators", *argv]
    if "--output" not in argv:
        child += ["--output", str(output.resolve())]
    print(f"benchmark database: {db}")
    code = subprocess.call(child, env=env)
    if code != 0:
        raise SystemExit(code)
    return json.loads(output.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def run_here(args: argparse.Namespace, output: Path) -> dict[str, Any]:
    from django.core.management import call_command

    from cityguard.onemap import bench as map_bench

    call_command("migrate", interactive=False, verbosity=0)
    loaded = map_bench.prepare(args.scale, force=args.force, write=print)
    report = measure(repeat=args.repeat)
    report["scale"] = args.scale
    report["demo_load_s"] = loaded
    print(format_report(report))
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"report written to {output}")
    return report


def tables_read(sqls: list[str]) -> list[str]:
    """The tables named after FROM or JOIN in the captured SQL, sorted."""
    found: set[str] = set()
    for sql in sqls:
        found.update(_TABLE.findall(sql))
    return sorted(found)


def _best(fn: Any, repeat: int) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _i in range(repeat):
        started = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - started)
    return best, result


def measure(repeat: int = 5) -> dict[str, Any]:
    """Time every indicator for the district and every street; the floor beside it."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cityguard.core.models import Jurisdiction

    from . import services

    period = services.current_period()
    inds = services.indicators()

    def everything() -> tuple[list[Any], dict[str, Any]]:
        values = services.compute(None, None, period)
        _nodes, table = services.breakdown(None, period, live=True)
        return values, table

    with CaptureQueriesContext(connection) as captured:
        values, table = everything()
    queries = len(captured.captured_queries)
    tables = [
        t
        for t in tables_read([q["sql"] for q in captured.captured_queries])
        if t in set(connection.introspection.table_names())
    ]
    total_s, _result = _best(everything, repeat)

    qn = connection.ops.quote_name

    def floor() -> dict[str, int]:
        counts = {}
        with connection.cursor() as cur:
            for t in tables:
                cur.execute(f"SELECT COUNT(*) FROM {qn(t)}")
                counts[t] = cur.fetchone()[0]
        return counts

    floor_s, counts = _best(floor, repeat)

    per_indicator = []
    for ind in inds:

        def one(ind: Any = ind) -> None:
            services.evaluate(ind, None, None, period)
            services.breakdown(None, period, [ind], live=True)

        took, _r = _best(one, max(1, min(repeat, 3)))
        per_indicator.append(
            {"code": ind.code, "ms": round(took * 1000, 2), "by_street": ind.by_street is not None}
        )
    per_indicator.sort(key=lambda r: -float(r["ms"]))  # type: ignore[arg-type]
    streets = Jurisdiction.objects.filter(level="street").count()
    return {
        "benchmark": "indicators",
        "period": str(period),
        "indicators": len(inds),
        "streets": streets,
        "values": len(values) + sum(len(v) for v in table.values()),
        "queries": queries,
        "total_s": round(total_s, 4),
        "floor_s": round(floor_s, 4),
        "ratio": round(total_s / floor_s, 2) if floor_s else None,
        "target_s": TARGET_S,
        "within_target": total_s <= TARGET_S,
        "tables": counts,
        "rows_counted": sum(counts.values()),
        "per_indicator": per_indicator,
        "database": connection.vendor,
        "python": platform.python_version(),
        "machine": platform.machine(),
    }


def format_report(r: dict[str, Any]) -> str:
    lines = [
        f"indicators benchmark — {r['indicators']} indicators × ({r['streets']} streets + the district), "
        f"{r['values']} values, {r['queries']} queries, {r['database']}",
        f"  all indicators, all streets: {r['total_s'] * 1000:9.1f} ms  (target ≤ {r['target_s'] * 1000:.0f} ms: "
        f"{'met' if r['within_target'] else 'MISSED'})",
        f"  floor: COUNT(*) of {len(r['tables'])} tables ({r['rows_counted']:,} rows): {r['floor_s'] * 1000:9.1f} ms",
        f"  ratio: {r['ratio']}",
        "  slowest indicators:",
    ]
    lines += [f"    {p['code']:<36} {p['ms']:8.1f} ms" for p in r["per_indicator"][:8]]
    return "\n".join(lines)
