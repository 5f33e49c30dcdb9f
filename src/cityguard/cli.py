"""The `cityguard` command: Django's management commands with our settings preset.

cityguard migrate | demo [--scale N] | serve [--host H] [--port P] | createsuperuser …
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cityguard.settings")
    from django.core.management import execute_from_command_line

    args = sys.argv if argv is None else ["cityguard", *argv]
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
