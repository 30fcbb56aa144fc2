"""A throwaway PostgreSQL database for a benchmark: created fresh, dropped afterwards."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

DEFAULT_ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")


@contextmanager
def throwaway_database(admin_url: str, name: str) -> Iterator[str | None]:
    """Yield the URL of a new, empty database ``name`` (``None`` when PostgreSQL cannot be reached,
    after printing why); the database is dropped on the way out, even after an error."""
    import psycopg

    try:
        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {name}")
            connection.execute(f"CREATE DATABASE {name}")
    except psycopg.OperationalError as error:
        print(f"PostgreSQL  skipped: {error}".splitlines()[0])
        yield None
        return
    try:
        yield admin_url.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def environment_without_services() -> dict[str, str]:
    """This process's environment without DATABASE_URL and REDIS_URL (children choose their own)."""
    return {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "REDIS_URL"}}
