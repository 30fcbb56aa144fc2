"""The sign-in lockout, on django-axes with its database handler.

Every ``authenticate()`` call goes through ``axes.backends.AxesStandaloneBackend`` (first in
``AUTHENTICATION_BACKENDS``), which refuses a locked account or address; every failure is recorded by the
handler below in the database (``axes.AccessAttempt``), so the lockout keeps working when Redis is down.

Failures are counted twice, separately, within the window ``LOGIN_FAILURE_WINDOW_SECONDS``:

- per account (the email, lower-cased): ``LOGIN_FAILURE_LIMIT`` failures lock the account from everywhere;
- per client address: ``LOGIN_ADDRESS_FAILURE_LIMIT`` (much higher) failures lock the address for every
  account, so one address cannot guess through many accounts, while one account locked from a shared office
  does not lock out the colleagues signing in from the same address.

Axes compares one number with one limit (``AXES_FAILURE_LIMIT``, here the account limit), so the handler
reports an address at its own limit as an account at the account limit. The functions named in the
``AXES_*`` settings live here too.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Q, QuerySet, Sum
from django.http import HttpRequest, HttpResponse
from django.utils import timezone


def normalized_username(request: Any, credentials: dict[str, Any] | None = None) -> str | None:
    """``AXES_USERNAME_CALLABLE``: the email an attempt was for, stripped and lower-cased, whichever key the
    door used (``username`` in Django's forms, ``email`` in the JWT serializer)."""
    credentials = credentials or {}
    value = credentials.get("email") or credentials.get("username")
    if value is None and request is not None:
        data = getattr(request, "POST", None) or {}
        value = data.get("email") or data.get("username")
    return str(value).strip().lower()[:255] if value else None


def account_failure_limit(request: Any = None, credentials: dict[str, Any] | None = None) -> int:
    """``AXES_FAILURE_LIMIT``: failed sign-ins that lock one account (``LOGIN_FAILURE_LIMIT``)."""
    return int(settings.LOGIN_FAILURE_LIMIT)


def address_failure_limit() -> int:
    """Failed sign-ins from one client address, over all accounts, that lock the address."""
    return int(settings.LOGIN_ADDRESS_FAILURE_LIMIT)


def cool_off(request: Any = None) -> timedelta:
    """``AXES_COOLOFF_TIME``: how long failures count (and so how long a lock lasts)."""
    return timedelta(seconds=int(settings.LOGIN_FAILURE_WINDOW_SECONDS))


def _recent(now: datetime) -> QuerySet[AccessAttempt]:
    return AccessAttempt.objects.filter(attempt_time__gte=now - cool_off())


def _attempt_time(request: Any) -> datetime:
    return getattr(request, "axes_attempt_time", None) or timezone.now()


class SignInLockoutHandler(AxesDatabaseHandler):
    """Axes' database handler with separate account and address limits (see the module docstring)."""

    def failure_counts(self, request: Any, credentials: dict[str, Any] | None = None) -> tuple[int, int]:
        """Recent failures of the attempted account and of the client address (one query)."""
        username = get_client_username(request, credentials)
        address = getattr(request, "axes_ip_address", None)
        counts = _recent(_attempt_time(request)).aggregate(
            account=Sum("failures_since_start", filter=Q(username=username) if username else Q(pk__in=[])),
            address=Sum("failures_since_start", filter=Q(ip_address=address)),
        )
        return int(counts["account"] or 0), int(counts["address"] or 0)

    def get_failures(self, request: Any, credentials: dict[str, Any] | None = None) -> int:
        account, address = self.failure_counts(request, credentials)
        if address >= address_failure_limit():
            return max(account, account_failure_limit())
        return account


def _seconds_until_below(attempts: QuerySet[AccessAttempt], *, limit: int, now: datetime) -> int:
    """Seconds until fewer than ``limit`` failures remain in the window, 0 if that is already so.

    A failure leaves the window ``cool_off()`` after its row's latest attempt (how axes counts), so the lock
    lifts when the row that brings the newest-first running total to ``limit`` leaves it.
    """
    total = 0
    for attempt_time, failures in attempts.order_by("-attempt_time").values_list(
        "attempt_time", "failures_since_start"
    ):
        total += failures
        if total >= limit:
            return max(0, math.ceil((attempt_time + cool_off() - now).total_seconds()))
    return 0


def seconds_locked(*, email: str, ip_address: str | None) -> int:
    """Seconds until an attempt on ``email`` from ``ip_address`` is allowed again; 0 when it is now."""
    now = timezone.now()
    recent = _recent(now)
    username = normalized_username(None, {"email": email})
    account = (
        _seconds_until_below(recent.filter(username=username), limit=account_failure_limit(), now=now)
        if username
        else 0
    )
    address = _seconds_until_below(
        recent.filter(ip_address=ip_address), limit=address_failure_limit(), now=now
    )
    return max(account, address)


def account_failures_clear(*, email: str) -> None:
    """Forget an account's failures after its right password was given (the address keeps its count of
    failures against other accounts)."""
    username = normalized_username(None, {"email": email})
    if username:
        AccessAttempt.objects.filter(username=username).delete()


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """``AXES_LOCKOUT_CALLABLE``, run by ``AxesMiddleware`` after a door's ``authenticate()`` met a lock.

    Our doors already said so in their own words (``accounts.services.sign_in``); this only makes sure the
    status is 429 with the time actually remaining, whichever door it was (the admin's login included).
    """
    response = original_response if original_response is not None else HttpResponse(status=429)
    if response.status_code < 400:
        response.status_code = 429
    if response.status_code == 429 and not response.has_header("Retry-After"):
        email = normalized_username(request, credentials) or ""
        response["Retry-After"] = str(
            max(1, seconds_locked(email=email, ip_address=getattr(request, "axes_ip_address", None)))
        )
    return response
