"""Degrading instead of failing when a backing service is down.

PrepDeck depends on three services besides its own process: the database, the cache (Redis, or local
memory) and the task broker (Redis, or in-process). This module says what each one raises when it cannot be
reached, and holds the two tools the rest of the code uses to keep serving through an outage:

- ``fallback_cache``: the shared cache, or this process's own memory while the shared cache does not answer.
  API throttles count there, so reads keep serving when Redis is down and the limits still hold (per
  process). A circuit breaker stops asking the shared cache for ``retry_seconds`` after a failure and then
  tries again, so an outage costs one failed connection attempt per process every few seconds, and when
  the cache returns everything counts there again by itself, with no restart.
- ``OutageLog``: logs an outage when it starts and then at most once a minute (with how many failures it
  did not log), so a down service does not flood the log with one line per request.

The database and the broker are not replaced while they are down: requests that need them answer 503 with
``Retry-After`` (``prepdeck.core.api.errors``, ``prepdeck.core.middleware.DatabaseUnavailableMiddleware``,
``prepdeck.core.tasks.task_queue_check``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import django.db
import kombu.exceptions
import psycopg
import redis.exceptions
from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from django.core.cache.backends.locmem import LocMemCache

logger = logging.getLogger("prepdeck.outages")


def _pool_errors() -> tuple[type[BaseException], ...]:
    try:  # the psycopg connection pool, when installed (settings may enable Django's pool)
        from psycopg_pool import PoolTimeout
    except ImportError:  # pragma: no cover - depends on the installed packages
        return ()
    return (PoolTimeout,)


# What a request sees when the database cannot be reached or gives no connection in time. Django wraps the
# driver's errors in its own; psycopg's own classes are listed for code that talks to the driver or the
# pool directly (a pool timeout raised while opening a connection).
DATABASE_ERRORS: tuple[type[BaseException], ...] = (
    django.db.OperationalError,
    django.db.InterfaceError,
    psycopg.OperationalError,
    psycopg.InterfaceError,
    *_pool_errors(),
)

# What Django's Redis cache raises when Redis is unreachable, times out or refuses a command.
CACHE_ERRORS: tuple[type[BaseException], ...] = (redis.exceptions.RedisError, OSError)

# What Celery raises when a task cannot be sent: kombu wraps the transport's errors in its own.
BROKER_ERRORS: tuple[type[BaseException], ...] = (
    kombu.exceptions.KombuError,
    redis.exceptions.RedisError,
    OSError,
)

# Seconds a client is told to wait (``Retry-After``) when a service it needs is down.
RETRY_AFTER_SECONDS = 30


def first_line(error: BaseException) -> str:
    """The first line of an error's message (or its type), short enough for a log line or a response."""
    text = str(error).strip().splitlines()
    return (text[0] if text else type(error).__name__)[:300]


class OutageLog:
    """Log each kind of outage at most once per ``interval`` seconds.

    The first failure is logged at once (with the traceback when given); later ones within the interval are
    counted, and the next line says how many were not logged.
    """

    def __init__(
        self, log: logging.Logger, *, interval: float = 60.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.log = log
        self.interval = interval
        self.clock = clock
        self._last: dict[str, float] = {}
        self._unlogged: dict[str, int] = {}
        self._lock = threading.Lock()

    def report(self, kind: str, message: str, *args: Any, exc_info: BaseException | None = None) -> bool:
        """Log ``message % args`` as a warning unless ``kind`` was logged less than an interval ago.

        Returns whether it logged.
        """
        now = self.clock()
        with self._lock:
            last = self._last.get(kind)
            if last is not None and now - last < self.interval:
                self._unlogged[kind] = self._unlogged.get(kind, 0) + 1
                return False
            self._last[kind] = now
            unlogged = self._unlogged.pop(kind, 0)
        if unlogged:
            message += " (%d more since the last report)"
            args = (*args, unlogged)
        self.log.warning(message, *args, exc_info=exc_info, extra={"outage": kind})
        return True

    def reset(self, kind: str | None = None) -> None:
        """Forget what was logged (all kinds, or one), so the next failure is logged at once."""
        with self._lock:
            if kind is None:
                self._last.clear()
                self._unlogged.clear()
            else:
                self._last.pop(kind, None)
                self._unlogged.pop(kind, None)


outage_log = OutageLog(logger)


class FallbackCache(BaseCache):
    """The shared cache ``alias``, or a per-process memory cache while the shared one does not answer.

    Use it where a cache is an aid, not a store of record: rate-limit counters and "sent recently" marks,
    whose worst case during an outage is a limit counted per process instead of across processes. Never
    for cached data that must be invalidated: a delete made during an outage would not reach the shared
    cache. ``get``, ``set``, ``add``, ``delete``, ``touch``, ``get_many`` and ``set_many`` (one round trip
    each) go to one cache or the other; Django's other operations (``incr``, ...) are built on them by
    ``BaseCache``.
    """

    def __init__(
        self,
        alias: str = "default",
        *,
        retry_seconds: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
        log: OutageLog = outage_log,
    ) -> None:
        super().__init__({})
        self.alias = alias
        self.retry_seconds = retry_seconds
        self.clock = clock
        self.log = log
        # A bounded memory cache of this process only (LocMemCache culls the oldest third when full).
        self.local = LocMemCache(
            f"prepdeck-fallback-{alias}", {"TIMEOUT": 300, "OPTIONS": {"MAX_ENTRIES": 10_000}}
        )
        self._retry_at = 0.0
        self._down_since: float | None = None

    @property
    def shared(self) -> BaseCache:
        return caches[self.alias]

    @property
    def degraded(self) -> bool:
        """Whether the shared cache failed last time it was asked (and counting is per process)."""
        return self._down_since is not None

    def _call(self, operation: str, *args: Any, **kwargs: Any) -> Any:
        now = self.clock()
        if self._down_since is not None and now < self._retry_at:
            return getattr(self.local, operation)(*args, **kwargs)
        try:
            result = getattr(self.shared, operation)(*args, **kwargs)
        except CACHE_ERRORS as error:
            if self._down_since is None:
                self._down_since = now
            self._retry_at = now + self.retry_seconds
            self.log.report(
                "cache",
                "The cache does not answer (%s): rate limits count in this process's memory until it does "
                "(asked again every %g s).",
                first_line(error),
                self.retry_seconds,
            )
            return getattr(self.local, operation)(*args, **kwargs)
        if self._down_since is not None:
            logger.warning(
                "The cache answers again after %.0f s: rate limits count there again.", now - self._down_since
            )
            self._down_since = None
            self.log.reset("cache")
        return result

    def get(self, key: str, default: Any = None, version: int | None = None) -> Any:
        return self._call("get", key, default, version=version)

    def set(
        self, key: str, value: Any, timeout: float | None = DEFAULT_TIMEOUT, version: int | None = None
    ) -> None:
        self._call("set", key, value, timeout, version=version)

    def add(
        self, key: str, value: Any, timeout: float | None = DEFAULT_TIMEOUT, version: int | None = None
    ) -> bool:
        return bool(self._call("add", key, value, timeout, version=version))

    def delete(self, key: str, version: int | None = None) -> bool:
        return bool(self._call("delete", key, version=version))

    def touch(self, key: str, timeout: float | None = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return bool(self._call("touch", key, timeout, version=version))

    def get_many(self, keys: Any, version: int | None = None) -> dict[str, Any]:
        return dict(self._call("get_many", keys, version=version))

    def set_many(
        self, data: dict[str, Any], timeout: float | None = DEFAULT_TIMEOUT, version: int | None = None
    ) -> list[str]:
        return list(self._call("set_many", data, timeout, version=version) or [])

    def clear(self) -> None:
        self._call("clear")

    def reset(self) -> None:
        """Close the breaker and empty the local counters (tests, and a process that wants a clean slate)."""
        self._retry_at = 0.0
        self._down_since = None
        self.local.clear()
        self.log.reset("cache")


fallback_cache = FallbackCache()
