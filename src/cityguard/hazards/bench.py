"""Benchmark of the hazard board and the overdue list at a million hazards.

    cityguard bench hazards [--size 1000000] [--requests 100] [--db var/bench-hazards-1000000.sqlite3]

Generates `size` hazards in bulk into their own SQLite file (kept, so later runs start at
once; `--force` regenerates), shaped like the demo: three years of reports, most of them
closed, the open ones spread over the states, some overdue and escalated, across 12
streets, 13 domains and 5,000 organisations. Then it times, through Django's test client
with a signed-in session, the first page of

- the hazard board (`GET /hazards/`: five state columns, their first cards and their
  capped counts), and
- the overdue list (`GET /hazards/overdue/`: count and first 50 rows, most overdue first),

for three readers: a district administrator (the whole district), the same filtered to one
street, and a street officer (scoped to their street). Beside each, the FLOOR: the same
rows fetched by primary key (`pk__in`, with the same related rows), which no query plan can
beat. The ratio of the p95s says what the filtering, counting, scoping, rendering and the
request cycle add to the unavoidable. Target: p95 ≤ 200 ms.

The indexes that make this work are on the hazard itself: (state, deadline), (street,
state, deadline), (state, closed_at), (street, state, closed_at), (is_open, deadline),
(street, is_open, deadline) — the street column stands for the jurisdiction path prefix
of a street officer's reach (see `HazardQuerySet.visible_to`).

Django is configured once per process, so the command re-runs itself in a subprocess with
DATABASE_URL pointing at the benchmark file; the child writes the report as JSON, which
`main` returns.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import subprocess
import sys
import time
import warnings
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np

CHILD_ENV = "CITYGUARD_HAZARDS_BENCH_CHILD"
TARGET_P95_MS = 200.0
STREETS = 12
COMMUNITIES_PER_STREET = 4
ORGANIZATIONS = 5000
BATCH = 50_000
ADMIN = "bench-hz-admin"
OFFICER = "bench-hz-street"


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="cityguard bench hazards", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--size", type=int, default=1_000_000, help="hazards in the database")
    parser.add_argument("--requests", type=int, default=100, help="timed requests per scenario")
    parser.add_argument("--warmup", type=int, default=5, help="untimed requests first")
    parser.add_argument("--seed", type=int, default=2021)
    parser.add_argument(
        "--db", default=None, help="SQLite file (default var/bench-hazards-<size>.sqlite3)"
    )
    parser.add_argument(
        "--output", default=None, help="JSON report (default var/bench-hazards.json)"
    )
    parser.add_argument(
        "--force", action="store_true", help="regenerate even if the file holds the data"
    )
    args = parser.parse_args(argv)
    if args.size < 1 or args.requests < 1 or args.warmup < 0:
        parser.error("--size and --requests must be positive")
    return args


def main(argv: list[str]) -> dict[str, Any]:
    """Run the benchmark (in a child process on its own SQLite file); print the table and
    return the figures."""
    args = parse(argv)
    if os.environ.get(CHILD_ENV) == "1":
        return run_here(args)
    from django.conf import settings

    var = Path(settings.VAR_DIR)
    db = Path(args.db or var / f"bench-hazards-{args.size}.sqlite3").resolve()
    output = Path(args.output or var / "bench-hazards.json").resolve()
    db.parent.mkdir(parents=True, exist_ok=True)
    output.parent.mkdir(parents=True, exist_ok=True)
    child_argv = _without_options(argv, ("--db", "--output"))
    env = dict(
        os.environ,
        DATABASE_URL=f"sqlite:///{db}",
        DJANGO_SETTINGS_MODULE="cityguard.settings",
        **{CHILD_ENV: "1"},
    )
    print(f"benchmark database: {db}", flush=True)
    code = subprocess.call(
        [sys.executable, "-m", "cityguard.hazards.bench", *child_argv, "--output", str(output)],
        env=env,
    )
    if code:
        raise RuntimeError(f"the hazards benchmark failed (exit code {code})")
    return json.loads(output.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _without_options(argv: list[str], names: tuple[str, ...]) -> list[str]:
    out: list[str] = []
    skip = False
    for arg in argv:
        if skip:
            skip = False
            continue
        if arg in names:
            skip = True
            continue
        if any(arg.startswith(f"{n}=") for n in names):
            continue
        out.append(arg)
    return out


def run_here(args: argparse.Namespace) -> dict[str, Any]:
    """In the configured database: migrate, generate if needed, measure, report."""
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    took = prepare(args.size, seed=args.seed, force=args.force, write=print)
    report = measure(requests=args.requests, warmup=args.warmup, seed=args.seed)
    report["size"] = args.size
    report["generate_s"] = took
    print(format_report(report), flush=True)
    output = Path(args.output or Path(settings.VAR_DIR) / "bench-hazards.json")
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"report written to {output}", flush=True)
    return report


# --- the data ---------------------------------------------------------------------------------


def prepare(
    size: int, seed: int = 2021, force: bool = False, write: Callable[[str], None] = print
) -> float | None:
    """Make sure the database holds exactly the benchmark's `size` hazards; returns the
    generation time, or None when the data were reused."""
    from .models import Hazard

    present = Hazard.objects.count()
    if present == size and not force and _tree_ready():
        write(f"reusing {present:,} hazards")
        return None
    write(f"generating {size:,} hazards…")
    started = time.perf_counter()
    generate(size, seed)
    took = round(time.perf_counter() - started, 1)
    write(f"generated in {took:.1f} s")
    return took


def _tree_ready() -> bool:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(username__in=[ADMIN, OFFICER]).count() == 2


def _wipe() -> None:
    from django.db import connection

    from .models import (
        Hazard,
        HazardEvent,
        Inspection,
        InspectionResult,
        LookBackDue,
        Milestone,
        Photo,
        RectificationPlan,
        Tip,
        TipReward,
    )

    qn = connection.ops.quote_name
    with connection.cursor() as cur:
        for model in (
            TipReward,
            Tip,
            Photo,
            Milestone,
            RectificationPlan,
            HazardEvent,
            InspectionResult,
            LookBackDue,
            Hazard.history.model,  # type: ignore[attr-defined]
            Hazard,
            Inspection,
        ):
            cur.execute(f"DELETE FROM {qn(model._meta.db_table)}")


def _ensure_registry(seed: int) -> tuple[list[tuple[int, int, float, float]], dict[int, int], int]:
    """A small tree (12 streets × 4 communities), 5,000 organisations and the two readers.
    Returns the organisations (id, jurisdiction id, lon, lat), jurisdiction → street, and
    the officer's street id."""
    from django.contrib.auth import get_user_model

    from cityguard.core.choices import Level, Role
    from cityguard.core.models import Jurisdiction, Membership, Organization

    if not Jurisdiction.objects.filter(code="BENCH").exists():
        root = Jurisdiction.objects.create(
            code="BENCH", name="基准区", level=Level.DISTRICT, path="/BENCH/"
        )
        for s in range(STREETS):
            code = f"BENCH{s + 1:02d}"
            street = Jurisdiction.objects.create(
                code=code,
                name=f"基准街道{s + 1}",
                level=Level.STREET,
                parent=root,
                path=f"/BENCH/{code}/",
            )
            Jurisdiction.objects.bulk_create(
                Jurisdiction(
                    code=f"{code}{c + 1:03d}",
                    name=f"基准街道{s + 1}第{c + 1}居委",
                    level=Level.COMMUNITY,
                    parent=street,
                    path=f"/BENCH/{code}/{code}{c + 1:03d}/",
                )
                for c in range(COMMUNITIES_PER_STREET)
            )
    communities = list(
        Jurisdiction.objects.filter(level=Level.COMMUNITY, path__startswith="/BENCH/").values_list(
            "pk", "parent_id"
        )
    )
    streets = {pk: parent for pk, parent in communities}
    streets.update(
        {
            pk: pk
            for pk in Jurisdiction.objects.filter(
                level=Level.STREET, path__startswith="/BENCH/"
            ).values_list("pk", flat=True)
        }
    )
    if Organization.objects.filter(name__startswith="基准企业").count() != ORGANIZATIONS:
        Organization.objects.filter(name__startswith="基准企业").delete()
        r = random.Random(f"bench-orgs-{seed}")
        Organization.objects.bulk_create(
            (
                Organization(
                    name=f"基准企业{i:05d}",
                    kind="enterprise",
                    jurisdiction_id=r.choice(communities)[0],
                    lon=round(121.48 + r.random() * 0.1, 6),
                    lat=round(31.25 + r.random() * 0.08, 6),
                )
                for i in range(ORGANIZATIONS)
            ),
            batch_size=2000,
        )
    orgs = list(
        Organization.objects.filter(name__startswith="基准企业")
        .order_by("pk")
        .values_list("pk", "jurisdiction_id", "lon", "lat")
    )
    officer_street = Jurisdiction.objects.get(code="BENCH01")
    User = get_user_model()
    for username, role, jur in (
        (ADMIN, Role.DISTRICT_ADMIN, None),
        (OFFICER, Role.STREET_OFFICER, officer_street),
    ):
        user, _created = User.objects.get_or_create(username=username)
        Membership.objects.update_or_create(
            user=user, defaults={"role": role, "jurisdiction": jur, "organization": None}
        )
    return orgs, streets, officer_street.pk


def generate(size: int, seed: int = 2021) -> None:
    """Write `size` hazards with raw multi-row inserts (no history, no timeline: neither
    page reads them), the board's indexes dropped during the load and rebuilt after."""
    from django.db import connection, transaction
    from django.utils import timezone

    from cityguard.risk.models import Domain

    from . import lifecycle as lc
    from .models import Hazard

    _wipe()
    orgs, streets, _officer_street = _ensure_registry(seed)
    domains = list(Domain.objects.order_by("pk").values_list("pk", flat=True))[:13]
    rng = np.random.default_rng(seed)
    now = timezone.now()
    today = timezone.localdate()
    ops = connection.ops
    fields = [f for f in Hazard._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(ops.quote_name(f.column) for f in fields)
    table = ops.quote_name(Hazard._meta.db_table)
    placeholders = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"
    names = [f.attname for f in fields]
    adapt_dt = ops.adapt_datetimefield_value
    adapt_d = ops.adapt_datefield_value
    date_cache: dict[date, Any] = {}

    def d(value: date | None) -> Any:
        if value is None:
            return None
        if value not in date_cache:
            date_cache[value] = adapt_d(value)
        return date_cache[value]

    titles = (
        "疏散通道堆放杂物",
        "安全出口上锁",
        "燃气软管老化",
        "禁忌物料混存",
        "电梯超期未检验",
        "脚手架连墙件缺失",
    )
    sources = (
        "self_inspection",
        "street_inspection",
        "district_inspection",
        "enforcement",
        "public_tip",
        "sensor_alarm",
    )
    open_states = lc.OPEN_STATES
    # Rebuilding the indexes once beats maintaining them row by row, at scale; small runs
    # (the tests, inside a transaction where SQLite allows no schema change) keep them.
    rebuild = size >= 100_000
    if rebuild:
        with connection.schema_editor() as editor:
            for index in Hazard._meta.indexes:
                editor.remove_index(Hazard, index)
    try:
        with transaction.atomic():
            for start in range(0, size, BATCH):
                n = min(BATCH, size - start)
                org_idx = rng.integers(0, len(orgs), n)
                back_days = (rng.random(n) ** 1.4 * 1095).astype(int)
                minutes = rng.integers(8 * 60, 18 * 60, n)
                major = rng.random(n) < 0.07
                roll = rng.random(n)
                which_open = rng.integers(0, len(open_states), n)
                dom = rng.integers(0, len(domains), n)
                src = rng.integers(0, len(sources), n)
                late = rng.random(n) < 0.18
                frac = rng.random(n)
                rows = []
                for i in range(n):
                    org, jur, lon, lat = orgs[org_idx[i]]
                    reported = (
                        now
                        - timedelta(days=int(back_days[i]))
                        - timedelta(minutes=int(minutes[i]) % 600)
                    )
                    rdate = timezone.localtime(reported).date()
                    deadline = rdate + timedelta(days=90 if major[i] else 30)
                    age = int(back_days[i])
                    closed = roll[i] < min(0.985, 0.1 + age / 90)
                    state = lc.CLOSED if closed else open_states[which_open[i]]
                    closed_at = None
                    if closed:
                        span = (deadline - rdate).days
                        days = (
                            span * (1.0 + frac[i] * 0.6)
                            if late[i]
                            else span * (0.3 + frac[i] * 0.65)
                        )
                        closed_at = min(reported + timedelta(days=days), now - timedelta(minutes=1))
                    is_open = not closed
                    overdue = is_open and deadline < today
                    values = {
                        "lon": lon,
                        "lat": lat,
                        "jurisdiction_id": jur,
                        "created_at": adapt_dt(reported),
                        "updated_at": adapt_dt(closed_at or reported),
                        "title": titles[(start + i) % len(titles)],
                        "description": "",
                        "address": "",
                        "source": sources[src[i]],
                        "domain_id": domains[dom[i]],
                        "severity": "major" if major[i] else "general",
                        "organization_id": org,
                        "place_id": None,
                        "street_id": streets.get(jur),
                        "state": state,
                        "is_open": is_open,
                        "state_changed_at": adapt_dt(closed_at or reported),
                        "deadline": d(deadline),
                        "responsible_unit_id": org if state != lc.REPORTED else None,
                        "responsible_person": "",
                        "responsible_phone": "",
                        "assignee_id": None,
                        "reported_by_id": None,
                        "reported_at": adapt_dt(reported),
                        "closed_at": adapt_dt(closed_at) if closed_at else None,
                        "closed_by_id": None,
                        "closed_on_time": (timezone.localtime(closed_at).date() <= deadline)
                        if closed_at
                        else None,
                        "escalated_at": adapt_dt(now) if overdue else None,
                        "is_recurrence": False,
                        "lookback_id": None,
                        "inspection_id": None,
                    }
                    rows.append([values[name] for name in names])
                with connection.cursor() as cur:
                    cur.executemany(sql, rows)
    finally:
        if rebuild:
            with connection.schema_editor() as editor:
                for index in Hazard._meta.indexes:
                    editor.add_index(Hazard, index)
    with connection.cursor() as cur:
        cur.execute("ANALYZE" if connection.vendor == "sqlite" else f"ANALYZE {table}")


# --- measuring ------------------------------------------------------------------------------


def _percentiles(values: list[float]) -> dict[str, float]:
    arr = np.asarray(values, float)
    p50, p95, p99 = np.percentile(arr, [50, 95, 99])
    return {
        "p50": round(float(p50), 3),
        "p95": round(float(p95), 3),
        "p99": round(float(p99), 3),
        "mean": round(float(arr.mean()), 3),
        "max": round(float(arr.max()), 3),
    }


def measure(requests: int = 100, warmup: int = 5, seed: int = 2021) -> dict[str, Any]:
    """Time the board and the overdue list per scenario, each beside its floor."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings

    from cityguard.core.models import Jurisdiction

    from . import views
    from .api import filter_hazards
    from .models import OPEN, Hazard
    from .schemas import HazardFilter

    User = get_user_model()
    admin, officer = User.objects.get(username=ADMIN), User.objects.get(username=OFFICER)
    street = (
        Jurisdiction.objects.filter(path__startswith="/BENCH/", level="street")
        .order_by("code")
        .last()
    )
    street_code = street.code if street else ""
    scenarios = [
        ("district", admin, {}),
        ("district, one street", admin, {"jurisdiction": street_code}),
        ("street officer", officer, {}),
    ]

    def board_pks(user: Any, params: dict[str, Any]) -> list[int]:
        base = filter_hazards(Hazard.objects.visible_to(user), HazardFilter(**params), user)
        return [h.pk for column in views.board_columns(user, base) for h in column["cards"]]

    def overdue_pks(user: Any, params: dict[str, Any]) -> list[int]:
        base = filter_hazards(
            Hazard.objects.visible_to(user), HazardFilter(overdue=True, **params), user
        )
        return list(base.order_by("deadline", "id").values_list("pk", flat=True)[: views.PER_PAGE])

    def floor(pks: list[int]) -> None:
        list(Hazard.objects.select_related("organization", "street", "domain").filter(pk__in=pks))

    pages = {"board": ("/hazards/", board_pks), "overdue": ("/hazards/overdue/", overdue_pks)}
    results: list[dict[str, Any]] = []
    rng = random.Random(seed)
    with override_settings(ALLOWED_HOSTS=["testserver"], DEBUG=False), warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
        for page, (url, pks_of) in pages.items():
            for label, user, params in scenarios:
                client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
                client.force_login(user)
                pks = pks_of(user, params)
                request_ms: list[float] = []
                floor_ms: list[float] = []
                for i in range(warmup + requests):
                    started = time.perf_counter_ns()
                    response = client.get(url, params)
                    took = (time.perf_counter_ns() - started) / 1e6
                    if response.status_code != 200:
                        raise RuntimeError(f"{url} answered {response.status_code}")
                    started = time.perf_counter_ns()
                    floor(pks)
                    floor_took = (time.perf_counter_ns() - started) / 1e6
                    if i >= warmup:
                        request_ms.append(took)
                        floor_ms.append(floor_took)
                    if rng.random() < 0.01:
                        client.force_login(user)  # an occasional fresh session
                req, flo = _percentiles(request_ms), _percentiles(floor_ms)
                results.append(
                    {
                        "page": page,
                        "scenario": label,
                        "endpoint": f"GET {url}"
                        + (f"?{'&'.join(f'{k}={v}' for k, v in params.items())}" if params else ""),
                        "rows": len(pks),
                        "request_ms": req,
                        "floor_ms": flo,
                        "ratio_p95": round(req["p95"] / flo["p95"], 2) if flo["p95"] else None,
                        "target_met": req["p95"] <= TARGET_P95_MS,
                    }
                )
    db = settings.DATABASES["default"]
    return {
        "hazards": Hazard.objects.count(),
        "open": Hazard.objects.filter(OPEN).count(),
        "overdue": Hazard.objects.overdue().count(),
        "requests": requests,
        "warmup": warmup,
        "results": results,
        "target_p95_ms": TARGET_P95_MS,
        "target_met": all(r["target_met"] for r in results),
        "database": {
            "vendor": connection.vendor,
            "name": str(db["NAME"]) if connection.vendor == "sqlite" else db.get("HOST", ""),
        },
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
    }


def format_report(report: dict[str, Any]) -> str:
    keys = ("p50", "p95", "p99", "max")
    lines = [
        "",
        f"Hazards benchmark: {report['hazards']:,} hazards ({report['open']:,} open, "
        f"{report['overdue']:,} overdue); {report['requests']} requests per row after "
        f"{report['warmup']} warm-up; database {report['database']['vendor']} {report['database']['name']}",
        "",
        f"  {'ms':<58}" + "".join(f"{k:>9}" for k in keys) + f"{'ratio':>8}",
    ]
    for r in report["results"]:
        label = f"{r['page']} · {r['scenario']} ({r['rows']} rows)"
        lines.append(
            f"  {label:<58}"
            + "".join(f"{r['request_ms'][k]:>9.2f}" for k in keys)
            + f"{r['ratio_p95'] or 0:>8.1f}"
        )
        lines.append(
            f"  {'   floor: same rows by primary key':<58}"
            + "".join(f"{r['floor_ms'][k]:>9.2f}" for k in keys)
        )
    verdict = "met" if report["target_met"] else "MISSED"
    lines += ["", f"  target p95 ≤ {report['target_p95_ms']:g} ms on every row: {verdict}", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cityguard.settings")
    import django

    django.setup()
    main(sys.argv[1:])
