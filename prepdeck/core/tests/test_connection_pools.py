"""Connections stay bounded when every request runs in a thread of its own, as under ASGI (issue 18).

The requests go through Django's real ASGI handler from an event loop of their own (no outer sync thread,
as under uvicorn), so each one runs its sync code in a new thread and ends with ``request_finished``;
``/readyz`` touches the database, the cache and the broker.
"""

from __future__ import annotations

import asyncio
import os
import threading
from typing import Any

import pytest
from django.conf import settings
from django.core.asgi import get_asgi_application
from django.db import connection

from prepdeck.core.redis_pool import ProcessConnectionPool

REQUESTS = 12


async def _get(application: Any, path: str) -> int:
    """One GET through the ASGI application, as uvicorn sends it; returns the status."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    requested = asyncio.Event()
    statuses: list[int] = []

    async def receive() -> dict[str, Any]:
        if not requested.is_set():
            requested.set()
            return {"type": "http.request", "body": b"", "more_body": False}
        await asyncio.Event().wait()  # the client stays connected; Django cancels this when it is done
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    await application(scope, receive, send)
    return statuses[0]


def _serve_requests_as_asgi_does(count: int) -> list[int]:
    """``count`` requests, one after the other, through Django's ASGI handler on an event loop of its own
    (the test client would run them all in this thread and keep its connection open)."""
    application = get_asgi_application()
    statuses: list[int] = []

    async def main() -> None:
        for _ in range(count):
            statuses.append(await _get(application, "/readyz"))

    runner = threading.Thread(target=asyncio.run, args=(main(),))
    runner.start()
    runner.join()
    return statuses


def _backends_on_the_test_database() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")
        row = cursor.fetchone()
    assert row is not None
    return int(row[0])


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_requests_in_new_threads_share_the_process_pool_of_postgresql_connections() -> None:
    # given: the pool of the shipped settings, one of whose connections this test holds
    connection.ensure_connection()
    pool = connection.pool  # type: ignore[attr-defined]  # PostgreSQL only
    assert pool is not None
    max_size = settings.DATABASES["default"]["OPTIONS"]["pool"]["max_size"]

    # when
    statuses = _serve_requests_as_asgi_does(REQUESTS)

    # then: every request gave its connection back; the database sees only the pool's connections
    assert statuses == [200] * REQUESTS
    stats = pool.get_stats()
    assert stats["pool_size"] <= max_size
    assert stats["pool_available"] == stats["pool_size"] - 1  # the one this test is using
    assert _backends_on_the_test_database() == stats["pool_size"]


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_requests_in_new_threads_share_one_redis_pool_for_the_cache() -> None:
    # given: the connections the process-wide pool already made (earlier tests' threads may have made some)
    before = [
        len(pool._connections) for key, pool in ProcessConnectionPool._shared.items() if key[0] == os.getpid()
    ]

    # when
    statuses = _serve_requests_as_asgi_does(REQUESTS)

    # then: one pool for the process, and the requests (one after the other) made no connection beyond the
    # one they share (or those already idle in the pool)
    assert statuses == [200] * REQUESTS
    pools = [pool for key, pool in ProcessConnectionPool._shared.items() if key[0] == os.getpid()]
    assert len(pools) == 1
    assert len(pools[0]._connections) == max([*before, 1])


@pytest.mark.redis
def test_enqueuing_tasks_from_new_threads_opens_no_result_connections() -> None:
    # given: tasks really sent to the broker (the test settings run them eagerly otherwise)
    import redis

    from config.celery import app
    from prepdeck.catalog.tasks import import_jobs_sweep_task as task  # any task that keeps no result

    listening: list[bool] = []

    def enqueue() -> None:
        task.delay()
        # Celery keeps the result backend per thread; a subscription to the task's result holds a connection
        listening.append(
            getattr(app.backend, "result_consumer", None) is not None
            and app.backend.result_consumer._pubsub is not None
        )

    app.conf.task_always_eager = False
    try:
        # when: each task enqueued from a thread of its own, as each request would
        for _ in range(5):
            sender = threading.Thread(target=enqueue)
            sender.start()
            sender.join()
    finally:
        app.conf.task_always_eager = True
        redis.Redis.from_url(settings.REDIS_URL).delete(app.conf.task_default_queue)

    # then
    assert listening == [False] * 5


@pytest.mark.postgresql
@pytest.mark.django_db
def test_the_start_up_reachability_check_connects_outside_the_pool() -> None:
    from prepdeck.core import bootstrap

    pool = connection.pool  # type: ignore[attr-defined]  # PostgreSQL only
    pool.open()  # as after the first request
    requests_before = pool.get_stats().get("requests_num", 0)

    bootstrap.database_check_reachable()

    assert pool.get_stats().get("requests_num", 0) == requests_before


def _backends_seen_from_outside() -> int:
    """The test database's client backends, counted over a connection of its own (not the pool's)."""
    import psycopg

    params = {
        name: value for name, value in connection.get_connection_params().items() if name != "cursor_factory"
    }
    with psycopg.connect(**params, autocommit=True) as probe:
        row = probe.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
        ).fetchone()
    assert row is not None
    return int(row[0])


@pytest.mark.postgresql
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_the_process_that_prepares_the_server_releases_its_pools_before_serving() -> None:
    # given: the set-up work done (a query, a cache write) and its connection given back, as `prepdeck run`
    # did: the pool kept its connections open (with WEB_CONCURRENCY, for the supervisor's whole lifetime)
    from django.core.cache import cache
    from django.db import connections

    from prepdeck.core import bootstrap

    connection.ensure_connection()
    cache.set("release-probe", 1)
    connections.close_all()
    assert _backends_seen_from_outside() >= 1
    assert [key for key in ProcessConnectionPool._shared if key[0] == os.getpid()]

    # when
    bootstrap.release_connections()

    # then: no backend and no cache pool left; the next query and cache call make them again
    assert _backends_seen_from_outside() == 0
    assert not [key for key in ProcessConnectionPool._shared if key[0] == os.getpid()]
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    assert cache.get("release-probe") == 1
    assert _backends_seen_from_outside() >= 1


@pytest.mark.redis
def test_cache_calls_from_any_thread_use_one_redis_client_object() -> None:
    # Django's client made a redis.Redis per call (its constructor is costly); ours hands out the pool's one
    from django.core.cache import caches

    clients: list[Any] = []

    def use_the_cache() -> None:
        cache = caches["default"]
        cache.set("client-probe", 1)
        clients.append(cache._cache.get_client())  # type: ignore[attr-defined]
        clients.append(cache._cache.get_client(write=True))  # type: ignore[attr-defined]

    for _ in range(3):
        thread = threading.Thread(target=use_the_cache)
        thread.start()
        thread.join()

    assert len(clients) == 6
    assert len({id(client) for client in clients}) == 1
