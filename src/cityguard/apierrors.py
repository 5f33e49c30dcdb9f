"""Error replies for the API: always JSON `{"detail": …}`, in the caller's language.

Pydantic's messages are English; the common ones are re-worded here through gettext so a
Chinese caller reads Chinese. Anything unexpected is logged and answered with a plain
500 body, never a traceback.

`loc` names where a problem is: `["body", field]`, `["query", name]` or `["path", name]`.
Body schemas are taken by a parameter named `payload` (the convention in every router);
that name is an implementation detail, so it is left out of `loc`.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

log = logging.getLogger(__name__)


def _pydantic_message(err: dict[str, Any]) -> str:
    kind = err.get("type", "")
    ctx = err.get("ctx") or {}
    table = {
        "missing": _("This field is required."),
        "extra_forbidden": _("Unknown field."),
        "int_parsing": _("Enter a whole number."),
        "int_type": _("Enter a whole number."),
        "int_from_float": _("Enter a whole number."),
        "float_parsing": _("Enter a number."),
        "float_type": _("Enter a number."),
        "finite_number": _("Enter a finite number."),
        "string_type": _("Enter text."),
        "string_pattern_mismatch": _("Enter a value in the expected format."),
        "string_unicode": _("Enter text."),
        "too_short": _("Too few items."),
        "bool_parsing": _("Enter true or false."),
        "bool_type": _("Enter true or false."),
        "json_invalid": _("The request body is not valid JSON."),
        "dict_type": _("Enter an object."),
        "model_attributes_type": _("Enter an object."),
        "list_type": _("Enter a list."),
        "literal_error": _("Choose one of: %(expected)s.") % {"expected": ctx.get("expected", "")},
        "enum": _("Choose one of: %(expected)s.") % {"expected": ctx.get("expected", "")},
        "string_too_short": _("Enter at least %(n)s characters.")
        % {"n": ctx.get("min_length", "")},
        "string_too_long": _("Enter at most %(n)s characters.") % {"n": ctx.get("max_length", "")},
        "greater_than_equal": _("Enter a value of at least %(n)s.") % {"n": ctx.get("ge", "")},
        "greater_than": _("Enter a value above %(n)s.") % {"n": ctx.get("gt", "")},
        "less_than_equal": _("Enter a value of at most %(n)s.") % {"n": ctx.get("le", "")},
        "less_than": _("Enter a value below %(n)s.") % {"n": ctx.get("lt", "")},
        "too_long": _("Too many items."),
        "datetime_parsing": _("Enter a date and time (ISO 8601)."),
        "datetime_from_date_parsing": _("Enter a date and time (ISO 8601)."),
        "date_parsing": _("Enter a date (YYYY-MM-DD)."),
        "date_from_datetime_parsing": _("Enter a date (YYYY-MM-DD)."),
    }
    if kind == "value_error":
        return str(ctx.get("error", err.get("msg", "")))
    return table.get(kind, str(err.get("msg", _("Invalid value."))))


# ninja's own (English) messages that reach callers.
_UNPARSABLE_BODY = "Cannot parse request body"
_CSRF_FAILED = "CSRF check Failed"


def _loc(raw: Any) -> list[Any]:
    loc = list(raw or [])
    if len(loc) >= 2 and loc[0] == "body" and loc[1] == "payload":
        del loc[1]
    return loc


def not_found(api: NinjaAPI, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """A path under the API that does not exist."""
    return api.create_response(request, {"detail": _("Not found.")}, status=404)


def method_not_allowed(api: NinjaAPI, request: HttpRequest, plain: HttpResponse) -> HttpResponse:
    response = api.create_response(
        request, {"detail": _("This method is not allowed here.")}, status=405
    )
    if plain.has_header("Allow"):
        response["Allow"] = plain["Allow"]
    return response


def field_errors(errors: dict[str, list[str]], where: str = "body") -> list[dict[str, Any]]:
    return [
        {"loc": [where, field], "msg": str(msg), "type": "value_error"}
        for field, msgs in errors.items()
        for msg in msgs
    ]


def install(api: NinjaAPI) -> None:
    @api.exception_handler(NinjaValidationError)
    def _validation(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        detail = [
            {
                "loc": _loc(e.get("loc")),
                "msg": _pydantic_message(e),
                "type": e.get("type", "value_error"),
            }
            for e in exc.errors
        ]
        return api.create_response(request, {"detail": detail}, status=422)

    @api.exception_handler(ValidationError)
    def _django_validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        if hasattr(exc, "error_dict"):
            detail = field_errors({k: [str(m) for m in v] for k, v in exc.message_dict.items()})
        else:
            detail = [{"loc": ["body"], "msg": str(m), "type": "value_error"} for m in exc.messages]
        return api.create_response(request, {"detail": detail}, status=422)

    @api.exception_handler(PermissionDenied)
    def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        msg = str(exc) or _("You do not have permission to do this.")
        return api.create_response(request, {"detail": msg}, status=403)

    @api.exception_handler(AuthorizationError)
    def _authz(request: HttpRequest, exc: AuthorizationError) -> HttpResponse:
        return api.create_response(
            request, {"detail": _("You do not have permission to do this.")}, status=403
        )

    @api.exception_handler(AuthenticationError)
    def _unauth(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return api.create_response(
            request,
            {"detail": _("Authentication required: sign in or send a bearer token.")},
            status=401,
        )

    @api.exception_handler(Http404)
    def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return api.create_response(request, {"detail": _("Not found.")}, status=404)

    @api.exception_handler(HttpError)
    def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        message = str(exc)
        if message.startswith(_UNPARSABLE_BODY):
            message = _("The request body is not valid JSON.")
        elif message == _CSRF_FAILED:
            message = _("The CSRF check failed: reload the page and try again.")
        elif exc.status_code == 429:
            message = _("Too many requests: wait a moment and try again.")
        return api.create_response(request, {"detail": message}, status=exc.status_code)

    # The two below are a safety net for every router: a value a database driver refuses
    # (text with NUL bytes, a number beyond 64 bits) is the caller's input, not our fault.
    # Schemas and services should refuse such values first, with a message per field.
    @api.exception_handler(DataError)
    def _data_error(request: HttpRequest, exc: DataError) -> HttpResponse:
        log.warning("database refused a value on %s %s: %s", request.method, request.path, exc)
        return api.create_response(
            request,
            {"detail": _("A value cannot be stored: it is too large or malformed.")},
            status=422,
        )

    @api.exception_handler(OverflowError)
    def _overflow(request: HttpRequest, exc: OverflowError) -> HttpResponse:
        log.warning("number out of range on %s %s: %s", request.method, request.path, exc)
        return api.create_response(
            request,
            {"detail": _("A value cannot be stored: it is too large or malformed.")},
            status=422,
        )

    @api.exception_handler(Exception)
    def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        log.exception("unhandled API error on %s %s", request.method, request.path)
        return api.create_response(request, {"detail": _("Internal error.")}, status=500)
