from importlib import import_module

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChemicalsConfig(AppConfig):
    name = "cityguard.chemicals"
    label = "chemicals"
    verbose_name = _("Hazardous chemicals")

    def ready(self) -> None:
        # Map layers and indicators register themselves when their modules load.
        for module in ("layers", "signals", "tasks"):
            try:
                import_module(f"{self.name}.{module}")
            except ModuleNotFoundError as exc:
                if exc.name != f"{self.name}.{module}":
                    raise
