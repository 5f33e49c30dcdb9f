"""Demo data of the indicators app: the figures entered by hand for the plan's years so far
(deaths and GDP, road deaths, schools covered per street), and a snapshot of the current
month. Deterministic for a seed; the figures are plausible for Yangpu, not official.

Figures are written with update_or_create, so loading the demo again (district-level
figures survive the registry's wipe) replaces them instead of clashing.
"""

from __future__ import annotations

import random
from typing import Any

from django.db import transaction
from django.utils import timezone

from cityguard.core.choices import Level
from cityguard.core.models import Jurisdiction

from . import config, services
from .models import EnteredFigure, IndicatorSnapshot

SOURCE_GDP = "杨浦区统计局《国民经济和社会发展统计公报》（演示数据）"
SOURCE_ROAD = "杨浦公安分局交警支队年度统计（演示数据）"
SOURCE_SCHOOLS = "区教育局安全教育工作台账（演示数据）"


def _put(
    code: str, year: int, street: Jurisdiction | None, value: float, base: float | None, source: str
) -> None:
    EnteredFigure.objects.update_or_create(
        code=code,
        year=year,
        month=0,
        street=street,
        defaults={"value": value, "base": base, "source": source, "note": ""},
    )


def load_demo(*, scale: float, seed: int) -> dict[str, Any]:
    rng = random.Random(seed * 7 + 17)
    this_year = timezone.localdate().year
    years = range(min(config.plan_start_year(), this_year), this_year + 1)
    streets = list(Jurisdiction.objects.filter(level=Level.STREET).order_by("path"))
    n = 0
    with transaction.atomic():
        for i, year in enumerate(years):
            gdp = round(2_350 * (1.05**i), 1)  # 100 million yuan
            _put("plan-01", year, None, rng.choice((1, 2, 2, 3)), gdp, SOURCE_GDP)
            _put("plan-04", year, None, rng.choice((10, 11, 12, 13, 14, 15)), None, SOURCE_ROAD)
            n += 2
            for street in streets:
                schools = rng.randint(6, 14)
                covered = (
                    schools if rng.random() < 0.8 else schools - rng.randint(1, min(2, schools))
                )
                _put("plan-07", year, street, covered, schools, SOURCE_SCHOOLS)
                n += 1
        IndicatorSnapshot.objects.all().delete()
    snap = services.snapshot()
    return {"entered_figures": n, "snapshots": snap["period_rows"]}
