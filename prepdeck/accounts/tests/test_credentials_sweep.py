"""The periodic credentials sweep: expired sessions (clearsessions) and expired JWTs (flushexpiredtokens)."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from prepdeck.accounts.tasks import credentials_sweep_task
from prepdeck.accounts.tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_the_sweep_deletes_expired_sessions_and_tokens_and_keeps_live_ones(
    caplog: pytest.LogCaptureFixture,
) -> None:
    user = make_user()
    now = timezone.now()
    Session.objects.create(session_key="expired", session_data="x", expire_date=now - timedelta(minutes=1))
    Session.objects.create(session_key="live", session_data="x", expire_date=now + timedelta(days=1))
    expired = OutstandingToken.objects.create(
        user=user, jti="old", token="t1", expires_at=now - timedelta(seconds=1)
    )
    expired_blacklisted = OutstandingToken.objects.create(
        user=user, jti="old-revoked", token="t2", expires_at=now - timedelta(days=1)
    )
    BlacklistedToken.objects.create(token=expired_blacklisted)
    live_blacklisted = OutstandingToken.objects.create(
        user=user, jti="revoked", token="t3", expires_at=now + timedelta(days=1)
    )
    BlacklistedToken.objects.create(token=live_blacklisted)
    live = OutstandingToken.objects.create(
        user=user, jti="live", token="t4", expires_at=now + timedelta(days=1)
    )

    with caplog.at_level(logging.INFO, logger="prepdeck.accounts.tasks"):
        result = credentials_sweep_task.delay().get()
        again = credentials_sweep_task.delay().get()

    assert result == {"sessions_deleted": 1, "tokens_deleted": 2}
    assert again == {"sessions_deleted": 0, "tokens_deleted": 0}
    assert list(Session.objects.values_list("session_key", flat=True)) == ["live"]
    assert sorted(OutstandingToken.objects.values_list("jti", flat=True)) == ["live", "revoked"]
    assert list(BlacklistedToken.objects.values_list("token__jti", flat=True)) == ["revoked"]
    assert not OutstandingToken.objects.filter(pk__in=[expired.pk, expired_blacklisted.pk]).exists()
    assert live.pk in OutstandingToken.objects.values_list("pk", flat=True)
    assert [record.getMessage() for record in caplog.records if record.name == "prepdeck.accounts.tasks"] == [
        "Credentials sweep: 1 expired session(s) deleted, 2 expired refresh token(s) deleted",
        "Credentials sweep: 0 expired session(s) deleted, 0 expired refresh token(s) deleted",
    ]


def test_sessions_kept_by_the_cache_engine_are_left_to_it(settings) -> None:
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cache"

    assert credentials_sweep_task.delay().get() == {"sessions_deleted": None, "tokens_deleted": 0}
