"""Pages show times in the signed-in user's own time zone (datetimes are stored in UTC)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.http import HttpRequest, HttpResponse
from django.utils import timezone


class UserTimeZoneMiddleware:
    """Activate ``user.time_zone`` for the request, so templates render local times; UTC otherwise.

    Synchronous on purpose: reading ``request.user`` may query the session, which async code must not do
    directly (under ASGI Django runs this in a thread for us)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        zone = getattr(user, "time_zone", "") if user is not None and user.is_authenticated else ""
        timezone.deactivate()
        if zone:
            # an unknown zone (validated on save, so only from old data) leaves UTC
            with contextlib.suppress(ZoneInfoNotFoundError, ValueError):
                timezone.activate(ZoneInfo(zone))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
