"""Benchmark of the enforcement indicators on the loaded database.

    cityguard bench enforcement [--repeat 5] [--period YYYY-MM]

Load data first (e.g. `cityguard demo --scale 100` into a database of your own). Times
computing the five indicators of this app (plan-06, plan-08 and the three 100 %) for the
district and for every street, `repeat` times, against the FLOOR measured in the same run:
counting the rows they read (officers, commercial complexes, fire-safety inspections,
findings, decisions, publications, reviews, cases, events with evidence) for the same
areas. The ratio says what the arithmetic, scoping and per-street filtering add to the
unavoidable reads.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from django.utils import timezone

from cityguard.core.choices import Level, OrganizationKind
from cityguard.core.models import Jurisdiction, Organization
from cityguard.indicators.registry import Period, get

from .models import (
    Case,
    CaseEvent,
    Decision,
    Finding,
    Inspection,
    LegalReview,
    Officer,
    Publication,
)

CODES = (
    "plan-06",
    "plan-08",
    "enforcement-publicity",
    "enforcement-recording",
    "enforcement-legal-review",
)


def _floor(path: str | None, period: Period) -> int:
    def under(qs: Any, field: str) -> Any:
        return qs.filter(**{f"{field}__startswith": path}) if path else qs

    n = under(Officer.objects.all(), "jurisdiction__path").count()
    n += under(
        Organization.objects.filter(kind=OrganizationKind.COMMERCIAL_COMPLEX), "jurisdiction__path"
    ).count()
    inspections = under(
        Inspection.objects.filter(inspection_type="fire_safety", date__gte=period.year_start),
        "jurisdiction__path",
    )
    n += inspections.count()
    n += Finding.objects.filter(inspection__in=inspections).count()
    decisions = under(Decision.objects.all(), "case__jurisdiction__path")
    n += decisions.count()
    n += Publication.objects.filter(decision__in=decisions).count()
    n += LegalReview.objects.filter(decision__in=decisions).count()
    cases = under(Case.objects.all(), "jurisdiction__path")
    n += cases.count()
    n += CaseEvent.objects.filter(case__in=cases, evidence__isnull=False).count()
    return int(n)


def main(argv: list[str]) -> dict[str, Any]:
    parser = argparse.ArgumentParser(
        prog="cityguard bench enforcement", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--period", default=None, help="YYYY-MM (default: this month)")
    args = parser.parse_args(argv)
    period = Period.parse(args.period) if args.period else Period.of(timezone.localdate())
    streets = list(Jurisdiction.objects.filter(level=Level.STREET).order_by("path"))
    areas: list[tuple[str | None, str | None]] = [(None, None)] + [
        (s.code, s.path) for s in streets
    ]
    indicators = [get(c) for c in CODES]
    compute_s: list[float] = []
    floor_s: list[float] = []
    values: dict[str, Any] = {}
    for _r in range(max(1, args.repeat)):
        t = time.perf_counter()
        for code, _path in areas:
            for ind in indicators:
                values[f"{ind.code}@{code or 'district'}"] = ind.compute(None, code, period)
        compute_s.append(time.perf_counter() - t)
        t = time.perf_counter()
        rows = sum(_floor(path, period) for _code, path in areas)
        floor_s.append(time.perf_counter() - t)
    best, floor = min(compute_s), min(floor_s)
    result = {
        "period": str(period),
        "areas": len(areas),
        "indicators": len(indicators),
        "rows_counted": rows,
        "officers": Officer.objects.count(),
        "decisions": Decision.objects.count(),
        "inspections": Inspection.objects.count(),
        "compute_s": round(best, 4),
        "floor_s": round(floor, 4),
        "ratio_compute_over_floor": round(best / max(floor, 1e-9), 2),
        "district": {c: values.get(f"{c}@district") for c in CODES},
    }
    print(
        f"{len(indicators)} indicators × {len(areas)} areas: {best:.3f} s "
        f"(floor: counting {rows:,} rows, {floor:.3f} s; ratio {result['ratio_compute_over_floor']})"
    )
    return result
