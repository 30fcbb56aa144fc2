"""Gunicorn settings for the container's ``web`` role, and the worker class it runs.

``gunicorn -c python:config.gunicorn config.asgi:application`` runs ``WEB_CONCURRENCY`` uvicorn workers
(default 2) under gunicorn's process manager: gunicorn restarts a worker that dies or stops answering
(``timeout``), recycles workers after ``max_requests`` (bounding any slow leak), and replaces them all
gracefully on ``SIGHUP``. Each worker serves HTTP and WebSockets (Channels) through uvicorn.
"""

from __future__ import annotations

import os
from typing import Any

from uvicorn_worker import UvicornWorker

bind = os.environ.get("PREPDECK_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "config.gunicorn.PrepDeckUvicornWorker"
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


class PrepDeckUvicornWorker(UvicornWorker):
    """Uvicorn under gunicorn, configured as ``prepdeck run`` configures uvicorn."""

    CONFIG_KWARGS: dict[str, Any] = {
        **UvicornWorker.CONFIG_KWARGS,
        "proxy_headers": False,
        "lifespan": "off",  # Django's ASGI handler does not speak the lifespan protocol
        "server_header": False,
    }
