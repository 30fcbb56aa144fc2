"""What the API documentation pages need from us beyond drf-spectacular's views.

Redoc's bundle (from drf-spectacular-sidecar) hard-codes one request to another site: the "API docs by Redocly"
footer loads its logo from Redocly's CDN, which our Content-Security-Policy blocks (a console error on every
visit). We serve the same bundle with that one address replaced by an empty inline image, so the page makes no
request to another origin and keeps the attribution text.
"""

from __future__ import annotations

import functools
from pathlib import Path

from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

REDOC_BUNDLE = "drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js"
REDOC_REMOTE_LOGO = b"https://cdn.redoc.ly/redoc/logo-mini.svg"
EMPTY_IMAGE = b"data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg'/%3E"


@functools.cache
def redoc_bundle_bytes() -> bytes:
    """The sidecar's Redoc bundle with its remote logo replaced (read once per process)."""
    found = finders.find(REDOC_BUNDLE)
    if not found:
        raise FileNotFoundError(f"{REDOC_BUNDLE} is missing: is drf-spectacular-sidecar installed?")
    return Path(str(found)).read_bytes().replace(REDOC_REMOTE_LOGO, EMPTY_IMAGE)


@require_safe
def redoc_bundle(request: HttpRequest) -> HttpResponse:
    """``/api/redoc/redoc.standalone.js``: Redoc without requests to other sites."""
    response = HttpResponse(redoc_bundle_bytes(), content_type="application/javascript; charset=utf-8")
    response["Cache-Control"] = "public, max-age=86400"
    return response
