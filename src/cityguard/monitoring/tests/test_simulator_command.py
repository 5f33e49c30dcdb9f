"""`cityguard simulate` through the pipeline (direct door) and the HTTP door."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from cityguard.core.models import ApiToken
from cityguard.monitoring.management.commands import simulate
from cityguard.monitoring.models import Alarm, AlarmEvent, Reading


def _simulate(*args: str) -> str:
    from io import StringIO

    out = StringIO()
    call_command("simulate", *args, stdout=out)
    return out.getvalue()


def test_direct_door_streams_and_a_gas_leak_opens_and_clears_the_alarm(mon: Any, rule: Any) -> None:
    rule(
        name="LEL major",
        sensor_kind="combustible_gas",
        severity="major",
        condition={"op": ">=", "value": 25},
    )
    out = _simulate(
        "--door", "direct", "--rate", "40", "--duration", "3.2", "--tick", "0.1",
        "--episode", "gas-leak", "--episode-at", "0", "--episode-speed", "50",
        "--episode-sensors", "1", "--seed", "4",
    )  # fmt: skip
    assert "episode gas-leak" in out
    stored = Reading.objects.count()
    assert 80 <= stored <= 140  # 40/s for 3.2 s, give or take a tick
    alarms = list(Alarm.objects.all())
    assert len(alarms) == 1
    alarm = alarms[0]
    assert alarm.sensor.kind == "combustible_gas"
    assert alarm.peak_value > 25
    # The leak is isolated within the run (ramps of ~1 s at speed 50): the alarm cleared.
    alarm.refresh_from_db()
    assert alarm.state == "cleared"
    assert set(AlarmEvent.objects.values_list("kind", flat=True)) >= {"opened", "cleared"}


def test_http_door_posts_batches_with_a_simulator_token(
    mon: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The HTTP door against the real endpoint (through Django's test client)."""
    calls: list[int] = []

    class Session:
        def __init__(self) -> None:
            self.headers: dict[str, str] = {}
            self.client = Client()

        def post(self, url: str, data: str, timeout: float) -> Any:
            assert url == "http://127.0.0.1:8765/api/v1/monitoring/readings"
            resp = self.client.post(
                "/api/v1/monitoring/readings",
                data=data,
                content_type="application/json",
                HTTP_AUTHORIZATION=self.headers["Authorization"],
            )
            calls.append(len(json.loads(data)["readings"]))
            resp.text = resp.content.decode()
            return resp

        def close(self) -> None:
            pass

    import requests

    monkeypatch.setattr(requests, "Session", Session)
    out = _simulate(
        "--door", "http", "--url", "http://127.0.0.1:8765", "--rate", "50",
        "--duration", "1", "--tick", "0.25",
    )  # fmt: skip
    assert calls and sum(calls) == Reading.objects.count() > 0
    assert f"{Reading.objects.count()} accepted" in out
    # The dedicated API client was made on demand, with a token of its own.
    token = ApiToken.objects.get(user__username=simulate.SIMULATOR_USER)
    assert token.user.membership.role == "api_client"


def test_no_sensors_and_unknown_user_are_clear_errors(db: Any, users: Any) -> None:
    with pytest.raises(CommandError, match="no enabled sensors"):
        _simulate("--door", "direct", "--duration", "1")
    with pytest.raises(CommandError, match="no user"):
        simulate.simulator_token("nobody-here")


def test_rule_peaks_go_past_the_rules_in_force(mon: Any, rule: Any) -> None:
    rule(
        name="LEL 90", sensor_kind="combustible_gas", severity="critical",
        condition={"op": ">=", "value": 90},
    )  # fmt: skip
    rule(
        name="Low pressure", sensor_kind="water_pressure", severity="major",
        condition={"op": "<", "value": 0.02},
    )  # fmt: skip
    peaks = simulate.rule_peaks(["gas-leak", "hydrant-drop", "basement-flood"])
    assert peaks["combustible_gas"] > 90
    assert peaks["water_pressure"] < 0.02
    assert peaks["water_level"] == 0.8  # no rule: the typical flood level


class _Proc:
    """Stands in for a started process: ends after `lives` polls."""

    def __init__(self, cmd: list[str], lives: dict[str, int], started: list[list[str]]) -> None:
        self.name = cmd[3]
        self.left = lives.get(self.name, 10**6)
        self.terminated = False
        started.append(cmd)

    def poll(self) -> int | None:
        self.left -= 1
        return 0 if self.left < 0 or self.terminated else None

    def terminate(self) -> None:
        self.terminated = True

    def wait(self, timeout: float | None = None) -> int:
        return 0

    def kill(self) -> None:
        pass


def _start(monkeypatch: pytest.MonkeyPatch, lives: dict[str, int], *args: str) -> Any:
    from cityguard.core.management.commands import start

    started: list[list[str]] = []
    procs: list[_Proc] = []

    def popen(cmd: list[str]) -> _Proc:
        procs.append(_Proc(cmd, lives, started))
        return procs[-1]

    monkeypatch.setattr(start.subprocess, "Popen", popen)
    monkeypatch.setattr(start, "call_command", lambda *a, **k: None)
    monkeypatch.setattr(start.time, "sleep", lambda s: None)
    monkeypatch.setattr(start.signal, "signal", lambda *a: None)
    call_command("start", *args, stderr=__import__("io").StringIO())
    return {p.name: p for p in procs}, started


def test_start_runs_the_ingest_worker_with_mqtt_and_the_simulator_on_demand(
    monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    settings.MQTT_URL = ""
    procs, _cmds = _start(monkeypatch, {"serve": 3})
    assert set(procs) == {"serve", "run_huey"}
    settings.MQTT_URL = "mqtt://127.0.0.1:1883"
    procs, cmds = _start(monkeypatch, {"serve": 3}, "--simulate", "--port", "8123")
    assert set(procs) == {"serve", "run_huey", "ingest", "simulate"}
    sim = next(c for c in cmds if c[3] == "simulate")
    assert sim[sim.index("--url") + 1] == "http://127.0.0.1:8123"
    assert sim[sim.index("--door") + 1] == "http" and "--wait" in sim
    # All stopped together when the web server ends.
    assert all(p.terminated for n, p in procs.items() if n != "serve")


def test_start_keeps_running_when_only_the_simulator_exits(
    monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    settings.MQTT_URL = ""
    procs, _cmds = _start(monkeypatch, {"simulate": 1, "serve": 6}, "--simulate")
    # The simulator ended first; web and jobs kept running until the web server ended.
    assert procs["serve"].left < 0
    assert procs["run_huey"].terminated


@pytest.mark.mqtt
@pytest.mark.skipif(
    __import__("cityguard.monitoring.mqttkit").monitoring.mqttkit.mosquitto_binary() is None,
    reason="the Mosquitto broker binary is not installed",
)
def test_mqtt_door_publishes_up_to_n_readings_per_message_on_the_sensor_topics(
    mon: Any,
) -> None:
    import threading
    import time

    from cityguard.monitoring import mqtt, mqttkit

    got: list[tuple[str, bytes]] = []
    with mqttkit.LocalBroker() as broker:
        worker = mqtt.IngestWorker(
            mqtt.WorkerOptions(url=broker.url, root="sim", client_id="sim-test", batch_ms=10),
            ingest=lambda messages, root: got.extend(messages) or [],
        )
        thread = threading.Thread(target=worker.run, daemon=True)
        thread.start()
        assert worker.transport.connected.wait(10)
        time.sleep(0.2)
        _simulate(
            "--door", "mqtt", "--mqtt-url", broker.url, "--topic-root", "sim",
            "--rate", "200", "--duration", "1", "--tick", "0.5", "--per-message", "3",
        )  # fmt: skip
        deadline = time.monotonic() + 5
        while sum(len(json.loads(p)) if p.startswith(b"[") else 1 for _t, p in got) < 150:
            if time.monotonic() > deadline:
                break
            time.sleep(0.05)
        worker.stop()
        thread.join(10)
    codes = {t.split("/", 1)[1] for t, _p in got}
    assert codes <= set(mon.sensors) and len(codes) == len(mon.sensors)
    sizes = []
    for _t, payload in got:
        data = json.loads(payload)
        items = data if isinstance(data, list) else [data]
        assert all(set(i) == {"ts", "value"} for i in items)
        sizes.append(len(items))
    assert max(sizes) == 3 and 150 <= sum(sizes) <= 250
