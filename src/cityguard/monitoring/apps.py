from importlib import import_module

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "cityguard.monitoring"
    label = "monitoring"
    verbose_name = _("Monitoring and early warning")

    def ready(self) -> None:
        # Map layers and indicators register themselves when their modules load; huey
        # learns the periodic jobs when tasks.py is imported.
        for module in ("layers", "signals", "tasks", "retention"):
            try:
                import_module(f"{self.name}.{module}")
            except ModuleNotFoundError as exc:
                if exc.name != f"{self.name}.{module}":
                    raise
