"""`cityguard serve`: the ASGI server (uvicorn) with static files from whitenoise."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Serve CityGuard over HTTP (uvicorn, ASGI)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=1, help="worker processes")
        parser.add_argument("--reload", action="store_true", help="restart on code change")
        parser.add_argument(
            "--no-collectstatic", action="store_true", help="skip collecting static files"
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        import uvicorn

        if not opts["no_collectstatic"]:
            call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write(f"CityGuard on http://{opts['host']}:{opts['port']}/")
        uvicorn.run(
            "cityguard.asgi:application",
            host=opts["host"],
            port=opts["port"],
            workers=opts["workers"],
            reload=opts["reload"],
            log_level="info",
            lifespan="off",
        )
