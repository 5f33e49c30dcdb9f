from importlib import import_module

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnforcementConfig(AppConfig):
    name = "cityguard.enforcement"
    label = "enforcement"
    verbose_name = _("Administrative enforcement")

    def ready(self) -> None:
        # Map layers and indicators register themselves when their modules load; huey
        # learns the periodic jobs when tasks.py is imported.
        for module in ("layers", "signals", "tasks"):
            try:
                import_module(f"{self.name}.{module}")
            except ModuleNotFoundError as exc:
                if exc.name != f"{self.name}.{module}":
                    raise
