from importlib import import_module

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "cityguard.indicators"
    label = "indicators"
    verbose_name = _("Indicators")

    def ready(self) -> None:
        # Map layers and indicators register themselves when their modules load; huey
        # learns the periodic jobs when tasks.py is imported.
        for module in ("layers", "signals", "tasks"):
            try:
                import_module(f"{self.name}.{module}")
            except ModuleNotFoundError as exc:
                if exc.name != f"{self.name}.{module}":
                    raise
