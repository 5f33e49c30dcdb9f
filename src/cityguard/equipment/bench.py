"""Benchmark of indicator plan-05 and the due figures over the database's equipment.

    cityguard bench equipment [--repeat 5]

Runs against the configured database (load the demo first: `cityguard demo --scale N`).
Times computing plan-05 (registration and inspection rate, with the inspection in force
at the month's end found by a correlated subquery) for the district and for every street,
and the overdue/due-soon figures; the floor is counting the underlying rows (units at the
plan's places and their inspections, per street) in the same run. Reported as the median
of `repeat` runs and as a ratio to the floor.
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Any

from cityguard.core.choices import Level
from cityguard.core.models import Jurisdiction
from cityguard.indicators.registry import Period

from . import indicators, services
from .models import Equipment, Inspection


def _median_s(fn: Any, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main(argv: list[str]) -> dict[str, Any]:
    parser = argparse.ArgumentParser(
        prog="cityguard bench equipment", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    repeat = max(1, args.repeat)
    streets = list(
        Jurisdiction.objects.filter(level=Level.STREET).order_by("path").values_list("code", "path")
    )
    period = Period.of(services.today())
    codes: list[str | None] = [None, *(c for c, _p in streets)]

    def indicator() -> list[float | None]:
        return [indicators.registration_and_inspection_rate(None, c, period) for c in codes]

    def figures() -> list[int]:
        return [
            indicators.overdue_count(None, c) + indicators.due_soon_count(None, c) for c in codes
        ]

    def floor() -> list[int]:
        out = []
        for _code, path in [("", "/"), *streets]:
            units = Equipment.objects.filter(
                place__kind__in=indicators.PLAN_PLACE_KINDS, jurisdiction__path__startswith=path
            )
            out.append(units.count())
            out.append(Inspection.objects.filter(equipment__in=units).count())
        return out

    values = indicator()
    t_ind = _median_s(indicator, repeat)
    t_fig = _median_s(figures, repeat)
    t_floor = _median_s(floor, repeat)
    result = {
        "units": Equipment.objects.count(),
        "inspections": Inspection.objects.count(),
        "areas": len(codes),
        "district_value": values[0],
        "plan05_all_areas_s": round(t_ind, 4),
        "figures_all_areas_s": round(t_fig, 4),
        "floor_count_rows_s": round(t_floor, 4),
        "plan05_over_floor": round(t_ind / max(t_floor, 1e-9), 2),
        "figures_over_floor": round(t_fig / max(t_floor, 1e-9), 2),
    }
    print(
        f"{result['units']:,} units, {result['inspections']:,} inspections, "
        f"{len(codes)} areas (district + streets); plan-05 district value {values[0]}"
    )
    print(
        f"plan-05, all areas:          {t_ind * 1000:9.1f} ms  ({result['plan05_over_floor']}× floor)"
    )
    print(
        f"overdue + due soon, all:     {t_fig * 1000:9.1f} ms  ({result['figures_over_floor']}× floor)"
    )
    print(f"floor (count rows per area): {t_floor * 1000:9.1f} ms")
    return result
