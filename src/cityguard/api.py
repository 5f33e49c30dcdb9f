"""The open API under /api/v1: one NinjaAPI that every app adds its router to."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, re_path
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI, Schema, Swagger
from ninja import security as ninja_security
from ninja.security import HttpBearer

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


class SessionAuth(ninja_security.SessionAuth):
    """The signed-in session of the pages' own scripts (CSRF-checked).

    A request that carries no session cookie cannot be a session request: it is answered
    401 like any other unauthenticated call rather than with a CSRF refusal.
    """

    def _get_key(self, request: HttpRequest) -> str | None:
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return None
        return super()._get_key(request)


class CityGuardAPI(NinjaAPI):
    """NinjaAPI whose every answer under /api/v1 is JSON `{"detail": …}`, including the
    two that ninja and Django otherwise answer in plain text or HTML: a method the path
    does not support (405) and a path that does not exist (404)."""

    @property
    def urls(self) -> tuple[list[URLResolver | URLPattern], str, str]:
        patterns, app_name, namespace = super().urls  # type: ignore[misc]
        for pattern in patterns:
            if isinstance(pattern, URLPattern):
                pattern.callback = _json_405(self, pattern.callback)
        api = self

        @csrf_exempt
        def unknown_path(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            return apierrors.not_found(api, request)

        patterns.append(re_path(r"^.*$", unknown_path))
        return patterns, app_name, namespace


def _json_405(api: NinjaAPI, view: Callable[..., Any]) -> Callable[..., Any]:
    def fix(request: HttpRequest, response: Any) -> Any:
        if response.status_code == 405 and not response.get("Content-Type", "").startswith(
            "application/json"
        ):
            return apierrors.method_not_allowed(api, request, response)
        return response

    if iscoroutinefunction(view):
        # An app may add async operations (live push); keep such views async.
        @functools.wraps(view)
        async def async_wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            return fix(request, await view(request, *args, **kwargs))

        return markcoroutinefunction(async_wrapper)

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        return fix(request, view(request, *args, **kwargs))

    return wrapper


class HealthOut(Schema):
    status: str
    version: str


api = CityGuardAPI(
    title="CityGuard API",
    version=__version__,
    description=(
        "Open API of the CityGuard district safety and emergency platform. "
        "Authenticate with `POST /api/v1/auth/token` and send `Authorization: Bearer <token>`. "
        'Errors are JSON `{"detail": …}`; lists are `{"items": [...], "count": N}`.'
    ),
    auth=[BearerAuth(), SessionAuth()],
    urls_namespace="api",
    # Served from our own /static/ (ninja is an installed app); no validator badge, which
    # would call validator.swagger.io: the docs must work offline.
    docs=Swagger(settings={"validatorUrl": None, "persistAuthorization": True}),
)
apierrors.install(api)


@api.get("/health", auth=None, response=HealthOut, tags=["platform"])
def health(request: HttpRequest) -> dict[str, str]:
    """Liveness: answers without authentication."""
    return {"status": "ok", "version": __version__}


def _mount() -> None:
    # Importing api_imports adds its routes to core's router; ninja copies a router's
    # routes when it is mounted, so it must be imported before the mounting below.
    from .chemicals.api import router as chemicals_router
    from .consequence.api import router as consequence_router
    from .core import api_imports  # noqa: F401
    from .core.api import auth_router
    from .core.api import router as core_router
    from .duties.api import router as duties_router
    from .enforcement.api import router as enforcement_router
    from .equipment.api import router as equipment_router
    from .hazards.api import router as hazards_router
    from .incidents.api import router as incidents_router
    from .indicators.api import router as indicators_router
    from .monitoring.api import router as monitoring_router
    from .onemap.api import router as map_router
    from .permits.api import router as permits_router
    from .plans.api import router as plans_router
    from .resources.api import router as resources_router
    from .risk.api import router as risk_router
    from .warnings.api import router as warnings_router

    api.add_router("/auth", auth_router)
    api.add_router("/", core_router)
    api.add_router("/map", map_router)
    api.add_router("/risk", risk_router)
    api.add_router("/hazards", hazards_router)
    api.add_router("/chemicals", chemicals_router)
    api.add_router("/resources", resources_router)
    api.add_router("/plans", plans_router)
    api.add_router("/incidents", incidents_router)
    api.add_router("/consequence", consequence_router)
    api.add_router("/monitoring", monitoring_router)
    api.add_router("/warnings", warnings_router)
    api.add_router("/equipment", equipment_router)
    api.add_router("/enforcement", enforcement_router)
    api.add_router("/duties", duties_router)
    api.add_router("/permits", permits_router)
    api.add_router("/indicators", indicators_router)


_mount()
