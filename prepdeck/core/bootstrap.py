"""First-run work that ``prepdeck run`` does before serving: database checks and content loading.

``FIRST_RUN_HOOKS`` is the extension point: an app that must prepare data on an empty database (the
catalog's bundled question bank loader) appends a callable here from its ``AppConfig.ready``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections


class Writer(Protocol):
    """Where hooks report progress (a management command's ``self.stdout``)."""

    def write(self, msg: str = ..., /, *args: Any, **kwargs: Any) -> Any: ...


FirstRunHook = Callable[[Writer], None]
FIRST_RUN_HOOKS: list[FirstRunHook] = []


class DatabaseUnavailable(Exception):
    """The configured database does not answer."""


def database_describe() -> str:
    """Where the default database is, for messages (never includes the password)."""
    settings_dict = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"SQLite at {settings_dict['NAME']}"
    host = settings_dict.get("HOST") or "localhost"
    port = settings_dict.get("PORT") or "5432"
    return f"{connection.display_name} database {settings_dict.get('NAME')!r} at {host}:{port}"


def database_check_reachable() -> None:
    """Open a connection now so an unreachable server is reported in one line before anything else.

    The probe connects directly, outside the connection pool: a pool would retry in the background and
    answer only "no connection after N seconds", where the server's own reason ("connection refused",
    "password authentication failed") is what the operator needs.
    """
    default = connections[DEFAULT_DB_ALIAS]
    options = {name: value for name, value in default.settings_dict["OPTIONS"].items() if name != "pool"}
    # Same alias: django.contrib.postgres looks the alias up when a connection is created.
    probe = type(default)({**default.settings_dict, "OPTIONS": options}, alias=DEFAULT_DB_ALIAS)
    try:
        probe.ensure_connection()
    except DatabaseError as error:
        reason = (str(error).strip().splitlines() or [type(error).__name__])[0]
        raise DatabaseUnavailable(f"cannot connect to {database_describe()}: {reason}") from None
    finally:
        probe.close()


def release_connections() -> None:
    """Close this process's database and cache connections, pools included: call it when the set-up work is
    done and serving happens elsewhere (in uvicorn's worker processes with ``WEB_CONCURRENCY``, or in other
    threads), so the process that migrated holds no idle connection for its lifetime.

    ``connections.close_all()`` alone only gives a pooled connection back to the pool, which keeps
    ``DATABASE_POOL_MIN_SIZE`` (or more) connections open: under ``WEB_CONCURRENCY=2`` the supervisor held
    3 PostgreSQL backends for nothing, on top of its two workers' pools (issue 18's "23 backends with a
    pool of 10"). A pool closed here is made again, lazily, by the first query that needs it.
    """
    from prepdeck.core.redis_pool import ProcessConnectionPool

    for alias in connections:
        wrapper = connections[alias]
        wrapper.close()
        close_pool = getattr(wrapper, "close_pool", None)  # PostgreSQL (and Oracle) only
        if close_pool is not None and wrapper.settings_dict.get("OPTIONS", {}).get("pool"):
            close_pool()
    ProcessConnectionPool.close_process_pools()


def run_first_run_hooks(stdout: Writer) -> None:
    """Run every registered first-run hook (each decides for itself whether there is work to do)."""
    for hook in FIRST_RUN_HOOKS:
        hook(stdout)
