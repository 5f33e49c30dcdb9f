"""Reliability of the MQTT door against the real Mosquitto broker.

The ingestion worker runs as a subprocess (`cityguard ingest`) on a temporary SQLite file
(migrated once per session, copied for each test), against a private broker on a free port
with a topic root and client ids unique to the test, so parallel test workers and a
developer's own worker never interfere. Every QoS 1 reading must end up stored exactly
once: after a kill -9 of the worker, after a broker restart, and split between two workers
of a shared subscription; bad input ends in the dead-letter store without stopping the
worker or losing the good readings of the same message.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cityguard.monitoring import mqttkit

pytestmark = [
    pytest.mark.mqtt,
    # Asks pytest-django for the (migrated) test database, whose schema the template copies.
    pytest.mark.django_db,
    pytest.mark.skipif(
        mqttkit.mosquitto_binary() is None,
        reason="the Mosquitto broker binary is not installed (apt-get install mosquitto)",
    ),
]

SENSORS = [f"REL-{i}" for i in range(6)]
SETUP = """
from cityguard import testing
from cityguard.core.choices import Role
from cityguard.monitoring import services
district = testing.make_district()
admin = testing.make_user("rel-admin", Role.DISTRICT_ADMIN)
for code in CODES:
    services.save_sensor(admin, {"code": code, "kind": "combustible_gas", "unit": "%LEL",
                                 "lon": 121.51, "lat": 31.27, "expected_interval_s": 60})
services.save_rule(admin, {"name": "LEL high", "sensor_kind": "combustible_gas",
                           "severity": "major", "condition": {"op": ">=", "value": 25}})
"""


def _env(db: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"sqlite:///{db}",
        DJANGO_SETTINGS_MODULE="cityguard.settings",
        CITYGUARD_LOG_LEVEL="INFO",
        **extra,
    )
    env.pop("MQTT_URL", None)
    return env


@pytest.fixture(scope="session")
def template_db(
    django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: Any
) -> Iterator[Path]:
    """A SQLite file with the schema (copied from the migrated test database, so nothing is
    migrated twice), a district, six combustible-gas sensors and a rule."""
    from django.db import connection

    folder = tmp_path_factory.mktemp("mqtt-db")
    db = folder / "template.sqlite3"
    with django_db_blocker.unblock():
        if connection.vendor != "sqlite":
            pytest.skip("the MQTT reliability tests run once, on SQLite")
        connection.ensure_connection()
        target = sqlite3.connect(db)
        connection.connection.backup(target)
        target.close()
    script = "import django; django.setup()\nCODES = %r\n%s" % (SENSORS, SETUP)
    subprocess.run([sys.executable, "-c", script], env=_env(db), check=True)
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    yield db
    shutil.rmtree(folder, ignore_errors=True)


class Setup:
    """One test's database copy, broker, topic root and workers."""

    def __init__(self, template: Path, folder: Path, broker: mqttkit.LocalBroker) -> None:
        self.db = folder / "db.sqlite3"
        shutil.copy(template, self.db)
        self.folder = folder
        self.broker = broker
        self.tag = uuid.uuid4().hex[:10]
        self.root = f"rel-{self.tag}"
        self.workers: list[subprocess.Popen[bytes]] = []
        self.logs: list[Path] = []

    def worker(self, name: str = "w1", *extra: str) -> subprocess.Popen[bytes]:
        log = self.folder / f"worker-{name}-{len(self.workers)}.log"
        out = open(log, "ab")  # noqa: SIM115 - the child writes it
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "cityguard.cli",
                "ingest",
                "--url",
                self.broker.url,
                "--client-id",
                f"{self.root}-{name}",
                "--batch-ms",
                "20",
                "--batch-size",
                "500",
                *extra,
            ],
            env=_env(self.db, CITYGUARD_MQTT_TOPIC=self.root),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        out.close()
        self.workers.append(proc)
        self.logs.append(log)
        self.wait_log(log, "connected to", proc)
        return proc

    def wait_log(self, log: Path, text: str, proc: Any, count: int = 1) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if log.exists() and log.read_text(errors="replace").count(text) >= count:
                time.sleep(0.2)  # the subscription follows the connection
                return
            if proc.poll() is not None:
                pytest.fail(f"the worker exited: {log.read_text(errors='replace')}")
            time.sleep(0.05)
        pytest.fail(f"no {text!r} in the worker's log: {log.read_text(errors='replace')}")

    def publisher(self, name: str = "p") -> mqttkit.RawPublisher:
        return mqttkit.RawPublisher("127.0.0.1", self.broker.port, f"{self.root}-{name}")

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        with sqlite3.connect(self.db, timeout=30) as conn:
            return conn.execute(sql).fetchall()

    def count(self) -> tuple[int, int]:
        ((n, distinct),) = self.query(
            "SELECT COUNT(*), COUNT(DISTINCT sensor_id || ':' || ts) FROM monitoring_reading"
        )
        return int(n), int(distinct)

    def wait_count(self, n: int, timeout: float = 30.0) -> tuple[int, int]:
        deadline = time.monotonic() + timeout
        got = self.count()
        while got[0] < n and time.monotonic() < deadline:
            time.sleep(0.1)
            got = self.count()
        time.sleep(0.3)  # nothing more arrives after the last one
        return self.count()

    def close(self) -> None:
        for proc in self.workers:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


@pytest.fixture
def setup(template_db: Path, tmp_path: Path) -> Iterator[Setup]:
    broker = mqttkit.LocalBroker(persistence=True, directory=str(tmp_path / "broker"))
    (tmp_path / "broker").mkdir()
    broker.start()
    s = Setup(template_db, tmp_path, broker)
    try:
        yield s
    finally:
        s.close()
        broker.close()


def _messages(root: str, n: int, per: int = 3, t0: int | None = None) -> list[tuple[bytes, bytes]]:
    """n messages of `per` readings round the sensors, each (sensor, ts) distinct."""
    t0 = t0 or int(time.time() * 1000) - 3_600_000
    out = []
    for k in range(n):
        code = SENSORS[k % len(SENSORS)]
        base = t0 + (k // len(SENSORS)) * per
        items = [{"ts": base + j, "value": 1.0 + (k % 7) * 0.1} for j in range(per)]
        out.append((f"{root}/{code}".encode(), json.dumps(items).encode()))
    return out


def _stopped_line(log: Path) -> dict[str, int]:
    """The worker's last words: 'stopped: M messages, A readings accepted, D duplicates…'."""
    text = log.read_text(errors="replace")
    line = [x for x in text.splitlines() if x.startswith("stopped:")][-1]
    words = line.replace(",", "").split()
    return {"messages": int(words[1]), "accepted": int(words[3]), "duplicates": int(words[6])}


def test_kill_9_mid_stream_loses_nothing_and_stores_once(setup: Setup) -> None:
    messages = _messages(setup.root, 3000)
    total = 3 * len(messages)
    worker = setup.worker()
    pub = setup.publisher()
    done = threading.Event()

    def publish() -> None:
        # Paced over more than a second, so that the kill (at a fifth) lands mid-stream
        # however fast the worker stores what has arrived.
        for i in range(0, len(messages), 50):
            pub.publish_many(messages[i : i + 50])
            time.sleep(0.02)
        pub.wait_acked()
        done.set()

    thread = threading.Thread(target=publish)
    thread.start()
    deadline = time.monotonic() + 30
    while setup.count()[0] < total // 5 and time.monotonic() < deadline:
        time.sleep(0.02)
    before = setup.count()[0]
    worker.send_signal(signal.SIGKILL)  # no chance to acknowledge or flush anything
    worker.wait()
    assert 0 < before < total, "the kill must land mid-stream"
    thread.join()
    assert done.is_set()
    setup.worker("w1")  # the same client id: the persistent session resumes
    n, distinct = setup.wait_count(total)
    pub.close()
    assert (n, distinct) == (total, total)


def test_broker_restart_mid_stream_worker_reconnects_and_resumes(setup: Setup) -> None:
    messages = _messages(setup.root, 1200)
    total = 3 * len(messages)
    worker = setup.worker()
    pub = setup.publisher("a")
    pub.publish_many(messages[:600])
    assert pub.wait_acked()
    pub.close()
    setup.broker.restart(down_s=1.0)  # SIGTERM: Mosquitto saves the sessions and queues
    pub = setup.publisher("b")
    pub.publish_many(messages[600:])
    assert pub.wait_acked()
    n, distinct = setup.wait_count(total)
    pub.close()
    assert (n, distinct) == (total, total)
    assert worker.poll() is None, "the worker survived the broker's restart"
    setup.wait_log(setup.logs[0], "connected to", worker, count=2)


def test_bad_input_becomes_dead_letters_and_keeps_good_readings(setup: Setup) -> None:
    worker = setup.worker()
    root = setup.root
    now = int(time.time() * 1000)
    good = {"ts": now - 60_000, "value": 3.5}
    mixed = (
        "["
        + ",".join(
            [
                json.dumps({"ts": now - 50_000, "value": 1.5}),
                json.dumps({"ts": now - 49_000, "value": None}),
                json.dumps({"ts": now - 48_000, "value": True}),
                json.dumps({"ts": "yesterday", "value": 2.0}),
                json.dumps({"ts": now - 47_000, "value": "high"}),
                json.dumps({"ts": now - 46_000, "value": [1, 2]}),
                json.dumps({"ts": now + 86_400_000, "value": 1.0}),
                json.dumps({"ts": now - 45_000, "value": 2.5}),
            ]
        )
        + "]"
    )
    listed = json.dumps(
        [
            {"sensor": SENSORS[1], "ts": now - 40_000, "value": 1.2},
            {"sensor": "NO-SUCH-SENSOR", "ts": now - 40_000, "value": 1.2},
            {"ts": now - 39_000, "value": 1.2},
        ]
    )
    messages = [
        (f"{root}/{SENSORS[0]}", json.dumps(good)),
        (f"{root}/{SENSORS[0]}", "{not json"),
        (f"{root}/NO-SUCH-SENSOR", json.dumps(good)),
        (f"{root}/{SENSORS[2]}", mixed),
        (root, listed),
        (f"{root}/{SENSORS[3]}", json.dumps([{"ts": now, "value": 1.0, "pad": "x" * 300_000}])),
        (f"{root}/{SENSORS[4]}", b"\xff\xfe not text"),
    ]
    pub = setup.publisher()
    pub.publish_many([(t.encode(), p if isinstance(p, bytes) else p.encode()) for t, p in messages])
    assert pub.wait_acked()
    # Then a good message: once it is stored, everything before it was handled.
    pub.publish_many([(f"{root}/{SENSORS[5]}".encode(), json.dumps(good).encode())])
    assert pub.wait_acked()
    pub.close()
    n, _d = setup.wait_count(5)
    assert n == 5  # good, the two good ones of `mixed`, the listed one, the last
    assert worker.poll() is None, "bad input never stops the worker"
    stored = {
        (code, value)
        for code, value in setup.query(
            "SELECT s.code, r.value FROM monitoring_reading r "
            "JOIN monitoring_sensor s ON s.id = r.sensor_id"
        )
    }
    assert stored == {
        (SENSORS[0], 3.5),
        (SENSORS[2], 1.5),
        (SENSORS[2], 2.5),
        (SENSORS[1], 1.2),
        (SENSORS[5], 3.5),
    }
    dead = setup.query(
        'SELECT topic, sensor_code, "index", reason, payload FROM monitoring_deadletter'
    )
    assert all(reason.strip() for _t, _c, _i, reason, _p in dead), "every one has a reason"
    by_topic: dict[str, list[Any]] = {}
    for topic, code, index, reason, payload in dead:
        by_topic.setdefault(topic, []).append((code, index, reason, payload))
    assert len(by_topic[f"{root}/{SENSORS[0]}"]) == 1  # the bad JSON
    assert by_topic[f"{root}/{SENSORS[0]}"][0][3] == "{not json"  # raw payload kept
    assert len(by_topic[f"{root}/NO-SUCH-SENSOR"]) == 1
    # No value, a boolean, a text time, a text value, a list value, a time a day ahead.
    assert sorted(i for _c, i, _r, _p in by_topic[f"{root}/{SENSORS[2]}"]) == [1, 2, 3, 4, 5, 6]
    assert sorted(i for _c, i, _r, _p in by_topic[root]) == [1, 2]
    assert len(by_topic[f"{root}/{SENSORS[3]}"]) == 1  # oversized
    assert len(by_topic[f"{root}/{SENSORS[4]}"]) == 1  # not UTF-8
    reasons = {r for rows in by_topic.values() for _c, _i, r, _p in rows}
    assert len(reasons) >= 6, "the reasons say what was wrong, not one message for all"


def test_nan_and_infinity_are_dead_letters_and_the_rest_of_the_message_is_kept(
    setup: Setup,
) -> None:
    """Devices written in C or JavaScript send NaN and Infinity as bare JSON words."""
    worker = setup.worker()
    now = int(time.time() * 1000)
    payload = (
        '[{"ts": %d, "value": 1.5}, {"ts": %d, "value": NaN}, {"ts": %d, "value": Infinity},'
        ' {"ts": %d, "value": -Infinity}, {"ts": %d, "value": 2.5}]'
        % (now - 5000, now - 4000, now - 3000, now - 2000, now - 1000)
    )
    pub = setup.publisher()
    pub.publish_many([(f"{setup.root}/{SENSORS[0]}".encode(), payload.encode())])
    pub.publish_many([(f"{setup.root}/{SENSORS[1]}".encode(), b'{"ts": %d, "value": 1}' % now)])
    assert pub.wait_acked()
    pub.close()
    _n, _d = setup.wait_count(3, timeout=10)
    assert worker.poll() is None
    values = sorted(v for (v,) in setup.query("SELECT value FROM monitoring_reading"))
    assert values == [1.0, 1.5, 2.5]
    dead = setup.query('SELECT "index", reason FROM monitoring_deadletter ORDER BY "index"')
    assert [i for i, _r in dead] == [1, 2, 3]
    assert all(r.strip() for _i, r in dead)


def test_shared_subscription_splits_the_stream_between_two_workers(setup: Setup) -> None:
    group = f"g{setup.tag}"
    w1 = setup.worker("s1", "--shared", group)
    w2 = setup.worker("s2", "--shared", group)
    messages = _messages(setup.root, 900)
    total = 3 * len(messages)
    pub = setup.publisher()
    for i in range(0, len(messages), 60):
        pub.publish_many(messages[i : i + 60])
        time.sleep(0.005)
    assert pub.wait_acked()
    pub.close()
    n, distinct = setup.wait_count(total)
    assert (n, distinct) == (total, total)
    for proc in (w1, w2):
        proc.send_signal(signal.SIGTERM)  # graceful: finish, acknowledge, disconnect
    for proc in (w1, w2):
        assert proc.wait(timeout=20) == 0
    one, two = (_stopped_line(log) for log in setup.logs)
    assert one["messages"] > 0 and two["messages"] > 0, "both workers took a share"
    assert one["messages"] + two["messages"] == len(messages), "each message went to one"
    assert one["accepted"] + two["accepted"] == total
