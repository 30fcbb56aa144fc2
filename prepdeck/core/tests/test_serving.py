"""How the app is served: WSGI workers for HTTP (`web`), uvicorn workers for WebSockets (`ws`), nginx routing
between them, and gunicorn refusing thread counts the connection pools cannot serve.

The containers themselves are started by ``scripts/compose-smoke`` (CI's "Containers" part); these tests check
the files it runs and the gunicorn settings, without Docker.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from config import gunicorn
from config.settings import environment

ROOT = Path(__file__).resolve().parents[3]
POSTGRES = {"DATABASE_URL": "postgres://app@db:5432/prepdeck", "REDIS_URL": "redis://redis:6379/0"}


def run_entrypoint(tmp_path: Path, *arguments: str, env: dict[str, str] | None = None) -> str:
    """Run docker/entrypoint.sh with a stand-in ``gunicorn`` that prints the arguments it was given."""
    bin_folder = tmp_path / "bin"
    bin_folder.mkdir(exist_ok=True)
    stand_in = bin_folder / "gunicorn"
    stand_in.write_text('#!/bin/sh\necho "gunicorn $*"\n')
    stand_in.chmod(0o755)
    result = subprocess.run(
        ["/bin/sh", str(ROOT / "docker" / "entrypoint.sh"), *arguments],
        env={"PATH": f"{bin_folder}:/usr/bin:/bin", **(env or {})},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def test_web_role_serves_http_with_wsgi_workers(tmp_path: Path) -> None:
    assert run_entrypoint(tmp_path, "web") == "gunicorn -c python:config.gunicorn config.wsgi:application"
    assert gunicorn.worker_class == "gthread"
    assert gunicorn.threads == 8
    assert gunicorn.workers == 2


def test_ws_role_serves_the_asgi_application_with_uvicorn_workers(tmp_path: Path) -> None:
    command = (
        "gunicorn -c python:config.gunicorn --worker-class config.gunicorn.PrepDeckUvicornWorker --workers"
    )

    assert run_entrypoint(tmp_path, "ws") == f"{command} 1 config.asgi:application"
    assert (
        run_entrypoint(tmp_path, "ws", env={"WS_CONCURRENCY": "3"}) == f"{command} 3 config.asgi:application"
    )


def test_compose_runs_web_and_ws_from_one_image_with_health_checks_and_pools_that_fit_the_threads() -> None:
    services = yaml.safe_load((ROOT / "compose.yaml").read_text())["services"]

    assert services["web"]["command"] == ["web"]
    assert services["ws"]["command"] == ["ws"]
    assert services["web"]["image"] == services["ws"]["image"]
    for name in ("web", "ws"):
        assert services[name]["healthcheck"]["test"] == [
            "CMD",
            "python",
            "/usr/local/lib/prepdeck-healthcheck.py",
        ]
        assert set(services[name]["depends_on"]) == {"migrate", "redis"}
    assert services["nginx"]["depends_on"] == ["web", "ws"]
    web = services["web"]["environment"]
    assert web["WEB_CONCURRENCY"] == "${WEB_CONCURRENCY:-2}"
    assert web["GUNICORN_THREADS"] == "${GUNICORN_THREADS:-8}"
    assert web["DATABASE_POOL_MAX_SIZE"] == "${DATABASE_POOL_MAX_SIZE:-10}"
    assert web["REDIS_POOL_MAX_SIZE"] == "${REDIS_POOL_MAX_SIZE:-10}"
    assert services["ws"]["environment"]["WS_CONCURRENCY"] == "${WS_CONCURRENCY:-1}"


def test_nginx_sends_websockets_to_ws_and_everything_else_to_web() -> None:
    config = (ROOT / "docker" / "nginx.conf").read_text()
    targets = dict(re.findall(r"set \$(\w+) (\S+);", config))
    locations = dict(re.findall(r"location (\S+) \{\s*proxy_pass \$(\w+);", config))

    assert locations == {"/ws/": "prepdeck_ws", "/": "prepdeck_web"}
    assert targets == {"prepdeck_web": "http://web:8000", "prepdeck_ws": "http://ws:8000"}
    # found through Docker's DNS at request time, so a recreated or scaled service needs no reload
    assert "resolver 127.0.0.11 valid=10s" in config


def test_the_default_threads_fit_the_default_pools() -> None:
    assert gunicorn.threads <= environment.DEFAULT_DATABASE_POOL_MAX_SIZE
    assert gunicorn.threads <= environment.DEFAULT_REDIS_POOL_MAX_SIZE
    assert gunicorn.pool_problems(POSTGRES, gunicorn.threads) == []


def test_more_threads_than_pooled_connections_are_named() -> None:
    assert gunicorn.pool_problems(
        {**POSTGRES, "DATABASE_POOL_MAX_SIZE": "12", "REDIS_POOL_MAX_SIZE": "4"}, 6
    ) == [
        "GUNICORN_THREADS=6 is more than REDIS_POOL_MAX_SIZE=4: every thread needs a connection of its own; "
        "raise the pool size or lower the threads"
    ]
    assert gunicorn.pool_problems({**POSTGRES, "DATABASE_POOL_MAX_SIZE": "4"}, 6) == [
        "GUNICORN_THREADS=6 is more than DATABASE_POOL_MAX_SIZE=4: every thread needs a connection of its own; "
        "raise the pool size or lower the threads"
    ]
    # no pool to run out of: SQLite and the local-memory cache, or the pool turned off (PgBouncer)
    assert gunicorn.pool_problems({}, 64) == []
    assert (
        gunicorn.pool_problems({"DATABASE_URL": POSTGRES["DATABASE_URL"], "DATABASE_POOL_MAX_SIZE": "0"}, 64)
        == []
    )


def test_gunicorn_refuses_to_start_threads_the_pool_cannot_serve(tmp_path: Path) -> None:
    env = {
        **{key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "REDIS_URL"}},
        **POSTGRES,
        "DATABASE_POOL_MAX_SIZE": "4",
        "GUNICORN_THREADS": "6",
        "PREPDECK_BIND": "127.0.0.1:0",
    }

    result = subprocess.run(
        [sys.executable, "-m", "gunicorn", "-c", "python:config.gunicorn", "config.wsgi:application"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 1
    assert "gunicorn: GUNICORN_THREADS=6 is more than DATABASE_POOL_MAX_SIZE=4" in result.stderr


def test_the_pool_check_leaves_the_uvicorn_workers_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", POSTGRES["DATABASE_URL"])
    monkeypatch.setenv("DATABASE_POOL_MAX_SIZE", "4")

    class Config:
        worker_class_str = "config.gunicorn.PrepDeckUvicornWorker"
        threads = 64

    class Server:
        cfg = Config()

    gunicorn.on_starting(Server())  # no SystemExit: one event loop thread, connections taken briefly


def test_the_websocket_workers_are_not_recycled_by_request_count() -> None:
    # Found in review: max_requests (2,000 + jitter) also reached the ws worker, whose health check alone
    # makes a request every 10 s; the recycled worker closed every open interview socket with 1012.
    from gunicorn.config import Config
    from gunicorn.glogging import Logger

    settings = Config()
    settings.set("max_requests", 3)
    worker = gunicorn.PrepDeckUvicornWorker(0, os.getpid(), [], None, 30, settings, Logger(settings))

    assert worker.max_requests == 3  # gunicorn's own counter, which only sync/gthread workers act on
    assert worker.config.limit_max_requests is None  # what uvicorn stops after
