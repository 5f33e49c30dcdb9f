from importlib import import_module

from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "cityguard.indicators"
    label = "indicators"
    verbose_name = _("Indicators")

    def ready(self) -> None:
        # Every app declares its indicators in its own indicators.py (see registry.py);
        # importing them all here completes the registry once Django is ready.
        modules = [f"{c.name}.indicators" for c in apps.get_app_configs()]
        modules += [f"{self.name}.{m}" for m in ("layers", "signals", "tasks")]
        for module in modules:
            if not module.startswith("cityguard."):
                continue
            try:
                import_module(module)
            except ModuleNotFoundError as exc:
                if exc.name != module:
                    raise
