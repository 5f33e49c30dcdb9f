"""Benchmark of risk scoring: numpy over a batch vs the per-item Python loop.

    cityguard bench risk [--n 1000000] [--loop-n 200000] [--repeat 3] [--seed 2021]

Scores `n` random on-scale assessments (LEC and matrix) with the vectorised functions,
validation included, and a sample of `loop-n` of them one by one with `scoring.lec` /
`scoring.matrix` (the floor: what the API does per request). Throughputs are per second,
the best of `repeat` runs; the ratio is vectorised ÷ loop. Both must give the same levels
on the sample. No database is involved: scoring is pure.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from . import scoring


def _best(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return max(best, 1e-9), out


def main(argv: list[str]) -> dict[str, Any]:
    parser = argparse.ArgumentParser(
        prog="cityguard bench risk", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--n", type=int, default=1_000_000, help="assessments per batch")
    parser.add_argument(
        "--loop-n", type=int, default=200_000, help="assessments in the loop sample"
    )
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2021)
    args = parser.parse_args(argv)
    n, loop_n = max(1, args.n), max(1, min(args.loop_n, args.n))
    rng = np.random.default_rng(args.seed)
    half = n // 2
    n_lec, n_mx = n - half, half
    L = rng.choice(np.array(scoring.LEC_L), n_lec)
    E = rng.choice(np.array(scoring.LEC_E), n_lec)
    C = rng.choice(np.array(scoring.LEC_C), n_lec)
    LK = rng.integers(1, 6, n_mx)
    SV = rng.integers(1, 6, n_mx)

    def vectorised() -> tuple[np.ndarray, np.ndarray]:
        valid = scoring.valid_lec(L, E, C)
        _d, lec_ranks = scoring.lec_ranks(L, E, C)
        lec_ranks = np.where(valid, lec_ranks, 0)
        mvalid = (LK >= 1) & (LK <= 5) & (SV >= 1) & (SV <= 5)
        _r, mx_ranks = scoring.matrix_ranks(LK, SV)
        return lec_ranks, np.where(mvalid, mx_ranks, 0)

    # The loop scores the same mix of methods on its sample.
    k_lec, k_mx = loop_n - loop_n // 2, loop_n // 2
    k_lec, k_mx = min(k_lec, n_lec), min(k_mx, n_mx)
    rows_lec = list(zip(L[:k_lec].tolist(), E[:k_lec].tolist(), C[:k_lec].tolist(), strict=True))
    rows_mx = list(zip(LK[:k_mx].tolist(), SV[:k_mx].tolist(), strict=True))
    rank = scoring.RANK

    def loop() -> tuple[list[int], list[int]]:
        a = [rank[scoring.lec(lv, ev, cv).level] for lv, ev, cv in rows_lec]
        b = [rank[scoring.matrix(lk, sv).level] for lk, sv in rows_mx]
        return a, b

    t_vec, (vec_lec, vec_mx) = _best(vectorised, args.repeat)
    t_loop, (loop_lec, loop_mx) = _best(loop, args.repeat)
    agree = vec_lec[:k_lec].tolist() == loop_lec and vec_mx[:k_mx].tolist() == loop_mx
    vec_rate = n / t_vec
    loop_rate = (k_lec + k_mx) / t_loop
    counts = np.bincount(np.concatenate([vec_lec, vec_mx]), minlength=5)
    result = {
        "n": n,
        "loop_n": k_lec + k_mx,
        "vectorised_s": round(t_vec, 6),
        "vectorised_per_s": round(vec_rate),
        "loop_s": round(t_loop, 6),
        "loop_per_s": round(loop_rate),
        "ratio": round(vec_rate / loop_rate, 1),
        "agree": bool(agree),
        "levels": {lv: int(counts[scoring.RANK[lv]]) for lv in scoring.LEVELS},
    }
    rows = [
        ("vectorised (numpy)", f"{n:,}", f"{t_vec:.4f}", f"{vec_rate:,.0f}"),
        ("per-item loop (floor)", f"{k_lec + k_mx:,}", f"{t_loop:.4f}", f"{loop_rate:,.0f}"),
    ]
    print(f"{'risk scoring':<24}{'assessments':>14}{'seconds':>12}{'per second':>16}")
    for name, count, secs, rate in rows:
        print(f"{name:<24}{count:>14}{secs:>12}{rate:>16}")
    print(f"ratio vectorised / loop: {result['ratio']}×   levels agree: {agree}")
    print("levels: " + ", ".join(f"{k} {v:,}" for k, v in result["levels"].items()))
    return result
