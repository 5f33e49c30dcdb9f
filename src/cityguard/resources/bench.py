"""Benchmark of nearest-resource queries: the cached index vs a brute-force scan.

    cityguard bench resources [--n 100000] [--queries 2000] [--k 5] [--seed 2021]

Places `n` resources at random over a district-sized box (about 12 × 11 km), builds the
candidate set the service caches per viewer (`services.Candidates`, an STRtree through
`core.geo.PointIndex`), and times `queries` random nearest-k queries including the result
dicts. The floor is a brute-force numpy haversine over all `n` points with argpartition,
in the same run. Both must return the same distances. Per-query latency percentiles are
in milliseconds. The service adds one primary-key read (the index version) per query,
not measured here: no database is involved.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import numpy as np

from cityguard.core import geo

from . import config


def _percentiles(ms: list[float]) -> dict[str, float]:
    a = np.asarray(ms)
    return {
        "p50_ms": round(float(np.percentile(a, 50)), 3),
        "p95_ms": round(float(np.percentile(a, 95)), 3),
        "max_ms": round(float(a.max()), 3),
    }


def main(argv: list[str]) -> dict[str, Any]:
    from .services import Candidates

    parser = argparse.ArgumentParser(
        prog="cityguard bench resources", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--n", type=int, default=100_000, help="resources")
    parser.add_argument("--queries", type=int, default=2_000)
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2021)
    args = parser.parse_args(argv)
    n, q, k = max(1, args.n), max(1, args.queries), max(1, args.k)
    rng = np.random.default_rng(args.seed)
    lons = 121.47 + rng.random(n) * 0.13
    lats = 31.24 + rng.random(n) * 0.10
    t0 = time.perf_counter()
    cand = Candidates(
        ids=np.arange(1, n + 1), lons=lons, lats=lats, extra=[{"name": f"r{i}"} for i in range(n)]
    )
    build_s = time.perf_counter() - t0
    qlon = 121.47 + rng.random(q) * 0.13
    qlat = 31.24 + rng.random(q) * 0.10

    indexed: list[float] = []
    agree = True
    for x, y in zip(qlon.tolist(), qlat.tolist(), strict=True):
        t = time.perf_counter()
        hits = cand.nearest(x, y, k)
        _out = [
            {
                "id": int(cand.ids[i]),
                "distance_m": d,
                "travel_min": config.DEFAULT_DETOUR * d / 500.0,
                **cand.extra[i],
            }
            for i, d in hits
        ]
        indexed.append((time.perf_counter() - t) * 1000)
        indexed_d = [d for _i, d in hits]
        # The floor, in the same run: every point's distance, partial sort.
        t = time.perf_counter()
        d = np.asarray(geo.haversine_m(x, y, lons, lats))
        kk = min(k, n)
        part = np.argpartition(d, kk - 1)[:kk]
        brute_d = np.sort(d[part])
        brute_ms = (time.perf_counter() - t) * 1000
        agree = agree and bool(np.allclose(indexed_d, brute_d))
        indexed.append(-brute_ms)  # marker, split below
    idx_ms = [v for v in indexed if v >= 0]
    brute = [-v for v in indexed if v < 0]
    a, b = _percentiles(idx_ms), _percentiles(brute)
    result = {
        "n": n,
        "queries": q,
        "k": k,
        "index_build_s": round(build_s, 3),
        "indexed": a,
        "brute_force": b,
        "p95_ratio_brute_over_indexed": round(b["p95_ms"] / max(a["p95_ms"], 1e-6), 1),
        "target_p95_ms": 20.0,
        "meets_target": a["p95_ms"] <= 20.0,
        "agree": agree,
    }
    print(f"nearest-{k} over {n:,} resources, {q:,} queries (index built in {build_s:.2f} s)")
    print(f"{'method':<28}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}")
    print(f"{'indexed (service)':<28}{a['p50_ms']:>10}{a['p95_ms']:>10}{a['max_ms']:>10}")
    print(f"{'brute-force numpy (floor)':<28}{b['p50_ms']:>10}{b['p95_ms']:>10}{b['max_ms']:>10}")
    print(
        f"p95 brute / indexed: {result['p95_ratio_brute_over_indexed']}×   "
        f"target p95 ≤ 20 ms: {result['meets_target']}   same distances: {agree}"
    )
    return result
