"""The API throttles: limits as DRF counts them, with one cache read and one cache write per request."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from prepdeck.accounts.tests.factories import make_user
from prepdeck.core.api import throttling
from prepdeck.core.outages import fallback_cache

pytestmark = pytest.mark.django_db


class CacheCalls:
    """Records the throttles' calls to their cache, then lets them through (nothing is replaced)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls: list[tuple[str, Any]] = []
        for name in ("get", "set", "get_many", "set_many"):
            monkeypatch.setattr(fallback_cache, name, self._recording(name, getattr(fallback_cache, name)))

    def _recording(self, name: str, method: Any) -> Any:
        def call(*args: Any, **kwargs: Any) -> Any:
            self.calls.append((name, args[0]))
            return method(*args, **kwargs)

        return call


def test_a_signed_in_request_reads_its_rate_limits_at_once_and_writes_them_at_once(
    api: APIClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given
    user = make_user()
    api.force_authenticate(user)
    recorded = CacheCalls(monkeypatch)

    # when
    response = api.get("/api/v1/practice/reviews/")

    # then: the user and burst histories (the anonymous rate does not count a signed-in user) in one read
    # and one write, instead of a read and a write per throttle
    assert response.status_code == 200
    keys = [f"throttle_user_{user.pk}", f"throttle_burst_{user.pk}"]
    assert [name for name, _ in recorded.calls] == ["get_many", "set_many"]
    assert recorded.calls[0][1] == keys
    assert sorted(recorded.calls[1][1]) == sorted(keys)
    assert [len(fallback_cache.get(key)) for key in keys] == [1, 1]


def test_the_limits_still_hold_and_each_request_is_counted_once(
    api: APIClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: 3 requests a minute per account
    monkeypatch.setattr(
        throttling.UserThrottle,
        "THROTTLE_RATES",
        {**throttling.UserThrottle.THROTTLE_RATES, "user": "3/minute"},
    )
    user = make_user()
    api.force_authenticate(user)

    # when
    statuses = [api.get("/api/v1/practice/reviews/").status_code for _ in range(5)]

    # then: the fourth and fifth are refused with a wait, and only the three allowed ones were counted
    assert statuses == [200, 200, 200, 429, 429]
    assert len(fallback_cache.get(f"throttle_user_{user.pk}")) == 3
    assert len(fallback_cache.get(f"throttle_burst_{user.pk}")) == 5
    assert int(api.get("/api/v1/practice/reviews/")["Retry-After"]) > 0


def test_a_scoped_rate_counts_with_the_others(api: APIClient, monkeypatch: pytest.MonkeyPatch) -> None:
    # given: the sign-in scope at 2 a minute, an anonymous client
    monkeypatch.setattr(
        throttling.ScopedThrottle,
        "THROTTLE_RATES",
        {**throttling.ScopedThrottle.THROTTLE_RATES, "login": "2/minute"},
    )
    recorded = CacheCalls(monkeypatch)

    # when
    statuses = [
        api.post("/api/v1/auth/token/", {"email": "nobody@example.com", "password": "x"}).status_code
        for _ in range(3)
    ]

    # then: two answers (wrong credentials), then the scope refuses; anon, burst and login keys read together
    assert statuses[2] == 429
    assert statuses[:2] != [429, 429]
    first_read = recorded.calls[0]
    assert first_read[0] == "get_many"
    assert sorted(first_read[1]) == [
        "throttle_anon_127.0.0.1",
        "throttle_burst_127.0.0.1",
        "throttle_login_127.0.0.1",
        "throttle_user_127.0.0.1",
    ]
