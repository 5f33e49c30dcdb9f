"""`cityguard bench <target> [options]`: the benchmarks.

`map` is the map API benchmark (see `cityguard.onemap.bench`); any other target names a
domain app whose `bench.py` has `main(argv) -> dict` (`cityguard bench risk --help`).
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cityguard.onemap import bench

from .demo import positive_float

# Benchmarks named after what they measure rather than the app that holds them.
ALIASES = {"ingest": "monitoring"}


def app_benches() -> list[str]:
    """Domain apps that ship a benchmark module."""
    from django.apps import apps

    names = []
    for config in apps.get_app_configs():
        own = config.name.startswith("cityguard.") and config.label != "onemap"
        if own and importlib.util.find_spec(f"{config.name}.bench") is not None:
            names.append(config.label)
    return names


class Command(BaseCommand):
    help = (
        "Benchmark the map layer API on the demo district at scale (own SQLite file under "
        "var/, or the PostgreSQL database of DATABASE_URL); writes var/bench-map.json."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("target", choices=["map"], help="what to benchmark")
        parser.add_argument(
            "--scale",
            type=positive_float,
            default=100.0,
            help="demo scale: about 500 × scale organisations (default 100)",
        )
        parser.add_argument("--requests", type=int, default=200, help="timed requests")
        parser.add_argument("--seed", type=int, default=1, help="seed of the random viewports")
        parser.add_argument("--layer", default=bench.DEFAULT_LAYER, help="a point layer's name")
        parser.add_argument(
            "--max-features", type=int, default=2000, help="most features in one viewport"
        )
        parser.add_argument("--db", default=None, help="SQLite file (default var/bench-scale<N>)")
        parser.add_argument(
            "--output", default=None, help="JSON report (default var/bench-map.json)"
        )
        parser.add_argument(
            "--force", action="store_true", help="reload the demo even if already loaded"
        )

    def run_from_argv(self, argv: list[str]) -> None:
        target = argv[2] if len(argv) > 2 else ""
        if target not in ("", "map") and not target.startswith("-"):
            import django

            django.setup()
            target = ALIASES.get(target, target)
            if target not in app_benches():
                sys.stderr.write(f"unknown benchmark {target!r}; choose map or {app_benches()}\n")
                sys.exit(2)
            importlib.import_module(f"cityguard.{target}.bench").main(argv[3:])
            return
        super().run_from_argv(argv)

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["requests"] < 1 or opts["max_features"] < 1:
            raise CommandError("--requests and --max-features must be positive")
        try:
            code = bench.run(opts, self.stdout.write)
        except (bench.BenchDataError, ValueError) as exc:
            raise CommandError(str(exc))
        if code:
            raise CommandError(f"the benchmark failed (exit code {code})")
