"""Questions per second when importing a generated PrepDeck JSON export of 50,000 questions.

Run: .venv/bin/python bench/import_json.py [--questions 50000] [--postgres-url postgres://postgres@127.0.0.1:5432/postgres]
A throwaway PostgreSQL database is created and dropped here (and a temporary SQLite file is measured too,
for comparison). The export is generated in memory: every question has tags, two code examples, key
points, a source and a follow-up, like a real bank. The timed part is ``documents_import`` on the bytes
(validation, bulk writes, commit); the figure is questions per second. A second run re-imports the same
file into the filled bank (everything unchanged, nothing written).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

from _postgres import DEFAULT_ADMIN_URL, environment_without_services, throwaway_database

BENCH_DATABASE = "prepdeck_bench_json"
TOPICS = ["django-orm", "django-models", "drf-serializers", "postgresql-indexes", "celery"]


def generate(count: int) -> bytes:
    """A PrepDeck export of ``count`` distinct questions (topic slugs must exist in the bundled tree)."""
    questions = []
    for number in range(count):
        key = f"bench-{number:06d}"
        questions.append(
            {
                "key": key,
                "topic": TOPICS[number % len(TOPICS)],
                "prompt": f"Generated question number {number}: how does feature {number % 997} behave?",
                "short_answer": f"Short answer {number}, a sentence or two long like a real one.",
                "explanation": f"Explanation {number}.\n\n```python\nvalue = {number}\nprint(value)\n```\n",
                "key_points": [f"point {number}-{index}" for index in range(4)],
                "common_mistakes": [f"mistake {number}"],
                "choice": {
                    "correct": f"right answer {number}",
                    "distractors": [
                        {"text": f"wrong answer {number}-{index}", "why_wrong": "because"}
                        for index in range(3)
                    ],
                },
                "difficulty": ("basic", "intermediate", "advanced")[number % 3],
                "status": "published",
                "needs_question": False,
                "tags": [f"tag-{number % 50}", f"area-{number % 7}"],
                "code_examples": [
                    {
                        "language": "python",
                        "caption": f"Example {number}",
                        "code": f"x = {number}",
                        "runnable": False,
                        "not_runnable_reason": "",
                    },
                    {
                        "language": "sql",
                        "caption": "",
                        "code": f"SELECT {number};",
                        "runnable": False,
                        "not_runnable_reason": "",
                    },
                ],
                "follow_ups": [f"bench-{(number + 1) % count:06d}"],
                "sources": [
                    {
                        "document": "generated.md",
                        "line_start": number * 10 + 1,
                        "line_end": number * 10 + 9,
                        "original_prompt": f"Question {number}?",
                        "original_answer": f"Answer {number}.",
                    }
                ],
            }
        )
    return json.dumps(
        {
            "format": "prepdeck-export/1",
            "exported_at": "2026-11-23T00:00:00Z",
            "topics": [],
            "questions": questions,
        },
        indent=2,
    ).encode()


def run_one(count: int) -> None:
    """Child process: migrate, import the generated export twice, print seconds and counts."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import django

    django.setup()
    from django.core.management import call_command

    from prepdeck.catalog import importing

    call_command("migrate", verbosity=0)
    data = generate(count)
    file = importing.InputFile(name="bank.json", data=data)
    figures = []
    for _attempt in range(2):
        started = time.perf_counter()
        report = importing.documents_import(files=[file])
        figures.append((time.perf_counter() - started, report.created))
        assert not report.errors, report.errors
    (first, created), (second, recreated) = figures
    print(f"{len(data)} {first:.3f} {created} {second:.3f} {recreated}")


def measure(label: str, env: dict[str, str], count: int) -> None:
    result = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, __file__, "--child", "--questions", str(count)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=1800,
    )
    if result.returncode != 0:
        sys.exit(f"{label}: the benchmark failed:\n{result.stderr}")
    size, first, created, second, recreated = result.stdout.split()
    print(
        f"{label:<11} {int(created):,} questions ({int(size) / 1e6:.0f} MB) in {float(first):.2f} s = "
        f"{int(created) / float(first):,.0f} questions/s   re-import {float(second):.2f} s ({recreated} created)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", action="store_true")
    parser.add_argument("--questions", type=int, default=50_000)
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--postgres-url", default=DEFAULT_ADMIN_URL)
    arguments = parser.parse_args()
    if arguments.child:
        run_one(arguments.questions)
        return
    base = environment_without_services()
    with (
        throwaway_database(arguments.postgres_url, BENCH_DATABASE) as url,
        tempfile.TemporaryDirectory() as folder,
    ):
        if url is not None:
            measure(
                "PostgreSQL", {**base, "PREPDECK_DATA_DIR": folder, "DATABASE_URL": url}, arguments.questions
            )
    if not arguments.skip_sqlite:
        with tempfile.TemporaryDirectory() as folder:
            measure("SQLite", {**base, "PREPDECK_DATA_DIR": folder}, arguments.questions)


if __name__ == "__main__":
    main()
