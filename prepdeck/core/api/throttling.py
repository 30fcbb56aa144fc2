"""API throttles. Rates live in settings (``THROTTLE_<SCOPE>`` environment variables, see README).

Every request counts against a sustained rate (``anon`` per client address, ``user`` per account) and a
``burst`` rate; views that are costly or attractive to abuse name a ``throttle_scope`` (login,
registration, password_reset, imports, grading) with its own, tighter rate. A throttled request gets
429 with ``Retry-After`` (set by the error handler).

Every throttle identifies an anonymous client by ``prepdeck.core.client_address.client_ip``, the one helper
that decides when ``X-Forwarded-For`` is trusted (``TRUSTED_PROXIES``).

DRF runs a view's throttles one after the other, each reading its request history from the cache and
writing it back: four Redis round trips per signed-in request. Ours share one :class:`RequestHistories` per
request instead: every history is read in one ``get_many`` before the first throttle decides, and the
updated ones are written in one ``set_many`` after the last (issue 18: fewer round trips on every API
request). Each throttle still decides exactly as DRF's does.
"""

from __future__ import annotations

from typing import Any

from rest_framework.request import Request
from rest_framework.throttling import (
    AnonRateThrottle,
    ScopedRateThrottle,
    SimpleRateThrottle,
    UserRateThrottle,
)

from prepdeck.core.client_address import client_ip
from prepdeck.core.outages import fallback_cache

# Every throttle counts in the shared cache, or in this process's memory while the shared cache does not
# answer (see ``FallbackCache``): with Redis down the API keeps serving, and the limits hold per process.


class ClientAddressMixin:
    """Identify anonymous clients by the address our helper trusts, not DRF's own header parsing."""

    def get_ident(self, request: Request) -> str:
        return client_ip(request)


class RequestHistories:
    """The request histories of every throttle of one request: read in one round trip when the first of
    them runs, written in one when the last has decided. Throttles use it as their ``cache``."""

    def __init__(self, throttles: list[Any], request: Request, view: Any) -> None:
        ours = [throttle for throttle in throttles if isinstance(throttle, SharedHistoriesMixin)]
        keys = [key for throttle in ours if (key := throttle.history_key(request, view)) is not None]
        self.histories: dict[str, Any] = fallback_cache.get_many(keys) if keys else {}
        self.pending: dict[str, Any] = {}
        self.timeout = 0
        self.left = len(ours)

    def get(self, key: str, default: Any = None) -> Any:
        return self.histories.get(key, default)

    def set(self, key: str, value: Any, timeout: int | None = None) -> None:
        # One expiry for the batch, the longest: a history outliving its window is harmless (entries older
        # than the window are dropped when it is read).
        self.pending[key] = value
        self.timeout = max(self.timeout, timeout or 0)

    def throttle_done(self) -> None:
        self.left -= 1
        if self.left <= 0 and self.pending:
            fallback_cache.set_many(self.pending, self.timeout or None)
            self.pending = {}


class SharedHistoriesMixin:
    """Read and write the history through the request's :class:`RequestHistories` (see the module
    docstring); DRF's ``allow_request`` does the rest."""

    def history_key(self, request: Request, view: Any) -> str | None:
        """The cache key this throttle will use for the request, or None when it will not count it."""
        if getattr(self, "rate", None) is None:
            return None
        key: str | None = self.get_cache_key(request, view)  # type: ignore[attr-defined]
        return key

    def allow_request(self, request: Request, view: Any) -> bool:
        histories: RequestHistories | None = getattr(request, "_prepdeck_throttle_histories", None)
        if histories is None:
            histories = RequestHistories(view.get_throttles(), request, view)
            request._prepdeck_throttle_histories = histories  # type: ignore[attr-defined]
        self.cache: Any = histories
        try:
            allowed: bool = super().allow_request(request, view)  # type: ignore[misc]
            return allowed
        finally:
            histories.throttle_done()


class AnonThrottle(SharedHistoriesMixin, ClientAddressMixin, AnonRateThrottle):
    scope = "anon"
    cache = fallback_cache


class UserThrottle(SharedHistoriesMixin, ClientAddressMixin, UserRateThrottle):
    scope = "user"
    cache = fallback_cache


class BurstThrottle(SharedHistoriesMixin, ClientAddressMixin, SimpleRateThrottle):
    """A short-window limit for everybody, by account or, when anonymous, by client address."""

    scope = "burst"
    cache = fallback_cache

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        ident = request.user.pk if request.user and request.user.is_authenticated else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


class ScopedThrottle(SharedHistoriesMixin, ClientAddressMixin, ScopedRateThrottle):
    """The view's own ``throttle_scope`` rate (no limit for views without one)."""

    cache = fallback_cache

    def history_key(self, request: Request, view: Any) -> str | None:
        # DRF's ScopedRateThrottle learns its scope and rate only when it runs; the same steps here
        scope = getattr(view, self.scope_attr, None)
        if not scope:
            return None
        self.scope = scope
        self.rate = self.get_rate()
        if self.rate is None:
            return None
        return self.get_cache_key(request, view)
