"""The ingestion worker in-process, with a stand-in for the pipeline: batching, acks only
after a commit, retry after a failure, the connection generation, both MQTT clients."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import pytest

from cityguard.monitoring import mqtt, mqttkit

no_broker = pytest.mark.skipif(
    mqttkit.mosquitto_binary() is None, reason="the Mosquitto broker binary is not installed"
)


def test_parse_url() -> None:
    a = mqtt.parse_url("mqtt://user:p%40ss@broker.local:1884")
    assert (a.host, a.port, a.username, a.password, a.tls) == (
        "broker.local",
        1884,
        "user",
        "p@ss",
        False,
    )
    assert mqtt.parse_url("mqtts://h").port == 8883 and mqtt.parse_url("mqtts://h").tls
    assert mqtt.parse_url("127.0.0.1").port == 1883
    for bad in ("", "http://h", "mqtt://", "mqtt://h:notaport"):
        with pytest.raises(ValueError):
            mqtt.parse_url(bad)


def test_subscriptions_plain_and_shared() -> None:
    assert mqtt.subscriptions("readings") == ["readings/+", "readings"]
    assert mqtt.subscriptions("/site/readings/", "g1") == [
        "$share/g1/site/readings/+",
        "$share/g1/site/readings",
    ]
    assert mqtt.default_client_id("g1").endswith("-g1")


def test_connect_packet_asks_for_a_persistent_session_and_a_wide_window() -> None:
    options = mqtt.WorkerOptions(url="mqtt://u:pw@h:1", receive_maximum=50000)
    t = mqtt.FastTransport(options, "cid", lambda *a: None)
    packet = t._connect_packet()
    assert packet[0] == 0x10
    flags = packet[packet.index(b"MQTT") + 5]
    assert flags & 0x02 == 0  # clean start off
    assert flags & 0xC0 == 0xC0  # user name and password
    assert b"\x21" + (50000).to_bytes(2, "big") in packet  # receive maximum
    assert b"\x11" + options.session_expiry_s.to_bytes(4, "big") in packet


def test_acks_name_only_messages_of_the_live_connection() -> None:
    sent: list[bytes] = []
    t = mqtt.FastTransport(mqtt.WorkerOptions(url="mqtt://h"), "cid", lambda *a: None)
    t.sock = object()  # type: ignore[assignment]
    t._send = sent.append  # type: ignore[method-assign]
    t.generation = 3
    batch = [(3, 7, 1, "r/a", b"", 0.0), (2, 8, 1, "r/a", b"", 0.0), (3, 9, 0, "r/a", b"", 0.0)]
    assert t.ack(batch) == 1  # gen 2 is a lost connection; QoS 0 needs no ack
    assert sent == [b"\x40\x02\x00\x07"]
    t.sock = None
    assert t.ack(batch) == 0


class Recorder:
    """Stands in for pipeline.ingest_mqtt; fails the first `fail` calls."""

    def __init__(self, fail: int = 0) -> None:
        self.fail = fail
        self.calls = 0
        self.batches: list[list[tuple[str, bytes]]] = []
        self.lock = threading.Lock()

    def __call__(self, messages: list[tuple[str, bytes]], root: str) -> list[Any]:
        with self.lock:
            self.calls += 1
            if self.calls <= self.fail:
                raise RuntimeError("database is locked")
            self.batches.append(list(messages))
        return []

    @property
    def messages(self) -> list[tuple[str, bytes]]:
        return [m for b in self.batches for m in b]


def _run_worker(broker: mqttkit.LocalBroker, rec: Recorder, **options: Any) -> Any:
    options.setdefault("batch_ms", 20)
    opts = mqtt.WorkerOptions(
        url=broker.url,
        root="t",
        client_id=f"w-{time.monotonic_ns()}",
        retry_pause_s=0.05,
        **options,
    )
    worker = mqtt.IngestWorker(opts, ingest=rec)
    thread = threading.Thread(target=worker.run, daemon=True)
    thread.start()
    assert worker.transport.connected.wait(10)
    time.sleep(0.2)
    return worker, thread


def _wait(pred: Any, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not pred() and time.monotonic() < deadline:
        time.sleep(0.02)


@pytest.mark.parametrize("client", ["fast", "paho"])
@pytest.mark.mqtt
@no_broker
def test_batches_are_acked_after_commit_and_retried_after_a_failure(client: str) -> None:
    with mqttkit.LocalBroker() as broker:
        rec = Recorder(fail=2)
        worker, thread = _run_worker(broker, rec, client=client, batch_size=100)
        pub = mqttkit.RawPublisher("127.0.0.1", broker.port, "pub")
        msgs = [
            (b"t/S%d" % (i % 5), json.dumps({"ts": i, "value": 1}).encode()) for i in range(250)
        ]
        pub.publish_many(msgs)
        assert pub.wait_acked()
        _wait(lambda: len(rec.messages) >= 250)
        worker.stop()
        thread.join(10)
        pub.close()
        assert worker.totals.failures == 2  # two failed attempts, retried, not acknowledged
        assert sorted(rec.messages) == sorted((t.decode(), p) for t, p in msgs)
        assert all(len(b) <= 100 for b in rec.batches)
        # A new session with the same id: with our client nothing was left un-acknowledged;
        # paho's manual acks may not all reach the broker before it disconnects, so some
        # messages can come again (the pipeline's de-duplication stores them once).
        rec2 = Recorder()
        again = mqtt.IngestWorker(
            mqtt.WorkerOptions(
                url=broker.url, root="t", client_id=worker.client_id, batch_ms=20, client=client
            ),
            ingest=rec2,
        )
        t2 = threading.Thread(target=again.run, daemon=True)
        t2.start()
        assert again.transport.connected.wait(10)
        time.sleep(0.5)
        again.stop()
        t2.join(10)
        if client == "fast":
            assert rec2.messages == []
        else:
            assert set(rec2.messages) <= {(t.decode(), p) for t, p in msgs}


@pytest.mark.mqtt
@no_broker
def test_unacknowledged_messages_come_back_to_the_same_client_id() -> None:
    with mqttkit.LocalBroker() as broker:
        rec = Recorder(fail=10**6)  # the database never commits
        worker, thread = _run_worker(broker, rec, batch_size=50)
        pub = mqttkit.RawPublisher("127.0.0.1", broker.port, "pub")
        pub.publish_many([(b"t", b'[{"sensor": "A", "ts": 1, "value": 1}]')] * 30)
        assert pub.wait_acked()
        _wait(lambda: rec.calls >= 2)
        worker.stop()  # stops while the batch cannot commit: nothing is acknowledged
        thread.join(10)
        assert rec.batches == []
        rec2 = Recorder()
        again = mqtt.IngestWorker(
            mqtt.WorkerOptions(url=broker.url, root="t", client_id=worker.client_id, batch_ms=20),
            ingest=rec2,
        )
        t2 = threading.Thread(target=again.run, daemon=True)
        t2.start()
        _wait(lambda: len(rec2.messages) >= 30)
        again.stop()
        t2.join(10)
        pub.close()
        assert len(rec2.messages) == 30  # re-delivered in full


@pytest.mark.mqtt
@no_broker
def test_graceful_stop_ingests_what_is_in_hand() -> None:
    with mqttkit.LocalBroker() as broker:
        rec = Recorder()
        # A long batch wait: the messages are still queued when the stop comes.
        worker, thread = _run_worker(broker, rec, batch_size=10_000, batch_ms=60_000)
        pub = mqttkit.RawPublisher("127.0.0.1", broker.port, "pub")
        pub.publish_many([(b"t/A", b'{"ts": %d, "value": 1}' % i) for i in range(40)])
        assert pub.wait_acked()
        _wait(lambda: len(worker._queue) >= 40)
        assert rec.batches == []
        worker.stop()
        thread.join(10)
        pub.close()
        assert len(rec.messages) == 40
