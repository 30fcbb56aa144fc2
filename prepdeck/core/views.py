"""Health endpoints and the home page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from prepdeck.core import health


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


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html")
