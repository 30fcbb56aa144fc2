"""Gunicorn settings for the container's two serving roles, and the worker classes they run.

``web`` (HTTP): ``gunicorn -c python:config.gunicorn config.wsgi:application`` runs ``WEB_CONCURRENCY``
processes (default 2) of gunicorn's threaded sync worker (``gthread``), ``GUNICORN_THREADS`` threads each
(default 8): a request runs start to end in one thread, without crossing between an event loop and a thread
pool. It was measured against uvicorn workers (README "Performance" → "Serving model").

``ws`` (WebSockets): ``gunicorn -c python:config.gunicorn --worker-class config.gunicorn.PrepDeckUvicornWorker
--workers 1 config.asgi:application``, the ASGI application (Channels) under uvicorn; nginx sends ``/ws/``
there. It answers HTTP too (``/healthz`` for its health check), so it is also what a single-process start
(``prepdeck run``) serves.

Both: gunicorn restarts a worker that dies or stops answering (``timeout``) and replaces them all gracefully
on ``SIGHUP``. Only ``web`` recycles its workers after ``max_requests`` (bounding any slow leak): recycling a
``ws`` worker would close every open interview socket.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from uvicorn_worker import UvicornWorker

from config.settings.environment import DEFAULT_REDIS_POOL_MAX_SIZE, as_int, database_pool

bind = os.environ.get("PREPDECK_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
# A request (not a WebSocket, which uvicorn keeps alive itself) that holds a worker this long gets it restarted.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = max_requests // 10
# Our AccessLogMiddleware logs every request with its id; gunicorn logs only its own events, to stderr.
accesslog = None
errorlog = "-"
# Which X-Forwarded-For entry is the client is decided in one place (TRUSTED_PROXIES,
# prepdeck.core.client_address); the servers must not rewrite REMOTE_ADDR themselves.
forwarded_allow_ips = ""


def pool_problems(env: Mapping[str, str], thread_count: int) -> list[str]:
    """Why ``thread_count`` threads per process do not fit the process's PostgreSQL or Redis pool (empty when
    they fit).

    Each thread of a gthread worker runs one request at a time and holds a database connection (and, while it
    talks to the cache, a Redis connection) while it does; a pool smaller than the threads makes the extra
    requests wait (``DATABASE_POOL_TIMEOUT``, ``REDIS_POOL_TIMEOUT``) and then fail.
    """
    problems = []
    if (env.get("DATABASE_URL") or "").startswith(("postgres://", "postgresql://")):
        pool = database_pool(env)
        if pool is not None and pool["max_size"] < thread_count:
            problems.append(f"DATABASE_POOL_MAX_SIZE={pool['max_size']}")
    if (env.get("REDIS_URL") or "").strip():
        redis_pool = as_int(env, "REDIS_POOL_MAX_SIZE", default=DEFAULT_REDIS_POOL_MAX_SIZE, minimum=1)
        if redis_pool < thread_count:
            problems.append(f"REDIS_POOL_MAX_SIZE={redis_pool}")
    return [
        f"GUNICORN_THREADS={thread_count} is more than {problem}: every thread needs a connection of its own; "
        "raise the pool size or lower the threads"
        for problem in problems
    ]


def on_starting(server: Any) -> None:
    """Refuse to start threaded workers whose threads would queue for connections (gunicorn's hook)."""
    if server.cfg.worker_class_str != "gthread":
        return
    problems = pool_problems(os.environ, server.cfg.threads)
    if problems:
        raise SystemExit("gunicorn: " + "; ".join(problems))


class PrepDeckUvicornWorker(UvicornWorker):
    """Uvicorn under gunicorn (the ``ws`` role), configured as ``prepdeck run`` configures uvicorn."""

    CONFIG_KWARGS: dict[str, Any] = {
        **UvicornWorker.CONFIG_KWARGS,
        "proxy_headers": False,
        "lifespan": "off",  # Django's ASGI handler does not speak the lifespan protocol
        "server_header": False,
        # Not recycled after max_requests: every HTTP request counts (its health check every 10 s), and a
        # recycled worker closes every open interview socket (1012), so all participants reconnect.
        "limit_max_requests": None,
    }
