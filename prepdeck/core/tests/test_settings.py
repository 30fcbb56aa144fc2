"""Settings resolve correctly for each combination of environment variables."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.settings import environment

DATA = Path("/tmp/prepdeck-data")


def test_no_database_url_means_sqlite_in_the_data_folder_with_wal() -> None:
    config = environment.database_config({}, data_folder=DATA)

    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"] == "/tmp/prepdeck-data/prepdeck.sqlite3"
    assert "PRAGMA journal_mode=WAL" in config["OPTIONS"]["init_command"]
    assert config["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


def test_postgres_url_means_postgresql_with_health_checks_and_a_connection_pool() -> None:
    config = environment.database_config(
        {"DATABASE_URL": "postgres://app:s3cret@db.internal:6432/prepdeck"}, data_folder=DATA
    )

    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["NAME"], config["USER"], config["PASSWORD"]) == ("prepdeck", "app", "s3cret")
    assert (config["HOST"], config["PORT"]) == ("db.internal", 6432)
    # a pool of at most 10 connections per process; persistent connections are off (Django refuses both)
    assert config["OPTIONS"]["pool"] == {"min_size": 2, "max_size": 10, "timeout": 5.0}
    assert config["CONN_MAX_AGE"] == 0
    assert config["CONN_HEALTH_CHECKS"] is True


def test_pool_sizes_and_wait_are_configurable() -> None:
    config = environment.database_config(
        {
            "DATABASE_URL": "postgres://u@h/db",
            "DATABASE_POOL_MIN_SIZE": "0",
            "DATABASE_POOL_MAX_SIZE": "25",
            "DATABASE_POOL_TIMEOUT": "2.5",
        },
        data_folder=DATA,
    )

    assert config["OPTIONS"]["pool"] == {"min_size": 0, "max_size": 25, "timeout": 2.5}
    assert config["CONN_MAX_AGE"] == 0


def test_pool_size_zero_turns_the_pool_off_and_allows_persistent_connections() -> None:
    without = environment.database_config(
        {"DATABASE_URL": "postgres://u@h/db", "DATABASE_POOL_MAX_SIZE": "0"}, data_folder=DATA
    )
    persistent = environment.database_config(
        {"DATABASE_URL": "postgres://u@h/db", "DATABASE_POOL_MAX_SIZE": "0", "DATABASE_CONN_MAX_AGE": "60"},
        data_folder=DATA,
    )

    assert "pool" not in without["OPTIONS"]
    assert without["CONN_MAX_AGE"] == 0
    assert "pool" not in persistent["OPTIONS"]
    assert persistent["CONN_MAX_AGE"] == 60


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        (
            {"DATABASE_CONN_MAX_AGE": "60"},
            "DATABASE_CONN_MAX_AGE applies only without the connection pool; "
            "set DATABASE_POOL_MAX_SIZE=0 to use persistent connections instead",
        ),
        (
            {"DATABASE_POOL_MIN_SIZE": "11"},
            "DATABASE_POOL_MIN_SIZE (11) must not be larger than DATABASE_POOL_MAX_SIZE (10)",
        ),
        (
            {"DATABASE_POOL_MAX_SIZE": "-1"},
            "DATABASE_POOL_MAX_SIZE must be a whole number of at least 0 (got '-1')",
        ),
        (
            {"DATABASE_POOL_MAX_SIZE": "ten"},
            "DATABASE_POOL_MAX_SIZE must be a whole number of at least 0 (got 'ten')",
        ),
        (
            {"DATABASE_POOL_TIMEOUT": "0"},
            "DATABASE_POOL_TIMEOUT must be a positive number of seconds (got '0')",
        ),
        (
            {"DATABASE_POOL_TIMEOUT": "soon"},
            "DATABASE_POOL_TIMEOUT must be a positive number of seconds (got 'soon')",
        ),
    ],
)
def test_unusable_pool_settings_raise_one_clear_line(variables: dict[str, str], message: str) -> None:
    with pytest.raises(ImproperlyConfigured) as raised:
        environment.database_config({"DATABASE_URL": "postgres://u@h/db", **variables}, data_folder=DATA)

    assert str(raised.value) == message


@pytest.mark.parametrize(
    "url",
    [
        "mysql2://x",
        "not a url",
        "postgres://u@host:notaport/db",
        "postgres://u@host:5432/",
        "http://example.com/db",
    ],
)
def test_unusable_database_url_raises_one_clear_line(url: str) -> None:
    with pytest.raises(ImproperlyConfigured) as raised:
        environment.database_config({"DATABASE_URL": url}, data_folder=DATA)

    message = str(raised.value)
    assert message.startswith("DATABASE_URL ")
    assert "\n" not in message


def test_data_folder_defaults_to_var_in_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)

    assert environment.data_dir({}) == tmp_path / "var"
    assert environment.data_dir({"PREPDECK_DATA_DIR": str(tmp_path / "x")}) == tmp_path / "x"


def test_without_redis_everything_runs_in_process() -> None:
    assert (
        environment.cache_config({})["default"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
    )
    assert (
        environment.channel_layers({})["default"]["BACKEND"]
        == "prepdeck.core.channel_layers.InMemoryChannelLayer"
    )
    celery = environment.celery_config({})
    assert celery["CELERY_TASK_ALWAYS_EAGER"] is True
    assert celery["CELERY_BROKER_URL"] == "memory://"


def test_with_redis_it_serves_cache_broker_results_and_channels() -> None:
    env = {"REDIS_URL": "redis://cache.internal:6379/2"}

    cache = environment.cache_config(env)["default"]
    assert cache["BACKEND"] == "prepdeck.core.redis_pool.RedisCache"
    assert cache["LOCATION"] == "redis://cache.internal:6379/2"
    assert cache["OPTIONS"] == {
        "pool_class": "prepdeck.core.redis_pool.ProcessConnectionPool",
        "max_connections": 10,
        "timeout": 5,
        "socket_connect_timeout": 1,
        "socket_timeout": 2,
    }
    layers = environment.channel_layers(env)["default"]
    assert layers["BACKEND"] == "channels_redis.core.RedisChannelLayer"
    assert layers["CONFIG"]["hosts"] == ["redis://cache.internal:6379/2"]
    celery = environment.celery_config(env)
    assert celery["CELERY_TASK_ALWAYS_EAGER"] is False
    assert celery["CELERY_BROKER_URL"] == celery["CELERY_RESULT_BACKEND"] == "redis://cache.internal:6379/2"
    assert celery["CELERY_TASK_IGNORE_RESULT"] is True  # nothing reads results; see environment.celery_config


def test_redis_pool_size_and_wait_are_configurable() -> None:
    env = {"REDIS_URL": "redis://r/0", "REDIS_POOL_MAX_SIZE": "4", "REDIS_POOL_TIMEOUT": "2"}

    options = environment.cache_config(env)["default"]["OPTIONS"]

    assert (options["max_connections"], options["timeout"]) == (4, 2)


def test_redis_url_with_a_wrong_scheme_is_refused() -> None:
    with pytest.raises(ImproperlyConfigured, match="REDIS_URL must start with redis://"):
        environment.cache_config({"REDIS_URL": "http://localhost:6379"})


def test_email_goes_to_the_console_unless_email_url_is_set() -> None:
    assert environment.email_config({}) == {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    smtp = environment.email_config({"EMAIL_URL": "smtp+tls://mailer:pw@smtp.example.com:587"})
    assert smtp["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (smtp["EMAIL_HOST"], smtp["EMAIL_PORT"], smtp["EMAIL_USE_TLS"]) == ("smtp.example.com", 587, True)
    assert (smtp["EMAIL_HOST_USER"], smtp["EMAIL_HOST_PASSWORD"]) == ("mailer", "pw")
    # a mail server that does not answer holds a worker for 10 s at most, unless told otherwise
    assert smtp["EMAIL_TIMEOUT"] == 10
    assert environment.email_config({"EMAIL_URL": "smtp://h:25", "EMAIL_TIMEOUT": "3"})["EMAIL_TIMEOUT"] == 3


def test_local_secret_key_is_generated_once_and_kept(tmp_path: Path) -> None:
    first = environment.local_secret_key(tmp_path)
    second = environment.local_secret_key(tmp_path)

    assert first == second
    assert len(first) >= 50
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize(("raw", "expected"), [("1", True), ("yes", True), ("off", False), ("", False)])
def test_booleans(raw: str, expected: bool) -> None:
    assert environment.as_bool({"FLAG": raw}, "FLAG", default=False) is expected


def test_logging_has_request_ids_and_json_in_production() -> None:
    text = environment.logging_config(log_format="text", level="INFO")
    json_config = environment.logging_config(log_format="json", level="INFO")

    assert "%(request_id)s" in text["formatters"]["default"]["format"]
    assert json_config["formatters"]["default"]["()"] == "prepdeck.core.logging.JsonFormatter"
    assert text["handlers"]["console"]["filters"] == ["request_id"]


def _import_settings(module: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY"}
    }
    return subprocess.run(
        [
            sys.executable,
            "-c",
            f"import {module} as s; print(s.SECRET_KEY[:4], s.DEBUG, s.DATABASES['default']['ENGINE'])",
        ],
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def test_production_settings_require_secret_key(tmp_path: Path) -> None:
    result = _import_settings(
        "config.settings.production", {"PREPDECK_DATA_DIR": str(tmp_path), "ALLOWED_HOSTS": "example.com"}
    )

    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_production_settings_load_with_their_variables(tmp_path: Path) -> None:
    result = _import_settings(
        "config.settings.production",
        {"PREPDECK_DATA_DIR": str(tmp_path), "ALLOWED_HOSTS": "example.com", "SECRET_KEY": "abcd" + "x" * 60},
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["abcd", "False", "django.db.backends.sqlite3"]


def test_local_settings_generate_a_key_in_the_data_folder(tmp_path: Path) -> None:
    result = _import_settings("config.settings.local", {"PREPDECK_DATA_DIR": str(tmp_path)})

    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[0] == (tmp_path / "secret_key").read_text()[:4]


@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        ({}, 0),
        ({"BEHIND_TLS_PROXY": "true"}, 1),
        ({"BEHIND_TLS_PROXY": "true", "TRUSTED_PROXIES": "0"}, 0),
        ({"TRUSTED_PROXIES": "2"}, 2),
    ],
)
def test_forwarded_addresses_are_trusted_only_behind_configured_proxies(
    variables: dict[str, str], expected: int
) -> None:
    assert environment.trusted_proxy_count(variables) == expected


@pytest.mark.parametrize("raw", ["yes", "-1", "11"])
def test_a_proxy_count_that_is_not_a_small_number_is_refused(raw: str) -> None:
    with pytest.raises(ImproperlyConfigured, match="TRUSTED_PROXIES must be the number of proxies"):
        environment.trusted_proxy_count({"TRUSTED_PROXIES": raw})


PRIMARY_URL = "postgres://app:secret@db.example.com:5432/prepdeck"


def test_no_replica_url_means_no_replica() -> None:
    primary = environment.database_config({"DATABASE_URL": PRIMARY_URL}, data_folder=Path("/data"))

    assert environment.replica_database_config({"DATABASE_URL": PRIMARY_URL}, primary=primary) is None


def test_a_replica_url_adds_a_replica_with_the_primarys_connection_settings() -> None:
    env = {
        "DATABASE_URL": PRIMARY_URL,
        "DATABASE_REPLICA_URL": "postgres://app:secret@replica.example.com/prepdeck",
    }
    primary = environment.database_config(env, data_folder=Path("/data"))

    replica = environment.replica_database_config(env, primary=primary)

    assert replica is not None
    assert (replica["ENGINE"], replica["HOST"], replica["NAME"]) == (
        "django.db.backends.postgresql",
        "replica.example.com",
        "prepdeck",
    )
    assert replica["OPTIONS"]["application_name"] == "prepdeck-replica"
    assert replica["OPTIONS"]["connect_timeout"] == primary["OPTIONS"]["connect_timeout"]
    assert replica["TEST"] == {"MIRROR": "default"}


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DATABASE_REPLICA_URL": "postgres://replica/db"}, "DATABASE_REPLICA_URL needs DATABASE_URL"),
        (
            {"DATABASE_URL": PRIMARY_URL, "DATABASE_REPLICA_URL": "mysql://replica/db"},
            "DATABASE_REPLICA_URL is not a usable database URL",
        ),
    ],
)
def test_an_unusable_replica_setting_raises_one_clear_line(env: dict[str, str], message: str) -> None:
    primary = environment.database_config(env, data_folder=Path("/data"))

    with pytest.raises(ImproperlyConfigured, match=message):
        environment.replica_database_config(env, primary=primary)


def test_replica_use_has_defaults_and_refuses_what_is_not_seconds() -> None:
    assert environment.replica_settings({}) == {
        "REPLICA_STICKY_SECONDS": 5.0,
        "REPLICA_MAX_LAG_SECONDS": 10.0,
        "REPLICA_CHECK_SECONDS": 5.0,
    }
    assert environment.replica_settings({"REPLICA_MAX_LAG_SECONDS": "2.5"})["REPLICA_MAX_LAG_SECONDS"] == 2.5
    with pytest.raises(ImproperlyConfigured, match="REPLICA_STICKY_SECONDS must be a number of seconds"):
        environment.replica_settings({"REPLICA_STICKY_SECONDS": "soon"})


def test_the_ping_task_keeps_its_result_though_results_are_ignored_by_default() -> None:
    from prepdeck.core.tasks import ping

    assert ping.ignore_result is False  # its answer is read back (readyz, the compose smoke test)
