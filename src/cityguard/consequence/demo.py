"""Demo data of the consequence app: a few recorded threat-zone runs at enterprises.

Deterministic for a seed: sites are picked with a seeded `random.Random` from the active
enterprises with a location, in primary-key order; each run is a chlorine or ammonia
release with plausible weather, its zones computed by the same code as a real run and
written in bulk (runs are immutable records, so there is no history to keep).
"""

from __future__ import annotations

import random
from typing import Any

from cityguard.core.models import Organization

from . import services
from .models import ThreatZoneRun

RUNS_PER_SCALE = 6

# 60-minute AEGL-3 / AEGL-2 / AEGL-1 in mg/m³ at 25 °C (ppm × molar mass / 24.45).
SUBSTANCES: dict[str, tuple[float, float, float]] = {
    "氯气 Chlorine": (58.0, 5.8, 1.45),
    "氨 Ammonia": (766.0, 111.0, 20.9),
}


def load_demo(*, scale: float = 1.0, seed: int = 2021) -> dict[str, int]:
    rng = random.Random(seed)
    sites = list(
        Organization.objects.filter(
            is_active=True, kind="enterprise", lon__isnull=False, lat__isnull=False
        )
        .order_by("pk")
        .values_list("lon", "lat")
    )
    if not sites:
        return {"threat_zone_runs": 0}
    n = max(1, round(RUNS_PER_SCALE * scale))
    runs: list[ThreatZoneRun] = []
    for i in range(n):
        lon, lat = rng.choice(sites)
        substance = rng.choice(sorted(SUBSTANCES))
        data: dict[str, Any] = {
            "release_rate_g_s": rng.choice([200, 500, 1000, 2000]),
            "wind_speed_m_s": rng.choice([1.5, 2.0, 3.0, 4.0, 6.0]),
            "stability": rng.choice(["B", "C", "D", "D", "E", "F"]),
            "source_height_m": rng.choice([0.0, 0.0, 5.0, 15.0]),
            "terrain": "urban",
            "lon": lon,
            "lat": lat,
            "wind_from_deg": float(rng.randrange(0, 360, 15)),
            "thresholds_mg_m3": list(SUBSTANCES[substance]),
            "substance": substance,
        }
        runs.append(
            services.build_run(services.resolve_inputs(data), incident_ref=f"DEMO-{i + 1:03d}")
        )
    ThreatZoneRun.objects.bulk_create(runs)
    return {"threat_zone_runs": len(runs)}
