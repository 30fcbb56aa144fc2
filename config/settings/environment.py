"""Pure functions that turn environment variables into Django settings.

They take a plain mapping and return plain data, so every combination of variables can be unit-tested
without reloading settings modules. The settings modules call them with ``os.environ``.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

_SUPPORTED_DATABASE_SCHEMES = {"postgres", "postgresql", "pgsql", "postgis", "sqlite"}


def data_dir(env: Mapping[str, str]) -> Path:
    """Return the folder that holds the SQLite database, the generated secret key and collected static files."""
    return Path(env.get("PREPDECK_DATA_DIR") or "var").expanduser().resolve()


def database_config(
    env: Mapping[str, str], *, data_folder: Path, variable: str = "DATABASE_URL"
) -> dict[str, Any]:
    """Return ``DATABASES["default"]``: PostgreSQL from ``DATABASE_URL``, else SQLite in the data folder.

    Raises ``ImproperlyConfigured`` with one readable line when the URL cannot be used. ``variable`` names
    another variable holding such a URL (the replica's).
    """
    url = (env.get(variable) or "").strip()
    if not url:
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(data_folder / "prepdeck.sqlite3"),
            "OPTIONS": {
                # WAL lets readers and one writer work at the same time; IMMEDIATE takes the write lock
                # at BEGIN so concurrent writers wait (busy_timeout) instead of failing mid-transaction.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    scheme = urlsplit(url).scheme.lower()
    if scheme not in _SUPPORTED_DATABASE_SCHEMES:
        raise ImproperlyConfigured(
            f"{variable} is not a usable database URL (scheme {scheme!r}); "
            "expected postgres://user:password@host:5432/dbname"
        )
    try:
        config: dict[str, Any] = environ.Env.db_url_config(url)
        if scheme != "sqlite" and not config.get("NAME"):
            raise ValueError("no database name")
        port = config.get("PORT")
        if port not in (None, ""):
            int(str(port))
    except (ValueError, TypeError) as error:
        raise ImproperlyConfigured(
            f"{variable} could not be parsed ({error}); expected postgres://user:password@host:5432/dbname"
        ) from None
    if config["ENGINE"] == "django.db.backends.postgresql":
        config["CONN_HEALTH_CHECKS"] = True
        config.setdefault("OPTIONS", {})
        config["OPTIONS"].setdefault("connect_timeout", 5)
        config["OPTIONS"].setdefault("application_name", "prepdeck")
        pool = database_pool(env)
        if pool is None:
            config["CONN_MAX_AGE"] = as_int(env, "DATABASE_CONN_MAX_AGE", default=0, minimum=0)
        else:
            if as_int(env, "DATABASE_CONN_MAX_AGE", default=0, minimum=0):
                raise ImproperlyConfigured(
                    "DATABASE_CONN_MAX_AGE applies only without the connection pool; "
                    "set DATABASE_POOL_MAX_SIZE=0 to use persistent connections instead"
                )
            # The pool replaces persistent connections (Django refuses both): every request takes a
            # connection from the process's pool and gives it back when it ends, whichever thread ran it.
            config["CONN_MAX_AGE"] = 0
            config["OPTIONS"]["pool"] = pool
    return config


# Per process. PostgreSQL's default max_connections is 100: leave room for workers, beat and psql.
DEFAULT_DATABASE_POOL_MIN_SIZE = 2
DEFAULT_DATABASE_POOL_MAX_SIZE = 10
DEFAULT_DATABASE_POOL_TIMEOUT = (
    5.0  # as long as connect_timeout: an outage is reported no later than unpooled
)


def database_pool(env: Mapping[str, str]) -> dict[str, Any] | None:
    """Return the psycopg pool options for PostgreSQL (``DATABASES[...]["OPTIONS"]["pool"]``), or ``None``
    when ``DATABASE_POOL_MAX_SIZE=0`` turns the pool off.

    One pool per process, shared by every thread: under ASGI each request runs in a thread of its own, so
    persistent per-thread connections (``CONN_MAX_AGE``) pile up; a pool bounds the process to
    ``max_size`` connections and makes a request wait up to ``timeout`` seconds for a free one.
    """
    max_size = as_int(env, "DATABASE_POOL_MAX_SIZE", default=DEFAULT_DATABASE_POOL_MAX_SIZE, minimum=0)
    if max_size == 0:
        return None
    min_size = as_int(env, "DATABASE_POOL_MIN_SIZE", default=DEFAULT_DATABASE_POOL_MIN_SIZE, minimum=0)
    if min_size > max_size:
        raise ImproperlyConfigured(
            f"DATABASE_POOL_MIN_SIZE ({min_size}) must not be larger than DATABASE_POOL_MAX_SIZE ({max_size})"
        )
    raw_timeout = (env.get("DATABASE_POOL_TIMEOUT") or "").strip()
    try:
        timeout = float(raw_timeout) if raw_timeout else DEFAULT_DATABASE_POOL_TIMEOUT
    except ValueError:
        timeout = -1.0
    if not timeout > 0:
        raise ImproperlyConfigured(
            f"DATABASE_POOL_TIMEOUT must be a positive number of seconds (got {raw_timeout!r})"
        )
    return {"min_size": min_size, "max_size": max_size, "timeout": timeout}


def replica_database_config(env: Mapping[str, str], *, primary: Mapping[str, Any]) -> dict[str, Any] | None:
    """``DATABASES["replica"]`` from ``DATABASE_REPLICA_URL`` (a streaming replica of the primary), or None.

    It takes the primary's connection settings; in the test suite it mirrors the primary, so tests that run
    on one database see the same rows through both aliases (a real replica has its own test).
    """
    if not (env.get("DATABASE_REPLICA_URL") or "").strip():
        return None
    if primary["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_REPLICA_URL needs DATABASE_URL to name the PostgreSQL primary")
    replica = database_config(env, data_folder=Path(), variable="DATABASE_REPLICA_URL")
    if replica["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_REPLICA_URL must be a postgres:// URL")
    replica["OPTIONS"] = {**primary.get("OPTIONS", {}), **replica.get("OPTIONS", {})}
    replica["OPTIONS"]["application_name"] = "prepdeck-replica"
    replica["TEST"] = {"MIRROR": "default"}
    return replica


def replica_settings(env: Mapping[str, str]) -> dict[str, float]:
    """How reads use the replica: how long a client that wrote reads from the primary, the replication lag
    beyond which reads go to the primary, and how often the lag is checked (seconds)."""
    values = {}
    for name, default in (
        ("REPLICA_STICKY_SECONDS", 5.0),
        ("REPLICA_MAX_LAG_SECONDS", 10.0),
        ("REPLICA_CHECK_SECONDS", 5.0),
    ):
        raw = (env.get(name) or "").strip()
        try:
            values[name] = float(raw) if raw else default
        except ValueError:
            raise ImproperlyConfigured(f"{name} must be a number of seconds (got {raw!r})") from None
        if values[name] < 0:
            raise ImproperlyConfigured(f"{name} must not be negative (got {raw!r})")
    return values


def redis_url(env: Mapping[str, str]) -> str:
    """Return ``REDIS_URL`` or an empty string; validates the scheme so a typo fails at start."""
    url = (env.get("REDIS_URL") or "").strip()
    if url and urlsplit(url).scheme not in {"redis", "rediss", "unix"}:
        raise ImproperlyConfigured(
            f"REDIS_URL must start with redis://, rediss:// or unix:// (got {url[:40]!r})"
        )
    return url


# Per process, like the database pool; at least the threads of a web process (config/gunicorn.py checks).
DEFAULT_REDIS_POOL_MAX_SIZE = 10


def cache_config(env: Mapping[str, str], *, key_prefix: str = "prepdeck") -> dict[str, Any]:
    """Return ``CACHES``: Redis when ``REDIS_URL`` is set, else an in-process local-memory cache."""
    url = redis_url(env)
    if url:
        return {
            "default": {
                # Django's RedisCache, with one client object per pool (see prepdeck.core.redis_pool)
                "BACKEND": "prepdeck.core.redis_pool.RedisCache",
                "LOCATION": url,
                "KEY_PREFIX": key_prefix,
                "TIMEOUT": 300,
                # One pool per process, not one per thread (see prepdeck.core.redis_pool). An unreachable Redis
                # fails fast instead of holding requests for the system's TCP timeout; the throttles then
                # count per process until it answers (prepdeck.core.outages).
                "OPTIONS": {
                    "pool_class": "prepdeck.core.redis_pool.ProcessConnectionPool",
                    "max_connections": as_int(
                        env, "REDIS_POOL_MAX_SIZE", default=DEFAULT_REDIS_POOL_MAX_SIZE, minimum=1
                    ),
                    "timeout": as_int(env, "REDIS_POOL_TIMEOUT", default=5, minimum=1),
                    "socket_connect_timeout": 1,
                    "socket_timeout": 2,
                },
            }
        }
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "prepdeck",
            "KEY_PREFIX": key_prefix,
            "TIMEOUT": 300,
        }
    }


def celery_config(env: Mapping[str, str]) -> dict[str, Any]:
    """Return the ``CELERY_*`` settings: Redis broker and results, or eager in-process execution."""
    url = redis_url(env)
    common: dict[str, Any] = {
        "CELERY_TASK_EAGER_PROPAGATES": True,
        "CELERY_TASK_ACKS_LATE": True,
        "CELERY_TASK_REJECT_ON_WORKER_LOST": True,
        "CELERY_WORKER_PREFETCH_MULTIPLIER": 1,
        "CELERY_TASK_SERIALIZER": "json",
        "CELERY_RESULT_SERIALIZER": "json",
        "CELERY_ACCEPT_CONTENT": ["json"],
        "CELERY_BEAT_SCHEDULER": "django_celery_beat.schedulers:DatabaseScheduler",
        "CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP": True,
        # Nothing reads task results (an import job's outcome lives on its row). Storing them would make
        # every thread that enqueues a task open its own result-backend connection to Redis (Celery keeps
        # the backend per thread and subscribes to the result), and ASGI runs each request in a new thread.
        "CELERY_TASK_IGNORE_RESULT": True,
    }
    if url:
        return {
            **common,
            "CELERY_BROKER_URL": url,
            "CELERY_RESULT_BACKEND": url,
            "CELERY_TASK_ALWAYS_EAGER": False,
            "CELERY_RESULT_EXPIRES": 3600,
        }
    return {
        **common,
        "CELERY_BROKER_URL": "memory://",
        "CELERY_RESULT_BACKEND": "cache+memory://",
        "CELERY_TASK_ALWAYS_EAGER": True,
    }


def channel_layers(env: Mapping[str, str]) -> dict[str, Any]:
    """Return ``CHANNEL_LAYERS``: Redis when ``REDIS_URL`` is set, else the in-memory layer (one process)."""
    url = redis_url(env)
    if url:
        return {
            "default": {
                "BACKEND": "channels_redis.core.RedisChannelLayer",
                "CONFIG": {"hosts": [url], "prefix": "prepdeck"},
            }
        }
    return {"default": {"BACKEND": "prepdeck.core.channel_layers.InMemoryChannelLayer"}}


def email_config(env: Mapping[str, str]) -> dict[str, Any]:
    """Return the ``EMAIL_*`` settings: SMTP from ``EMAIL_URL`` (smtp://, smtps://), else the console."""
    url = (env.get("EMAIL_URL") or "").strip()
    if not url:
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    try:
        parsed = environ.Env.email_url_config(url)
    except (ValueError, KeyError) as error:
        raise ImproperlyConfigured(f"EMAIL_URL could not be parsed ({error})") from None
    config = {key: value for key, value in parsed.items() if value not in (None, "")}
    # A mail server that does not answer must not hold a worker (or a reminder's retry) for minutes.
    config.setdefault("EMAIL_TIMEOUT", int(env.get("EMAIL_TIMEOUT") or 10))
    return config


def local_secret_key(data_folder: Path) -> str:
    """Return the local secret key, generating it once and keeping it in the data folder (mode 0600)."""
    key_file = data_folder / "secret_key"
    if key_file.exists():
        key = key_file.read_text(encoding="utf-8").strip()
        if key:
            return key
    data_folder.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(64)
    key_file.touch(mode=0o600)
    key_file.write_text(key, encoding="utf-8")
    return key


def required(env: Mapping[str, str], name: str, why: str) -> str:
    """Return a required variable or raise ``ImproperlyConfigured`` with one line saying what to set."""
    value = (env.get(name) or "").strip()
    if not value:
        raise ImproperlyConfigured(f"{name} is not set: {why}")
    return value


def as_bool(env: Mapping[str, str], name: str, *, default: bool) -> bool:
    """Read a boolean variable (``1/true/yes/on`` and ``0/false/no/off``)."""
    raw = (env.get(name) or "").strip().lower()
    if not raw:
        return default
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false (got {raw!r})")


def as_int(env: Mapping[str, str], name: str, *, default: int, minimum: int | None = None) -> int:
    """Read a whole-number variable, refusing anything else (and values below ``minimum``) in one line."""
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = None
    if value is None or (minimum is not None and value < minimum):
        at_least = f" of at least {minimum}" if minimum is not None else ""
        raise ImproperlyConfigured(f"{name} must be a whole number{at_least} (got {raw!r})")
    return value


def as_list(env: Mapping[str, str], name: str, *, default: list[str]) -> list[str]:
    """Read a comma-separated list variable."""
    raw = (env.get(name) or "").strip()
    if not raw:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


DEFAULT_THROTTLE_RATES = {
    "anon": "60/minute",
    "user": "600/minute",
    "burst": "60/second",
    "login": "10/minute",
    "registration": "5/hour",
    "password_reset": "5/hour",
    "imports": "30/hour",
    "grading": "120/minute",
}


def throttle_rates(env: Mapping[str, str]) -> dict[str, str]:
    """API throttle rates: each overridable as ``THROTTLE_<SCOPE>`` (e.g. ``THROTTLE_LOGIN=5/minute``)."""
    rates = {}
    for scope, default in DEFAULT_THROTTLE_RATES.items():
        rate = env.get(f"THROTTLE_{scope.upper()}", default).strip()
        number, _, period = rate.partition("/")
        if not number.isdigit() or not period or period[0] not in "smhd":
            raise ImproperlyConfigured(
                f"THROTTLE_{scope.upper()}={rate!r} is not a rate such as 10/minute or 100/hour."
            )
        rates[scope] = rate
    return rates


def trusted_proxy_count(env: Mapping[str, str]) -> int:
    """How many reverse proxies in front of the app append to ``X-Forwarded-For`` (``TRUSTED_PROXIES``).

    Unset, it is 1 when ``BEHIND_TLS_PROXY`` says a proxy terminates TLS in front of us and 0 otherwise. With
    0 the header is ignored and the client is ``REMOTE_ADDR``: anybody can send the header, so trusting it
    without a proxy that sets it would let every address-based limit be dodged by rotating it.
    """
    raw = (env.get("TRUSTED_PROXIES") or "").strip()
    if not raw:
        return 1 if as_bool(env, "BEHIND_TLS_PROXY", default=False) else 0
    if not raw.isdigit() or int(raw) > 10:
        raise ImproperlyConfigured(
            f"TRUSTED_PROXIES must be the number of proxies in front of the app, 0 to 10 (got {raw!r})"
        )
    return int(raw)


def logging_config(*, log_format: str, level: str) -> dict[str, Any]:
    """Return ``LOGGING``: readable lines locally, one JSON object per line in production.

    Every record carries the current request id (``prepdeck.core.logging.RequestIdFilter``).
    """
    if log_format not in {"text", "json"}:
        raise ImproperlyConfigured(f"LOG_FORMAT must be text or json (got {log_format!r})")
    formatter = (
        {"()": "prepdeck.core.logging.JsonFormatter"}
        if log_format == "json"
        else {"format": "%(asctime)s %(levelname)-7s [%(request_id)s] %(name)s: %(message)s"}
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "request_id": {"()": "prepdeck.core.logging.RequestIdFilter"},
            "outage_responses": {"()": "prepdeck.core.logging.OutageResponseFilter"},
        },
        "formatters": {"default": formatter},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "default",
                "filters": ["request_id"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django": {"level": level, "propagate": True},
            # Our access log replaces Django's and uvicorn's request lines.
            "django.server": {"level": "WARNING"},
            "django.request": {"level": "ERROR", "filters": ["outage_responses"]},
            "uvicorn.access": {"level": "WARNING"},
        },
    }
