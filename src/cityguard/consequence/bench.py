"""Benchmark of a threat zone: the concentration field on an n × n receptor grid.

    cityguard bench consequence [--n 500] [--loop-n 20000] [--repeat 5]

Scenario: chlorine, 1000 g/s at ground level, 2 m/s, class E, urban (a night release in
the district), three levels (58 / 5.8 / 1.45 mg/m³). The grid covers the widest zone with a 10 % margin (its extent
found along the centreline). Timed, best of `repeat`:

- `grid`: the field on the n × n grid in one vectorised numpy evaluation (target ≤ 50 ms
  for 500 × 500);
- `zones`: the three zone polygons (analytic iso-line half-widths, WGS 84 output);
- the floor: a per-point Python loop (`plume.concentration_point`, the math module) timed
  on `loop-n` receptors of the same grid and EXTRAPOLATED to n × n (a full loop takes
  seconds); the table says so. Both must agree on the sample.
No database is involved: the plume is pure.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from . import plume

SCENARIO = {"q": 1000.0, "u": 2.0, "stability": "E", "h": 0.0, "terrain": "urban"}
THRESHOLDS = [58.0, 5.8, 1.45]
LON, LAT, WIND_FROM = 121.52, 31.28, 90.0
TARGET_S = 0.050


def _best(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    best, out = float("inf"), None
    for _ in range(max(1, repeat)):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return max(best, 1e-9), out


def main(argv: list[str]) -> dict[str, Any]:
    parser = argparse.ArgumentParser(
        prog="cityguard bench consequence", description=(__doc__ or "").split("\n")[0]
    )
    parser.add_argument("--n", type=int, default=500, help="receptors per grid side")
    parser.add_argument("--loop-n", type=int, default=20_000, help="receptors in the loop sample")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    n = max(2, args.n)
    total = n * n
    loop_n = max(1, min(args.loop_n, total))
    s = SCENARIO
    src = plume.check_source(s["q"], s["u"], s["stability"], s["h"], s["terrain"])
    x_max, y_max = plume.grid_extent(src, THRESHOLDS)

    t_grid, (xs, ys, field) = _best(lambda: plume.grid(src, x_max, y_max, n=n), args.repeat)
    t_zones, zones = _best(
        lambda: plume.zones(
            s["q"], s["u"], s["stability"], s["h"], s["terrain"], LON, LAT, WIND_FROM, THRESHOLDS
        ),
        args.repeat,
    )
    # The loop's sample: evenly spread flat indices of the same grid.
    idx = np.linspace(0, total - 1, loop_n).astype(int)
    iy, ix = np.divmod(idx, n)
    pts = list(zip(xs[ix].tolist(), ys[iy].tolist(), strict=True))
    point = plume.concentration_point

    def loop() -> list[float]:
        return [point(src, x, y, 0.0) for x, y in pts]

    t_loop, looped = _best(loop, max(1, min(args.repeat, 2)))
    # atol: 1e-15 g/m³ is far below any level of concern; the far tails differ by rounding.
    agree = bool(np.allclose(np.array(looped), field[iy, ix], rtol=1e-9, atol=1e-15))
    t_loop_full = t_loop * total / loop_n
    result = {
        "n": n,
        "receptors": total,
        "extent_m": [round(x_max, 1), round(y_max, 1)],
        "grid_s": round(t_grid, 6),
        "zones_s": round(t_zones, 6),
        "loop_sample": loop_n,
        "loop_sample_s": round(t_loop, 6),
        "loop_full_s_extrapolated": round(t_loop_full, 4),
        "zone_total_s": round(t_grid + t_zones, 6),
        "ratio": round(t_loop_full / t_grid, 1),
        "target_s": TARGET_S,
        "grid_vs_target": round(t_grid / TARGET_S, 3),
        "zone_total_vs_target": round((t_grid + t_zones) / TARGET_S, 3),
        "agree": agree,
        "zones": [
            {
                "threshold_mg_m3": z.threshold_mg_m3,
                "area_m2": round(z.area_m2),
                "max_downwind_m": round(z.max_downwind_m),
            }
            for z in zones
        ],
    }
    print(f"{'threat zone':<34}{'receptors':>12}{'seconds':>12}")
    print(f"{'grid, vectorised (numpy)':<34}{total:>12,}{t_grid:>12.4f}")
    print(f"{'zones (3 polygons, analytic)':<34}{'':>12}{t_zones:>12.4f}")
    print(f"{'grid + zones':<34}{total:>12,}{t_grid + t_zones:>12.4f}")
    print(f"{'per-point loop, sample (floor)':<34}{loop_n:>12,}{t_loop:>12.4f}")
    print(f"{'per-point loop, extrapolated':<34}{total:>12,}{t_loop_full:>12.4f}")
    print(
        f"ratio loop / vectorised: {result['ratio']}×   vs the {TARGET_S * 1000:.0f} ms target: "
        f"grid {result['grid_vs_target']}, grid + zones {result['zone_total_vs_target']}   "
        f"sample agrees: {agree}"
    )
    print(f"grid extent: {x_max:,.0f} m downwind × ±{y_max:,.0f} m crosswind")
    for z in result["zones"]:
        print(
            f"  ≥ {z['threshold_mg_m3']} mg/m³: reach {z['max_downwind_m']:,} m, "
            f"area {z['area_m2']:,} m²"
        )
    print("(the full loop is extrapolated from the sample: it is not run)")
    return result
