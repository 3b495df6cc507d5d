"""One shape for every API error: ``{"code", "detail", "errors"?, ...}``.

- ``400 validation_error``: ``errors`` maps each field (``non_field_errors``
  for the whole request) to its messages; nothing was saved.
- ``401 not_authenticated`` / ``authentication_failed``: no, or an unusable, token.
- ``403 permission_denied``: a visible record, an action the user may not do.
- ``404 not_found``: missing, or outside the user's units (the same answer).
- ``409``: the write conflicts with the current data (``stale_version``,
  ``duplicate_support``, ``not_eligible``, ``results_locked``); the body names
  what is in the way.
- ``429 throttled``: the rate limit; ``Retry-After`` says when to retry.
"""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


class Conflict(exceptions.APIException):
    """409 with a machine-readable ``code`` and extra fields for the client."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"
    default_detail = _("The request conflicts with the current data.")

    def __init__(self, detail, *, code: str, **extra):
        super().__init__(detail, code)
        self.code = code
        self.extra = extra


def field_errors(error: DjangoValidationError) -> dict[str, list[str]]:
    """A service's ``ValidationError`` as ``{field: [messages]}``."""
    if hasattr(error, "error_dict"):
        return {
            ("non_field_errors" if key == NON_FIELD_ERRORS else key): [
                str(m) for e in errors for m in e.messages
            ]
            for key, errors in error.error_dict.items()
        }
    return {"non_field_errors": [str(m) for m in error.messages]}


def _flatten(data) -> dict[str, list[str]]:
    if isinstance(data, dict):
        return {
            key: [str(v) for v in (value if isinstance(value, list) else [value])]
            for key, value in data.items()
        }
    return {"non_field_errors": [str(v) for v in data]}


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(field_errors(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, Conflict):
        response.data = {"code": exc.code, "detail": str(exc.detail), **exc.extra}
    elif isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail)
        first = next(iter(errors.values()), [""])
        response.data = {
            "code": "validation_error",
            "detail": first[0] if first else str(_("Invalid input.")),
            "errors": errors,
        }
    elif isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else exc.default_code
        response.data = {"code": code, "detail": str(exc.detail)}
    else:
        response.data = {"code": "error", "detail": str(response.data.get("detail", ""))}
    return response


def error_response(status_code: int, code: str, detail: str) -> Response:
    return Response({"code": code, "detail": detail}, status=status_code)
