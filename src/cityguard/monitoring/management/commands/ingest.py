"""`cityguard ingest`: the MQTT ingestion worker (see `cityguard.monitoring.mqtt`)."""

from __future__ import annotations

import logging
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cityguard.monitoring import mqtt


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise ValueError(text)
    return value


def _positive_float(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise ValueError(text)
    return value


class Command(BaseCommand):
    help = (
        "Subscribe to the readings topics of the MQTT broker (MQTT_URL) with QoS 1 in a "
        "persistent session and feed the pipeline; each message is acknowledged after its "
        "batch is committed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--url", default="", help="broker, mqtt://[user:pass@]host:port")
        parser.add_argument(
            "--topic-root", default="", help="topic root (default CITYGUARD_MQTT_TOPIC, readings)"
        )
        parser.add_argument(
            "--client-id", default="", help="stable client id (default from the host name)"
        )
        parser.add_argument(
            "--shared",
            default="",
            metavar="GROUP",
            help="join the shared subscription $share/GROUP/… so workers split the stream",
        )
        parser.add_argument(
            "--batch-size", type=_positive_int, default=2000, help="messages per batch"
        )
        parser.add_argument(
            "--batch-ms", type=_positive_float, default=10.0, help="longest wait for a batch (ms)"
        )
        parser.add_argument("--protocol", choices=["5", "3.1.1"], default="5")
        parser.add_argument(
            "--client",
            choices=["fast", "paho"],
            default="fast",
            help="MQTT client: our own fast subscriber (default) or paho-mqtt",
        )
        parser.add_argument(
            "--log-every", type=_positive_float, default=10.0, help="throughput log period (s)"
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        logging.getLogger("cityguard.monitoring.mqtt").setLevel(logging.INFO)
        try:
            worker = mqtt.IngestWorker(mqtt.options_from(opts))
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        worker.install_signal_handlers()
        self.stdout.write(
            f"ingesting from {worker.address.host}:{worker.address.port} "
            f"topics {', '.join(mqtt.subscriptions(worker.options.root, worker.options.shared))} "
            f"as {worker.client_id}"
        )
        self.stdout.flush()
        worker.run()
