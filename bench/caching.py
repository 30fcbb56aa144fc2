"""What the caches of derived data buy (prepdeck.core.caching): each cached view uncached against cached, and
hit ratios over a mixed stream of reads and writes, on PostgreSQL + Redis.

Run: .venv/bin/python bench/caching.py [--requests 600] [--users 20] [--reviews 5000]
                                       [--postgres-url postgres://postgres@127.0.0.1:5432/postgres]
                                       [--redis-url redis://127.0.0.1:6379/9]
A throwaway database is created and dropped here; the bundled bank is loaded and ``--users`` learners get a
card for every question and ``--reviews`` reviews each over the past year (COPY). Redis: give it a database
of its own (``BENCH_REDIS_URL``); the bench writes under a fresh key prefix and deletes its keys after. Do not
run the test suite on the same Redis database meanwhile: each test empties it (``cache.clear()`` is a
``FLUSHDB``), which turns the bench's hits into misses.

Requests go through Django's test client in one process, one after the other (the machine may be shared:
the latencies are medians; a server under concurrent load gains at least as much, since every hit also
takes load off the one PostgreSQL server all app servers share).

1. Per view, ``--rounds`` requests with caching off (``caching.enabled = False``: every value computed, as
   before this change), then the same with caching on after the first request (the first is the miss):
   median latency and SQL statements per request.
2. A mixed stream of ``--requests`` requests drawn with a fixed seed: question pages (Zipf over the bank),
   search (Zipf over 20 queries), the topics API, the browse page, each learner's dashboard and statistics
   API; one review every 10 requests (by a random learner) and one editor's edit every 100 (which drops
   every cached view of the bank). Each read runs twice, uncached and cached, in alternating order, so that
   the machine's load weighs on both alike; prints the total time and SQL statements of each, and the hits,
   misses, waits and hit ratio per cached view (of the cached runs).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from _fixtures import database_with_bank, django_ready, learner_with_history
from _postgres import DEFAULT_ADMIN_URL, environment_without_services, throwaway_database

ROOT = Path(__file__).resolve().parent.parent
BENCH_DATABASE = "prepdeck_bench_caching"
POPULAR_QUERIES = [
    "select_related",
    "n+1 queries",
    "transaction atomic",
    "celery retry",
    "gin index",
    "serializer validation",
    "middleware",
    "signals",
    "csrf",
    "prefetch",
    "custom user model",
    "migrations",
    "explain analyze",
    "channels websocket",
    "cache",
    "pagination",
    "permissions",
    "vacuum",
    "jsonb",
    "async views",
]


def zipf_choice(rng: random.Random, items: list[Any], exponent: float = 1.1) -> Any:
    weights = [1 / (rank**exponent) for rank in range(1, len(items) + 1)]
    return rng.choices(items, weights=weights)[0]


def run_child(arguments: argparse.Namespace) -> None:
    django_ready()
    from django.conf import settings

    # before anything opens the cache or the static files storage: the bench's own key prefix, and static
    # URLs without a collectstatic manifest
    settings.CACHES["default"]["KEY_PREFIX"] = os.environ["BENCH_CACHE_PREFIX"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from prepdeck.catalog import services as catalog_services
    from prepdeck.catalog.models import Question, QuestionStatus
    from prepdeck.core import caching
    from prepdeck.practice import services as practice_services

    database_with_bank()
    rng = random.Random(7)
    now = timezone.now()
    questions = list(Question.objects.filter(status=QuestionStatus.PUBLISHED).order_by("id"))
    rng.shuffle(questions)  # the popular questions are spread over the topics
    users = [
        learner_with_history(
            email=f"bench{number}@example.com",
            question_ids=[question.pk for question in questions],
            reviews=arguments.reviews,
            now=now,
            rng=rng,
            key_prefix=f"bench-{number}",
        )
        for number in range(arguments.users)
    ]
    connection.cursor().execute("VACUUM ANALYZE")
    print(
        f"bank: {len(questions)} published questions; {len(users)} learners with {arguments.reviews:,} "
        f"reviews each; cache: {type(cache).__name__}"
    )
    clients = {}
    for user in users:
        clients[user.pk] = Client()
        clients[user.pk].force_login(user)
    anonymous = Client()

    def timed(request: Callable[[], Any], rounds: int) -> tuple[list[float], int]:
        times, statements = [], 0
        for _ in range(rounds):
            with CaptureQueriesContext(connection) as queries:
                begin = time.perf_counter()
                response = request()
                times.append((time.perf_counter() - begin) * 1000)
            assert response.status_code == 200, response.status_code
            statements = len(queries.captured_queries)
        return times, statements

    views: list[tuple[str, Callable[[], Any]]] = [
        ("GET /api/v1/topics/", lambda: anonymous.get("/api/v1/topics/")),
        ("GET /browse/", lambda: anonymous.get("/browse/")),
        ("GET /questions/<id>/", lambda: anonymous.get(f"/questions/{questions[0].pk}/")),
        (
            "GET /api/v1/search/?q=select_related",
            lambda: anonymous.get("/api/v1/search/", {"q": "select_related"}),
        ),
        ("GET / (dashboard)", lambda: clients[users[0].pk].get("/")),
        (
            "GET /api/v1/practice/statistics/",
            lambda: clients[users[0].pk].get("/api/v1/practice/statistics/"),
        ),
    ]
    print(
        f"\n1. one view at a time, {arguments.rounds} requests each (median ms; SQL statements per request)"
    )
    print(f"{'view':<40} {'uncached':>10} {'cached':>10} {'speed-up':>9}   SQL uncached -> cached")
    for label, request in views:
        caching.enabled = False
        uncached, uncached_sql = timed(request, arguments.rounds)
        caching.enabled = True
        cache.clear()
        cached, cached_sql = timed(request, arguments.rounds + 1)
        cold, warm = statistics.median(uncached), statistics.median(cached[1:])
        print(f"{label:<40} {cold:10.1f} {warm:10.1f} {cold / warm:8.1f}x   {uncached_sql} -> {cached_sql}")

    def stream(seed: int) -> list[tuple[str, Any]]:
        chooser = random.Random(seed)
        steps: list[tuple[str, Any]] = []
        for number in range(1, arguments.requests + 1):
            if number % 100 == 0:
                steps.append(("edit", zipf_choice(chooser, questions)))
            elif number % 10 == 0:
                steps.append(("review", (chooser.choice(users), chooser.choice(questions))))
            else:
                kind = chooser.choices(
                    ["question", "search", "topics", "browse", "dashboard", "statistics"],
                    weights=[40, 20, 10, 10, 12, 8],
                )[0]
                if kind == "question":
                    steps.append((kind, zipf_choice(chooser, questions)))
                elif kind == "search":
                    steps.append((kind, zipf_choice(chooser, POPULAR_QUERIES)))
                elif kind in {"dashboard", "statistics"}:
                    steps.append((kind, chooser.choice(users)))
                else:
                    steps.append((kind, None))
        return steps

    run = iter(range(10**9))

    def read(kind: str, value: Any) -> Any:
        if kind == "question":
            return anonymous.get(f"/questions/{value.pk}/")
        if kind == "search":
            return anonymous.get("/api/v1/search/", {"q": value})
        if kind == "topics":
            return anonymous.get("/api/v1/topics/")
        if kind == "browse":
            return anonymous.get("/browse/")
        if kind == "dashboard":
            return clients[value.pk].get("/")
        return clients[value.pk].get("/api/v1/practice/statistics/")

    def measured(kind: str, value: Any, *, cached: bool) -> tuple[float, int]:
        caching.enabled = cached
        with CaptureQueriesContext(connection) as queries:
            begin = time.perf_counter()
            response = read(kind, value)
            seconds = time.perf_counter() - begin
        assert response.status_code == 200, (kind, response.status_code)
        return seconds, len(queries.captured_queries)

    def play(steps: list[tuple[str, Any]]) -> dict[bool, list[float]]:
        """Each read twice, uncached and cached, in alternating order (the machine's load and PostgreSQL's
        own caches then weigh on both alike); the writes once."""
        totals = {False: [0.0, 0.0], True: [0.0, 0.0]}  # seconds, statements
        for number, (kind, value) in enumerate(steps):
            if kind == "edit":
                question = Question.objects.get(pk=value.pk)
                catalog_services.question_update(
                    question=question,
                    expected_version=question.version,
                    changes={"short_answer": f"{question.short_answer} (edited {next(run)})"},
                )
                continue
            if kind == "review":
                user, question = value
                practice_services.review_submit(
                    user=user, question_id=question.pk, rating=3, idempotency_key=f"mix-{next(run)}"
                )
                continue
            for cached in (False, True) if number % 2 else (True, False):
                seconds, statements = measured(kind, value, cached=cached)
                totals[cached][0] += seconds
                totals[cached][1] += statements
        caching.enabled = True
        return totals

    steps = stream(11)
    print(
        f"\n2. a mixed stream of {arguments.requests} requests (reads, a review every 10, an edit every 100); "
        "each read timed uncached and cached"
    )
    cache.clear()
    caching.cache_stats_reset()
    totals = play(steps)
    reads = sum(1 for kind, _ in steps if kind not in {"edit", "review"})
    (uncached_seconds, mixed_uncached_sql), (cached_seconds, mixed_cached_sql) = totals[False], totals[True]
    print(
        f"uncached: {uncached_seconds:6.1f} s ({reads / uncached_seconds:6.1f} reads/s), "
        f"{mixed_uncached_sql / reads:5.1f} SQL/read"
    )
    print(
        f"cached:   {cached_seconds:6.1f} s ({reads / cached_seconds:6.1f} reads/s), "
        f"{mixed_cached_sql / reads:5.1f} SQL/read; speed-up {uncached_seconds / cached_seconds:.2f}x"
    )
    print(f"{'cached view':<18} {'hits':>6} {'misses':>7} {'waits':>6} {'bypass':>7} {'hit ratio':>10}")
    total_hits = total = 0
    for name, counts in sorted(caching.cache_stats().items()):
        served = counts["hit"] + counts["wait"]
        looked = served + counts["miss"]
        total_hits, total = total_hits + served, total + looked
        print(
            f"{name:<18} {counts['hit']:6} {counts['miss']:7} {counts['wait']:6} {counts['bypass']:7} "
            f"{served / looked if looked else 0:10.1%}"
        )
    print(f"{'all':<18} {'':>6} {'':>7} {'':>6} {'':>7} {total_hits / total if total else 0:10.1%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=600)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--reviews", type=int, default=5000)
    parser.add_argument("--postgres-url", default=DEFAULT_ADMIN_URL)
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9"))
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        run_child(arguments)
        return
    with throwaway_database(arguments.postgres_url, BENCH_DATABASE) as url:
        if url is None:
            return
        prefix = f"prepdeck-bench-{uuid.uuid4().hex[:8]}"
        environment = {
            **environment_without_services(),
            "DATABASE_URL": url,
            "REDIS_URL": arguments.redis_url,
            "BENCH_CACHE_PREFIX": prefix,
            "ALLOWED_HOSTS": "testserver",
            "LOG_LEVEL": "WARNING",
            "THROTTLE_ANON": "100000/minute",
            "THROTTLE_USER": "100000/minute",
            "THROTTLE_BURST": "100000/second",
        }
        try:
            subprocess.run(  # noqa: S603 - our own interpreter and script
                [sys.executable, __file__, "--child", *sys.argv[1:]], env=environment, check=True, cwd=ROOT
            )
        finally:
            import redis

            client = redis.Redis.from_url(arguments.redis_url)
            for key in client.scan_iter(match=f"{prefix}:*"):
                client.delete(key)


if __name__ == "__main__":
    main()
