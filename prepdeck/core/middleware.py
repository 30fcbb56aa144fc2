"""Our own small middleware: request ids, access logs, the security policy header and static files. All work
under WSGI and ASGI."""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from django.conf import settings
from django.core.handlers.asgi import ASGIRequest
from django.http import FileResponse, HttpRequest, HttpResponse
from django.utils.functional import empty
from whitenoise.middleware import WhiteNoiseMiddleware

from prepdeck.core.api.errors import database_unavailable
from prepdeck.core.logging import request_id_var
from prepdeck.core.outages import DATABASE_ERRORS, first_line, outage_log
from prepdeck.core.views import service_unavailable

access_logger = logging.getLogger("prepdeck.access")

REQUEST_ID_HEADER = "X-Request-ID"
# Accept a caller's id only when it is short and plain, so it cannot inject text into log lines.
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

GetResponse = Callable[[HttpRequest], Any]


def _incoming_request_id(request: HttpRequest) -> str:
    candidate = request.headers.get(REQUEST_ID_HEADER, "")
    return candidate if _VALID_REQUEST_ID.match(candidate) else uuid.uuid4().hex


def _user_id_if_loaded(request: HttpRequest) -> int | None:
    """Return the user's id when a view already loaded the user; never query for it (the access log runs
    on every request, and under ASGI a lazy user cannot be loaded from async code)."""
    lazy_user = getattr(request, "user", None)
    user = getattr(lazy_user, "_wrapped", lazy_user)
    if user is None or user is empty or not getattr(user, "is_authenticated", False):
        return None
    pk = getattr(user, "pk", None)
    return pk if isinstance(pk, int) else None


class _DualModeMiddleware:
    """Base for middleware that runs natively in both sync and async stacks."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> Any:
        if self.is_async:
            return self._acall(request)
        return self.handle(request, self.get_response)

    async def _acall(self, request: HttpRequest) -> HttpResponse:
        async def wrapped(inner: HttpRequest) -> HttpResponse:
            response: Awaitable[HttpResponse] = self.get_response(inner)
            return await response

        return await self.ahandle(request, wrapped)

    def handle(self, request: HttpRequest, get_response: GetResponse) -> HttpResponse:
        raise NotImplementedError

    async def ahandle(
        self, request: HttpRequest, get_response: Callable[[HttpRequest], Awaitable[HttpResponse]]
    ) -> HttpResponse:
        raise NotImplementedError


class RequestIdMiddleware(_DualModeMiddleware):
    """Take ``X-Request-ID`` from the caller (or make one), expose it as ``request.request_id``, put it in
    every log line of the request and echo it in the response header."""

    def _begin(self, request: HttpRequest) -> Any:
        request_id = _incoming_request_id(request)
        request.request_id = request_id  # type: ignore[attr-defined]
        return request_id_var.set(request_id)

    def handle(self, request: HttpRequest, get_response: GetResponse) -> HttpResponse:
        token = self._begin(request)
        try:
            response: HttpResponse = get_response(request)
            response[REQUEST_ID_HEADER] = request.request_id  # type: ignore[attr-defined]
            return response
        finally:
            request_id_var.reset(token)

    async def ahandle(
        self, request: HttpRequest, get_response: Callable[[HttpRequest], Awaitable[HttpResponse]]
    ) -> HttpResponse:
        token = self._begin(request)
        try:
            response = await get_response(request)
            response[REQUEST_ID_HEADER] = request.request_id  # type: ignore[attr-defined]
            return response
        finally:
            request_id_var.reset(token)


class AccessLogMiddleware(_DualModeMiddleware):
    """Log one line per request: method, path, status, duration in milliseconds and user id."""

    def _log(self, request: HttpRequest, status: int, started: float) -> None:
        duration_ms = round((time.perf_counter() - started) * 1000, 1)
        user_id = _user_id_if_loaded(request)
        level = logging.WARNING if status >= 500 else logging.INFO
        access_logger.log(
            level,
            "%s %s %s %.1fms",
            request.method,
            request.get_full_path()[:500],
            status,
            duration_ms,
            extra={
                "method": request.method,
                "path": request.path[:500],
                "status": status,
                "duration_ms": duration_ms,
                "user_id": user_id,
            },
        )

    def handle(self, request: HttpRequest, get_response: GetResponse) -> HttpResponse:
        started = time.perf_counter()
        response: HttpResponse = get_response(request)
        self._log(request, response.status_code, started)
        return response

    async def ahandle(
        self, request: HttpRequest, get_response: Callable[[HttpRequest], Awaitable[HttpResponse]]
    ) -> HttpResponse:
        started = time.perf_counter()
        response = await get_response(request)
        self._log(request, response.status_code, started)
        return response


class ContentSecurityPolicyMiddleware(_DualModeMiddleware):
    """Send ``settings.CONTENT_SECURITY_POLICY`` on every response that has none (no inline scripts, nothing
    from another origin); the API docs pages get the looser ``CONTENT_SECURITY_POLICY_API_DOCS``."""

    HEADER = "Content-Security-Policy"
    API_DOCS_PREFIXES = ("/api/docs/", "/api/redoc/")

    def _apply(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if self.HEADER not in response.headers:
            docs = request.path.startswith(self.API_DOCS_PREFIXES)
            policy = settings.CONTENT_SECURITY_POLICY_API_DOCS if docs else settings.CONTENT_SECURITY_POLICY
            if policy:
                response.headers[self.HEADER] = policy
        return response

    def handle(self, request: HttpRequest, get_response: GetResponse) -> HttpResponse:
        return self._apply(request, get_response(request))

    async def ahandle(
        self, request: HttpRequest, get_response: Callable[[HttpRequest], Awaitable[HttpResponse]]
    ) -> HttpResponse:
        return self._apply(request, await get_response(request))


async def _read_in_a_thread(chunks: Any) -> AsyncIterator[bytes]:
    """A file response's synchronous chunks as an async iterator: each read runs in a worker thread."""
    iterator = iter(chunks)
    read = sync_to_async(_next_chunk, thread_sensitive=False)
    while (chunk := await read(iterator)) is not None:
        yield chunk


def _next_chunk(iterator: Iterator[bytes]) -> bytes | None:
    return next(iterator, None)


class StaticFilesMiddleware(WhiteNoiseMiddleware):
    """WhiteNoise, able to run in an async stack, with its file responses streamed asynchronously under ASGI.

    WhiteNoise's own middleware is synchronous only, which would make Django hop the whole ASGI request
    into a thread here; this one looks the path up in WhiteNoise's in-memory table (no I/O, unless
    ``WHITENOISE_AUTOREFRESH``) on the event loop and opens a matching file in a worker thread.

    WhiteNoise answers static files with a ``FileResponse`` over a synchronous file iterator; under ASGI
    Django then warns ("StreamingHttpResponse must consume synchronous iterators") and drains the whole
    file into memory before sending it. Handing Django an async iterator streams it chunk by chunk instead.
    The file itself is still closed by the response (its closers were registered when it was opened).
    """

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: GetResponse) -> None:
        super().__init__(get_response)
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> Any:
        if self.is_async:
            return self._acall(request)
        response: HttpResponse = super().__call__(request)
        return _stream_under_asgi(request, response)

    async def _acall(self, request: HttpRequest) -> HttpResponse:
        if self.autorefresh:
            static_file = await sync_to_async(self.find_file, thread_sensitive=False)(request.path_info)
        else:
            static_file = self.files.get(request.path_info)
        if static_file is None:
            response: Awaitable[HttpResponse] = self.get_response(request)
            return await response
        served: HttpResponse = await sync_to_async(self.serve, thread_sensitive=False)(static_file, request)
        return _stream_under_asgi(request, served)


def _stream_under_asgi(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    if isinstance(request, ASGIRequest) and isinstance(response, FileResponse) and not response.is_async:
        response.streaming_content = _read_in_a_thread(response.streaming_content)
    return response


class DatabaseUnavailableMiddleware:
    """Answer 503 with ``Retry-After`` (JSON under ``/api/``, a standalone page elsewhere) while the database
    cannot be reached, instead of a 500.

    Sits right after ``AuthenticationMiddleware``: loading the signed-in user is the first query of most
    requests, so it happens here, where its failure can be answered; errors raised later by a view reach
    ``process_exception``. (DRF views answer through the API's exception handler, which maps the same
    errors.) Runs in both stacks: under ASGI it loads the user with ``request.auser()`` (the session and
    user queries run in Django's database thread, the middleware stays on the event loop) and hands the
    result to ``request.user`` so synchronous code does not load it again.
    """

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> Any:
        if self.is_async:
            return self._acall(request)
        user = getattr(request, "user", None)
        try:
            if user is not None:
                _ = user.is_authenticated  # evaluates the lazy user: the session and the user row
        except DATABASE_ERRORS as error:
            return self._unavailable(request, error)
        response: HttpResponse = self.get_response(request)
        return response

    async def _acall(self, request: HttpRequest) -> HttpResponse:
        load_user = getattr(request, "auser", None)
        if load_user is not None:
            try:
                user = await load_user()
            except DATABASE_ERRORS as error:
                return self._unavailable(request, error)
            # what AuthenticationMiddleware's lazy request.user would load, already loaded
            request._cached_user = user  # type: ignore[attr-defined]
        response: Awaitable[HttpResponse] = self.get_response(request)
        return await response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, DATABASE_ERRORS):
            return self._unavailable(request, exception)
        return None

    def _unavailable(self, request: HttpRequest, error: BaseException) -> HttpResponse:
        outage_log.report(
            "database", "The database is unavailable (%s): answering 503.", first_line(error), exc_info=error
        )
        return service_unavailable(request, database_unavailable())
