"""One exception hierarchy for the whole product. Each error has a stable string ``code`` that API
clients can rely on; the API's exception handler (and the web views) turn them into responses."""

from __future__ import annotations

from typing import Any


class ApplicationError(Exception):
    """Base of every error a service raises on purpose."""

    code = "error"
    status_code = 400

    def __init__(
        self, message: str, *, code: str | None = None, details: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.details = details or {}


class NotFound(ApplicationError):
    """Missing, or not visible to the caller (the two are never told apart)."""

    code = "not_found"
    status_code = 404


class Conflict(ApplicationError):
    """The write was based on a stale state (optimistic locking) or clashes with existing data."""

    code = "conflict"
    status_code = 409


class InvalidInput(ApplicationError):
    """Input that cannot be processed, with a precise reason (e.g. an import naming file and line)."""

    code = "invalid"
    status_code = 400


class PermissionDenied(ApplicationError):
    """The caller may see the object but not do this to it (e.g. publishing needs an editor)."""

    code = "permission_denied"
    status_code = 403


class ServiceUnavailable(ApplicationError):
    """A service the request needs is down (the database, the task queue); the client should retry.

    ``details`` name the ``service`` and ``retry_after`` (seconds), which also becomes ``Retry-After``.
    """

    code = "service_unavailable"
    status_code = 503

    def __init__(
        self,
        message: str,
        *,
        service: str,
        retry_after: int = 30,
        code: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(
            message, code=code, details={"service": service, "retry_after": retry_after, **(details or {})}
        )
        self.service = service
        self.retry_after = retry_after


class RequestTooLarge(ApplicationError):
    """An upload over the limits of one request (its size or its number of files)."""

    code = "request_too_large"
    status_code = 413
