from importlib import import_module

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WarningsConfig(AppConfig):
    name = "cityguard.warnings"
    label = "warnings"
    verbose_name = _("Official warnings")

    def ready(self) -> None:
        # Map layers, the public-page channel and indicators register themselves when
        # their modules load; huey learns the periodic jobs when tasks.py is imported.
        for module in ("channels", "layers", "signals", "tasks"):
            try:
                import_module(f"{self.name}.{module}")
            except ModuleNotFoundError as exc:
                if exc.name != f"{self.name}.{module}":
                    raise
