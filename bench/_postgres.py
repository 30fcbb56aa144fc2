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


def production_environment(*, database_url: str, redis_url: str | None, data_folder: str) -> dict[str, str]:
    """The environment a bench's server runs with: this process's (without the service URLs and
    ``WEB_CONCURRENCY``, which each bench sets for itself), the production settings on ``database_url`` and
    ``redis_url``, and the API throttles raised so that 429s do not hide what is measured (they still run)."""
    return {
        **{key: value for key, value in environment_without_services().items() if key != "WEB_CONCURRENCY"},
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "bench-" + "x" * 60,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url or "",
        "PREPDECK_DATA_DIR": data_folder,
        "LOG_LEVEL": "WARNING",
        **{
            f"THROTTLE_{scope}": "1000000/minute"
            for scope in ("ANON", "USER", "BURST", "LOGIN", "REGISTRATION")
        },
    }
