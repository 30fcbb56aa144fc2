"""Practice engine figures on PostgreSQL: statistics for a user with 100,000 reviews, the queue, the
cost of submitting a review, and the queue and dashboard for 100 against 20,000 due cards.

Run: .venv/bin/python bench/practice.py [--reviews 100000] [--due 100,20000] [--part all|statistics|due]
                                        [--postgres-url postgres://postgres@127.0.0.1:5432/postgres]
A throwaway database is created and dropped here; the bundled bank is loaded and one user gets a year
of generated history (cards for every question, reviews spread over 365 days) written with COPY.
Target: statistics under 200 ms.

The due-card part generates 20,000 extra published questions and one user per entry of ``--due``, each
with a review card for every one of them (and the same 2,000 reviews), of which that many are due now
and the others later; then it times the queue selector, the API
queue (``GET /api/v1/practice/queue/``), the review page and the dashboard page (``GET /``, rendered)
for each. Target (issue 18): the largest within 1.5x of the smallest. ``BENCH_PROFILE=dashboard`` (a part of a
label) prints a pyinstrument profile of that measure for the largest user.
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
from typing import Any

from _fixtures import database_with_bank, history_reviews, learner_with_history
from _postgres import DEFAULT_ADMIN_URL, environment_without_services, throwaway_database

BENCH_DATABASE = "prepdeck_bench_practice"


def run_child(review_count: int) -> None:
    database_with_bank()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from prepdeck.catalog.models import Question
    from prepdeck.practice import scheduling, selectors, services
    from prepdeck.practice.models import Card

    now = datetime(2026, 11, 23, 12, tzinfo=UTC)
    question_ids = list(Question.objects.values_list("id", flat=True))
    started = time.perf_counter()
    user = learner_with_history(
        email="bench@example.com",
        time_zone="Europe/Berlin",
        question_ids=question_ids[:-40],  # the last 40 stay new
        reviews=review_count,
        now=now,
        rng=random.Random(7),
        key_prefix="bench",
    )
    print(
        f"generated {len(question_ids) - 40:,} cards and {review_count:,} reviews in "
        f"{time.perf_counter() - started:.1f} s"
    )
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


def run_due_scaling(due_counts: list[int]) -> None:
    """Queue and dashboard time for users who differ only in how many cards are due."""
    database_with_bank()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from prepdeck.accounts.models import User
    from prepdeck.catalog.models import Question, QuestionStatus, Topic
    from prepdeck.core.bulk import bulk_insert_rows
    from prepdeck.practice import scheduling, selectors
    from prepdeck.practice.models import Card

    call_command("collectstatic", interactive=False, verbosity=0)  # the pages use the manifest storage
    now = timezone.now()
    rng = random.Random(18)
    topic = Topic.objects.order_by("id").first()
    assert topic is not None
    largest = max(due_counts)
    started = time.perf_counter()
    question_ids = bulk_insert_rows(
        Question,
        [
            {
                "key": f"bench-due-{number}",
                "topic_id": topic.pk,
                "prompt": f"Generated question {number}?",
                "short_answer": "An answer.",
                "key_points": ["a point"],
                "status": QuestionStatus.PUBLISHED,
                "published_at": now - timedelta(days=400),
            }
            for number in range(largest)
        ],
    )
    users = {}
    for count in due_counts:
        user = User.objects.create_user(email=f"due{count}@example.com", password=None)
        users[count] = user
        # Every user has a card for every generated question (so the new questions left are the same);
        # only ``count`` of them are due now, the others later.
        card_ids = bulk_insert_rows(
            Card,
            [
                {
                    "user_id": user.pk,
                    "question_id": question_id,
                    "state": 2,
                    "stability": rng.uniform(1, 200),
                    "difficulty": rng.uniform(1, 10),
                    "due": now
                    + (-1 if number < count else 1) * timedelta(minutes=rng.randint(1, 30 * 24 * 60)),
                    "last_review": now - timedelta(days=rng.randint(31, 120)),
                    "reps": 5,
                    "created_at": now - timedelta(days=365),
                }
                for number, question_id in enumerate(question_ids)
            ],
        )
        history_reviews(
            user_id=user.pk,
            card_ids=card_ids,
            count=2000,
            now=now,
            rng=rng,
            key_prefix=f"due-{count}",
            earliest_minutes=60,
        )
    print(
        f"generated {largest:,} questions and {len(due_counts)} users in {time.perf_counter() - started:.1f} s"
    )
    connection.cursor().execute("VACUUM ANALYZE")
    settings = scheduling.SchedulerSettings(fuzz=False)

    def measures_for(user: Any) -> dict[str, Any]:
        client = Client(HTTP_HOST="localhost")
        client.force_login(user)

        def get(path: str) -> None:
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)

        return {
            "queue selector (20 items)": lambda: selectors.review_queue(
                user=user, now=timezone.now(), settings=settings, limit=20
            ),
            "dashboard counts (selector, limit=0)": lambda: selectors.review_queue(
                user=user, now=timezone.now(), settings=settings, limit=0
            ),
            "GET /api/v1/practice/queue/": lambda: get("/api/v1/practice/queue/"),
            "GET /review/": lambda: get("/review/"),
            "GET / (dashboard page)": lambda: get("/"),
        }

    by_user = {count: measures_for(user) for count, user in users.items()}
    rows: dict[str, dict[int, tuple[float, int]]] = {}
    for label in by_user[largest]:
        # the users take turns, so a change in the machine's load hits both alike
        times: dict[int, list[float]] = {count: [] for count in due_counts}
        statements: dict[int, int] = {}
        for _ in range(15):
            for count in due_counts:
                begin = time.perf_counter()
                with CaptureQueriesContext(connection) as queries:
                    by_user[count][label]()
                times[count].append((time.perf_counter() - begin) * 1000)
                statements[count] = len(queries.captured_queries)
                if os.environ.get("BENCH_VERBOSE") and count == largest:
                    for query in queries.captured_queries:
                        print(f"    {query['time']}s  {query['sql'][:300]}")
        rows[label] = {count: (statistics.median(times[count]), statements[count]) for count in due_counts}
        profile = os.environ.get("BENCH_PROFILE")
        if profile and profile in label:
            from pyinstrument import Profiler  # only for BENCH_PROFILE (pip install pyinstrument)

            with Profiler(interval=0.0005) as profiler:
                for _ in range(20):
                    by_user[largest][label]()
            print(profiler.output_text(unicode=False, color=False, show_all=False))
    smallest = min(due_counts)
    header = "".join(f"{f'{count:,} due':>18}" for count in due_counts)
    print(f"{'median ms (SQL statements)':<40}{header}   ratio {largest:,}/{smallest:,}")
    for label, by_count in rows.items():
        cells = "".join(f"{f'{by_count[c][0]:.1f} ({by_count[c][1]})':>18}" for c in due_counts)
        print(f"{label:<40}{cells}   {by_count[largest][0] / by_count[smallest][0]:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", action="store_true")
    parser.add_argument("--reviews", type=int, default=100_000)
    parser.add_argument("--postgres-url", default=DEFAULT_ADMIN_URL)
    parser.add_argument("--due", default="100,20000", help="due cards per user, comma-separated")
    parser.add_argument("--part", choices=("all", "statistics", "due"), default="all")
    parser.add_argument("--due-child", action="store_true")
    arguments = parser.parse_args()
    due_counts = [int(count) for count in arguments.due.split(",")]
    if arguments.child:
        run_child(arguments.reviews)
        return
    if arguments.due_child:
        run_due_scaling(due_counts)
        return
    with (
        throwaway_database(arguments.postgres_url, BENCH_DATABASE) as url,
        tempfile.TemporaryDirectory() as folder,
    ):
        if url is None:
            sys.exit("This benchmark needs PostgreSQL.")
        env = {**environment_without_services(), "DATABASE_URL": url, "PREPDECK_DATA_DIR": folder}
        if arguments.part in ("all", "statistics"):
            subprocess.run(  # noqa: S603 - our own interpreter and script
                [sys.executable, __file__, "--child", "--reviews", str(arguments.reviews)],
                env=env,
                check=True,
            )
        if arguments.part in ("all", "due"):
            subprocess.run(  # noqa: S603 - our own interpreter and script
                [sys.executable, __file__, "--due-child", "--due", arguments.due], env=env, check=True
            )


if __name__ == "__main__":
    main()
