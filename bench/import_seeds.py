"""Wall time of importing the five seed documents, on SQLite and on PostgreSQL.

Run: .venv/bin/python bench/import_seeds.py [--postgres-url postgres://postgres@127.0.0.1:5432/postgres]
Each backend runs in its own process on a fresh database (a temporary SQLite file; a throwaway PostgreSQL
database created and dropped here). The figure is the import itself (parse, match, write, commit), not
process start-up or migrations.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
BENCH_DATABASE = "prepdeck_bench_import"


def run_one() -> None:
    """Child process: migrate the configured database, import the seeds, print seconds and counts."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import django

    django.setup()
    from django.core.management import call_command

    from prepdeck.catalog import importing

    call_command("migrate", verbosity=0)
    files = [importing.InputFile(name=path.name, data=path.read_bytes()) for path in sorted(SEEDS.iterdir())]
    runs = []
    for _attempt in range(2):  # the second run is a re-import: everything matches, nothing is created
        started = time.perf_counter()
        report = importing.documents_import(files=files)
        runs.append((time.perf_counter() - started, report.created + report.drafts))
        assert not report.errors, report.errors
    (first, created), (second, recreated) = runs
    print(f"{first:.3f} {created} {second:.3f} {recreated}")


def measure(label: str, env: dict[str, str]) -> None:
    result = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, __file__, "--child"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    first, created, second, recreated = result.stdout.split()
    print(
        f"{label:<11} import {float(first):6.2f} s ({created} questions created)   re-import {float(second):6.2f} s ({recreated} created)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", action="store_true")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
    )
    arguments = parser.parse_args()
    if arguments.child:
        run_one()
        return
    base = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "REDIS_URL"}}
    with tempfile.TemporaryDirectory() as folder:
        measure("SQLite", {**base, "PREPDECK_DATA_DIR": folder})

    import psycopg

    admin_url = arguments.postgres_url
    try:
        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {BENCH_DATABASE}")
            connection.execute(f"CREATE DATABASE {BENCH_DATABASE}")
    except psycopg.OperationalError as error:
        print(f"PostgreSQL  skipped: {error}".splitlines()[0])
        return
    try:
        with tempfile.TemporaryDirectory() as folder:
            url = admin_url.rsplit("/", 1)[0] + "/" + BENCH_DATABASE
            measure("PostgreSQL", {**base, "PREPDECK_DATA_DIR": folder, "DATABASE_URL": url})
    finally:
        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {BENCH_DATABASE} WITH (FORCE)")


if __name__ == "__main__":
    main()
