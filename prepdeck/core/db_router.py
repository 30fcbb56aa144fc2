"""Reads from the read replica, writes to the primary, and every client reads its own writes.

Installed only when ``DATABASE_REPLICA_URL`` names a streaming replica (see the settings). The rules:

- Writes, and reads inside a transaction on the primary (a ``select_for_update()``, a read-then-write
  service), go to the primary.
- Once a request has written, the rest of it reads from the primary, and so do that client's requests for
  ``REPLICA_STICKY_SECONDS`` afterwards (a cookie carries the deadline), so a change is never followed by a
  page that does not show it.
- Every ``REPLICA_CHECK_SECONDS`` each process asks the replica how far behind it is. A replica that does
  not answer, or lags by more than ``REPLICA_MAX_LAG_SECONDS``, gets no reads until a later check finds it
  healthy; each change of state is logged.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Awaitable, Callable
from contextvars import Token
from typing import Any

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.db import DatabaseError, connections
from django.http import HttpRequest, HttpResponse

from prepdeck.core.middleware import GetResponse, _DualModeMiddleware
from prepdeck.core.primary_reads import _pinned, _wrote, reading_from_primary, reads_from_primary

logger = logging.getLogger("prepdeck.replica")

PRIMARY = "default"
REPLICA = "replica"
STICKY_COOKIE = "prepdeck_primary_until"

# Whether this request (or its client, recently) must read from the primary, and whether it wrote, live in
# core/primary_reads.py, so that the cache can pin its computations without importing this middleware.
__all__ = ["PrimaryReplicaRouter", "reading_from_primary", "reads_from_primary"]

# How far the replica is behind: nothing when it has replayed all the primary has written so far (however
# long ago its last transaction was), else the age of the last transaction it replayed.
_LAG_QUERY = (
    "SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn() >= %s::pg_lsn, "
    "EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())"
)


class ReplicaHealth:
    """This process's view of the replica: usable or not, checked at most every ``REPLICA_CHECK_SECONDS``."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._checked_at = float("-inf")
        self._usable = True
        self.reason = ""

    def usable(self) -> bool:
        now = time.monotonic()
        if now - self._checked_at >= settings.REPLICA_CHECK_SECONDS and self._lock.acquire(blocking=False):
            try:
                self._checked_at = now
                self._set(*self._check())
            finally:
                self._lock.release()
        return self._usable

    def _check(self) -> tuple[bool, str]:
        try:
            with connections[PRIMARY].cursor() as cursor:
                cursor.execute("SELECT pg_current_wal_lsn()")
                (written,) = cursor.fetchone()
        except DatabaseError:
            return self._usable, self.reason  # the primary is the trouble, not the replica: judge later
        try:
            in_recovery, caught_up, lag = self._replica_state(written)
        except DatabaseError:
            # The pool may hold connections made before the replica restarted, dead now: drop every
            # dead one and ask once more (a replica that is down fails again at once).
            connections[REPLICA].close()
            pool = getattr(connections[REPLICA], "pool", None)
            if pool is not None:
                pool.check()
            try:
                in_recovery, caught_up, lag = self._replica_state(written)
            except DatabaseError as error:
                connections[REPLICA].close()  # the next check reconnects
                first_line = (str(error).strip().splitlines() or [repr(error)])[0]
                return False, f"does not answer ({first_line})"
        if not in_recovery or caught_up:
            return True, ""  # up to date (or promoted: nothing to lag behind)
        if lag is None or float(lag) > settings.REPLICA_MAX_LAG_SECONDS:
            behind = "an unknown time" if lag is None else f"{float(lag):.1f} s"
            return False, f"lags {behind} behind the primary (limit {settings.REPLICA_MAX_LAG_SECONDS:g} s)"
        return True, ""

    @staticmethod
    def _replica_state(written: str) -> tuple[bool, bool, Any]:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute(_LAG_QUERY, [written])
            in_recovery, caught_up, lag = cursor.fetchone()
        return in_recovery, caught_up, lag

    def _set(self, usable: bool, reason: str) -> None:
        if usable and not self._usable:
            logger.warning("Read replica is back: reads go to it again.")
        elif not usable and (self._usable or reason.split()[0] != self.reason.split()[0]):
            logger.warning("Read replica %s: reads go to the primary.", reason)
        self._usable, self.reason = usable, reason


health = ReplicaHealth()


class PrimaryReplicaRouter:
    """Django's database router for a primary with one streaming replica (see the module docstring)."""

    def db_for_read(self, model: type[Any], **hints: Any) -> str:
        if _pinned.get() or connections[PRIMARY].in_atomic_block or not health.usable():
            return PRIMARY
        return REPLICA

    def db_for_write(self, model: type[Any], **hints: Any) -> str:
        _pinned.set(True)  # the rest of this request reads what it wrote
        _wrote.set(True)
        return PRIMARY

    def allow_relation(self, first: Any, second: Any, **hints: Any) -> bool:
        return True  # both aliases hold the same data

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == PRIMARY  # the replica follows the primary's schema by replication


class ReadYourWritesMiddleware(_DualModeMiddleware):
    """Pins a request to the primary while its client's cookie says it wrote recently, and sets that cookie
    after a request that wrote. Not used (no cost) without a replica."""

    def __init__(self, get_response: GetResponse) -> None:
        if REPLICA not in settings.DATABASES:
            raise MiddlewareNotUsed
        super().__init__(get_response)

    def _begin(self, request: HttpRequest) -> tuple[Token[bool], Token[bool]]:
        try:
            pinned_until = float(request.COOKIES.get(STICKY_COOKIE, "0"))
        except ValueError:
            pinned_until = 0.0
        return _pinned.set(pinned_until > time.time()), _wrote.set(False)

    def _end(
        self, request: HttpRequest, response: HttpResponse, tokens: tuple[Token[bool], Token[bool]]
    ) -> None:
        if _wrote.get():
            seconds = settings.REPLICA_STICKY_SECONDS
            response.set_cookie(
                STICKY_COOKIE,
                f"{time.time() + seconds:.3f}",
                max_age=max(1, round(seconds)),
                httponly=True,
                samesite="Lax",
                secure=request.is_secure(),
            )
        _wrote.reset(tokens[1])
        _pinned.reset(tokens[0])

    def handle(self, request: HttpRequest, get_response: GetResponse) -> HttpResponse:
        tokens = self._begin(request)
        response: HttpResponse = get_response(request)
        self._end(request, response, tokens)
        return response

    async def ahandle(
        self, request: HttpRequest, get_response: Callable[[HttpRequest], Awaitable[HttpResponse]]
    ) -> HttpResponse:
        tokens = self._begin(request)
        response = await get_response(request)
        self._end(request, response, tokens)
        return response
