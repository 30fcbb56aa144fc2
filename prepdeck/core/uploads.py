"""Limits on uploads that are enforced before a request's body is read, for every door.

Django's ``DATA_UPLOAD_MAX_MEMORY_SIZE`` does not count files, so without these an upload of any size is
read (and spooled to disk) before a view could refuse it:

- ``RequestSizeLimitMiddleware`` answers ``413`` to a multipart request whose ``Content-Length`` is over
  ``UPLOAD_MAX_REQUEST_BYTES``, before anything reads its body (JSON for ``/api/``, a short page otherwise);
- ``RequestSizeLimitHandler``, the first of ``FILE_UPLOAD_HANDLERS``, stops reading a body that turns out
  larger than that (a chunked request has no length) or that holds more than ``UPLOAD_MAX_FILES`` files;
  the view then asks ``refused_upload(request)`` and answers ``413``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest, HttpResponse, JsonResponse

_REFUSED = "prepdeck_upload_refused"


def _too_large_message() -> str:
    return (
        f"The upload is larger than {settings.UPLOAD_MAX_REQUEST_BYTES // (1024 * 1024)} MiB, "
        "the limit for one request."
    )


def refused_upload(request: HttpRequest) -> str | None:
    """Why the upload handler stopped reading this request's files (a sentence), or None."""
    return getattr(request, _REFUSED, None)


class RequestSizeLimitHandler(FileUploadHandler):
    """Counts the bytes and files of a multipart body as it streams in; past a limit, stops reading."""

    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.received = 0
        self.files = 0

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.files += 1
        if self.files > settings.UPLOAD_MAX_FILES:
            self._refuse(f"At most {settings.UPLOAD_MAX_FILES} files can be uploaded at once.")

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > settings.UPLOAD_MAX_REQUEST_BYTES:
            self._refuse(_too_large_message())
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler (memory or temporary file) builds the file

    def _refuse(self, message: str) -> None:
        if self.request is not None:
            setattr(self.request, _REFUSED, message)
        # Django reads and discards the rest of the body (keeping none of it) and keeps the fields read
        # so far (the CSRF token comes first), so the view can answer.
        raise StopUpload(connection_reset=False)


def too_large_response(request: HttpRequest, message: str) -> HttpResponse:
    """``413``: the API's JSON error body under ``/api/``, a plain sentence elsewhere."""
    if request.path.startswith("/api/"):
        body = {"error": {"code": "request_too_large", "message": message, "details": {}}}
        return JsonResponse(body, status=413)
    return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")


class RequestSizeLimitMiddleware:
    """Refuse a multipart request whose declared length is over the limit, before its body is read."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        from asgiref.sync import iscoroutinefunction, markcoroutinefunction

        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def _refusal(self, request: HttpRequest) -> HttpResponse | None:
        if not (request.content_type or "").startswith("multipart/"):
            return None
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return None
        if length > settings.UPLOAD_MAX_REQUEST_BYTES:
            return too_large_response(request, _too_large_message())
        return None

    def __call__(self, request: HttpRequest) -> Any:
        if self.is_async:
            return self._acall(request)
        return self._refusal(request) or self.get_response(request)

    async def _acall(self, request: HttpRequest) -> HttpResponse:
        refusal = self._refusal(request)
        if refusal is not None:
            return refusal
        response: Awaitable[HttpResponse] = self.get_response(request)
        return await response
