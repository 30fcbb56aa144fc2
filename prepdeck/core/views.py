"""Health endpoints and the home page."""

from __future__ import annotations

import sys

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_safe
from django.views.defaults import page_not_found
from django.views.defaults import server_error as default_server_error

from prepdeck.core import health
from prepdeck.core.api.errors import database_unavailable, json_error_response, service_unavailable_json
from prepdeck.core.exceptions import ServiceUnavailable
from prepdeck.core.outages import DATABASE_ERRORS, first_line, outage_log


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness: the process is up and serving. Touches no dependency."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness: the database, the cache and the task queue answer; 503 naming whatever did not.

    ``worker`` says whether a Celery worker answered a ping (``ok``, ``absent``, ``in-process`` without a
    broker, ``unknown`` with the broker down). The site serves pages without workers, so an absent worker
    leaves the status 200 unless ``READYZ_REQUIRE_WORKER`` is set (then it is a failed check, 503)."""
    results = health.readiness()
    failed = sorted(name for name, problem in results.items() if problem)
    worker = health.worker_status(broker_ok=results.get("tasks") is None)
    if settings.READYZ_REQUIRE_WORKER and worker in {"absent", "unknown"}:
        failed.append("worker")
    body = {
        "status": "unavailable" if failed else "ok",
        "checks": {name: (problem or "ok") for name, problem in results.items()},
        "worker": worker,
        "failed": failed,
    }
    return JsonResponse(body, status=503 if failed else 200)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """404 for URLs no view matched: the API's JSON error under ``/api/``, Django's page elsewhere."""
    if request.path.startswith("/api/"):
        return json_error_response(request, "not_found", "No API endpoint at this URL.", 404)
    return page_not_found(request, exception or Http404())


def server_error(request: HttpRequest) -> HttpResponse:
    """500 outside API views: JSON under ``/api/``, Django's page elsewhere.

    A database outage that surfaced outside a view (e.g. saving the session) is a 503 instead. Django hands
    this handler the exception only through ``sys.exc_info()``, which is set when the middleware chain runs
    synchronously (WSGI, the test client); ``DatabaseUnavailableMiddleware`` covers the rest.
    """
    error = sys.exc_info()[1]
    if isinstance(error, DATABASE_ERRORS):
        outage_log.report("database", "The database is unavailable (%s): answering 503.", first_line(error))
        return service_unavailable(request, database_unavailable())
    if request.path.startswith("/api/"):
        return json_error_response(
            request, "server_error", "Something went wrong on our side; it has been logged.", 500
        )
    return default_server_error(request)


@require_safe
def favicon(request: HttpRequest) -> HttpResponse:
    """``/favicon.ico``, which browsers ask for on pages that name no icon: our icon's static address."""
    return HttpResponsePermanentRedirect(static("prepdeck/icon.svg"))


def service_unavailable(request: HttpRequest, error: ServiceUnavailable) -> HttpResponse:
    """503 with ``Retry-After``: the API's JSON error under ``/api/``, a standalone page elsewhere.

    The page is rendered without the request, so no context processor or navigation touches the service
    that is down.
    """
    if request.path.startswith("/api/"):
        return service_unavailable_json(error)
    page = render_to_string(
        "503.html",
        {"message": error.message, "retry_after": error.retry_after},
    )
    response = HttpResponse(page, status=error.status_code)
    response["Retry-After"] = str(error.retry_after)
    return response
