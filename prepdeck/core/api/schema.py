"""OpenAPI helpers: the error shape as a component, and the error responses each endpoint documents."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

ErrorSerializer = inline_serializer(
    name="Error",
    fields={
        "error": inline_serializer(
            name="ErrorBody",
            fields={
                "code": serializers.CharField(help_text="Stable machine-readable code, e.g. not_found."),
                "message": serializers.CharField(help_text="What went wrong, for people."),
                "details": serializers.DictField(help_text="Extra data, e.g. field errors or retry_after."),
            },
        )
    },
)

_DESCRIPTIONS = {
    400: "Invalid input (code `invalid` with field errors, or a more specific code).",
    401: "Not authenticated, or the credentials are invalid or expired.",
    403: "Authenticated but not allowed (e.g. editors only).",
    404: "Not found, or not visible to you (for a list: a page past the end).",
    409: "Conflict with the current state (e.g. a stale version).",
    410: "Gone: a link that expired or was already used (e.g. an interview invite).",
    412: "Precondition failed.",
    413: "Request too large.",
    429: "Throttled; retry after the `Retry-After` seconds.",
    503: (
        "A service the request needs is down (code `service_unavailable`, `details.service` names it: "
        "`database` or `task_queue`); nothing was changed. Retry after the `Retry-After` seconds."
    ),
}


def errors(*codes: int) -> dict[int, Any]:
    """Error responses for ``extend_schema(responses=...)``; 401, 429 and 503 (an outage) are added to every
    endpoint."""
    return {
        code: OpenApiResponse(ErrorSerializer, description=_DESCRIPTIONS[code])
        for code in sorted({*codes, 401, 429, 503})
    }
