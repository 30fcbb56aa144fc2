"""Liveness and readiness checks.

Each check returns ``None`` when the dependency answers and a short reason when it does not; the
readiness endpoint reports every check by name so an operator sees at once what is down.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connections

CheckResult = str | None


def check_database() -> CheckResult:
    """Run ``SELECT 1`` on every configured database."""
    for alias in connections:
        try:
            with connections[alias].cursor() as cursor:
                cursor.execute("SELECT 1")
                cursor.fetchone()
        except DatabaseError as error:
            return f"{alias}: {_first_line(error)}"
    return None


def check_cache() -> CheckResult:
    """Write, read and delete a random key in the default cache."""
    key = f"readyz:{uuid.uuid4().hex}"
    try:
        cache.set(key, "ok", timeout=10)
        value = cache.get(key)
        cache.delete(key)
    except Exception as error:  # cache clients raise their own exception types (redis, socket)
        return _first_line(error)
    return None if value == "ok" else "cache did not return the value it stored"


def check_tasks() -> CheckResult:
    """With a broker, open a connection to it; without one, run the ``ping`` task in-process."""
    from config.celery import app
    from prepdeck.core.tasks import ping

    try:
        if settings.CELERY_TASK_ALWAYS_EAGER and not getattr(settings, "REDIS_URL", ""):
            result = ping.apply().get(timeout=5)
            return None if result == "pong" else f"ping task answered {result!r}"
        with app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, interval_start=0, timeout=2)
    except Exception as error:  # kombu and redis raise many exception types for an unreachable broker
        return _first_line(error)
    return None


READINESS_CHECKS: dict[str, Callable[[], CheckResult]] = {
    "database": check_database,
    "cache": check_cache,
    "tasks": check_tasks,
}


# /readyz asks the workers with a broadcast ping, waiting this long for the first answers, and keeps the
# answer for a few seconds, so a load balancer polling every second does not broadcast every second.
WORKER_PING_TIMEOUT_SECONDS = 1.0
WORKER_STATUS_CACHE_SECONDS = 5.0
_worker_status_lock = threading.Lock()
_worker_status_cache: tuple[float, str] | None = None


def worker_status(*, broker_ok: bool = True) -> str:
    """Whether a Celery worker answers: ``"ok"``, ``"absent"`` (no worker answered within
    ``WORKER_PING_TIMEOUT_SECONDS``), ``"in-process"`` (no broker, or eager tasks: nothing to ask) or
    ``"unknown"`` (the broker itself is down, see the ``tasks`` check).

    Cached per process for ``WORKER_STATUS_CACHE_SECONDS``. Only the first call waits for the ping; after
    that a stale answer is returned at once and refreshed in the background, so a probe never waits out
    the ping timeout (with no worker, every ping takes the whole timeout)."""
    broker = str(getattr(settings, "CELERY_BROKER_URL", "") or "")
    if settings.CELERY_TASK_ALWAYS_EAGER or not broker or broker.startswith("memory://"):
        return "in-process"
    if not broker_ok:
        return "unknown"
    global _worker_refreshing
    with _worker_status_lock:
        cached = _worker_status_cache
        if cached is not None:
            if time.monotonic() - cached[0] >= WORKER_STATUS_CACHE_SECONDS and not _worker_refreshing:
                _worker_refreshing = True
                threading.Thread(
                    target=_worker_status_refresh, name="readyz-worker-ping", daemon=True
                ).start()
            return cached[1]
    return _worker_status_refresh()


_worker_refreshing = False


def _worker_status_refresh() -> str:
    """Ping the workers and cache the answer (``worker_status``)."""
    global _worker_status_cache, _worker_refreshing
    from config.celery import app

    try:
        # limit=1: return at the first answer instead of waiting out the timeout for more workers
        replies = app.control.ping(timeout=WORKER_PING_TIMEOUT_SECONDS, limit=1)
    except Exception:  # the broker went away between the two checks: kombu/redis errors of many types
        with _worker_status_lock:
            _worker_refreshing = False
        return "unknown"
    status = "ok" if replies else "absent"
    with _worker_status_lock:
        _worker_status_cache = (time.monotonic(), status)
        _worker_refreshing = False
    return status


def worker_status_forget() -> None:
    """Drop the cached worker answer (tests; the next ``/readyz`` asks again)."""
    global _worker_status_cache
    with _worker_status_lock:
        _worker_status_cache = None


def readiness() -> dict[str, CheckResult]:
    """Run every readiness check; the value is ``None`` for a check that passed."""
    return {name: check() for name, check in READINESS_CHECKS.items()}


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return (text[0] if text else type(error).__name__)[:300]
