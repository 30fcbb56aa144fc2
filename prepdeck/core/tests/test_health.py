"""Liveness, readiness and request ids."""

from __future__ import annotations

import logging
import time

import pytest
from django.db import connections
from django.db.utils import ConnectionHandler
from django.test import Client

from prepdeck.core import health


@pytest.mark.django_db
def test_healthz_answers_without_touching_dependencies(client: Client, django_assert_num_queries) -> None:
    with django_assert_num_queries(0):
        response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_reports_every_dependency(client: Client) -> None:
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok", "tasks": "ok"},
        "worker": "in-process",  # the tests run tasks eagerly: there is no worker to ask
        "failed": [],
    }


@pytest.mark.redis
@pytest.mark.django_db
def test_readyz_reports_an_absent_worker_without_failing_unless_required(client: Client, settings) -> None:
    # given: a real broker (REDIS_URL) and no worker listening on it
    settings.CELERY_TASK_ALWAYS_EAGER = False
    health.worker_status_forget()

    started = time.monotonic()
    response = client.get("/readyz")
    first_call = time.monotonic() - started
    started = time.monotonic()
    cached = client.get("/readyz")
    second_call = time.monotonic() - started

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok", "tasks": "ok"},
        "worker": "absent",
        "failed": [],
    }
    assert first_call < 3  # the ping waits WORKER_PING_TIMEOUT_SECONDS (1 s), not longer
    assert cached.json()["worker"] == "absent"
    assert second_call < health.WORKER_PING_TIMEOUT_SECONDS  # answered from the cache, no second ping

    # a stale answer is returned at once and refreshed in the background: no probe waits out the ping
    health._worker_status_cache = (time.monotonic() - 60, "absent")
    started = time.monotonic()
    stale = client.get("/readyz")
    stale_call = time.monotonic() - started
    assert stale.json()["worker"] == "absent"
    assert stale_call < health.WORKER_PING_TIMEOUT_SECONDS
    deadline = time.monotonic() + 5
    while health._worker_refreshing and time.monotonic() < deadline:
        time.sleep(0.05)
    assert health._worker_status_cache is not None
    assert time.monotonic() - health._worker_status_cache[0] < 5  # refreshed by the background ping

    settings.READYZ_REQUIRE_WORKER = True
    required = client.get("/readyz")
    assert required.status_code == 503
    assert required.json()["failed"] == ["worker"]
    assert required.json()["worker"] == "absent"
    health.worker_status_forget()


@pytest.mark.django_db
def test_readyz_is_503_naming_the_database_when_it_is_down(
    client: Client, monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    # given: a real connection handler whose database cannot be opened
    if connections["default"].vendor == "postgresql":
        broken = {**connections["default"].settings_dict, "PORT": "1", "NAME": "prepdeck_absent"}
        # Django keeps one pool per alias and process, so a pooled "default" would reuse the working one.
        broken["OPTIONS"] = {key: value for key, value in broken["OPTIONS"].items() if key != "pool"}
    else:
        broken = {
            **connections["default"].settings_dict,
            "NAME": str(tmp_path / "missing-dir" / "db.sqlite3"),
        }
    broken.pop("TEST", None)
    monkeypatch.setattr(health, "connections", ConnectionHandler({"default": broken}))

    # when
    response = client.get("/readyz")

    # then
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["failed"] == ["database"]
    assert body["checks"]["database"].startswith("default: ")
    assert body["checks"]["cache"] == "ok"


@pytest.mark.redis
@pytest.mark.django_db
def test_readyz_names_the_broker_when_redis_is_unreachable(
    client: Client, monkeypatch: pytest.MonkeyPatch, settings
) -> None:
    from config.celery import app

    monkeypatch.setattr(app.conf, "broker_url", "redis://127.0.0.1:1/0")
    settings.REDIS_URL = "redis://127.0.0.1:1/0"

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["failed"] == ["tasks"]


def test_readyz_only_answers_get(client: Client) -> None:
    assert client.post("/readyz").status_code == 405


def test_request_id_is_generated_and_returned(client: Client) -> None:
    response = client.get("/healthz")

    assert len(response["X-Request-ID"]) == 32


def test_request_id_from_the_caller_is_kept_and_logged(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="prepdeck.access"):
        response = client.get("/healthz", headers={"X-Request-ID": "abc-123.trace"})

    assert response["X-Request-ID"] == "abc-123.trace"
    access = [record for record in caplog.records if record.name == "prepdeck.access"]
    assert len(access) == 1
    fields = access[0].__dict__
    assert fields["request_id"] == "abc-123.trace"
    assert (fields["method"], fields["path"], fields["status"]) == ("GET", "/healthz", 200)
    assert fields["duration_ms"] >= 0


def test_a_malformed_request_id_is_replaced(client: Client) -> None:
    response = client.get("/healthz", headers={"X-Request-ID": "bad id\nwith newline"})

    assert response["X-Request-ID"] != "bad id\nwith newline"
    assert len(response["X-Request-ID"]) == 32


def test_json_log_lines_carry_the_request_id() -> None:
    import json

    from prepdeck.core.logging import JsonFormatter, RequestIdFilter, request_id_var

    token = request_id_var.set("req-42")
    try:
        record = logging.LogRecord("prepdeck.test", logging.INFO, __file__, 1, "hello %s", ("world",), None)
        record.user_id = 7
        RequestIdFilter().filter(record)
        line = json.loads(JsonFormatter().format(record))
    finally:
        request_id_var.reset(token)

    assert line["message"] == "hello world"
    assert line["request_id"] == "req-42"
    assert line["user_id"] == 7
    assert line["level"] == "INFO"
