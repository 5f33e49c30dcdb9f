"""`cityguard start`: every process the embedded platform needs, started and stopped together.

The web server and the job runner are separate processes (as they are at scale), so a
crash of one is visible: when either exits, the others are stopped and the command exits.
With MQTT_URL set the MQTT ingestion worker (`cityguard ingest`) runs too; `--simulate`
adds the simulator, streaming readings with now-and-then episodes to the web server.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Run the web server and the background job runner together."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--simulate",
            action="store_true",
            help="also stream simulated readings (with episodes) to the web server",
        )
        parser.add_argument(
            "--simulate-rate", type=float, default=20.0, help="simulated readings per second"
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        call_command("collectstatic", interactive=False, verbosity=0)
        exe = [sys.executable, "-m", "cityguard.cli"]
        commands = {
            "web": [
                *exe,
                "serve",
                "--host",
                opts["host"],
                "--port",
                str(opts["port"]),
                "--no-collectstatic",
            ],
            "jobs": [*exe, "run_huey", "--quiet"],
        }
        from django.conf import settings

        if settings.MQTT_URL:
            commands["ingest"] = [*exe, "ingest"]
        if opts["simulate"]:
            host = "127.0.0.1" if opts["host"] in ("0.0.0.0", "::", "") else opts["host"]
            commands["simulate"] = [
                *exe,
                "simulate",
                "--door",
                "http",
                "--url",
                f"http://{host}:{opts['port']}",
                "--rate",
                str(opts["simulate_rate"]),
                "--episode",
                "all",
                "--episode-at",
                "30",
                "--episode-every",
                "300",
                "--wait",
                "120",
            ]
        procs = {name: subprocess.Popen(cmd) for name, cmd in commands.items()}
        stopping = False

        def stop(*_: Any) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            while not stopping:
                ended = [n for n, p in procs.items() if p.poll() is not None]
                if ended == ["simulate"]:
                    # The demo feed is optional: the platform keeps running without it.
                    self.stderr.write("the simulator exited; the platform keeps running")
                    procs.pop("simulate")
                    continue
                if ended:
                    self.stderr.write(f"process {ended[0]} exited; stopping the others")
                    break
                time.sleep(0.5)
        finally:
            for p in procs.values():
                if p.poll() is None:
                    p.terminate()
            for p in procs.values():
                try:
                    p.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    p.kill()
