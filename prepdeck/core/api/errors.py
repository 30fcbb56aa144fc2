"""One JSON error shape for every API failure: ``{"error": {"code", "message", "details"}}``.

DRF calls ``exception_handler`` for exceptions raised in API views; ``json_error_response`` serves the
same shape for what happens outside them (an unknown ``/api/`` URL, an unhandled error), so no HTML
error page ever reaches an API client. Codes are stable strings clients can branch on.
"""

from __future__ import annotations

import logging
import math
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error

from prepdeck.core.exceptions import ApplicationError, ServiceUnavailable
from prepdeck.core.outages import DATABASE_ERRORS, RETRY_AFTER_SECONDS, first_line, outage_log

logger = logging.getLogger("prepdeck.api")

# DRF's own exception codes, renamed where ours are clearer; the rest keep DRF's code.
_CODES = {
    "invalid": "invalid",
    "parse_error": "malformed_request",
    "authentication_failed": "authentication_failed",
    "not_authenticated": "not_authenticated",
    "permission_denied": "permission_denied",
    "not_found": "not_found",
    "method_not_allowed": "method_not_allowed",
    "not_acceptable": "not_acceptable",
    "unsupported_media_type": "unsupported_media_type",
    "throttled": "throttled",
}


def error_body(code: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details or {}}}


def _validation_message(details: Any) -> str:
    """A one-line summary of DRF validation details (``{"field": ["msg"]}`` or ``["msg"]``)."""
    if isinstance(details, dict):
        for field, messages in details.items():
            first = _validation_message(messages)
            return first if field in {"non_field_errors", "detail"} else f"{field}: {first}"
    if isinstance(details, list) and details:
        return _validation_message(details[0])
    return str(details) or "Invalid input."


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    """DRF's ``EXCEPTION_HANDLER``: every error, expected or not, as one JSON shape."""
    headers: dict[str, str] = {}
    if isinstance(exc, DATABASE_ERRORS):
        outage_log.report(
            "database", "The database is unavailable (%s): answering 503.", first_line(exc), exc_info=exc
        )
        exc = database_unavailable()
    if isinstance(exc, ServiceUnavailable):
        return Response(
            error_body(exc.code, exc.message, exc.details),
            status=exc.status_code,
            headers={"Retry-After": str(exc.retry_after)},
        )
    if isinstance(exc, ApplicationError):
        return Response(error_body(exc.code, exc.message, exc.details), status=exc.status_code)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    if isinstance(exc, exceptions.ValidationError):
        fields = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        return Response(
            error_body("invalid", _validation_message(fields), {"fields": fields}),
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, exceptions.APIException):
        if getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = exc.auth_header  # type: ignore[attr-defined]
        extra: dict[str, Any] = {}
        wait = getattr(exc, "wait", None)
        if isinstance(exc, exceptions.Throttled) and wait is not None:
            seconds = max(1, math.ceil(wait))
            headers["Retry-After"] = str(seconds)
            extra["retry_after"] = seconds
        code: Any = exc.get_codes()
        detail: Any = exc.detail
        if isinstance(detail, dict) and isinstance(detail.get("code"), str):
            # simplejwt's errors are {"detail", "code"}: keep their precise code (e.g. password_changed)
            code, detail = str(detail["code"]), detail.get("detail")
        code = code if isinstance(code, str) else exc.default_code
        message = detail if isinstance(detail, str) else str(exc.default_detail)
        response = Response(
            error_body(_CODES.get(code, code), str(message), extra), status=exc.status_code, headers=headers
        )
        return response
    logger.exception("Unhandled error in %s", context.get("view").__class__.__name__)
    return Response(
        error_body("server_error", "Something went wrong on our side; it has been logged."),
        status=status.HTTP_500_INTERNAL_SERVER_ERROR,
    )


def json_error_response(request: HttpRequest, code: str, message: str, status_code: int) -> JsonResponse:
    return JsonResponse(error_body(code, message), status=status_code)


def database_unavailable() -> ServiceUnavailable:
    """The error every door answers while the database cannot be reached (503, retry later)."""
    return ServiceUnavailable(
        "The database is unavailable at the moment; nothing was changed. Try again shortly.",
        service="database",
        retry_after=RETRY_AFTER_SECONDS,
    )


def service_unavailable_json(error: ServiceUnavailable) -> JsonResponse:
    """``ServiceUnavailable`` as the API's JSON error, with ``Retry-After``, for code outside DRF views."""
    response = JsonResponse(error_body(error.code, error.message, error.details), status=error.status_code)
    response["Retry-After"] = str(error.retry_after)
    return response
