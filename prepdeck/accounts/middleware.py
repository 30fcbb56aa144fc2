"""Pages show times in the signed-in user's own time zone (datetimes are stored in UTC)."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from axes.helpers import get_lockout_response
from axes.middleware import AxesMiddleware
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone


class UserTimeZoneMiddleware:
    """Activate ``user.time_zone`` for the request, so templates render local times; UTC otherwise.

    Runs in both stacks: under ASGI it reads the user with ``request.auser()`` (already loaded by
    ``DatabaseUnavailableMiddleware``, so no query); the activation is context-local, so the view Django
    runs in a thread sees it."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> Any:
        if self.is_async:
            return self._acall(request)
        user = getattr(request, "user", None)
        _activate(getattr(user, "time_zone", "") if user is not None and user.is_authenticated else "")
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()

    async def _acall(self, request: HttpRequest) -> HttpResponse:
        load_user = getattr(request, "auser", None)
        user = await load_user() if load_user is not None else None
        _activate(getattr(user, "time_zone", "") if user is not None and user.is_authenticated else "")
        try:
            response: Awaitable[HttpResponse] = self.get_response(request)
            return await response
        finally:
            timezone.deactivate()


def _activate(zone: str) -> None:
    timezone.deactivate()
    if zone:
        # an unknown zone (validated on save, so only from old data) leaves UTC
        with contextlib.suppress(ZoneInfoNotFoundError, ValueError):
            timezone.activate(ZoneInfo(zone))


class LockoutMiddleware(AxesMiddleware):
    """django-axes' middleware with its async path fixed: axes 8.3 passes the credentials where the door's
    response belongs (``get_lockout_response(request, credentials)``), so under ASGI a locked sign-in would
    lose the door's own answer (and our ``lockout_response`` would fail on a dict). Here both stacks call it
    as the sync one does; only a locked-out request leaves the event loop."""

    async def __acall__(self, request: HttpRequest) -> HttpResponse:
        response: HttpResponse = await self.get_response(request)
        if getattr(settings, "AXES_ENABLED", True) and getattr(request, "axes_locked_out", None):
            credentials = getattr(request, "axes_credentials", None)
            response = await sync_to_async(get_lockout_response, thread_sensitive=True)(
                request, response, credentials
            )
        return response
