"""The map benchmark: how fast one layer answers a viewport, beside the floor.

`cityguard bench map [--scale 100] [--requests 200]` loads the demo district at the
given scale into its own SQLite file (`var/bench-scale100.sqlite3`, kept so reruns
start at once) — or into the PostgreSQL database of DATABASE_URL — and then times
`GET /api/v1/map/layers/<layer>?bbox=…` through Django's test client, signed in as a
district administrator, over random viewports that each hold up to 2,000 features.

Beside it, the FLOOR: the same features serialised by the layer with no query and no
HTTP (`PointLayer.serialise` on rows fetched beforehand). The ratio of the two p95s
says how much the query, the scoping and the request cycle add to the unavoidable.

Django can only be configured once per process, so for the SQLite file the command
re-runs itself in a subprocess with DATABASE_URL pointing at it.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

CHILD_ENV = "CITYGUARD_BENCH_CHILD"
DEFAULT_LAYER = "core.organizations.enterprise"
TARGET_P95_MS = 50.0
BENCH_USERNAME = "bench-admin"


def scale_label(scale: float) -> str:
    return f"{scale:g}"


def default_db(var_dir: Path, scale: float) -> Path:
    return var_dir / f"bench-scale{scale_label(scale)}.sqlite3"


# --- the parent: point Django at the benchmark database ----------------------------------


def run(opts: dict[str, Any], write: Callable[[str], None]) -> int:
    """Entry point of the command. Returns the exit code."""
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"]
    in_child = os.environ.get(CHILD_ENV) == "1"
    if in_child or (opts.get("db") is None and "postgresql" in engine):
        return run_here(opts, write)
    db = Path(opts.get("db") or default_db(Path(settings.VAR_DIR), opts["scale"]))
    db.parent.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{db.resolve()}", **{CHILD_ENV: "1"})
    argv = [
        sys.executable,
        "-m",
        "cityguard.cli",
        "bench",
        "map",
        "--scale",
        repr(opts["scale"]),
        "--requests",
        str(opts["requests"]),
        "--seed",
        str(opts["seed"]),
        "--layer",
        opts["layer"],
        "--max-features",
        str(opts["max_features"]),
        "--output",
        str(Path(opts.get("output") or Path(settings.VAR_DIR) / "bench-map.json").resolve()),
    ]
    if opts.get("force"):
        argv.append("--force")
    write(f"benchmark database: {db}")
    return subprocess.call(argv, env=env)


def run_here(opts: dict[str, Any], write: Callable[[str], None]) -> int:
    """Migrate, load the demo if needed, measure, print and save the report."""
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    loaded = prepare(opts["scale"], force=bool(opts.get("force")), write=write)
    report = measure(
        layer_name=opts["layer"],
        requests=opts["requests"],
        seed=opts["seed"],
        max_features=opts["max_features"],
    )
    report["scale"] = opts["scale"]
    report["demo_load_s"] = loaded
    write(format_report(report))
    output = Path(opts.get("output") or Path(settings.VAR_DIR) / "bench-map.json")
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    write(f"report written to {output}")
    return 0


class BenchDataError(Exception):
    """The database holds other data and --force was not given."""


def prepare(
    scale: float, force: bool = False, write: Callable[[str], None] = print
) -> float | None:
    """Make sure the demo at `scale` is loaded; returns the load time, None if reused."""
    from cityguard.core import demo
    from cityguard.core.models import Organization

    expected = demo.expected_organizations(scale)
    present = Organization.objects.count()
    if present == expected and not force:
        write(f"reusing the demo at scale {scale_label(scale)} ({present:,} organisations)")
        return None
    # The benchmark's own SQLite file is replaced without asking; another database is not.
    own_file = os.environ.get(CHILD_ENV) == "1"
    if demo.has_data() and not (force or own_file):
        raise BenchDataError(
            f"the database holds {present:,} organisations, not the {expected:,} of the "
            f"demo at scale {scale_label(scale)}; pass --force to replace them"
        )
    write(f"loading the demo at scale {scale_label(scale)} ({expected:,} organisations)…")
    started = time.perf_counter()
    demo.load(scale, force=True)
    took = time.perf_counter() - started
    write(f"loaded in {took:.1f} s")
    return round(took, 2)


# --- measuring -------------------------------------------------------------------------------


def bench_user() -> Any:
    from django.contrib.auth import get_user_model

    from cityguard.core.choices import Role
    from cityguard.core.models import Membership

    user, _created = get_user_model().objects.get_or_create(username=BENCH_USERNAME)
    Membership.objects.update_or_create(
        user=user,
        defaults={"role": Role.DISTRICT_ADMIN, "jurisdiction": None, "organization": None},
    )
    return user


def choose_viewports(
    lons: np.ndarray,
    lats: np.ndarray,
    n: int,
    max_features: int,
    rng: np.random.Generator,
) -> list[tuple[float, float, float, float]]:
    """`n` random boxes around data points, each sized to hold at most `max_features`.

    Each box gets a target count drawn between a tenth of `max_features` and
    `max_features`, and its size is found by bisection on the points themselves.
    """
    if len(lons) == 0:
        raise ValueError("the layer has no features to benchmark")
    aspect_lat = float(np.cos(np.radians(np.mean(lats))))
    boxes = []
    for _i in range(n):
        target = int(rng.integers(max(1, max_features // 10), max_features + 1))
        k = int(rng.integers(len(lons)))
        cx, cy = float(lons[k]), float(lats[k])
        aspect = float(rng.uniform(0.6, 1.8))  # screen width / height

        def count(h: float, cx: float = cx, cy: float = cy, aspect: float = aspect) -> int:
            w = h * aspect / aspect_lat
            return int(np.count_nonzero((np.abs(lons - cx) <= w) & (np.abs(lats - cy) <= h)))

        lo, hi = 0.0, 0.5
        if count(hi) > target:
            for _step in range(40):
                mid = (lo + hi) / 2
                if count(mid) <= target:
                    lo = mid
                else:
                    hi = mid
            h = lo
        else:
            h = hi
        w = h * aspect / aspect_lat
        boxes.append((round(cx - w, 6), round(cy - h, 6), round(cx + w, 6), round(cy + h, 6)))
    return boxes


def _percentiles(values: Sequence[float]) -> dict[str, float]:
    arr = np.asarray(values, float)
    p50, p95, p99 = np.percentile(arr, [50, 95, 99])
    return {
        "p50": round(float(p50), 3),
        "p95": round(float(p95), 3),
        "p99": round(float(p99), 3),
        "mean": round(float(arr.mean()), 3),
        "max": round(float(arr.max()), 3),
    }


def _ratio(a: dict[str, float], b: dict[str, float]) -> float | None:
    return round(a["p95"] / b["p95"], 2) if b["p95"] else None


def measure(
    layer_name: str = DEFAULT_LAYER,
    requests: int = 200,
    seed: int = 1,
    max_features: int = 2000,
    warmup: int = 10,
) -> dict[str, Any]:
    """Time the layer endpoint over random viewports; the floor beside it."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings
    from django.urls import reverse

    from cityguard.core.models import Organization
    from cityguard.onemap import registry

    layer = registry.get(layer_name)
    if not isinstance(layer, registry.PointLayer):
        raise ValueError(f"{layer_name!r} is not a registered point layer")
    user = bench_user()
    limit = registry.MAX_FEATURES
    everything = layer.rows(user, None, 10**9)
    lons = np.array([r[0] for r in everything], float)
    lats = np.array([r[1] for r in everything], float)
    rng = np.random.default_rng(seed)
    boxes = choose_viewports(lons, lats, requests + warmup, max_features, rng)
    url = reverse("api:map_layer", kwargs={"name": layer_name})

    request_ms: list[float] = []
    request_cpu_ms: list[float] = []
    floor_ms: list[float] = []
    floor_cpu_ms: list[float] = []
    features: list[int] = []
    # The test client's host must be allowed whatever the deployment's hosts are.
    with override_settings(ALLOWED_HOSTS=["testserver"], DEBUG=False), warnings.catch_warnings():
        # whitenoise warns once that static files are not collected; irrelevant here.
        warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
        client = Client()
        client.force_login(user)
        for i, bbox in enumerate(boxes):
            params = {"bbox": ",".join(f"{v:.6f}" for v in bbox)}
            started, cpu_started = time.perf_counter_ns(), time.process_time_ns()
            response = client.get(url, params)
            took = (time.perf_counter_ns() - started) / 1e6
            cpu = (time.process_time_ns() - cpu_started) / 1e6
            if response.status_code != 200:
                raise RuntimeError(f"{url} answered {response.status_code}: {response.content!r}")
            rows = layer.rows(user, bbox, limit)
            started, cpu_started = time.perf_counter_ns(), time.process_time_ns()
            layer.serialise(rows, limit)
            floor_took = (time.perf_counter_ns() - started) / 1e6
            floor_cpu_took = (time.process_time_ns() - cpu_started) / 1e6
            if i < warmup:
                continue
            body = json.loads(response.content)
            features.append(len(body["features"]))
            request_ms.append(took)
            request_cpu_ms.append(cpu)
            floor_ms.append(floor_took)
            floor_cpu_ms.append(floor_cpu_took)

    request, request_cpu = _percentiles(request_ms), _percentiles(request_cpu_ms)
    floor, floor_cpu = _percentiles(floor_ms), _percentiles(floor_cpu_ms)
    db = settings.DATABASES["default"]
    return {
        "layer": layer_name,
        "endpoint": f"GET {url}?bbox=…",
        "requests": len(request_ms),
        "warmup": warmup,
        "organizations": Organization.objects.count(),
        "layer_features": len(everything),
        "viewport_features": {
            "mean": round(float(np.mean(features)), 1),
            "min": int(np.min(features)),
            "max": int(np.max(features)),
            "cap": max_features,
        },
        "request_ms": request,
        "floor_ms": floor,
        "ratio_p95": _ratio(request, floor),
        # CPU time of this process (SQLite runs in it): steadier than the wall clock on a
        # busy machine, though it leaves out a PostgreSQL server's own work.
        "request_cpu_ms": request_cpu,
        "floor_cpu_ms": floor_cpu,
        "ratio_cpu_p95": _ratio(request_cpu, floor_cpu),
        "target_p95_ms": TARGET_P95_MS,
        "target_met": request["p95"] <= TARGET_P95_MS,
        "database": {
            "vendor": connection.vendor,
            "name": str(db["NAME"]) if connection.vendor == "sqlite" else db.get("HOST", ""),
        },
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
    }


def format_report(report: dict[str, Any]) -> str:
    vf = report["viewport_features"]
    keys = ("p50", "p95", "p99", "mean", "max")

    def row(label: str, values: dict[str, float]) -> str:
        return f"  {label:<36}" + "".join(f"{values[k]:>9.2f}" for k in keys)

    verdict = "met" if report["target_met"] else "MISSED"
    lines = [
        "",
        f"Map layer benchmark: {report['layer']}  (scale {scale_label(report.get('scale', 0))})",
        f"  {report['organizations']:,} organisations, {report['layer_features']:,} in the layer;"
        f" database {report['database']['vendor']} {report['database']['name']}",
        f"  {report['requests']} requests (after {report['warmup']} warm-up), viewports of"
        f" {vf['min']:,}–{vf['max']:,} features, mean {vf['mean']:,.0f} (cap {vf['cap']:,})",
        "",
        f"  {report['endpoint']}",
        f"  {'milliseconds':<36}" + "".join(f"{k:>9}" for k in keys),
        row("API request", report["request_ms"]),
        row("floor: PointLayer.serialise only", report["floor_ms"]),
        row("API request, CPU time", report["request_cpu_ms"]),
        row("floor, CPU time", report["floor_cpu_ms"]),
        "",
        f"  ratio p95 / floor p95: {report['ratio_p95']}  (CPU time: {report['ratio_cpu_p95']})",
        f"  target p95 ≤ {report['target_p95_ms']:g} ms: {verdict}",
        "",
    ]
    return "\n".join(lines)
