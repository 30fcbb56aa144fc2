"""The client's address, the one every address-based limit counts against.

DRF's throttles, django-axes' sign-in lockout and our own code all call ``client_ip``, so they agree on who
the client is. ``X-Forwarded-For`` is read only when ``settings.TRUSTED_PROXIES`` (a count of reverse proxies
in front of the app, see the README) is above 0, and then only the entry the nearest trusted proxy appended:
with ``n`` proxies, the ``n``-th address from the right (what DRF's ``NUM_PROXIES`` means). Entries further
left were written by the client and may be anything.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from django.conf import settings

UNKNOWN = "unknown"


def _valid(address: str) -> str | None:
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return None


def client_ip(request: Any) -> str:
    """The client address of ``request`` (a Django ``HttpRequest`` or a DRF ``Request``); ``"unknown"``
    when there is none (e.g. a request built by hand in a test)."""
    meta = getattr(request, "META", None) or {}
    remote = _valid(str(meta.get("REMOTE_ADDR") or ""))
    proxies = int(getattr(settings, "TRUSTED_PROXIES", 0) or 0)
    forwarded = str(meta.get("HTTP_X_FORWARDED_FOR") or "")
    if proxies > 0 and forwarded:
        hops = [hop for hop in (part.strip() for part in forwarded.split(",")) if hop]
        if hops:
            chosen = _valid(hops[-min(proxies, len(hops))])
            if chosen is not None:
                return chosen
    return remote or UNKNOWN


def client_ip_or_none(request: Any) -> str | None:
    """``client_ip`` for django-axes (``AXES_CLIENT_IP_CALLABLE``), which stores the address in an IP field:
    ``None`` instead of ``"unknown"``."""
    address = client_ip(request)
    return None if address == UNKNOWN else address
