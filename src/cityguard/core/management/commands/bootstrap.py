"""`cityguard bootstrap`: what `make run` does after `migrate`, safe to repeat.

- no superuser: create `admin` (password from CITYGUARD_ADMIN_PASSWORD, else a random
  one printed this once) with a district-administrator membership;
- no jurisdictions: load the demo district at scale 1.
"""

from __future__ import annotations

import os
import secrets
import time
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils.translation import gettext as _

from cityguard.core import demo
from cityguard.core.choices import Role
from cityguard.core.models import Jurisdiction, Membership

from .demo import positive_float, report

ADMIN_USERNAME = "admin"
ADMIN_PASSWORD_ENV = "CITYGUARD_ADMIN_PASSWORD"
FRAME = "=" * 72


class Command(BaseCommand):
    help = "Create the first administrator and load the demo district if the database is empty."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale", type=positive_float, default=1.0, help="demo scale when loading (default 1)"
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        User = get_user_model()
        admin = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
        if admin is None:
            admin = self._create_admin()
        if not Jurisdiction.objects.exists():
            self.stdout.write(_("The registry is empty: loading the demo district."))
            started = time.perf_counter()
            result = demo.load(opts["scale"], actor=admin, log=self.stdout.write)
            report(self, result, time.perf_counter() - started)

    @transaction.atomic
    def _create_admin(self) -> Any:
        User = get_user_model()
        password = os.environ.get(ADMIN_PASSWORD_ENV, "")
        generated = not password
        if generated:
            password = secrets.token_urlsafe(12)
        admin, _created = User.objects.get_or_create(username=ADMIN_USERNAME)
        admin.is_superuser = admin.is_staff = admin.is_active = True
        admin.set_password(password)
        admin.save()
        Membership.objects.update_or_create(
            user=admin,
            defaults={"role": Role.DISTRICT_ADMIN, "jurisdiction": None, "organization": None},
        )
        lines = [
            FRAME,
            _("An administrator account has been created."),
            "  " + _("Username: %(username)s") % {"username": ADMIN_USERNAME},
        ]
        if generated:
            lines += [
                "  " + _("Password: %(password)s") % {"password": password},
                _("This password is shown only once: note it now and change it after signing in."),
            ]
        else:
            lines.append("  " + _("Password: the value of %(env)s") % {"env": ADMIN_PASSWORD_ENV})
        lines.append(FRAME)
        self.stdout.write("\n".join(lines))
        return admin
