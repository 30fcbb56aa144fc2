"""One Redis connection pool, and one Redis client object, per process for Django's cache.

Django's ``RedisCache`` builds its connection pool inside the cache object, and ``django.core.cache.caches``
keeps one cache object per thread. Under ASGI every request runs its sync code in a thread of its own, so
each request built a new pool and opened a new Redis connection (every API request touches the cache for
its throttles). ``CACHES["default"]["OPTIONS"]["pool_class"]`` points here: :meth:`from_url` hands every
cache object the same pool for the same URL and options, so a process holds at most ``max_connections``
cache connections, reused across requests; a caller waits up to ``timeout`` seconds for a free one.

Django's cache client also builds a new ``redis.Redis`` object for every cache call (its constructor fills
a table of ~170 response callbacks: a fifth of the CPU a throttled API request spent on the cache).
:class:`RedisCache` (the ``BACKEND``) hands out one client per pool instead; redis-py clients are safe to
share between threads (each command takes a connection from the pool).
"""

from __future__ import annotations

import os
import threading
from typing import Any

import redis
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class ProcessConnectionPool(redis.BlockingConnectionPool):
    """A ``BlockingConnectionPool`` shared by every cache object of the process (see the module docstring)."""

    _shared: dict[tuple[Any, ...], ProcessConnectionPool] = {}
    _shared_lock = threading.Lock()
    _client: redis.Redis | None = None

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

    def shared_client(self) -> redis.Redis:
        """The one ``redis.Redis`` of this pool (made on first use; a race makes two, harmlessly)."""
        client = self._client
        if client is None:
            client = self._client = redis.Redis(connection_pool=self)
        return client

    @classmethod
    def close_process_pools(cls) -> None:
        """Close every pool of this process and forget them, so the next cache call makes a fresh pool."""
        with cls._shared_lock:
            mine = [key for key in cls._shared if key[0] == os.getpid()]
            pools = [cls._shared.pop(key) for key in mine]
        for pool in pools:
            pool.disconnect()


class SharedClientRedisCacheClient(RedisCacheClient):
    """Django's Redis cache client, with one ``redis.Redis`` per process pool instead of one per call."""

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        pool = self._get_connection_pool(write)  # type: ignore[attr-defined]  # Django's, not in the stubs
        if isinstance(pool, ProcessConnectionPool):
            return pool.shared_client()
        return self._client(connection_pool=pool)  # type: ignore[attr-defined]


class RedisCache(DjangoRedisCache):
    """Django's ``RedisCache`` with :class:`SharedClientRedisCacheClient` (``CACHES[...]["BACKEND"]``)."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = SharedClientRedisCacheClient
