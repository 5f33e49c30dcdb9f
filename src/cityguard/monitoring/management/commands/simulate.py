"""`cityguard simulate`: stream realistic readings for the sensors in the database over
one of the three doors (HTTP, MQTT or straight into the pipeline), with episodes."""

from __future__ import annotations

import json
import logging
import signal
import time
from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cityguard.monitoring import simulator

log = logging.getLogger("cityguard.monitoring.simulate")

SIMULATOR_USER = "simulator"


def _non_negative(text: str) -> float:
    value = float(text)
    if value < 0:
        raise ValueError(text)
    return value


def _positive(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise ValueError(text)
    return value


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise ValueError(text)
    return value


def simulator_token(username: str | None) -> str:
    """A fresh API token for `username`, or for the dedicated simulator API client (created
    on first use, read-only except for posting readings as an API client)."""
    from django.contrib.auth import get_user_model

    from cityguard.core.choices import Role
    from cityguard.core.models import ApiToken, Membership

    User = get_user_model()
    if username:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user {username!r}")
    else:
        user, created = User.objects.get_or_create(username=SIMULATOR_USER)
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        Membership.objects.get_or_create(user=user, defaults={"role": Role.API_CLIENT})
    _, raw = ApiToken.issue(user)
    return raw


def load_sensors(limit: int | None) -> list[simulator.SensorSpec]:
    from cityguard.monitoring.models import Sensor

    qs = Sensor.objects.filter(enabled=True).order_by("code")
    rows = qs.values_list("code", "kind", "expected_interval_s")
    if limit:
        rows = rows[:limit]
    return [simulator.SensorSpec(c, k, float(i or 60)) for c, k, i in rows]


def rule_peaks(names: list[str]) -> dict[str, float]:
    """For each kind an episode moves: a peak past every enabled threshold rule of it."""
    from django.db.models import Q

    from cityguard.monitoring.models import AlarmRule

    peaks: dict[str, float] = {}
    for name in names:
        for kind, typical in simulator.EPISODES[name].peaks.items():
            rules = AlarmRule.objects.filter(enabled=True, kind="threshold").filter(
                Q(sensor_kind=kind) | Q(sensor__kind=kind)
            )
            pairs = [(op, t) for op, t in rules.values_list("op", "threshold") if t is not None]
            peaks[kind] = simulator.peak_past(kind, typical, pairs)
    return peaks


def wait_for(url: str, timeout: float) -> None:
    import requests

    deadline = time.monotonic() + timeout
    while True:
        try:
            requests.get(url, timeout=2)
            return
        except requests.RequestException:
            if time.monotonic() > deadline:
                raise CommandError(f"{url} did not answer within {timeout:.0f} s")
            time.sleep(0.5)


class Command(BaseCommand):
    help = (
        "Stream realistic readings for the enabled sensors over HTTP, MQTT or straight into "
        "the pipeline, with episodes (gas leak, hydrant pressure drop, basement flood)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--door", choices=["http", "mqtt", "direct"], default="http")
        parser.add_argument("--url", default="http://127.0.0.1:8000", help="web server base URL")
        parser.add_argument("--token", default="", help="API token for the HTTP door")
        parser.add_argument("--user", default="", help="issue the HTTP token for this user")
        parser.add_argument("--mqtt-url", default="", help="broker (default MQTT_URL)")
        parser.add_argument("--topic-root", default="", help="default CITYGUARD_MQTT_TOPIC")
        parser.add_argument(
            "--per-message", type=_positive_int, default=3, help="readings per MQTT message"
        )
        parser.add_argument("--rate", type=_positive, default=50.0, help="readings per second")
        parser.add_argument(
            "--duration", type=_non_negative, default=0.0, help="seconds (0 = forever)"
        )
        parser.add_argument("--sensors", type=_positive_int, default=None, help="first N sensors")
        parser.add_argument(
            "--episode",
            choices=["none", *simulator.EPISODES, "all"],
            default="none",
            help="incident(s) to play",
        )
        parser.add_argument(
            "--episode-at", type=_non_negative, default=5.0, help="first episode after (s)"
        )
        parser.add_argument(
            "--episode-every",
            type=_non_negative,
            default=0.0,
            help="start the next episode this many seconds after the last (0 = once)",
        )
        parser.add_argument(
            "--episode-sensors", type=_positive_int, default=2, help="sensors per kind moved"
        )
        parser.add_argument(
            "--episode-speed", type=_positive, default=1.0, help="> 1 shortens the ramps"
        )
        parser.add_argument("--tick", type=_positive, default=0.2, help="seconds per batch")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--wait", type=_non_negative, default=0.0, help="wait this long for the server"
        )

    def handle(self, *args: Any, **o: Any) -> None:
        specs = load_sensors(o["sensors"])
        if not specs:
            raise CommandError("no enabled sensors: load the demo first (cityguard demo)")
        sim = simulator.Simulator(specs, o["rate"], seed=o["seed"])
        names = [] if o["episode"] == "none" else simulator.episode_names(o["episode"])
        peaks = rule_peaks(names) if names else {}
        send, close = self._door(o)
        self.stdout.write(
            f"simulating {len(specs)} sensors at {o['rate']:g} readings/s over {o['door']} "
            f"(each {sim.scale:.2g}× its expected rate)"
        )
        self.stdout.flush()
        stopping = False

        def stop(*_: Any) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        started = time.time()
        next_episode = started + o["episode_at"] if names else None
        turn = 0
        sent = accepted = 0
        last_log = started
        tick = o["tick"]
        try:
            while not stopping:
                now = time.time()
                if o["duration"] and now - started >= o["duration"]:
                    break
                if next_episode is not None and now >= next_episode:
                    name = names[turn % len(names)]
                    turn += 1
                    episode = sim.start_episode(
                        name,
                        int(now * 1000),
                        sensors=o["episode_sensors"],
                        peaks=peaks,
                        speed=o["episode_speed"],
                    )
                    if episode is not None:
                        moved = ", ".join(sim.codes[i] for i in episode.sensors)
                        self.stdout.write(f"episode {name}: {moved}")
                        self.stdout.flush()
                    if o["episode_every"]:
                        next_episode = now + o["episode_every"]
                    elif turn >= len(names):
                        next_episode = None
                    else:
                        next_episode = now + (episode.end_ms / 1000 - now if episode else 0) + 5
                readings = sim.tick(int(now * 1000), tick)
                if readings:
                    try:
                        accepted += send(readings)
                    except Exception as exc:  # the server or broker is away: keep going
                        log.warning("sending %d readings failed: %s", len(readings), exc)
                    sent += len(readings)
                if now - last_log >= 10:
                    self.stdout.write(f"{sent} readings sent, {accepted} accepted")
                    self.stdout.flush()
                    last_log = now
                time.sleep(max(0.0, now + tick - time.time()))
        finally:
            close()
        self.stdout.write(f"done: {sent} readings sent, {accepted} accepted")

    def _door(self, o: dict[str, Any]) -> tuple[Callable[[list[dict[str, Any]]], int], Any]:
        door = o["door"]
        if door == "direct":
            from cityguard.monitoring import pipeline

            def send_direct(readings: list[dict[str, Any]]) -> int:
                result = pipeline.ingest(readings, source="simulator")
                return int(result.accepted)

            return send_direct, lambda: None
        if door == "http":
            import requests

            base = o["url"].rstrip("/")
            if o["wait"]:
                wait_for(base + "/", o["wait"])
            token = o["token"] or simulator_token(o["user"] or None)
            session = requests.Session()
            session.headers["Authorization"] = f"Bearer {token}"
            session.headers["Content-Type"] = "application/json"
            url = base + "/api/v1/monitoring/readings"

            def send_http(readings: list[dict[str, Any]]) -> int:
                resp = session.post(url, data=json.dumps({"readings": readings}), timeout=30)
                if resp.status_code >= 400:
                    raise RuntimeError(f"HTTP {resp.status_code}: {resp.text[:200]}")
                return int(resp.json().get("accepted", 0))

            return send_http, session.close
        # MQTT
        import paho.mqtt.client as mqtt_client
        from django.conf import settings

        from cityguard.monitoring import mqtt

        address = mqtt.parse_url(o["mqtt_url"] or settings.MQTT_URL)
        root = (o["topic_root"] or mqtt.topic_root()).strip("/")
        client = mqtt_client.Client(
            callback_api_version=mqtt_client.CallbackAPIVersion.VERSION2,
            client_id=f"cityguard-simulator-{int(time.time() * 1000) % 10**9}",
        )
        client.max_inflight_messages_set(1000)
        client.max_queued_messages_set(0)
        if address.username:
            client.username_pw_set(address.username, address.password)
        if address.tls:
            client.tls_set()
        client.connect(address.host, address.port)
        client.loop_start()
        per_message = o["per_message"]

        def send_mqtt(readings: list[dict[str, Any]]) -> int:
            for code, items in simulator.group_messages(readings, per_message):
                payload = json.dumps(items if len(items) > 1 else items[0])
                client.publish(f"{root}/{code}", payload, qos=1)
            return 0  # stored by the ingestion worker, not counted here

        def close_mqtt() -> None:
            time.sleep(0.5)
            client.disconnect()
            client.loop_stop()

        return send_mqtt, close_mqtt
