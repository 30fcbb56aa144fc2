"""Search on a generated bank of 100,000 questions: query latency against a naive ``icontains`` scan,
index build time and the cost of keeping the index current per write, on PostgreSQL and SQLite.

Run: .venv/bin/python bench/search.py [--questions 100000] [--rounds 5] [--skip-sqlite] [--skip-postgres]
[--postgres-url postgres://postgres@127.0.0.1:5432/postgres] [--database NAME] [--reuse]
A throwaway PostgreSQL database is created and dropped here, and a temporary SQLite file is used; with
``--reuse`` both are kept between runs (the PostgreSQL database ``--database``, the SQLite file under the
system's temporary folder) and the bank is generated only when it is not there yet (the index is always
rebuilt), which makes trying a change to the search quick. The
bank is generated from the bundled one: each question takes a real question's prompt (plus a made-up
word), the first 300 characters of its short answer and explanation, two key points, its tags and 200
characters of its first code example, with a sentence of another question and four words of a 40,000-word
made-up vocabulary (so the vocabulary has a long tail, like a real bank's): about 1.1 KB of text a
question. Rows are written with ``bulk_insert_rows`` (COPY on PostgreSQL), then ``ANALYZE`` runs, as
autovacuum would after a bulk load. Every bundled question appears about 280 times, so even a specific
query matches hundreds of questions: the latencies are those of a bank with much repetition.

Figures: the full index build (``search_index_refresh()``); one write's refresh (``search_index_refresh
([id])`` after editing a question, 200 times) and a 1,000-question batch; p50/p95 latency of
``search_questions`` over the judged query set plus a few very common words and natural phrasings (each
query run once to warm up, then timed ``--rounds`` times, interleaved: the machine may be shared, so a
percentile over many runs is what counts), against a spread of the same queries answered by a naive scan
(every word ``icontains`` in prompt, short answer or explanation; a count and the first page), timed in
the same process, and the ratios of the medians and of the 95th percentiles. The slowest queries at p95
are listed. Facets are cached per query, so a repeated query reads them from the cache: each query is
also timed right after with nothing cached (``uncached``), what the first person to type it waits for.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from _postgres import DEFAULT_ADMIN_URL, environment_without_services, throwaway_database

BENCH_DATABASE = "prepdeck_bench_search"
ROOT = Path(__file__).resolve().parent.parent
COMMON_QUERIES = [
    "django",
    "query",
    "how do you test it",
    "database index",
    "cache",
    "how do i paginate an api",
    "djnago",
    "what is the difference between a process and a thread in python",
]
NAIVE_EVERY = 4  # the naive scan is slow: every fourth query (and the common ones) is answered by it too
SLOWEST_SHOWN = 6
SYLLABLES = ["ka", "lo", "mi", "ren", "to", "su", "vel", "dar", "qui", "nor", "bex", "fa", "zu", "pel"]


def _made_up_words(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    words: set[str] = set()
    while len(words) < count:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(words)


def _generate(count: int) -> None:
    """Write ``count`` published questions (with tags and a code example each) in bulk."""
    from django.utils import timezone

    from prepdeck.catalog.bank import files as bank_files
    from prepdeck.catalog.models import CodeExample, Question, Tag, Topic
    from prepdeck.catalog.services import topics_sync
    from prepdeck.core.bulk import bulk_insert_rows

    topics_sync()
    topic_ids = dict(Topic.objects.values_list("slug", "pk"))
    bank = [entry for _, entry in bank_files.iter_questions(None)]
    sentences = [sentence for entry in bank for sentence in entry["explanation"].split(". ") if sentence]
    made_up = _made_up_words(40_000, seed=7)
    rng = random.Random(42)
    tags = sorted({tag for entry in bank for tag in entry.get("tags", [])})
    Tag.objects.bulk_create([Tag(slug=slug) for slug in tags], ignore_conflicts=True)
    tag_ids = dict(Tag.objects.values_list("slug", "pk"))
    now = timezone.now()
    rows: list[dict[str, Any]] = []
    codes: list[dict[str, Any]] = []
    tag_rows: list[dict[str, int]] = []
    for number in range(count):
        entry = bank[number % len(bank)]
        extra = " ".join(rng.choice(made_up) for _ in range(4))
        explanation = f"{entry['explanation'][:300]} {rng.choice(sentences)}. Also: {extra}."
        rows.append(
            {
                "key": f"bench-{number:06d}",
                "topic_id": topic_ids[entry["topic"]],
                "prompt": f"{entry['prompt']} ({rng.choice(made_up)})",
                "short_answer": entry["short_answer"][:300],
                "explanation": explanation,
                "key_points": entry["key_points"][:2],
                "difficulty": entry["difficulty"],
                "status": "published",
                "published_at": now,
                "created_at": now,
                "updated_at": now,
            }
        )
    ids = bulk_insert_rows(Question, rows)
    for number, pk in enumerate(ids):
        entry = bank[number % len(bank)]
        for example in entry.get("code_examples", [])[:1]:
            codes.append(
                {
                    "question_id": pk,
                    "order": 0,
                    "language": "python",
                    "caption": example.get("caption", "")[:300],
                    "code": example["code"][:200],
                }
            )
        tag_rows.extend({"question_id": pk, "tag_id": tag_ids[slug]} for slug in entry.get("tags", [])[:3])
    bulk_insert_rows(CodeExample, codes)
    bulk_insert_rows(Question.tags.through, tag_rows)


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def run_one(count: int, rounds: int) -> None:
    """Child process: migrate, generate, index, measure; print one JSON line of figures."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.db.models import Q

    from prepdeck.catalog.models import Question
    from prepdeck.core import caching
    from prepdeck.search.query import STOP_WORDS
    from prepdeck.search.selectors import search_questions
    from prepdeck.search.services import search_index_refresh

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    if Question.objects.count() != count:  # a kept database (--reuse) is generated once
        Question.all_objects.all().delete()
        _generate(count)
    generated = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # what autovacuum does after a bulk load
    text_bytes = sum(
        len(prompt) + len(answer) + len(explanation)
        for prompt, answer, explanation in Question.objects.values_list(
            "prompt", "short_answer", "explanation"
        )
    )

    started = time.perf_counter()
    search_index_refresh()
    build = time.perf_counter() - started

    rng = random.Random(1)
    all_ids = list(Question.objects.values_list("pk", flat=True))
    single = []
    for pk in rng.sample(all_ids, 200):
        with transaction.atomic():
            Question.objects.filter(pk=pk).update(prompt=f"Edited question {pk}: what changed?")
            started = time.perf_counter()
            search_index_refresh([pk])
            single.append(time.perf_counter() - started)
    batch_ids = rng.sample(all_ids, 1000)
    started = time.perf_counter()
    search_index_refresh(batch_ids)
    batch = time.perf_counter() - started

    judged = json.loads((ROOT / "prepdeck/search/tests/judged_queries.json").read_text())["queries"]
    queries = [item["query"] for item in judged] + COMMON_QUERIES
    for query in queries:  # warm up caches and the planner
        search_questions(query)
    naive_queries = list(dict.fromkeys(queries[::NAIVE_EVERY] + COMMON_QUERIES))

    def naive_search(query: str) -> None:
        words = [word for word in query.lower().split() if word not in STOP_WORDS] or [query]
        queryset = Question.objects.filter(status="published")
        for word in words:
            queryset = queryset.filter(
                Q(prompt__icontains=word) | Q(short_answer__icontains=word) | Q(explanation__icontains=word)
            )
        queryset.count()
        list(queryset.order_by("id").values_list("id", flat=True)[:20])

    latencies: dict[str, list[float]] = {query: [] for query in queries}
    uncached: dict[str, list[float]] = {query: [] for query in queries}
    naive: dict[str, list[float]] = {query: [] for query in naive_queries}
    counts = {}
    for round_number in range(rounds):
        for query in queries:
            started = time.perf_counter()
            result = search_questions(query, limit=20)
            latencies[query].append(time.perf_counter() - started)
            counts[query] = result.count
            # The same query with nothing cached (facets are cached per query and filters): what the
            # first person to type it waits for.
            caching.enabled = False
            try:
                started = time.perf_counter()
                search_questions(query, limit=20)
                uncached[query].append(time.perf_counter() - started)
            finally:
                caching.enabled = True
        if round_number < max(1, rounds // 2):  # interleaved with the search's rounds, fewer (it is slow)
            for query in naive_queries:
                started = time.perf_counter()
                naive_search(query)
                naive[query].append(time.perf_counter() - started)

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT pg_total_relation_size('search_document') + pg_total_relation_size('search_term')"
            )
            index_bytes = cursor.fetchone()[0]
        else:
            cursor.execute(
                "SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'search_document%' OR name LIKE 'search_term%' "
                "OR name LIKE 'search_prompt%'"
            )
            index_bytes = cursor.fetchone()[0]
    print(
        json.dumps(
            {
                "questions": len(all_ids),
                "text_mb": text_bytes / 1e6,
                "generated_s": generated,
                "build_s": build,
                "single_ms": [value * 1000 for value in single],
                "batch_ms": batch * 1000,
                "latency_ms": {
                    query: [value * 1000 for value in values] for query, values in latencies.items()
                },
                "uncached_ms": {
                    query: [value * 1000 for value in values] for query, values in uncached.items()
                },
                "counts": counts,
                "naive_ms": {query: [value * 1000 for value in values] for query, values in naive.items()},
                "index_mb": (index_bytes or 0) / 1e6,
            }
        )
    )


def measure(label: str, env: dict[str, str], count: int, rounds: int) -> None:
    result = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, __file__, "--child", "--questions", str(count), "--rounds", str(rounds)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=3600,
    )
    if result.returncode != 0:
        sys.exit(f"{label}: the benchmark failed:\n{result.stderr}")
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    by_query, naive_by_query, single = figures["latency_ms"], figures["naive_ms"], figures["single_ms"]
    latency = [value for values in by_query.values() for value in values]
    naive = [value for values in naive_by_query.values() for value in values]
    same = [value for query in naive_by_query for value in by_query[query]]  # the same queries, searched
    p50, p95 = _percentile(latency, 0.5), _percentile(latency, 0.95)
    cold = [value for values in figures["uncached_ms"].values() for value in values]
    cold_same = [value for query in naive_by_query for value in figures["uncached_ms"][query]]
    naive_p50, naive_p95 = _percentile(naive, 0.5), _percentile(naive, 0.95)
    same_p50, same_p95 = _percentile(same, 0.5), _percentile(same, 0.95)
    slowest = sorted(by_query.items(), key=lambda item: -_percentile(item[1], 0.95))[:SLOWEST_SHOWN]
    print(
        f"{label:<11} {figures['questions']:,} questions ({figures['text_mb']:.0f} MB of text), "
        f"index {figures['index_mb']:.0f} MB\n"
        f"  search      p50 {p50:7.1f} ms   p95 {p95:7.1f} ms   max {max(latency):7.1f} ms   ({len(by_query)} "
        f"queries x {rounds} rounds, median {statistics.median(figures['counts'].values()):,.0f} matches)\n"
        f"  uncached    p50 {_percentile(cold, 0.5):7.1f} ms   p95 {_percentile(cold, 0.95):7.1f} ms   max "
        f"{max(cold):7.1f} ms   (the same searches with nothing cached, each right after the one above)\n"
        f"  icontains   p50 {naive_p50:7.1f} ms   p95 {naive_p95:7.1f} ms   ({len(naive_by_query)} of the queries; "
        f"search on them p50 {same_p50:.1f} ms, p95 {same_p95:.1f} ms: {naive_p50 / same_p50:,.0f}x faster at "
        f"p50, {naive_p95 / same_p95:,.0f}x at p95; uncached p95 {_percentile(cold_same, 0.95):.1f} ms: "
        f"{naive_p95 / _percentile(cold_same, 0.95):,.0f}x)\n"
        f"  slowest     "
        + "; ".join(
            f"{query!r} p95 {_percentile(values, 0.95):.1f} ms ({figures['counts'][query]:,} matches)"
            for query, values in slowest
        )
        + "\n"
        f"  index build {figures['build_s']:.1f} s ({figures['build_s'] / figures['questions'] * 1e6:.0f} µs a "
        f"question)   one write's refresh p50 {_percentile(single, 0.5):.1f} ms, p95 "
        f"{_percentile(single, 0.95):.1f} ms   1,000-question batch {figures['batch_ms']:.0f} ms "
        f"({figures['batch_ms'] / 1000:.2f} ms a question)",
        flush=True,
    )


@contextmanager
def _kept_database(admin_url: str, name: str) -> Iterator[str]:
    """The URL of database ``name``, created when missing and kept afterwards (``--reuse``)."""
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            connection.execute(f"CREATE DATABASE {name}")
    yield admin_url.rsplit("/", 1)[0] + "/" + name


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", action="store_true")
    parser.add_argument("--questions", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--database", default=BENCH_DATABASE, help="the PostgreSQL database's name")
    parser.add_argument("--reuse", action="store_true", help="keep the bank between runs")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--postgres-url", default=DEFAULT_ADMIN_URL)
    arguments = parser.parse_args()
    if arguments.child:
        run_one(arguments.questions, arguments.rounds)
        return
    base = {key: value for key, value in environment_without_services().items() if key != "DEBUG"}
    if not arguments.skip_postgres:
        database = (
            _kept_database(arguments.postgres_url, arguments.database)
            if arguments.reuse
            else throwaway_database(arguments.postgres_url, arguments.database)
        )
        with database as url:
            if url is not None:
                with tempfile.TemporaryDirectory() as folder:
                    measure(
                        "PostgreSQL",
                        {**base, "PREPDECK_DATA_DIR": folder, "DATABASE_URL": url},
                        arguments.questions,
                        arguments.rounds,
                    )
    if not arguments.skip_sqlite:
        if arguments.reuse:
            folder = Path(tempfile.gettempdir()) / arguments.database
            folder.mkdir(exist_ok=True)
            measure(
                "SQLite", {**base, "PREPDECK_DATA_DIR": str(folder)}, arguments.questions, arguments.rounds
            )
        else:
            with tempfile.TemporaryDirectory() as folder:
                measure(
                    "SQLite", {**base, "PREPDECK_DATA_DIR": folder}, arguments.questions, arguments.rounds
                )


if __name__ == "__main__":
    main()
