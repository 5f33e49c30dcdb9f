"""Run the whole suite on SQLite, then again on PostgreSQL when TEST_DATABASE_URL is set.

Browser tests, the MQTT broker tests and the link crawl run once (on SQLite); where no
Chromium exists the browser tests are skipped and this says so.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

CHROMIUM = os.environ.get("CITYGUARD_CHROMIUM", "/usr/bin/chromium")


def run(label: str, env: dict[str, str], extra: list[str]) -> int:
    print(f"\n=== test suite on {label} ===", flush=True)
    cmd = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *extra, *sys.argv[1:]]
    return subprocess.call(cmd, env=env)


def main() -> int:
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        print(f"make test: no Chromium at {CHROMIUM}: the browser tests will be skipped.")
    codes = [run("SQLite", env, ["-n", "2"])]
    pg = os.environ.get("TEST_DATABASE_URL")
    if pg:
        pg_env = dict(env, DATABASE_URL=pg)
        # Browser, MQTT broker and link-crawl tests run once, in the SQLite run (the MQTT
        # ones run the ingestion worker on a SQLite file of their own whatever the database;
        # the crawl's pages are the same on either).
        marks = "not browser and not mqtt and not crawl"
        codes.append(run("PostgreSQL", pg_env, ["-n", "2", "-m", marks]))
    else:
        print("make test: TEST_DATABASE_URL is not set: the PostgreSQL run is skipped.")
    return next((c for c in codes if c != 0), 0)


if __name__ == "__main__":
    sys.exit(main())
