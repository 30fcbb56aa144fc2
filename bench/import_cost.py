"""What an import costs per megabyte and per question, for every format, and at the limits.

Run: .venv/bin/python bench/import_cost.py [--sizes 1 2 4] [--postgres-url postgres://postgres@127.0.0.1:5432/postgres]
     [--skip-sqlite] [--skip-postgres]

Inputs of 1, 2 and 4 MB are generated per format (Markdown, CSV, Anki .apkg, our JSON export), with about
800 bytes per question for the documents, plus the worst shapes the limits allow: 5,000 tiny notes in one
.apkg (0.3 MB), 5,000 prompts of 6 words out of 30 (long
near-duplicate candidate lists), and a 4 MB Markdown heading (refused at once). Each input is imported as a dry run (all the work and
writes, then rolled back) by ``documents_import`` in a fresh child process, on a throwaway PostgreSQL
database and on SQLite. The figures: seconds, seconds per MB, milliseconds per question, the child's peak
RSS growth during the import (``ru_maxrss``), and Python's peak allocation (``tracemalloc``, measured in a
second, slower run).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _postgres import DEFAULT_ADMIN_URL, environment_without_services, throwaway_database

BENCH_DATABASE = "prepdeck_bench_import_cost"
MB = 1_000_000
BYTES_PER_QUESTION = 800
TOPICS = ["django-orm", "django-models", "drf-serializers", "postgresql-indexes", "celery"]


def _words(rng: random.Random, count: int) -> str:
    return " ".join(
        f"{rng.choice('bcdfghklmnprstvz')}{rng.choice('aeiou')}{rng.randrange(10_000)}" for _ in range(count)
    )


def _qa(rng: random.Random, count: int) -> list[tuple[str, str]]:
    """``count`` distinct question/answer pairs of about BYTES_PER_QUESTION bytes each."""
    return [
        (f"How does feature {number} of {_words(rng, 3)} behave?", _words(rng, BYTES_PER_QUESTION // 9))
        for number in range(count)
    ]


def markdown(size: int) -> bytes:
    pairs = _qa(random.Random(size), size // BYTES_PER_QUESTION)
    return "".join(
        f"## Q{number}. {prompt}\n\n{answer}\n\n" for number, (prompt, answer) in enumerate(pairs, 1)
    ).encode()


def csv_document(size: int) -> bytes:
    import csv

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["question", "answer", "topic", "tags"])
    for number, (prompt, answer) in enumerate(_qa(random.Random(size), size // BYTES_PER_QUESTION)):
        writer.writerow([prompt, answer, TOPICS[number % len(TOPICS)], f"tag-{number % 40}"])
    return buffer.getvalue().encode()


def apkg(size: int | None, *, notes: int | None = None) -> bytes:
    """An Anki package of about ``size`` bytes (at most 5,000 notes), or of ``notes`` tiny notes."""
    import genanki

    from prepdeck.catalog.exporters.anki import package_bytes

    model = genanki.Model(
        1_500_000_001,
        "Basic",
        fields=[{"name": "Front"}, {"name": "Back"}],
        templates=[{"name": "Card", "qfmt": "{{Front}}", "afmt": "{{Back}}"}],
    )
    rng = random.Random(size or notes)

    def build(count: int, answer_words: int) -> bytes:
        deck = genanki.Deck(2_059_400_110, "Django")
        for number in range(count):
            prompt = (
                f"Q{number} {_words(rng, 2)}?"
                if answer_words == 0
                else f"How does feature {number} of {_words(rng, 3)} behave?"
            )
            deck.add_note(genanki.Note(model=model, fields=[prompt, _words(rng, answer_words) or "A."]))
        return package_bytes(genanki.Package([deck]))

    if notes is not None:
        return build(notes, 0)
    assert size is not None
    count = min(5_000, size // BYTES_PER_QUESTION)
    answer_words = BYTES_PER_QUESTION // 9
    data = build(count, answer_words)
    # The package is compressed: scale the answers once to land near the wanted size.
    answer_words = max(1, round(answer_words * size / len(data)))
    return build(count, answer_words)


def json_export(size: int) -> bytes:
    rng = random.Random(size)
    questions = []
    for number, (prompt, answer) in enumerate(_qa(rng, size // 1_000)):
        questions.append(
            {
                "key": f"bench-{number:06d}",
                "topic": TOPICS[number % len(TOPICS)],
                "prompt": prompt,
                "short_answer": answer[:100],
                "explanation": answer,
                "key_points": [_words(rng, 4) for _ in range(3)],
                "difficulty": "basic",
                "tags": [f"tag-{number % 40}"],
                "sources": [{"document": "bench.md", "line_start": number + 1, "line_end": number + 2}],
            }
        )
    return json.dumps({"format": "prepdeck-export/1", "questions": questions}, indent=2).encode()


def shared_vocabulary(count: int) -> bytes:
    """``count`` distinct prompts of 6 words out of 30: every content word is shared by about a fifth of
    the prompts, so each prompt's rarest word still has long candidate lists (near-duplicate matching's
    worst case)."""
    rng = random.Random(count)
    vocabulary = (
        "queryset index cache signal model view form field router serializer token session manager "
        "migration template middleware permission throttle pagination filter admin widget backend "
        "cursor trigger sequence schema constraint vacuum replica"
    ).split()
    prompts: set[str] = set()
    while len(prompts) < count:
        prompts.add(" ".join(sorted(rng.sample(vocabulary, 6))))
    return "".join(f"## Why does {prompt} fail?\n\nBecause.\n\n" for prompt in sorted(prompts)).encode()


def heading(size: int) -> bytes:
    return ("## What is " + "very " * (size // 5) + "long?\n\nAn answer.\n").encode()


CASES: dict[str, tuple[str, Callable[[int], bytes]]] = {
    "markdown": ("notes.md", markdown),
    "csv": ("bank.csv", csv_document),
    "apkg": ("deck.apkg", apkg),
    "json": ("bank.json", json_export),
}
WORST: dict[str, tuple[str, Callable[[], bytes]]] = {
    "apkg 5,000 tiny notes": ("deck.apkg", lambda: apkg(None, notes=5_000)),
    "markdown 5,000 prompts of 30 words": ("notes.md", lambda: shared_vocabulary(5_000)),
    "markdown one 4 MB heading": ("notes.md", lambda: heading(4 * MB)),
}


def run_child(case: str, size: int) -> None:
    """Child process: migrate, generate the input, import it as a dry run; print one JSON line."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import django

    django.setup()
    from django.core.management import call_command

    from prepdeck.catalog import importing, services

    call_command("migrate", verbosity=0)
    services.topics_sync()
    if case in CASES:
        name, generate = CASES[case]
        data = generate(size)
    else:
        name, generate_worst = WORST[case]
        data = generate_worst()
    file = importing.InputFile(name=name, data=data)
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    report = importing.documents_import(files=[file], dry_run=True)
    seconds = time.perf_counter() - started
    rss_growth_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - baseline
    tracemalloc.start()
    importing.documents_import(files=[file], dry_run=True)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        json.dumps(
            {
                "bytes": len(data),
                "seconds": seconds,
                "questions": report.questions_found,
                "errors": report.errors[:1],
                "rss_growth_mib": rss_growth_kib / 1024,
                "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "tracemalloc_peak_mib": peak / 2**20,
            }
        )
    )


def measure(label: str, env: dict[str, str], case: str, size: int) -> None:
    result = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, __file__, "--child", case, str(size)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=1800,
    )
    if result.returncode != 0:
        sys.exit(f"{label} {case}: the benchmark failed:\n{result.stderr}")
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    megabytes = figures["bytes"] / MB
    questions = figures["questions"]
    per_question = (
        f"{1000 * figures['seconds'] / questions:6.2f} ms/question" if questions else "refused" + " " * 9
    )
    refused = f"   refused: {figures['errors'][0]['message'][:60]}" if figures["errors"] else ""
    print(
        f"{label:<10} {case:<36} {megabytes:5.2f} MB {questions:>6,} q {figures['seconds']:7.2f} s "
        f"{figures['seconds'] / megabytes:6.2f} s/MB  {per_question}  "
        f"RSS +{figures['rss_growth_mib']:6.1f} MiB (peak {figures['peak_rss_mib']:6.1f})  "
        f"tracemalloc peak {figures['tracemalloc_peak_mib']:6.1f} MiB{refused}",
        flush=True,
    )


def run_all(label: str, env: dict[str, str], sizes: list[int]) -> None:
    for case in CASES:
        for size in sizes:
            measure(label, env, case, size * MB)
    for case in WORST:
        measure(label, env, case, 0)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", nargs=2, metavar=("CASE", "BYTES"))
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 2, 4], metavar="MB")
    parser.add_argument("--postgres-url", default=DEFAULT_ADMIN_URL)
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--skip-postgres", action="store_true")
    arguments = parser.parse_args()
    if arguments.child:
        run_child(arguments.child[0], int(arguments.child[1]))
        return
    base = environment_without_services()
    if not arguments.skip_postgres:
        with (
            throwaway_database(arguments.postgres_url, BENCH_DATABASE) as url,
            tempfile.TemporaryDirectory() as folder,
        ):
            if url is not None:
                run_all(
                    "PostgreSQL", {**base, "PREPDECK_DATA_DIR": folder, "DATABASE_URL": url}, arguments.sizes
                )
    if not arguments.skip_sqlite:
        with tempfile.TemporaryDirectory() as folder:
            run_all("SQLite", {**base, "PREPDECK_DATA_DIR": folder}, arguments.sizes)


if __name__ == "__main__":
    main()
