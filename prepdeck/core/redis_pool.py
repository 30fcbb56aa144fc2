"""One Redis connection pool per process for Django's cache.

Django's ``RedisCache`` builds its connection pool inside the cache object, and ``django.core.cache.caches``
keeps one cache object per thread. Under ASGI every request runs its sync code in a thread of its own, so
each request built a new pool and opened a new Redis connection (every API request touches the cache for
its throttles). ``CACHES["default"]["OPTIONS"]["pool_class"]`` points here: :meth:`from_url` hands every
cache object the same pool for the same URL and options, so a process holds at most ``max_connections``
cache connections, reused across requests; a caller waits up to ``timeout`` seconds for a free one.
"""

from __future__ import annotations

import os
import threading
from typing import Any

import redis


class ProcessConnectionPool(redis.BlockingConnectionPool):
    """A ``BlockingConnectionPool`` shared by every cache object of the process (see the module docstring)."""

    _shared: dict[tuple[Any, ...], ProcessConnectionPool] = {}
    _shared_lock = threading.Lock()

    @classmethod
    def from_url(cls, url: str, **kwargs: Any) -> ProcessConnectionPool:
        # The pid keeps a forked child (a Celery worker) from reusing its parent's sockets.
        key = (os.getpid(), url, tuple(sorted((name, repr(value)) for name, value in kwargs.items())))
        with cls._shared_lock:
            pool = cls._shared.get(key)
            if pool is None:
                pool = super().from_url(url, **kwargs)
                cls._shared[key] = pool
            return pool
