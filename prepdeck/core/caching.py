"""Caching derived data (counts, rendered HTML, statistics) with versioned keys, safely across processes.

How a cached value stays true:

- **Versioned keys.** A cached value's key carries the current *generation* of every namespace it depends on
  (``catalog`` for the question bank, ``practice-user:<id>`` for one learner's history). A write that changes a
  namespace gives it a new generation *after its transaction commits* (``bump_on_commit``); every key made
  from the old generation is then never read again and expires by itself. Nothing has to know which keys to
  delete, so a new cached view of the catalog needs no new invalidation code, and a reader that raced the
  write can only have stored its stale value under the old generation (it reads the generation before it
  queries the database, and the bump happens after the commit).
- **Generations are random tokens**, not counters: if Redis evicts a generation key, the next reader makes a
  new random one, so an old cached value can never match again (a counter could restart at a number that
  old keys still carry).
- **Read your own writes.** Inside a transaction that has changed a namespace and not yet committed, reads of
  that namespace bypass the cache (they neither read nor fill it): the writer sees its own changes, and no
  uncommitted (perhaps rolled back) data reaches the cache.
- **Stampede protection.** On a miss one caller takes a short lock (``cache.add``) and computes; the others
  wait for its value up to ``lock_seconds`` (polling) and compute themselves only if it does not come.
- **Outages.** When the cache does not answer, values are computed as if nothing were cached (a request never
  fails because of the cache); the cache is asked again after a few seconds.

``cache_stats()`` counts hits, misses, waits and bypasses per cached view in this process (what
``bench/caching.py`` prints).
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import transaction

from prepdeck.core.outages import CACHE_ERRORS, OutageLog, first_line
from prepdeck.core.primary_reads import reads_from_primary

T = TypeVar("T")

CATALOG = "catalog"
GENERATION_PREFIX = "generation:"
POLL_SECONDS = 0.02
RETRY_SECONDS = 5.0

# Off: every value is computed, as before caching (``bench/caching.py`` compares the two; not a setting).
enabled = True

_stats: Counter[tuple[str, str]] = Counter()
_stats_lock = threading.Lock()
_down_until = 0.0
_MISSING = object()
# Its own logger and rate limit: the throttles' fallback cache reports the same outage on prepdeck.outages.
outage_log = OutageLog(logging.getLogger("prepdeck.caching"))


def practice_user(user_id: int) -> str:
    """The namespace of one learner's study history (reviews, cards, quizzes, mock interviews)."""
    return f"practice-user:{user_id}"


def _count(name: str, outcome: str) -> None:
    with _stats_lock:
        _stats[(name, outcome)] += 1


def cache_stats() -> dict[str, dict[str, int]]:
    """Per cached view: ``{"hit", "miss", "wait", "bypass"}`` counts in this process since the last reset."""
    with _stats_lock:
        result: dict[str, dict[str, int]] = {}
        for (name, outcome), count in _stats.items():
            result.setdefault(name, {"hit": 0, "miss": 0, "wait": 0, "bypass": 0})[outcome] = count
        return result


def cache_stats_reset() -> None:
    """Zero the counters and forget a past outage (a benchmark's phases, and each test)."""
    global _down_until
    with _stats_lock:
        _stats.clear()
    _down_until = 0.0


def _available() -> bool:
    return time.monotonic() >= _down_until


def _failed(error: BaseException) -> None:
    global _down_until
    _down_until = time.monotonic() + RETRY_SECONDS
    outage_log.report(
        "cache-derived",
        "The cache does not answer (%s): pages compute their data uncached until it does (asked again "
        "every %g s).",
        first_line(error),
        RETRY_SECONDS,
    )


def _dirty() -> set[str]:
    """Namespaces changed by the current, uncommitted transaction of the default database connection: those
    of our callbacks still waiting in its on-commit list (a rolled-back savepoint drops its callbacks, so
    what it changed stops counting with it)."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        return set()
    dirty: set[str] = set()
    for _savepoints, callback, *_ in connection.run_on_commit:
        dirty.update(getattr(callback, "prepdeck_namespaces", ()))
    return dirty


def bump(namespace: str) -> None:
    """Give ``namespace`` a new generation now (use ``bump_on_commit`` from write code)."""
    if not _available():
        return
    try:
        cache.set(GENERATION_PREFIX + namespace, uuid.uuid4().hex, timeout=None)
    except CACHE_ERRORS as error:
        _failed(error)


def bump_on_commit(*namespaces: str, then: Callable[[], Any] | None = None) -> None:
    """Call from a write that changes what ``namespaces`` hold: their cached values are dropped when the
    transaction commits (at once outside a transaction), and until then this transaction reads around the
    cache for them. ``then`` runs after the bump, in the same on-commit callback.

    A namespace already waiting for this transaction's commit is not queued again (deleting an account with
    50,000 reviews would otherwise queue 50,000 callbacks and cache writes): the pending callback covers it,
    and it was registered in this savepoint or an enclosing one, so it is dropped only with this write.
    """
    if then is None and transaction.get_connection().in_atomic_block and set(namespaces) <= _dirty():
        return

    def after_commit() -> None:
        after_commit.prepdeck_namespaces = ()  # type: ignore[attr-defined]  # done: no longer pending
        for namespace in namespaces:
            bump(namespace)
        if then is not None:
            then()

    after_commit.prepdeck_namespaces = namespaces  # type: ignore[attr-defined]
    transaction.on_commit(after_commit)


def _generations(namespaces: Iterable[str]) -> list[str]:
    keys = [GENERATION_PREFIX + namespace for namespace in namespaces]
    found = cache.get_many(keys)
    for key in keys:
        if key not in found:
            cache.add(key, uuid.uuid4().hex, timeout=None)  # a concurrent reader may have made it first
            found[key] = cache.get(key)
    return [str(found[key]) for key in keys]


def cached(
    name: str,
    compute: Callable[[], T],
    *,
    key: Iterable[Any] = (),
    namespaces: Iterable[str] = (),
    timeout: int = 300,
    lock_seconds: float = 5.0,
) -> T:
    """``compute()``, or its value cached under ``name`` + ``key`` for ``timeout`` seconds, for as long as
    no write has changed ``namespaces`` (see the module docstring). ``key`` must hold everything the value
    depends on besides those namespaces (a user id for per-user data, the filters of a query); ``compute``
    must return something picklable."""
    namespace_list = sorted(set(namespaces))
    if not enabled:
        return compute()
    if not _available() or (namespace_list and _dirty().intersection(namespace_list)):
        _count(name, "bypass")
        return compute()
    try:
        generations = _generations(namespace_list)
        digest = hashlib.sha256(repr((list(key), generations)).encode()).hexdigest()[:32]
        cache_key = f"cached:{name}:{digest}"
        value = cache.get(cache_key, _MISSING)
        if value is not _MISSING:
            _count(name, "hit")
            return value
        lock_key = cache_key + ":lock"
        if cache.add(lock_key, 1, timeout=max(1, round(lock_seconds))):
            # Another caller may have stored the value between our miss and our lock (it held the lock
            # then, and has just let it go): look again before computing a second time.
            value = cache.get(cache_key, _MISSING)
            if value is not _MISSING:
                cache.delete(lock_key)
                _count(name, "wait")
                return value
        else:
            deadline = time.monotonic() + lock_seconds
            while time.monotonic() < deadline:
                time.sleep(POLL_SECONDS)
                value = cache.get(cache_key, _MISSING)
                if value is not _MISSING:
                    _count(name, "wait")
                    return value
    except CACHE_ERRORS as error:
        _failed(error)
        _count(name, "bypass")
        return compute()
    _count(name, "miss")
    # From the primary: a lagging replica could put pre-write data under the post-write generation.
    with reads_from_primary():
        value = compute()
    try:
        cache.set(cache_key, value, timeout=timeout)
        cache.delete(lock_key)
    except CACHE_ERRORS as error:
        _failed(error)
    return value
