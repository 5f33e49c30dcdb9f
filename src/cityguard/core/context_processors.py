"""Template context every page needs: the user's reach and the platform's settings."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from cityguard import __version__

from .access import reach


def platform(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    return {"cityguard_version": __version__, "reach": reach(user) if user else None}
