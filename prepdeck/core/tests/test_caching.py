"""Versioned-key caching (prepdeck.core.caching): generations bumped on commit, reads around the cache inside
a writing transaction, one computation under a stampede, and computing uncached when the cache is down.

Runs against whichever cache the environment names (Redis with REDIS_URL, local memory otherwise)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.core.cache import cache
from django.db import transaction

from prepdeck.core import caching, db_router
from prepdeck.core.tests.outages import free_port

pytestmark = pytest.mark.django_db


class Computation:
    """A value that says how many times it was computed."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        return f"value {self.calls}"


def test_a_value_is_computed_once_and_then_read_from_the_cache() -> None:
    compute = Computation()

    values = [caching.cached("thing", compute, key=(1,), namespaces=["space"]) for _ in range(3)]

    assert values == ["value 1", "value 1", "value 1"]
    assert compute.calls == 1
    assert caching.cache_stats()["thing"] == {"hit": 2, "miss": 1, "wait": 0, "bypass": 0}


def test_keys_keep_values_apart() -> None:
    assert caching.cached("thing", lambda: "one", key=(1,)) == "one"
    assert caching.cached("thing", lambda: "two", key=(2,)) == "two"
    assert caching.cached("other", lambda: "three", key=(1,)) == "three"
    assert caching.cached("thing", lambda: "not used", key=(1,)) == "one"


def test_a_committed_write_gives_the_namespace_a_new_generation(
    django_capture_on_commit_callbacks: Any,
) -> None:
    compute = Computation()
    assert caching.cached("thing", compute, namespaces=["space"]) == "value 1"

    with django_capture_on_commit_callbacks(execute=True):
        caching.bump_on_commit("space")

    assert caching.cached("thing", compute, namespaces=["space"]) == "value 2"
    assert caching.cached("thing", compute, namespaces=["space"]) == "value 2"
    # another namespace's values stay
    assert caching.cached("other", lambda: "kept", namespaces=["elsewhere"]) == "kept"
    caching.bump("space")
    assert caching.cached("other", lambda: "not used", namespaces=["elsewhere"]) == "kept"


def test_a_writing_transaction_reads_around_the_cache_until_it_commits(
    django_capture_on_commit_callbacks: Any,
) -> None:
    compute = Computation()
    assert caching.cached("thing", compute, namespaces=["space"]) == "value 1"

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        caching.bump_on_commit("space")
        # the writer sees its own change, and what it computes does not reach the cache
        inside = [caching.cached("thing", compute, namespaces=["space"]) for _ in range(2)]
        untouched = caching.cached("other", lambda: "cached", namespaces=["elsewhere"])

    assert inside == ["value 2", "value 3"]
    assert untouched == "cached"
    assert caching.cached("thing", compute, namespaces=["space"]) == "value 4"
    assert caching.cache_stats()["thing"] == {"hit": 0, "miss": 2, "wait": 0, "bypass": 2}


def test_many_writes_in_one_transaction_queue_one_bump_per_namespace(
    django_capture_on_commit_callbacks: Any,
) -> None:
    compute = Computation()
    assert caching.cached("thing", compute, namespaces=["space"]) == "value 1"

    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        for _ in range(1_000):
            caching.bump_on_commit("space")
        caching.bump_on_commit("space", "elsewhere")  # a new namespace in the set: queued
        with transaction.atomic():  # a savepoint inside: covered by the callback of the enclosing block
            caching.bump_on_commit("space")

    assert len(callbacks) == 2
    assert caching.cached("thing", compute, namespaces=["space"]) == "value 2"


def test_a_bump_in_a_rolled_back_savepoint_is_queued_again_by_the_next_write(
    django_capture_on_commit_callbacks: Any,
) -> None:
    compute = Computation()
    assert caching.cached("thing", compute, namespaces=["space"]) == "value 1"

    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        try:
            with transaction.atomic():
                caching.bump_on_commit("space")
                raise RuntimeError("savepoint rolled back")
        except RuntimeError:
            pass
        caching.bump_on_commit("space")

    assert len(callbacks) == 1
    assert caching.cached("thing", compute, namespaces=["space"]) == "value 2"


def test_a_rolled_back_write_leaves_the_cache_as_it_was() -> None:
    compute = Computation()
    assert caching.cached("thing", compute, namespaces=["space"]) == "value 1"

    def write_then_fail() -> None:
        with transaction.atomic():
            caching.bump_on_commit("space")
            assert caching.cached("thing", compute, namespaces=["space"]) == "value 2"
            raise RuntimeError("rolled back")

    with pytest.raises(RuntimeError):
        write_then_fail()

    # nothing committed: the cached value is still the right one
    assert caching.cached("thing", compute, namespaces=["space"]) == "value 1"


def test_an_evicted_generation_never_brings_old_values_back() -> None:
    compute = Computation()
    assert caching.cached("thing", compute, namespaces=["space"]) == "value 1"
    caching.bump("space")
    assert caching.cached("thing", compute, namespaces=["space"]) == "value 2"

    cache.delete(caching.GENERATION_PREFIX + "space")  # what an LRU eviction does

    assert caching.cached("thing", compute, namespaces=["space"]) == "value 3"


def test_concurrent_misses_compute_once() -> None:
    # given: the first caller computes slowly; the others arrive while it does
    started, release = threading.Event(), threading.Event()
    calls: list[int] = []

    def slow() -> str:
        calls.append(1)
        started.set()
        release.wait(5)
        return "computed"

    results: list[str] = []

    def read() -> None:
        results.append(caching.cached("slow", slow, key=("same",), lock_seconds=5))

    first = threading.Thread(target=read)
    first.start()
    assert started.wait(5)
    others = [threading.Thread(target=read) for _ in range(4)]
    for thread in others:
        thread.start()

    # when
    release.set()
    for thread in [first, *others]:
        thread.join(10)

    # then
    assert results == ["computed"] * 5
    assert len(calls) == 1
    stats = caching.cache_stats()["slow"]
    assert (stats["miss"], stats["hit"] + stats["wait"]) == (1, 4)


def test_values_are_computed_uncached_while_the_cache_is_down(settings: Any) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    compute = Computation()

    values = [caching.cached("thing", compute, namespaces=["space"]) for _ in range(3)]
    caching.bump("space")  # a write while the cache is down does not fail either

    assert values == ["value 1", "value 2", "value 3"]
    assert caching.cache_stats()["thing"] == {"hit": 0, "miss": 0, "wait": 0, "bypass": 3}


def test_a_cached_value_is_computed_from_the_primary() -> None:
    # With a read replica, a value computed from a replica that has not yet replayed the write would be
    # cached under the write's new generation and served stale to everyone until it expired.
    seen: list[bool] = []

    def compute() -> str:
        seen.append(db_router.reading_from_primary())
        return "value"

    assert db_router.reading_from_primary() is False
    caching.cached("thing", compute, key=("primary",))

    assert seen == [True]
    assert db_router.reading_from_primary() is False
