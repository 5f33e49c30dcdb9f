"""`cityguard bench ingest`: readings per second through each door, beside the raw storage
floor, and the alarm latency.

    cityguard bench ingest [--sensors 2000] [--duration 15] [--quick] [--only http,mqtt3,…]

Everything runs on this machine: a private Mosquitto (unless `--mqtt-url`), the web server
(`cityguard serve`, its own process), the MQTT ingestion worker (`cityguard ingest`, its
own process), the load generators (separate processes) and the database — its own SQLite
file under var/ (made afresh each run), or the PostgreSQL database of DATABASE_URL. The
demo district is loaded with the monitoring demo (sensors and their alarm rules, which
stay active throughout), topped up to `--sensors` sensors.

Scenarios (`--only` picks some):

- `direct`: `pipeline.ingest` called in-process with batches of `--http-batch` readings —
  the pipeline's own ceiling, without any transport;
- `http`: `--http-clients` processes POST batches of `--http-batch` readings to
  `/api/v1/monitoring/readings` over keep-alive connections;
- `mqtt3`: `--publishers` processes publish QoS 1 messages of 3 readings (ThingsBoard's
  shape) to `readings/<code>`; `mqtt50`: the same with 50 readings per message;
- `latency`: background load at half the best `mqtt3` rate, plus probe readings that
  cross a threshold rule; latency is from the probe's publish to the moment its alarm is
  seen committed (see below).

Throughput is what reaches the database: the readings table is counted at the start and
the end of a steady window of `--duration` seconds after `--warmup` seconds. Publishers
stay at most `--lead` readings ahead of storage, so they never steal the CPU the worker
needs by running uselessly ahead. Beside each figure, the FLOOR: the same number of rows,
same shape (sensor, ts, value), inserted into the same readings table with a plain
`executemany` (no validation, no de-duplication, no rules, no aggregates) in chunks of
10,000 per transaction, each chunk in key order as the pipeline writes its batches — the
storage's own speed on this machine, in the same run.

Alarm latency. A probe reading carries its publish time as its timestamp (ms, rounded
down); the pipeline copies the reading time of the alarm's first reading into the alarm
(`first_ts`). A watcher in this process polls the alarms table every `--poll-ms` and
notes the wall time at which each new alarm becomes visible — necessarily after its
transaction committed. Latency = seen − first_ts ≥ the true publish → commit time: both
roundings make it an over-estimate (by at most the poll period + 1 ms), never an
under-estimate. The probe sensors are kept out of the background load, and each is
brought back below the threshold after its probe so the next probe opens a new alarm.

Targets: HTTP ≥ 100,000 readings/s (SQLite), MQTT 3/msg ≥ 30,000, MQTT 50/msg ≥ 150,000,
latency p99 ≤ 250 ms. Writes var/bench-ingest.json. `--profile` adds where the pipeline's
time goes (cProfile of the `direct` scenario).
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import http.client
import io
import json
import multiprocessing as mp
import os
import platform
import pstats
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from unittest import mock

CHILD_ENV = "CITYGUARD_INGEST_BENCH_CHILD"
TARGETS = {"http": 100_000.0, "mqtt3": 30_000.0, "mqtt50": 150_000.0, "latency_p99_ms": 250.0}
SCENARIOS = ("direct", "http", "mqtt3", "mqtt50", "latency")
BENCH_USER = "bench-ingest"
TOPIC_ROOT = "bench"
FLOOR_TS0 = 1_000_000_000_000  # 2001-09-09: floor rows sit far before the bench's readings
FLOOR_CHUNK = 10_000


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="cityguard bench ingest", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--sensors", type=int, default=2000, help="sensors (demo, topped up)")
    parser.add_argument("--duration", type=float, default=15.0, help="steady window (s)")
    parser.add_argument("--warmup", type=float, default=3.0, help="load before the window (s)")
    parser.add_argument("--http-batch", type=int, default=10_000, help="readings per POST")
    parser.add_argument("--http-clients", type=int, default=2, help="HTTP client processes")
    parser.add_argument("--publishers", type=int, default=2, help="MQTT publisher processes")
    parser.add_argument("--lead", type=int, default=300_000, help="most readings in transit")
    parser.add_argument("--batch-size", type=int, default=2000, help="worker: messages/batch")
    parser.add_argument("--batch-ms", type=float, default=10.0, help="worker: batch wait (ms)")
    parser.add_argument("--latency-duration", type=float, default=20.0, help="latency run (s)")
    parser.add_argument("--probes-per-s", type=float, default=20.0, help="latency probes/s")
    parser.add_argument("--poll-ms", type=float, default=5.0, help="alarm watcher period")
    parser.add_argument("--only", default=",".join(SCENARIOS), help="scenarios to run")
    parser.add_argument("--mqtt-url", default="", help="use this broker instead of our own")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--profile", action="store_true", help="profile the direct scenario")
    parser.add_argument(
        "--quick", action="store_true", help="tiny sizes for CI (figures not meaningful)"
    )
    parser.add_argument("--db", default=None, help="SQLite file (default var/bench-ingest…)")
    parser.add_argument(
        "--keep-db", action="store_true", help="use --db as it is (migrated) instead of anew"
    )
    parser.add_argument(
        "--demo-scale", type=float, default=1.0, help="scale of the demo district loaded"
    )
    parser.add_argument("--output", default=None, help="JSON report (default var/…)")
    args = parser.parse_args(argv)
    if args.quick:
        args.sensors = min(args.sensors, 200)
        args.duration = min(args.duration, 1.5)
        args.warmup = min(args.warmup, 0.5)
        args.http_batch = min(args.http_batch, 1000)
        args.http_clients = 1
        args.publishers = 1
        args.latency_duration = min(args.latency_duration, 3.0)
        args.lead = min(args.lead, 20_000)
        args.demo_scale = min(args.demo_scale, 0.2)
    only = [s.strip() for s in args.only.split(",") if s.strip()]
    bad = [s for s in only if s not in SCENARIOS]
    if bad:
        parser.error(f"unknown scenario(s) {bad}; choose from {', '.join(SCENARIOS)}")
    args.only = only
    if args.sensors < 20 or args.duration <= 0 or args.http_batch < 1:
        parser.error("--sensors must be at least 20 and --duration, --http-batch positive")
    if args.http_clients < 1 or args.publishers < 1:
        parser.error("--http-clients and --publishers must be at least 1")
    return args


def main(argv: list[str]) -> dict[str, Any]:
    """Run the benchmark in a child process on its own database; print the table and
    return the figures."""
    args = parse(argv)
    if os.environ.get(CHILD_ENV) == "1":
        return run_here(args)
    from django.conf import settings

    var = Path(settings.VAR_DIR)
    output = Path(args.output or var / "bench-ingest.json").resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="cityguard.settings", **{CHILD_ENV: "1"})
    engine = settings.DATABASES["default"]["ENGINE"]
    if "sqlite" in engine or args.db:
        db = Path(args.db or var / "bench-ingest.sqlite3").resolve()
        db.parent.mkdir(parents=True, exist_ok=True)
        if not args.keep_db:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)
        env["DATABASE_URL"] = f"sqlite:///{db}"
        print(f"benchmark database: {db}", flush=True)
    else:
        print("benchmark database: the PostgreSQL database of DATABASE_URL", flush=True)
    child_argv = [*_without(argv, ("--db", "--output")), "--output", str(output)]
    code = subprocess.call(
        [sys.executable, "-m", "cityguard.monitoring.bench", *child_argv], env=env
    )
    if code:
        raise RuntimeError(f"the ingest benchmark failed (exit code {code})")
    return json.loads(output.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _without(argv: list[str], names: tuple[str, ...]) -> list[str]:
    out: list[str] = []
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg in names:
            skip = True
        elif not any(arg.startswith(f"{n}=") for n in names):
            out.append(arg)
    return out


# --- the data ----------------------------------------------------------------------------------


def prepare(n_sensors: int, seed: int, demo_scale: float = 1.0) -> dict[str, Any]:
    """The demo district with the monitoring demo's sensors and rules, topped up to
    `n_sensors` sensors (copies of the demo's, so the demo's kind rules apply to them);
    the bench's API user and token."""
    import importlib.util

    from django.contrib.auth import get_user_model

    from cityguard.core import demo as core_demo
    from cityguard.core.choices import Role
    from cityguard.core.models import ApiToken, Jurisdiction, Membership

    from .models import AlarmRule, Sensor

    started = time.perf_counter()
    hooks: list[Any] = []
    if importlib.util.find_spec("cityguard.monitoring.demo") is not None:
        from . import demo as monitoring_demo

        hooks.append(monitoring_demo.load_demo)
    if not Sensor.objects.exists():
        with mock.patch.object(core_demo, "_app_hooks", lambda: hooks):
            core_demo.load(scale=demo_scale, seed=seed, force=core_demo.has_data())
    if not AlarmRule.objects.exists():
        _default_rules()
    have = Sensor.objects.count()
    if have < n_sensors:
        _top_up(n_sensors - have)
    User = get_user_model()
    user, _created = User.objects.get_or_create(username=BENCH_USER)
    root = Jurisdiction.objects.filter(parent__isnull=True).first()
    Membership.objects.update_or_create(
        user=user, defaults={"role": Role.API_CLIENT, "jurisdiction": root}
    )
    _token, raw = ApiToken.issue(user)
    rows = list(
        Sensor.objects.filter(enabled=True)
        .order_by("id")
        .values_list("id", "code", "kind", "expected_interval_s")[:n_sensors]
    )
    return {
        "sensors": rows,
        "token": raw,
        "rules": AlarmRule.objects.filter(enabled=True).count(),
        "prepare_s": round(time.perf_counter() - started, 1),
    }


def _default_rules() -> None:
    """Kind rules, should the monitoring demo provide none."""
    from .models import AlarmRule

    for name, kind, op, threshold, severity in (
        ("Combustible gas ≥ 25 %LEL", "combustible_gas", ">=", 25.0, "major"),
        ("Combustible gas ≥ 50 %LEL", "combustible_gas", ">=", 50.0, "critical"),
        ("Gas > 1000 ppm", "gas", ">", 1000.0, "major"),
        ("Hydrant pressure < 0.1 MPa", "water_pressure", "<", 0.1, "major"),
        ("Water level > 0.3 m", "water_level", ">", 0.3, "major"),
        ("Temperature > 60 °C", "temperature", ">", 60.0, "major"),
    ):
        AlarmRule.objects.create(
            name=name,
            kind="threshold",
            sensor_kind=kind,
            op=op,
            threshold=threshold,
            severity=severity,
        )


def _top_up(missing: int) -> None:
    from .models import Sensor

    base = list(Sensor.objects.order_by("id")[:500])
    if not base:
        base = _seed_sensors()
    made = []
    for i in range(missing):
        src = base[i % len(base)]
        made.append(
            Sensor(
                code=f"BENCH-{i:06d}",
                name=f"{src.name} ({i})"[:200],
                kind=src.kind,
                unit=src.unit,
                lon=src.lon,
                lat=src.lat,
                jurisdiction_id=src.jurisdiction_id,
                organization_id=src.organization_id,
                place_id=src.place_id,
                street_id=src.street_id,
                expected_interval_s=src.expected_interval_s,
            )
        )
    Sensor.objects.bulk_create(made, batch_size=1000)


def _seed_sensors() -> list[Any]:
    """Without a monitoring demo: one sensor per organisation of the demo, kinds mixed."""
    from cityguard.core.models import Organization

    from .choices import DEFAULT_UNIT
    from .models import Sensor

    kinds = ["combustible_gas", "gas", "water_pressure", "water_level", "temperature", "smoke"]
    orgs = list(Organization.objects.order_by("id")[:500])
    if not orgs:
        raise RuntimeError("no organisations to place sensors at: the demo did not load")
    made = [
        Sensor(
            code=f"BENCH-SEED-{i:04d}",
            kind=kinds[i % len(kinds)],
            unit=DEFAULT_UNIT[kinds[i % len(kinds)]],
            lon=o.lon,
            lat=o.lat,
            jurisdiction_id=o.jurisdiction_id,
            organization_id=o.pk,
            expected_interval_s=60,
        )
        for i, o in enumerate(orgs)
    ]
    return Sensor.objects.bulk_create(made)


def probe_plan(sensors: list[tuple[int, str, str, int]], count: int) -> dict[str, Any] | None:
    """Sensors for the latency probes: of a kind with an enabled threshold rule that fires at
    once (for_seconds 0) on values above a threshold; with the crossing value (past every
    rule of the kind) and the value that clears."""
    from django.db.models import Q

    from . import simulator
    from .models import AlarmRule

    by_kind: dict[str, list[tuple[int, str]]] = {}
    for sid, code, kind, _i in sensors:
        by_kind.setdefault(kind, []).append((sid, code))
    best = None
    for kind, members in sorted(by_kind.items(), key=lambda kv: -len(kv[1])):
        rules = AlarmRule.objects.filter(enabled=True, kind="threshold").filter(
            Q(sensor_kind=kind) | Q(sensor__kind=kind)
        )
        up = [r for r in rules if r.op in (">", ">=") and r.threshold is not None]
        if not any(r.for_seconds == 0 for r in up) or len(members) < 4:
            continue
        thresholds = [float(r.threshold or 0.0) for r in up]
        top = max(thresholds)
        # Clearing: below every threshold and clear threshold of the kind.
        lows = thresholds + [float(r.clear_threshold) for r in up if r.clear_threshold is not None]
        profile = simulator.PROFILES.get(kind, simulator.PROFILES["other"])
        clear = min([profile.baseline, *[v * 0.5 for v in lows]])
        best = {
            "kind": kind,
            "sensors": members[: min(count, len(members) // 2)],
            "cross": top * 1.5 + 1.0,
            "clear": clear,
        }
        break
    return best


# --- counting ----------------------------------------------------------------------------------


def stored() -> int:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT COUNT(*) FROM monitoring_reading")
        return int(cur.fetchone()[0])


def _progress() -> int:
    """A cheap running count: the sensors' counters of stored readings (kept by the
    pipeline in the transaction that stores them)."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT COALESCE(SUM(reading_count), 0) FROM monitoring_sensor")
        return int(cur.fetchone()[0])


def steady_rate(
    warmup: float, duration: float, alive: Callable[[], bool] = lambda: True
) -> dict[str, Any]:
    """Readings stored per second over the window after `warmup`."""
    time.sleep(warmup)
    t0a = time.monotonic()
    c0 = stored()
    t0 = (t0a + time.monotonic()) / 2
    end = t0 + duration
    while time.monotonic() < end and alive():
        time.sleep(min(0.2, max(0.0, end - time.monotonic())))
    t1a = time.monotonic()
    c1 = stored()
    t1 = (t1a + time.monotonic()) / 2
    return {"stored": c1 - c0, "seconds": round(t1 - t0, 3), "rate": (c1 - c0) / (t1 - t0)}


class Pacer:
    """Keeps the load generators at most `lead` readings ahead of storage."""

    def __init__(self, lead: int) -> None:
        self.lead = lead
        self.allowed = mp.Value("q", lead)
        self.published = mp.Value("q", 0)
        self.stop = mp.Event()
        self._thread: threading.Thread | None = None
        self._done = threading.Event()

    def start(self) -> None:
        base = _progress()

        def loop() -> None:
            while not self._done.wait(0.05):
                with contextlib.suppress(Exception):
                    self.allowed.value = _progress() - base + self.lead
            from django.db import connection

            connection.close()

        self._thread = threading.Thread(target=loop, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self.stop.set()
        self._done.set()
        if self._thread is not None:
            self._thread.join(timeout=5)


# --- the floor ---------------------------------------------------------------------------------


def floor(n_rows: int, sensor_ids: list[int]) -> dict[str, Any]:
    """The same number of rows, same shape, through a plain executemany into the readings
    table (10,000 per transaction); the rows are deleted afterwards."""
    from django.db import connection, transaction

    n_rows = max(FLOOR_CHUNK, min(n_rows, 2_000_000))
    k = len(sensor_ids)
    rows = [(FLOOR_TS0 + i // k, sensor_ids[i % k], 20.0 + (i % 97) * 0.01) for i in range(n_rows)]
    # Each transaction's rows in key order (ts, sensor), as the pipeline writes its batches.
    for i in range(0, n_rows, FLOOR_CHUNK):
        rows[i : i + FLOOR_CHUNK] = sorted(rows[i : i + FLOOR_CHUNK])
    sql = "INSERT INTO monitoring_reading (ts, sensor_id, value) VALUES (%s, %s, %s)"
    started = time.perf_counter()
    for i in range(0, n_rows, FLOOR_CHUNK):
        with transaction.atomic(), connection.cursor() as cur:
            cur.executemany(sql, rows[i : i + FLOOR_CHUNK])
    took = time.perf_counter() - started
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("DELETE FROM monitoring_reading WHERE ts < %s", [FLOOR_TS0 + n_rows])
    return {"rows": n_rows, "seconds": round(took, 3), "rate": n_rows / took}


# --- load generators (separate processes) -------------------------------------------------------


def _values_for(kinds: list[str], seed: int) -> list[list[float]]:
    """Per sensor, 16 plausible quiet values (no rule fires on them)."""
    import numpy as np

    from . import simulator

    specs = [simulator.SensorSpec(f"s{i}", k) for i, k in enumerate(kinds)]
    sim = simulator.Simulator(specs, rate=1.0, seed=seed)
    rng = np.random.default_rng(seed)
    noise = rng.normal(0, 1, (len(kinds), 16)) * sim.noise[:, None] * 0.5
    vals = np.clip(sim.baseline[:, None] + noise, sim.low[:, None], sim.high[:, None])
    return [[round(float(v), 3) for v in row] for row in vals]


def _http_client(
    port: int,
    token: str,
    codes: list[str],
    values: list[list[float]],
    batch: int,
    pacer: tuple[Any, Any, Any],
    counts: Any,
) -> None:
    import orjson

    allowed, published, stop = pacer
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    n = len(codes)
    last = [0] * n
    k = 0
    while not stop.is_set():
        if published.value >= allowed.value:
            time.sleep(0.005)
            continue
        now = int(time.time() * 1000)
        items = []
        for _ in range(batch):
            i = k % n
            t = last[i] + 1 if last[i] >= now else now
            last[i] = t
            items.append({"sensor": codes[i], "ts": t, "value": values[i][k & 15]})
            k += 1
        body = orjson.dumps({"readings": items})
        with published.get_lock():
            published.value += batch
        conn.request("POST", "/api/v1/monitoring/readings", body=body, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        if resp.status != 200:
            sys.stderr.write(f"HTTP {resp.status}: {data[:300]!r}\n")
            time.sleep(0.5)
            continue
        with counts.get_lock():
            counts.value += int(orjson.loads(data).get("accepted", 0))
    conn.close()


def _publisher(
    port: int,
    client_id: str,
    codes: list[str],
    values: list[list[float]],
    per_message: int,
    pacer: tuple[Any, Any, Any],
    rate: float,
) -> None:
    """Publish QoS 1 messages of `per_message` readings round the sensors, as fast as the
    pacer allows, or at `rate` readings/s when given."""
    from .mqttkit import RawPublisher

    allowed, published, stop = pacer
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    pub = RawPublisher("127.0.0.1", port, client_id)
    topics = [f"{TOPIC_ROOT}/{c}".encode() for c in codes]
    n = len(codes)
    last = [0] * n
    k = 0
    burst = max(1, 20_000 // per_message)
    started = time.monotonic()
    sent = 0
    try:
        while not stop.is_set():
            if rate:
                due = int((time.monotonic() - started) * rate) - sent
                if due < per_message:
                    time.sleep(0.002)
                    continue
                count = max(1, min(burst, due // per_message))
            else:
                if published.value >= allowed.value:
                    time.sleep(0.002)
                    continue
                count = burst
            now = int(time.time() * 1000)
            msgs = []
            for _ in range(count):
                i = k % n
                k += 1
                t = last[i] + 1 if last[i] >= now else now
                last[i] = t + per_message - 1
                vals = values[i]
                parts = [
                    b'{"ts":%d,"value":%r}' % (t + j, vals[(k + j) & 15])
                    for j in range(per_message)
                ]
                msgs.append((topics[i], b"[" + b",".join(parts) + b"]"))
            pub.publish_many(msgs)
            sent += count * per_message
            with published.get_lock():
                published.value += count * per_message
        pub.wait_acked(10)
    finally:
        pub.close()


def _prober(
    port: int,
    probes: list[str],
    cross: float,
    clear: float,
    per_s: float,
    stop: Any,
    sent: Any,
    delay: float,
) -> None:
    """Every 1/per_s s, a reading past the threshold on the next probe sensor (its
    timestamp: the publish time), and 300 ms later one that clears it."""
    from .mqttkit import RawPublisher

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    pub = RawPublisher("127.0.0.1", port, f"bench-prober-{os.getpid()}")
    stop.wait(delay)
    topics = [f"{TOPIC_ROOT}/{c}".encode() for c in probes]
    pending: list[tuple[float, int, int]] = []  # (when, sensor index, ts of the probe)
    i = 0
    period = 1.0 / per_s
    next_at = time.monotonic()
    try:
        while not stop.is_set():
            now = time.monotonic()
            while pending and pending[0][0] <= now:
                _w, j, t = pending.pop(0)
                pub.publish_many([(topics[j], b'{"ts":%d,"value":%r}' % (t + 300, clear))])
            if now >= next_at:
                j = i % len(topics)
                i += 1
                t = int(time.time() * 1000)
                pub.publish_many([(topics[j], b'{"ts":%d,"value":%r}' % (t, cross))])
                with sent.get_lock():
                    sent.value += 1
                pending.append((now + 0.3, j, t))
                next_at += period
            time.sleep(0.001)
        pub.wait_acked(5)
    finally:
        pub.close()


# --- processes: server, worker ------------------------------------------------------------------


def _spawn(args: list[str], log: Path) -> subprocess.Popen[bytes]:
    out = open(log, "ab")  # noqa: SIM115 - handed to the child
    return subprocess.Popen(
        [sys.executable, "-m", "cityguard.cli", *args],
        stdout=out,
        stderr=subprocess.STDOUT,
        env=dict(os.environ),
        start_new_session=True,
    )


def _end(proc: subprocess.Popen[bytes] | None) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _wait_http(port: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/api/v1/monitoring/stats")
            conn.getresponse().read()
            conn.close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the web server did not start")


def _wait_subscribed(port: int, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the ingest worker exited; see {log}")
        if log.exists() and b"connected to" in log.read_bytes():
            time.sleep(0.3)  # the SUBSCRIBE follows the CONNACK
            return
        time.sleep(0.1)
    raise RuntimeError(f"the ingest worker did not connect; see {log}")


# --- scenarios ---------------------------------------------------------------------------------


def run_direct(args: argparse.Namespace, data: dict[str, Any]) -> dict[str, Any]:
    from . import pipeline

    sensors = data["sensors"]
    codes = [s[1] for s in sensors]
    values = _values_for([s[2] for s in sensors], args.seed)
    n = len(codes)
    last = [0] * n
    k = 0
    profiler = cProfile.Profile() if args.profile else None
    total = 0
    started = time.perf_counter()
    end = started + args.warmup + args.duration
    timed_from = started + args.warmup
    timed = 0
    timed_s = 0.0
    while time.perf_counter() < end:
        now = int(time.time() * 1000)
        items = []
        for _ in range(args.http_batch):
            i = k % n
            t = last[i] + 1 if last[i] >= now else now
            last[i] = t
            items.append({"sensor": codes[i], "ts": t, "value": values[i][k & 15]})
            k += 1
        t0 = time.perf_counter()
        if profiler is not None and t0 >= timed_from:
            profiler.enable()
        result = pipeline.ingest(items, source="simulator")
        if profiler is not None:
            profiler.disable()
        t1 = time.perf_counter()
        total += result.accepted
        if t0 >= timed_from:
            timed += result.accepted
            timed_s += t1 - t0
    out: dict[str, Any] = {
        "stored": timed,
        "seconds": round(timed_s, 3),
        "rate": timed / timed_s if timed_s else 0.0,
        "note": "pipeline.ingest time only (no transport), batches of %d" % args.http_batch,
    }
    if profiler is not None:
        out["note"] += "; under cProfile (--profile), which slows it down"
        buf = io.StringIO()
        pstats.Stats(profiler, stream=buf).sort_stats("cumulative").print_stats(25)
        out["profile"] = buf.getvalue()
    return out


def run_http(args: argparse.Namespace, data: dict[str, Any], logs: Path) -> dict[str, Any]:
    from django.db import connection

    from .mqttkit import free_port

    port = free_port()
    log = logs / "bench-ingest-web.log"
    server = _spawn(
        ["serve", "--host", "127.0.0.1", "--port", str(port), "--no-collectstatic"], log
    )
    procs: list[Any] = []
    pacer = Pacer(args.lead)
    try:
        _wait_http(port)
        sensors = data["sensors"]
        codes = [s[1] for s in sensors]
        values = _values_for([s[2] for s in sensors], args.seed)
        counts = mp.Value("q", 0)
        connection.close()  # never carry a database connection across fork
        ctx = mp.get_context("fork")
        c = args.http_clients
        for j in range(c):
            p = ctx.Process(
                target=_http_client,
                args=(
                    port,
                    data["token"],
                    codes[j::c],
                    values[j::c],
                    args.http_batch,
                    (pacer.allowed, pacer.published, pacer.stop),
                    counts,
                ),
                daemon=True,
            )
            p.start()
            procs.append(p)
        pacer.start()
        window = steady_rate(args.warmup, args.duration, lambda: server.poll() is None)
        window["accepted_by_api"] = counts.value
    finally:
        pacer.close()
        for p in procs:
            p.join(timeout=60)
            if p.is_alive():
                p.terminate()
        _end(server)
    window["batch"] = args.http_batch
    window["clients"] = args.http_clients
    return window


def _worker(args: argparse.Namespace, url: str, logs: Path, tag: str) -> tuple[Any, Path]:
    log = logs / f"bench-ingest-worker-{tag}.log"
    log.unlink(missing_ok=True)
    proc = _spawn(
        [
            "ingest",
            "--url",
            url,
            "--topic-root",
            TOPIC_ROOT,
            "--client-id",
            f"bench-ingest-{os.getpid()}-{tag}",
            "--batch-size",
            str(args.batch_size),
            "--batch-ms",
            str(args.batch_ms),
            "--log-every",
            "5",
        ],
        log,
    )
    return proc, log


def run_mqtt(
    args: argparse.Namespace,
    data: dict[str, Any],
    broker_url: str,
    port: int,
    per_message: int,
    logs: Path,
) -> dict[str, Any]:
    from django.db import connection

    worker, log = _worker(args, broker_url, logs, f"mqtt{per_message}")
    pacer = Pacer(args.lead)
    procs: list[Any] = []
    try:
        _wait_subscribed(port, worker, log)
        sensors = data["sensors"]
        codes = [s[1] for s in sensors]
        values = _values_for([s[2] for s in sensors], args.seed)
        connection.close()  # never carry a database connection across fork
        ctx = mp.get_context("fork")
        p_count = args.publishers
        for j in range(p_count):
            p = ctx.Process(
                target=_publisher,
                args=(
                    port,
                    f"bench-pub-{os.getpid()}-{per_message}-{j}",
                    codes[j::p_count],
                    values[j::p_count],
                    per_message,
                    (pacer.allowed, pacer.published, pacer.stop),
                    0.0,
                ),
                daemon=True,
            )
            p.start()
            procs.append(p)
        pacer.start()
        window = steady_rate(args.warmup, args.duration, lambda: worker.poll() is None)
    finally:
        pacer.close()
        for p in procs:
            p.join(timeout=30)
            if p.is_alive():
                p.terminate()
        _end(worker)
    window["per_message"] = per_message
    window["publishers"] = args.publishers
    window["messages_per_s"] = window["rate"] / per_message
    return window


def run_latency(
    args: argparse.Namespace,
    data: dict[str, Any],
    broker_url: str,
    port: int,
    background_rate: float,
    logs: Path,
) -> dict[str, Any]:
    import numpy as np
    from django.db import connection

    plan = probe_plan(data["sensors"], count=max(20, int(args.probes_per_s * 5)))
    if plan is None:
        return {"error": "no threshold rule with for_seconds 0 on a kind with sensors"}
    probe_codes = [c for _sid, c in plan["sensors"]]
    probe_ids = {sid for sid, _c in plan["sensors"]}
    background = [s for s in data["sensors"] if s[0] not in probe_ids]
    worker, log = _worker(args, broker_url, logs, "latency")
    ctx = mp.get_context("fork")
    stop = ctx.Event()
    sent = ctx.Value("q", 0)
    procs: list[Any] = []
    seen: dict[int, float] = {}
    first_ts: dict[int, int] = {}
    watching = threading.Event()
    try:
        _wait_subscribed(port, worker, log)
        with connection.cursor() as cur:
            cur.execute("SELECT COALESCE(MAX(id), 0) FROM monitoring_alarm")
            start_id = int(cur.fetchone()[0])

        def watch() -> None:
            last = start_id
            period = args.poll_ms / 1000.0
            ids = tuple(probe_ids)
            placeholders = ",".join(["%s"] * len(ids))
            sql = (
                "SELECT id, first_ts FROM monitoring_alarm WHERE id > %s "
                f"AND sensor_id IN ({placeholders}) ORDER BY id"
            )
            while not watching.is_set():
                with connection.cursor() as cur:
                    cur.execute(sql, [last, *ids])
                    rows = cur.fetchall()
                now = time.time() * 1000.0
                for aid, fts in rows:
                    seen[int(aid)] = now
                    first_ts[int(aid)] = int(fts) if fts is not None else 0
                    last = max(last, int(aid))
                time.sleep(period)
            connection.close()

        values = _values_for([s[2] for s in background], args.seed)
        codes = [s[1] for s in background]
        connection.close()  # never carry a database connection across fork
        unlimited = (ctx.Value("q", 1 << 62), ctx.Value("q", 0), stop)
        p_count = args.publishers
        for j in range(p_count):
            p = ctx.Process(
                target=_publisher,
                args=(
                    port,
                    f"bench-bg-{os.getpid()}-{j}",
                    codes[j::p_count],
                    values[j::p_count],
                    3,
                    unlimited,
                    background_rate / p_count,
                ),
                daemon=True,
            )
            p.start()
            procs.append(p)
        probe = ctx.Process(
            target=_prober,
            args=(
                port,
                probe_codes,
                plan["cross"],
                plan["clear"],
                args.probes_per_s,
                stop,
                sent,
                args.warmup,
            ),
            daemon=True,
        )
        probe.start()
        procs.append(probe)
        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        time.sleep(args.warmup)
        c0, t0 = stored(), time.monotonic()
        time.sleep(args.latency_duration)
        c1, t1 = stored(), time.monotonic()
        stop.set()
        time.sleep(1.0)  # the last probes' alarms
    finally:
        stop.set()
        for p in procs:
            p.join(timeout=30)
            if p.is_alive():
                p.terminate()
        watching.set()
        _end(worker)
    lat = np.array([seen[a] - first_ts[a] for a in seen if first_ts[a]], dtype=float)
    out: dict[str, Any] = {
        "background_target": round(background_rate),
        "background_stored_rate": (c1 - c0) / (t1 - t0),
        "probe_kind": plan["kind"],
        "probe_value": plan["cross"],
        "probes_sent": sent.value,
        "alarms_seen": int(lat.size),
        "poll_ms": args.poll_ms,
    }
    if lat.size:
        out.update(
            p50_ms=float(np.percentile(lat, 50)),
            p95_ms=float(np.percentile(lat, 95)),
            p99_ms=float(np.percentile(lat, 99)),
            max_ms=float(lat.max()),
        )
    return out


# --- the run -----------------------------------------------------------------------------------


def run_here(args: argparse.Namespace) -> dict[str, Any]:
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from .mqtt import parse_url
    from .mqttkit import LocalBroker

    logs = Path(settings.VAR_DIR)
    logs.mkdir(parents=True, exist_ok=True)
    call_command("migrate", interactive=False, verbosity=0)
    print("loading the demo district and sensors…", flush=True)
    data = prepare(args.sensors, args.seed, args.demo_scale)
    sensor_ids = [s[0] for s in data["sensors"]]
    report: dict[str, Any] = {
        "benchmark": "ingest",
        "database": connection.vendor,
        "sensors": len(data["sensors"]),
        "rules": data["rules"],
        "prepare_s": data["prepare_s"],
        "quick": args.quick,
        "duration_s": args.duration,
        "targets": TARGETS,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "scenarios": {},
    }
    scenarios: dict[str, Any] = report["scenarios"]
    connection.close()

    def with_floor(name: str, result: dict[str, Any]) -> None:
        if "stored" in result:
            result["floor"] = floor(max(result["stored"], 1), sensor_ids)
            result["ratio_to_floor"] = result["rate"] / result["floor"]["rate"]
        scenarios[name] = result
        print(_line(name, result), flush=True)

    if "direct" in args.only:
        with_floor("direct", run_direct(args, data))
    if "http" in args.only:
        with_floor("http", run_http(args, data, logs))
    broker = None
    try:
        if {"mqtt3", "mqtt50", "latency"} & set(args.only):
            if args.mqtt_url:
                broker_url = args.mqtt_url
                port = parse_url(broker_url).port
            else:
                broker = LocalBroker().start()
                broker_url, port = broker.url, broker.port
            report["broker"] = "given" if args.mqtt_url else "own mosquitto"
        for per_message in (3, 50):
            name = f"mqtt{per_message}"
            if name in args.only:
                with_floor(name, run_mqtt(args, data, broker_url, port, per_message, logs))
        if "latency" in args.only:
            best = scenarios.get("mqtt3", {}).get("rate") or TARGETS["mqtt3"]
            result = run_latency(args, data, broker_url, port, best / 2, logs)
            scenarios["latency"] = result
            print(_line("latency", result), flush=True)
    finally:
        if broker is not None:
            broker.close()
    print(format_report(report), flush=True)
    output = Path(args.output or logs / "bench-ingest.json")
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"report written to {output}", flush=True)
    return report


def _line(name: str, r: dict[str, Any]) -> str:
    if name == "latency":
        if "p99_ms" not in r:
            return f"latency: {r.get('error') or 'no alarm seen'}"
        return (
            f"latency: p50 {r['p50_ms']:.0f} ms, p95 {r['p95_ms']:.0f} ms, p99 {r['p99_ms']:.0f} ms "
            f"({r['alarms_seen']} alarms, background {r['background_stored_rate']:,.0f}/s)"
        )
    fl = r.get("floor", {})
    return (
        f"{name}: {r['rate']:,.0f} readings/s stored (floor {fl.get('rate', 0):,.0f}/s, "
        f"ratio {r.get('ratio_to_floor', 0):.2f})"
    )


def format_report(report: dict[str, Any]) -> str:
    s = report["scenarios"]
    lines = [
        f"ingest benchmark — {report['database']}, {report['sensors']} sensors, "
        f"{report['rules']} rules, {report['machine']['cpus']} CPUs",
        f"{'scenario':<10} {'readings/s':>12} {'floor/s':>12} {'ratio':>7} {'target':>10}",
    ]
    for name in ("direct", "http", "mqtt3", "mqtt50"):
        if name in s and "rate" in s[name]:
            r = s[name]
            target = TARGETS.get(name)
            lines.append(
                f"{name:<10} {r['rate']:>12,.0f} {r['floor']['rate']:>12,.0f} "
                f"{r['ratio_to_floor']:>7.2f} {(f'{target:,.0f}' if target else '—'):>10}"
            )
    lat = s.get("latency")
    if lat and "p99_ms" in lat:
        lines.append(
            f"latency    p99 {lat['p99_ms']:.0f} ms (p50 {lat['p50_ms']:.0f}, target "
            f"{TARGETS['latency_p99_ms']:.0f}) at {lat['background_stored_rate']:,.0f} readings/s"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cityguard.settings")
    django.setup()
    main(sys.argv[1:])
