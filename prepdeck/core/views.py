"""Health endpoints and the home page."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_safe
from django.views.defaults import page_not_found
from django.views.defaults import server_error as default_server_error

from prepdeck.core import health
from prepdeck.core.api.errors import json_error_response


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness: the process is up and serving. Touches no dependency."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness: the database, the cache and the task queue answer; 503 naming whatever did not."""
    results = health.readiness()
    failed = sorted(name for name, problem in results.items() if problem)
    body = {
        "status": "unavailable" if failed else "ok",
        "checks": {name: (problem or "ok") for name, problem in results.items()},
        "failed": failed,
    }
    return JsonResponse(body, status=503 if failed else 200)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """404 for URLs no view matched: the API's JSON error under ``/api/``, Django's page elsewhere."""
    if request.path.startswith("/api/"):
        return json_error_response(request, "not_found", "No API endpoint at this URL.", 404)
    return page_not_found(request, exception or Http404())


def server_error(request: HttpRequest) -> HttpResponse:
    """500 outside API views: JSON under ``/api/``, Django's page elsewhere."""
    if request.path.startswith("/api/"):
        return json_error_response(
            request, "server_error", "Something went wrong on our side; it has been logged.", 500
        )
    return default_server_error(request)


@require_safe
def favicon(request: HttpRequest) -> HttpResponse:
    """``/favicon.ico``, which browsers ask for on pages that name no icon: our icon's static address."""
    return HttpResponsePermanentRedirect(static("prepdeck/icon.svg"))
