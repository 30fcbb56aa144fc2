"""Django's own middleware, with the hooks that do no I/O run on the event loop under ASGI.

Django's ``MiddlewareMixin`` is "async-capable", but in an async stack it runs every ``process_request`` and
``process_response`` through ``sync_to_async``: two thread hops per middleware per request, each one a wait
for the event loop and the one database thread. Most of those hooks are pure header and cookie logic, so
these subclasses call them directly on the event loop and hop to a thread only in the cases that touch the
database or read a request body (a session that must be saved, messages that were used, a multipart form
to check for its CSRF token). Under WSGI they are exactly Django's classes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.auth.middleware import AuthenticationMiddleware as DjangoAuthenticationMiddleware
from django.contrib.messages.middleware import MessageMiddleware as DjangoMessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware
from django.http import HttpRequest, HttpResponse
from django.middleware.clickjacking import XFrameOptionsMiddleware as DjangoXFrameOptionsMiddleware
from django.middleware.common import CommonMiddleware as DjangoCommonMiddleware
from django.middleware.csrf import CsrfViewMiddleware as DjangoCsrfViewMiddleware
from django.middleware.security import SecurityMiddleware as DjangoSecurityMiddleware


class OnTheLoop:
    """Mixin for a ``MiddlewareMixin`` subclass: its hooks run on the event loop in an async stack, unless
    ``request_needs_thread`` / ``response_needs_thread`` say this request's hook does I/O."""

    get_response: Callable[[HttpRequest], Any]

    def request_needs_thread(self, request: HttpRequest) -> bool:
        return False

    def response_needs_thread(self, request: HttpRequest, response: HttpResponse) -> bool:
        return False

    async def __acall__(self, request: HttpRequest) -> HttpResponse:
        response: HttpResponse | None = None
        process_request = getattr(self, "process_request", None)
        if process_request is not None:
            if self.request_needs_thread(request):
                response = await sync_to_async(process_request, thread_sensitive=True)(request)
            else:
                response = process_request(request)
        if response is None:
            response = await self.get_response(request)
        process_response = getattr(self, "process_response", None)
        if process_response is not None:
            if self.response_needs_thread(request, response):
                response = await sync_to_async(process_response, thread_sensitive=True)(request, response)
            else:
                response = process_response(request, response)
        assert response is not None
        return response


class SecurityMiddleware(OnTheLoop, DjangoSecurityMiddleware):
    """Headers and the HTTPS redirect: no I/O."""


class CommonMiddleware(OnTheLoop, DjangoCommonMiddleware):
    """Slash redirects (a URL resolve) and ``DISALLOWED_USER_AGENTS``: no I/O."""


class XFrameOptionsMiddleware(OnTheLoop, DjangoXFrameOptionsMiddleware):
    """One header: no I/O."""


class AuthenticationMiddleware(OnTheLoop, DjangoAuthenticationMiddleware):
    """Sets the lazy ``request.user`` and ``request.auser``: loading the user happens later, where it is
    awaited (``DatabaseUnavailableMiddleware``) or in the view's thread."""


class SessionMiddleware(OnTheLoop, DjangoSessionMiddleware):
    """Creating the session store is lazy (no I/O); saving it is I/O, so a response whose session must be
    saved is finished in a thread."""

    def response_needs_thread(self, request: HttpRequest, response: HttpResponse) -> bool:
        session = getattr(request, "session", None)
        if session is None:
            return False
        return bool(session.modified or settings.SESSION_SAVE_EVERY_REQUEST)


class MessageMiddleware(OnTheLoop, DjangoMessageMiddleware):
    """The storage is created lazily; storing messages that were read or added may write the session (and
    load it first), so only then is the response finished in a thread."""

    def response_needs_thread(self, request: HttpRequest, response: HttpResponse) -> bool:
        storage = getattr(request, "_messages", None)
        return storage is not None and bool(storage.used or storage.added_new)


class CsrfViewMiddleware(OnTheLoop, DjangoCsrfViewMiddleware):
    """Reading the CSRF cookie and setting it again are header work. ``process_view`` accepts a safe method
    or an exempt view (DRF's views are) on the event loop; checking an unsafe request's token reads its
    body and a refusal renders the failure page, so those run in a thread, as Django's own hook does. With
    ``CSRF_USE_SESSIONS`` (the session is I/O) every hook hops."""

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        super().__init__(get_response)
        if getattr(self, "async_mode", False):
            # Django collects process_view from the instance when it builds the chain: a coroutine
            # function is awaited as it is; a plain one would be wrapped in sync_to_async.
            self.process_view = self._aprocess_view  # type: ignore[method-assign,assignment]

    def request_needs_thread(self, request: HttpRequest) -> bool:
        return bool(settings.CSRF_USE_SESSIONS)

    def response_needs_thread(self, request: HttpRequest, response: HttpResponse) -> bool:
        return bool(settings.CSRF_USE_SESSIONS)

    async def _aprocess_view(
        self,
        request: HttpRequest,
        callback: Callable[..., Any],
        callback_args: tuple[Any, ...],
        callback_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        check = DjangoCsrfViewMiddleware.process_view.__get__(self)
        on_the_loop = not settings.CSRF_USE_SESSIONS and (
            getattr(request, "csrf_processing_done", False)
            or getattr(callback, "csrf_exempt", False)
            or request.method in ("GET", "HEAD", "OPTIONS", "TRACE")
        )
        if on_the_loop:
            answer: HttpResponse | None = check(request, callback, callback_args, callback_kwargs)
            return answer
        result: HttpResponse | None = await sync_to_async(check, thread_sensitive=True)(
            request, callback, callback_args, callback_kwargs
        )
        return result
