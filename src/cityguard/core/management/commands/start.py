"""`cityguard start`: every process the embedded platform needs, started and stopped together.

The web server and the job runner are separate processes (as they are at scale), so a
crash of one is visible: when either exits, the other is stopped and the command exits.
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
