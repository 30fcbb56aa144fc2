"""Schemathesis against our own OpenAPI schema: generated requests to every operation, anonymous and
signed in as an editor, must never get a 5xx and every response must match the schema.

Bounded and deterministic: ``SCHEMATHESIS_EXAMPLES`` examples per operation (default 10) from a
derandomized Hypothesis run. Schemathesis' pytest plugin does not support pytest 9 yet, so the operations
are driven through its library API (one Hypothesis run per operation) and failures are collected.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import positive_data_acceptance

from config.wsgi import application
from prepdeck.accounts.tests.factories import make_editor

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "10"))

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _keep_the_test_connection() -> Iterator[None]:
    """Requests go straight to the WSGI app, whose request signals would close the database connection
    that holds the test's transaction (Django's own test client disconnects them the same way)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(autouse=True)
def _bank_and_generous_throttles(monkeypatch: pytest.MonkeyPatch) -> None:
    from prepdeck.catalog.services import bank_load
    from prepdeck.core.api import throttling

    bank_load()  # real data to find, so generated ids sometimes hit
    generous = dict.fromkeys(throttling.ScopedThrottle.THROTTLE_RATES, "100000/minute")
    for throttle in (
        throttling.AnonThrottle,
        throttling.UserThrottle,
        throttling.BurstThrottle,
        throttling.ScopedThrottle,
    ):
        monkeypatch.setattr(throttle, "THROTTLE_RATES", generous)


def _run_all(headers: dict[str, str]) -> tuple[int, list[str]]:
    """Call every operation with generated cases; return the number of calls and the failures."""
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
    calls = 0
    failures: list[str] = []
    for result in schema.get_all_operations():
        if not isinstance(result, Ok):
            failures.append(f"the schema has an operation schemathesis cannot read: {result.err()}")
            continue
        operation = result.ok()

        @settings(
            max_examples=EXAMPLES,
            derandomize=True,
            deadline=None,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def check(case: Any) -> None:
            nonlocal calls
            calls += 1
            # Business rules (password strength, unknown topics, a question's workflow state) reject
            # some schema-valid bodies with a documented 4xx, so "valid data is accepted" is not checked.
            case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])

        try:
            check()
        except (
            Exception,
            BaseExceptionGroup,
        ) as error:  # collected: one report lists every failing operation
            failures.append(f"{operation.label}: {str(error).strip()[:1500]}")
    return calls, failures


def test_anonymous_requests_never_fail_and_match_the_schema() -> None:
    calls, failures = _run_all({})
    print(f"schemathesis (anonymous): {calls} cases")
    assert failures == [], "\n\n".join(failures)


def test_signed_in_requests_never_fail_and_match_the_schema() -> None:
    from rest_framework_simplejwt.tokens import RefreshToken

    token = str(RefreshToken.for_user(make_editor()).access_token)
    calls, failures = _run_all({"Authorization": f"Bearer {token}"})
    print(f"schemathesis (editor): {calls} cases")
    assert failures == [], "\n\n".join(failures)
