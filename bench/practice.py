"""Practice engine figures on PostgreSQL: statistics for a user with 100,000 reviews, the queue, and the
cost of submitting a review.

Run: .venv/bin/python bench/practice.py [--reviews 100000] [--postgres-url postgres://postgres@127.0.0.1:5432/postgres]
A throwaway database is created and dropped here; the bundled bank is loaded and one user gets a year
of generated history (cards for every question, reviews spread over 365 days) written with COPY.
Target: statistics under 200 ms.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta

from _postgres import DEFAULT_ADMIN_URL, environment_without_services, throwaway_database

BENCH_DATABASE = "prepdeck_bench_practice"


def run_child(review_count: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from prepdeck.accounts.models import User
    from prepdeck.catalog.models import Question
    from prepdeck.catalog.services import bank_load
    from prepdeck.core.bulk import bulk_insert_rows
    from prepdeck.practice import scheduling, selectors, services
    from prepdeck.practice.models import Card, Review

    call_command("migrate", verbosity=0)
    bank_load()
    user = User.objects.create_user(email="bench@example.com", password=None, time_zone="Europe/Berlin")
    now = datetime(2026, 11, 23, 12, tzinfo=UTC)
    rng = random.Random(7)
    question_ids = list(Question.objects.values_list("id", flat=True))
    card_ids = bulk_insert_rows(
        Card,
        [
            {
                "user_id": user.pk,
                "question_id": question_id,
                "state": 2,
                "stability": rng.uniform(1, 200),
                "difficulty": rng.uniform(1, 10),
                "due": now + timedelta(days=rng.randint(-5, 40)),
                "last_review": now - timedelta(days=rng.randint(1, 60)),
                "reps": 10,
                "created_at": now - timedelta(days=365),
            }
            for question_id in question_ids[:-40]  # the last 40 stay new
        ],
    )
    started = time.perf_counter()
    bulk_insert_rows(
        Review,
        [
            {
                "user_id": user.pk,
                "card_id": card_ids[number % len(card_ids)],
                "rating": rng.choice((1, 3, 3, 3, 4)),
                "reviewed_at": now - timedelta(minutes=rng.randint(1, 365 * 24 * 60)),
                "idempotency_key": f"bench-{number}",
                "state_before": 2,
                "card_before": {},
                "scheduled_days": 3.0,
            }
            for number in range(review_count)
        ],
    )
    print(f"generated {review_count:,} reviews in {time.perf_counter() - started:.1f} s")
    connection.cursor().execute("VACUUM ANALYZE")  # what autovacuum does on a live database
    settings = scheduling.SchedulerSettings(fuzz=False)

    def timed(label: str, function: object, runs: int = 15) -> None:
        times = []
        for _ in range(runs):
            begin = time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                function()  # type: ignore[operator]
            times.append((time.perf_counter() - begin) * 1000)
        statements = [
            query
            for query in queries.captured_queries
            if query["sql"].split()[0] not in {"BEGIN", "COMMIT", "SAVEPOINT", "RELEASE"}
        ]
        if os.environ.get("BENCH_VERBOSE"):
            for query in statements:
                print(f"    {query['time']}s  {query['sql'][:150]}")
        print(
            f"{label:<38} median {statistics.median(times):7.1f} ms   max {max(times):7.1f} ms   {len(statements)} SQL statements (plus BEGIN/COMMIT)"
        )

    timed(
        f"statistics ({review_count:,} reviews)",
        lambda: selectors.user_statistics(user=user, now=now, settings=settings),
    )
    timed("queue (20 items)", lambda: selectors.review_queue(user=user, now=now, settings=settings, limit=20))
    counter = iter(range(10**9))
    card = Card.objects.filter(user=user).first()
    assert card is not None
    timed(
        "submit a review",
        lambda: services.review_submit(
            user=user,
            question_id=card.question_id,
            rating=3,
            idempotency_key=f"live-{next(counter)}",
            settings=settings,
        ),
        runs=30,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", action="store_true")
    parser.add_argument("--reviews", type=int, default=100_000)
    parser.add_argument("--postgres-url", default=DEFAULT_ADMIN_URL)
    arguments = parser.parse_args()
    if arguments.child:
        run_child(arguments.reviews)
        return
    with (
        throwaway_database(arguments.postgres_url, BENCH_DATABASE) as url,
        tempfile.TemporaryDirectory() as folder,
    ):
        if url is None:
            sys.exit("This benchmark needs PostgreSQL.")
        env = {**environment_without_services(), "DATABASE_URL": url, "PREPDECK_DATA_DIR": folder}
        subprocess.run(  # noqa: S603 - our own interpreter and script
            [sys.executable, __file__, "--child", "--reviews", str(arguments.reviews)], env=env, check=True
        )


if __name__ == "__main__":
    main()
