"""The open API under /api/v1: one NinjaAPI that every app adds its router to."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import NinjaAPI, Schema
from ninja.security import HttpBearer, SessionAuth

from . import __version__, apierrors
from .core.models import ApiToken


class BearerAuth(HttpBearer):
    """`Authorization: Bearer <token>` from POST /api/v1/auth/token."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = ApiToken.authenticate(token)
        if user is not None:
            # Downstream code (scoping, history) reads request.user like for a page.
            request.user = user
        return user


class HealthOut(Schema):
    status: str
    version: str


api = NinjaAPI(
    title="CityGuard API",
    version=__version__,
    description=(
        "Open API of the CityGuard district safety and emergency platform. "
        "Authenticate with `POST /api/v1/auth/token` and send `Authorization: Bearer <token>`. "
        'Errors are JSON `{"detail": …}`; lists are `{"items": [...], "count": N}`.'
    ),
    auth=[BearerAuth(), SessionAuth()],
    urls_namespace="api",
)
apierrors.install(api)


@api.get("/health", auth=None, response=HealthOut, tags=["platform"])
def health(request: HttpRequest) -> dict[str, str]:
    """Liveness: answers without authentication."""
    return {"status": "ok", "version": __version__}


def _mount() -> None:
    from .core.api import auth_router
    from .core.api import router as core_router
    from .onemap.api import router as map_router

    api.add_router("/auth", auth_router)
    api.add_router("/", core_router)
    api.add_router("/map", map_router)


_mount()
