"""ASGI entry point, served by `cityguard serve`."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cityguard.settings")
application = get_asgi_application()
