from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "cityguard.core"
    label = "core"
    verbose_name = _("Core registry")

    def ready(self) -> None:
        from . import layers  # noqa: F401  (registers the core map layers)
