"""Redis down: the API keeps serving, limits still hold (per process), /readyz names the cache, and when
Redis returns everything counts there again by itself.

The cache is taken away for real: pointed at a port nothing listens on, or at a Redis server these tests
start and stop themselves (never the shared one). Neither needs ``REDIS_URL``, so they run in both
configurations.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from rest_framework.test import APIClient

from prepdeck.accounts.tests.factories import DEFAULT_PASSWORD, make_user
from prepdeck.core.api.throttling import ScopedThrottle
from prepdeck.core.outages import FallbackCache, fallback_cache, outage_log
from prepdeck.core.tests.outages import free_port

pytestmark = pytest.mark.django_db


def redis_cache(port: int) -> dict[str, Any]:
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "KEY_PREFIX": "prepdeck-outage-test",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
        }
    }


class FakeClock:
    """A monotonic clock the test moves by hand, so nothing waits on wall-clock time."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeClock]:
    fake = FakeClock()
    monkeypatch.setattr(fallback_cache, "clock", fake)
    monkeypatch.setattr(outage_log, "clock", fake)
    fallback_cache.reset()
    yield fake
    fallback_cache.reset()


@pytest.fixture
def cache_down(settings: Any, clock: FakeClock) -> int:
    """The default cache is a Redis at a port nothing listens on."""
    port = free_port()
    settings.CACHES = redis_cache(port)
    return port


def _outage_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.name == "prepdeck.outages"]


def test_reads_keep_serving_and_readyz_names_the_cache_when_redis_is_unreachable(
    cache_down: int, caplog: pytest.LogCaptureFixture
) -> None:
    # given
    learner = make_user()
    anonymous, signed_in = APIClient(), APIClient()
    signed_in.force_authenticate(learner)

    # when
    with caplog.at_level(logging.WARNING, logger="prepdeck.outages"):
        statuses = [
            anonymous.get("/api/v1/topics/").status_code,
            anonymous.get("/api/v1/questions/").status_code,
            signed_in.get("/api/v1/me/").status_code,
            signed_in.get("/api/v1/practice/queue/").status_code,
        ]
        ready = APIClient().get("/readyz")

    # then
    assert statuses == [200, 200, 200, 200]
    assert fallback_cache.degraded is True
    assert ready.status_code == 503
    assert ready.json()["failed"] == ["cache"]
    assert f"connecting to 127.0.0.1:{cache_down}" in ready.json()["checks"]["cache"]
    lines = _outage_lines(caplog)
    assert len(lines) == 1, lines  # one warning for the outage, not one per request
    assert lines[0].startswith(f"The cache does not answer (Error 111 connecting to 127.0.0.1:{cache_down}.")


def test_signing_in_for_a_token_works_while_redis_is_unreachable(cache_down: int) -> None:
    user = make_user()

    response = APIClient().post(
        "/api/v1/auth/token/", {"email": user.email, "password": DEFAULT_PASSWORD}, format="json"
    )

    assert response.status_code == 200
    assert set(response.json()) == {"access", "refresh"}


def test_limits_still_hold_per_process_while_redis_is_unreachable(
    cache_down: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        ScopedThrottle, "THROTTLE_RATES", {**ScopedThrottle.THROTTLE_RATES, "login": "2/minute"}
    )
    api = APIClient()

    statuses = [
        api.post(
            "/api/v1/auth/token/", {"email": "x@example.com", "password": "x"}, format="json"
        ).status_code
        for _ in range(3)
    ]

    assert statuses == [401, 401, 429]


def test_the_outage_is_logged_once_a_minute_and_the_cache_asked_again_every_few_seconds(
    cache_down: int, clock: FakeClock, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: count how often the shared cache is really asked
    asked: list[float] = []
    real_shared = FallbackCache.shared.fget  # type: ignore[attr-defined]

    def counting_shared(self: FallbackCache) -> Any:
        asked.append(clock.now)
        return real_shared(self)

    monkeypatch.setattr(FallbackCache, "shared", property(counting_shared))
    api = APIClient()

    with caplog.at_level(logging.WARNING, logger="prepdeck.outages"):
        # when: requests over two minutes of an outage
        for step in (0, 1, 2, 6, 30, 61, 62):
            clock.now = 1000.0 + step
            assert api.get("/api/v1/topics/").status_code == 200

    # then: asked at 0, then once the 5 s breaker let it (6, 30, 61), never in between
    assert sorted(set(asked)) == [1000.0, 1006.0, 1030.0, 1061.0]
    lines = _outage_lines(caplog)
    assert len(lines) == 2, lines
    assert lines[1].endswith("(2 more since the last report)")  # the failures at 6 and 30 s


class RedisServer:
    """A Redis server of this test's own on a free port (``--save ""``: nothing on disk), started and
    stopped at will; the shared server is never touched."""

    def __init__(self, binary: str, folder: Path) -> None:
        self.binary, self.folder = binary, folder
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def client(self) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port, socket_connect_timeout=1)

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            cwd=self.folder,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self._wait_until(lambda: self._answers(), "start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=30)
            self.process = None

    def _answers(self) -> bool:
        try:
            return bool(self.client().ping())
        except redis.exceptions.ConnectionError:
            return False

    def _wait_until(self, condition: Callable[[], bool], what: str) -> None:
        for _ in range(600):  # a condition, polled; the bound only stops a hung test
            if condition():
                return
            if self.process is not None and self.process.poll() is not None:
                break
            time.sleep(0.05)
        raise AssertionError(f"redis-server did not {what} on port {self.port}")


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[RedisServer]:
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("needs the redis-server program on PATH (apt-get install redis-server)")
    server = RedisServer(binary, tmp_path)
    server.start()
    yield server
    server.stop()


THROTTLE_KEYS = [
    b"prepdeck-outage-test:1:throttle_anon_127.0.0.1",
    b"prepdeck-outage-test:1:throttle_burst_127.0.0.1",
    b"prepdeck-outage-test:1:throttle_user_127.0.0.1",  # DRF's user rate counts anonymous clients by address
]


def _throttle_keys(server: RedisServer) -> list[bytes]:
    keys: list[bytes] = server.client().keys("*throttle_*")  # type: ignore[assignment]
    return sorted(keys)


def test_when_redis_returns_throttles_count_there_again_without_a_restart(
    own_redis: RedisServer, settings: Any, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    # given: the cache is our own Redis, and a request counts there
    settings.CACHES = redis_cache(own_redis.port)
    api = APIClient()
    assert api.get("/api/v1/topics/").status_code == 200
    assert _throttle_keys(own_redis) == THROTTLE_KEYS

    # when: Redis stops
    own_redis.stop()

    # then: reads keep serving, /readyz names the cache
    assert api.get("/api/v1/topics/").status_code == 200
    assert fallback_cache.degraded is True
    assert api.get("/readyz").json()["failed"] == ["cache"]

    # when: Redis comes back (empty: it keeps nothing on disk), and the breaker's pause is over
    own_redis.start()
    clock.advance(fallback_cache.retry_seconds)
    with caplog.at_level(logging.WARNING, logger="prepdeck.outages"):
        response = api.get("/api/v1/topics/")

    # then: counting happens in Redis again, /readyz is green, and the recovery was logged
    assert response.status_code == 200
    assert fallback_cache.degraded is False
    assert _throttle_keys(own_redis) == THROTTLE_KEYS
    assert api.get("/readyz").status_code == 200
    assert any("The cache answers again" in line for line in _outage_lines(caplog))


def test_web_pages_keep_serving_while_redis_is_unreachable(cache_down: int) -> None:
    from django.test import Client

    learner = Client()
    learner.force_login(make_user())

    statuses = [Client().get("/browse/").status_code, learner.get("/").status_code]
    resend = learner.post("/accounts/verify-email/send/")

    assert statuses == [200, 200]
    assert resend.status_code == 302
