"""`cityguard demo [--scale N] [--seed S] [--force]`: load the Yangpu demo district."""

from __future__ import annotations

import time
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from cityguard.core import demo
from cityguard.core.choices import Role


def positive_float(value: str) -> float:
    number = float(value)
    if not number > 0:
        raise ValueError(value)
    return number


def default_actor() -> Any:
    """The first superuser, recorded as the author of the demo's history, if any."""
    return get_user_model().objects.filter(is_superuser=True, is_active=True).order_by("pk").first()


def report(command: BaseCommand, result: demo.LoadResult, seconds: float) -> None:
    """Print what was loaded and how to sign in as each demo user."""
    out = command.stdout
    c = result.counts
    if result.wiped:
        out.write(_("Deleted the existing registry first (--force)."))
    out.write(
        _(
            "Loaded in %(seconds).1f s: %(streets)d streets, %(communities)d communities, "
            "%(grid_cells)d grid cells, %(organizations)d organisations, %(places)d places, "
            "%(contacts)d contacts."
        )
        % {"seconds": seconds, **c}
    )
    out.write(_("Demo users:"))
    width = max(len(u) for u, _role in result.users)
    for username, role in result.users:
        out.write(f"  {username.ljust(width)}  {Role(role).label}")
    if result.password is None:
        out.write(
            _("Password of every demo user: the value of %(env)s.") % {"env": demo.PASSWORD_ENV}
        )
    else:
        out.write(_("Password of every demo user: %(password)s") % {"password": result.password})


class Command(BaseCommand):
    help = (
        "Load the demo district (Yangpu, Shanghai): jurisdictions with approximate "
        "boundaries, organisations, places, contacts and one demo user per role."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale",
            type=positive_float,
            default=1.0,
            help="about 500 × scale organisations (fractions allowed; default 1)",
        )
        parser.add_argument(
            "--seed", type=int, default=demo.DEFAULT_SEED, help="same seed, same data"
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="delete the existing registry, and what depends on it, before loading",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        if demo.has_data() and not opts["force"]:
            raise CommandError(demo.refusal())
        self.stdout.write(
            _("Loading the demo district (scale %(scale)s, seed %(seed)s)…")
            % {"scale": opts["scale"], "seed": opts["seed"]}
        )
        started = time.perf_counter()
        try:
            result = demo.load(
                opts["scale"],
                opts["seed"],
                force=opts["force"],
                actor=default_actor(),
                log=self.stdout.write,
            )
        except demo.DemoDataExists as exc:
            raise CommandError(str(exc))
        report(self, result, time.perf_counter() - started)
