"""The identification benchmark: recomputing every unit of the district after a
catalogue change.

`main(["--scale", "100"])` builds, from the catalogue's data files (no database), a district
of about 200 × scale units (20,000 at scale 100) holding one to five chemicals each, with
quantities spread so that a share of them are major hazard installations of every grade.
A catalogue change is simulated (one chemical's threshold changes), then every unit is
identified again:

- `vectorised`: what `services.recompute` does in its pure part — each item's Q and β
  looked up from per-chemical arrays, then `gb18218.assess_batch` (numpy);
- `loop` (the floor): the same arithmetic item by item in plain Python
  (`gb18218.assess_loop`), in the same run.

Each is timed `--repeat` times; the best run counts. The target is ≥ 50,000 units/s for
the vectorised path. `--with-db` also times `services.recompute` over the units already in
the configured database (Django must be set up; it writes snapshots).
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from . import catalogue, gb18218

TARGET_UNITS_PER_S = 50_000
UNITS_PER_SCALE = 200


def build(scale: float, seed: int) -> dict[str, Any]:
    """A synthetic district: flat item arrays and per-unit populations."""
    entries = [e for e in catalogue.entries()]
    q_by_chem = np.array(
        [
            np.nan
            if (q := gb18218.threshold(e["table1_threshold_t"], e["categories"])[0]) is None
            else q
            for e in entries
        ]
    )
    beta_by_chem = np.array([gb18218.beta(e["table3_beta"], e["categories"])[0] for e in entries])
    rng = np.random.default_rng(seed)
    n_units = max(1, round(UNITS_PER_SCALE * scale))
    per_unit = rng.integers(1, 6, n_units)
    unit = np.repeat(np.arange(n_units), per_unit)
    chem = rng.integers(0, len(entries), unit.size)
    # Mostly small stocks, a long tail of large ones: a few percent of units end up major.
    fraction = rng.lognormal(mean=-2.2, sigma=1.3, size=unit.size)
    qref = np.nan_to_num(q_by_chem[chem], nan=10.0)
    quantity = np.round(fraction * qref, 3)
    population = rng.integers(0, 400, n_units).astype(float)
    population[rng.random(n_units) < 0.05] = 0
    return {
        "n_units": n_units,
        "unit": unit,
        "chem": chem,
        "quantity": quantity,
        "q_by_chem": q_by_chem,
        "beta_by_chem": beta_by_chem,
        "population": population,
    }


def vectorised(data: dict[str, Any]) -> gb18218.Batch:
    return gb18218.assess_batch(
        data["unit"],
        data["quantity"],
        data["q_by_chem"][data["chem"]],
        data["beta_by_chem"][data["chem"]],
        data["population"],
    )


def loop(data: dict[str, Any]) -> list[Any]:
    q_by_chem = data["q_by_chem"].tolist()
    beta_by_chem = data["beta_by_chem"].tolist()
    chem = data["chem"].tolist()
    return gb18218.assess_loop(
        data["unit"].tolist(),
        data["quantity"].tolist(),
        [q_by_chem[c] for c in chem],
        [beta_by_chem[c] for c in chem],
        data["population"].tolist(),
    )


def _best(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    best = float("inf")
    out = None
    for _ in range(repeat):
        started = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - started)
    return best, out


def main(argv: list[str]) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="cityguard bench chemicals", description=__doc__)
    parser.add_argument("--scale", type=float, default=100.0, help="about 200 × scale units")
    parser.add_argument("--seed", type=int, default=2021)
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of each path")
    parser.add_argument("--output", default=None, help="also write the figures as JSON here")
    parser.add_argument(
        "--with-db", action="store_true", help="also time services.recompute on the database"
    )
    args = parser.parse_args(argv)
    if args.scale <= 0 or args.repeat < 1:
        parser.error("--scale must be positive and --repeat at least 1")

    data = build(args.scale, args.seed)
    n = data["n_units"]
    # The catalogue change: the most used chemical's threshold halves.
    changed = int(np.bincount(data["chem"]).argmax())
    if not np.isnan(data["q_by_chem"][changed]):
        data["q_by_chem"][changed] /= 2
    vec_s, batch = _best(lambda: vectorised(data), args.repeat)
    loop_s, looped = _best(lambda: loop(data), max(1, min(args.repeat, 3)))
    agree = all(
        bool(batch.is_major[i]) == looped[i][1]
        and (looped[i][3] is None or int(batch.grade[i]) == looped[i][3])
        for i in range(n)
    )
    grades = {str(g): int(np.sum(batch.grade == g)) for g in (1, 2, 3, 4)}
    result: dict[str, Any] = {
        "benchmark": "chemicals",
        "scale": args.scale,
        "units": n,
        "items": int(data["unit"].size),
        "major": int(batch.is_major.sum()),
        "grades": grades,
        "vectorised_s": vec_s,
        "vectorised_units_per_s": n / vec_s if vec_s else float("inf"),
        "loop_s": loop_s,
        "loop_units_per_s": n / loop_s if loop_s else float("inf"),
        "speedup": loop_s / vec_s if vec_s else float("inf"),
        "target_units_per_s": TARGET_UNITS_PER_S,
        "meets_target": (n / vec_s if vec_s else float("inf")) >= TARGET_UNITS_PER_S,
        "results_agree": agree,
        "python": platform.python_version(),
        "numpy": np.__version__,
    }
    if args.with_db:
        result.update(_db_figures())
    _print(result)
    if args.output:
        Path(args.output).write_text(json.dumps(result, indent=2))
    return result


def _db_figures() -> dict[str, Any]:
    from . import services
    from .choices import Trigger
    from .models import Unit

    units = Unit.objects.all()
    count = units.count()
    started = time.perf_counter()
    services.recompute(units, trigger=Trigger.MANUAL)
    seconds = time.perf_counter() - started
    return {"db_units": count, "db_s": seconds, "db_units_per_s": count / seconds if seconds else 0}


def _print(r: dict[str, Any]) -> None:
    rows = [
        ("units", f"{r['units']:,}", f"{r['items']:,} items, {r['major']:,} major {r['grades']}"),
        (
            "vectorised (numpy)",
            f"{r['vectorised_units_per_s']:,.0f} units/s",
            f"{r['vectorised_s'] * 1000:.2f} ms",
        ),
        (
            "floor: plain loop",
            f"{r['loop_units_per_s']:,.0f} units/s",
            f"{r['loop_s'] * 1000:.2f} ms",
        ),
        (
            "ratio vectorised/loop",
            f"{r['speedup']:.1f}×",
            "results agree" if r["results_agree"] else "RESULTS DIFFER",
        ),
        (
            "target",
            f"≥ {r['target_units_per_s']:,} units/s",
            "met" if r["meets_target"] else "NOT MET",
        ),
    ]
    if "db_units" in r:
        rows.append(
            (
                "services.recompute (db)",
                f"{r['db_units_per_s']:,.0f} units/s",
                f"{r['db_units']:,} units",
            )
        )
    width = max(len(a) for a, _b, _c in rows)
    print(f"GB 18218 recompute after a catalogue change — scale {r['scale']:g}")
    for a, b, c in rows:
        print(f"  {a.ljust(width)}  {b:>22}  {c}")
