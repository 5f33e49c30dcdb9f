"""Demo data of the monitoring app: about 300 × scale sensors of the Yangpu demo, kind
rules with warning/major/critical thresholds and no-data rules, a recent reading for every
sensor and an hour of history for a few (so charts are not empty), and two alarms.

- combustible-gas detectors (%LEL) at the chemical units' organisations (chemicals demo),
  else at enterprises;
- hydrant water-pressure sensors (MPa) spread over the district near organisations;
- water-level sensors (m) in underground spaces;
- temperature and smoke detectors in crowded places and commercial complexes;
- tilt sensors on billboards.

Deterministic for a seed (`random.Random`), locations from the core demo's organisations
and places with a few metres of jitter, located in the jurisdiction tree like the services
do. Sensors are bulk-written (with a "created" history record); readings go through the
pipeline like any others.
"""

from __future__ import annotations

import random
import time
from typing import Any

from django.db.models import Q
from simple_history.utils import bulk_create_with_history

from cityguard.core.choices import Level, OrganizationKind, PlaceKind
from cityguard.core.models import Jurisdiction, Organization, Place
from cityguard.core.services import jurisdiction_index

from . import pipeline
from .choices import DEFAULT_UNIT
from .models import AlarmRule, Sensor

SENSORS_PER_SCALE = 300
# kind, severity, op, threshold, clear op, clear threshold, context-sensitive
KIND_RULES: list[tuple[str, str, str, float, str, float | None, bool]] = [
    ("combustible_gas", "warning", ">=", 10.0, "", None, False),
    ("combustible_gas", "major", ">=", 25.0, "", None, False),
    ("combustible_gas", "critical", ">=", 50.0, "", None, False),
    ("water_level", "warning", ">", 0.3, "", None, True),
    ("water_level", "major", ">", 0.5, "", None, True),
    ("water_pressure", "major", "<", 0.15, ">=", 0.2, False),
    ("temperature", "major", ">", 60.0, "", None, False),
    ("temperature", "critical", ">", 80.0, "", None, False),
    ("smoke", "major", ">", 0.15, "", None, False),
    ("tilt", "warning", ">", 5.0, "", None, False),
    ("tilt", "major", ">", 10.0, "", None, False),
]
NORMAL: dict[str, tuple[float, float]] = {
    "combustible_gas": (0.0, 3.0),
    "water_pressure": (0.25, 0.4),
    "water_level": (0.0, 0.08),
    "temperature": (18.0, 30.0),
    "smoke": (0.0, 0.05),
    "tilt": (0.0, 1.0),
}
INTERVAL = {"combustible_gas": 30, "water_pressure": 60, "water_level": 60, "temperature": 60,
            "smoke": 30, "tilt": 300}  # fmt: skip
NAMES = {
    "combustible_gas": "可燃气体探测器",
    "water_pressure": "消火栓水压传感器",
    "water_level": "积水水位传感器",
    "temperature": "温度传感器",
    "smoke": "烟感探测器",
    "tilt": "倾角传感器",
}
PREFIX = {"combustible_gas": "CG", "water_pressure": "HP", "water_level": "WL",
          "temperature": "TP", "smoke": "SM", "tilt": "TL"}  # fmt: skip


def _gas_orgs() -> list[tuple[int, float, float]]:
    try:
        from cityguard.chemicals.models import Unit

        ids = set(Unit.objects.values_list("organization_id", flat=True))
    except Exception:  # the chemicals app is part of the project; be safe anyway
        ids = set()
    qs = Organization.objects.filter(is_active=True).exclude(lon__isnull=True)
    qs = qs.filter(pk__in=ids) if ids else qs.filter(kind=OrganizationKind.ENTERPRISE)
    return list(qs.order_by("pk").values_list("pk", "lon", "lat"))


def _places(kinds: list[str]) -> list[tuple[int, int, float, float]]:
    return list(
        Place.objects.filter(kind__in=kinds)
        .exclude(lon__isnull=True)
        .order_by("pk")
        .values_list("pk", "organization_id", "lon", "lat")
    )


def load_demo(*, scale: float = 1.0, seed: int = 2021) -> dict[str, int]:
    r = random.Random(f"cityguard-monitoring-{seed}")
    total = max(12, round(SENSORS_PER_SCALE * scale))
    index, _district = jurisdiction_index()
    paths = dict(Jurisdiction.objects.values_list("pk", "path"))
    streets = {
        j.path: j.pk for j in Jurisdiction.objects.filter(level=Level.STREET).only("pk", "path")
    }
    orgs = list(
        Organization.objects.filter(is_active=True)
        .exclude(lon__isnull=True)
        .order_by("pk")
        .values_list("pk", "lon", "lat")
    )
    if not orgs:
        return {"sensors": 0}
    plan: list[tuple[str, int | None, int | None, float, float]] = []  # kind, org, place, lon, lat

    def take(kind: str, n: int, pool: list[Any], with_place: bool) -> None:
        if not pool:
            return
        picks = [pool[i % len(pool)] for i in range(n)] if n > len(pool) else r.sample(pool, n)
        for item in picks:
            if with_place:
                pid, org, lon, lat = item
            else:
                org, lon, lat = item
                pid = None
            plan.append((kind, org, pid, lon, lat))

    take("combustible_gas", round(total * 0.3), _gas_orgs() or orgs, False)
    take("water_pressure", round(total * 0.2), [(None, lo, la) for _o, lo, la in orgs], False)
    take("water_level", round(total * 0.15), _places([PlaceKind.UNDERGROUND_SPACE]), True)
    crowded = _places([PlaceKind.CROWDED_PLACE, PlaceKind.COMMERCIAL_COMPLEX])
    take("temperature", round(total * 0.12), crowded, True)
    take("smoke", round(total * 0.13), crowded, True)
    take("tilt", total - len(plan), _places([PlaceKind.BILLBOARD]) or crowded, True)
    sensors: list[Sensor] = []
    counters: dict[str, int] = {}
    for kind, org, pid, lon, lat in plan:
        lon = round(lon + r.uniform(-0.0004, 0.0004), 6)
        lat = round(lat + r.uniform(-0.0004, 0.0004), 6)
        jid = index.locate(lon, lat)
        if jid is None:
            lon, lat = round(lon, 6), round(lat, 6)
            jid = index.locate(lon, lat)
            if jid is None:
                continue
        path = paths[jid]
        street_path = "/".join(path.split("/")[:3]) + "/"
        counters[kind] = counters.get(kind, 0) + 1
        n = counters[kind]
        sensors.append(
            Sensor(
                code=f"{PREFIX[kind]}-{n:04d}",
                name=f"{NAMES[kind]} {n:03d}",
                kind=kind,
                unit=DEFAULT_UNIT[kind],
                organization_id=org,
                place_id=pid,
                street_id=streets.get(street_path),
                jurisdiction_id=jid,
                lon=lon,
                lat=lat,
                expected_interval_s=INTERVAL[kind],
            )
        )
    bulk_create_with_history(sensors, Sensor, batch_size=1000, default_change_reason="demo")
    rules = [
        AlarmRule(
            name=f"{NAMES[kind]} {sev} {op} {thr:g}",
            kind="threshold",
            sensor_kind=kind,
            severity=sev,
            op=op,
            threshold=thr,
            clear_op=cop,
            clear_threshold=cthr,
            context_sensitive=ctx,
        )
        for kind, sev, op, thr, cop, cthr, ctx in KIND_RULES
    ]
    rules += [
        AlarmRule(
            name=f"{NAMES[kind]} 离线",
            kind="no_data",
            sensor_kind=kind,
            severity="minor",
            no_data_factor=3.0,
        )
        for kind in NORMAL
    ]
    bulk_create_with_history(rules, AlarmRule, default_change_reason="demo")
    readings = _readings(r)
    return {"sensors": len(sensors), "alarm_rules": len(rules), "readings": readings}


def _readings(r: random.Random) -> int:
    """A reading a minute ago for every sensor, an hour of history for a few, and an
    excursion on two of them (a gas leak and a hydrant pressure drop)."""
    pipeline.invalidate()
    now_ms = (int(time.time()) // 60) * 60_000
    items: list[dict[str, Any]] = []
    demo = Sensor.objects.filter(
        Q(code__startswith="CG-") | Q(code__startswith="HP-") | Q(code__startswith="WL-")
        | Q(code__startswith="TP-") | Q(code__startswith="SM-") | Q(code__startswith="TL-")
    ).order_by("code")  # fmt: skip
    history: dict[str, int] = {}
    for code, kind in demo.values_list("code", "kind"):
        lo, hi = NORMAL.get(kind, (0.0, 1.0))
        if code.endswith("-0001") or code.endswith("-0002"):
            history[code] = 60
        n = history.get(code, 1)
        for k in range(n):
            ts = now_ms - (n - k) * 60_000
            value = round(r.uniform(lo, hi), 3)
            if code == "CG-0001" and k >= n - 10:
                value = round(5 + (k - (n - 10)) * 3.0, 1)  # a leak ramping to 32 %LEL
            if code == "HP-0001" and k >= n - 5:
                value = 0.11  # a hydrant losing pressure
            items.append({"sensor": code, "ts": ts, "value": value})
    result = pipeline.ingest(items, source="simulator")
    return result.accepted
