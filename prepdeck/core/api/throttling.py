"""API throttles. Rates live in settings (``THROTTLE_<SCOPE>`` environment variables, see README).

Every request counts against a sustained rate (``anon`` per client address, ``user`` per account) and a
``burst`` rate; views that are costly or attractive to abuse name a ``throttle_scope`` (login,
registration, password_reset, imports, grading) with its own, tighter rate. A throttled request gets
429 with ``Retry-After`` (set by the error handler).

Every throttle identifies an anonymous client by ``prepdeck.core.client_address.client_ip``, the one helper
that decides when ``X-Forwarded-For`` is trusted (``TRUSTED_PROXIES``).
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


class AnonThrottle(ClientAddressMixin, AnonRateThrottle):
    scope = "anon"
    cache = fallback_cache


class UserThrottle(ClientAddressMixin, UserRateThrottle):
    scope = "user"
    cache = fallback_cache


class BurstThrottle(ClientAddressMixin, SimpleRateThrottle):
    """A short-window limit for everybody, by account or, when anonymous, by client address."""

    scope = "burst"
    cache = fallback_cache

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        ident = request.user.pk if request.user and request.user.is_authenticated else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


class ScopedThrottle(ClientAddressMixin, ScopedRateThrottle):
    """The view's own ``throttle_scope`` rate (no limit for views without one)."""

    cache = fallback_cache
