"""Whose address a limit counts: ``X-Forwarded-For`` only from configured proxies (``TRUSTED_PROXIES``), the
same for the DRF throttles and the sign-in lockout."""

from __future__ import annotations

from typing import Any

import pytest
from axes.models import AccessAttempt
from django.test import Client, RequestFactory
from rest_framework.test import APIClient

from prepdeck.accounts.tests.factories import DEFAULT_PASSWORD
from prepdeck.core.client_address import client_ip

pytestmark = pytest.mark.django_db


def _register(api: APIClient, number: int, **headers: Any) -> int:
    body = {"email": f"new{number}@example.com", "password": DEFAULT_PASSWORD}
    return int(api.post("/api/v1/auth/register/", body, format="json", **headers).status_code)


def test_rotating_x_forwarded_for_does_not_dodge_the_registration_limit_by_default(api: APIClient) -> None:
    statuses = [
        _register(api, number, REMOTE_ADDR="198.51.100.1", HTTP_X_FORWARDED_FOR=f"203.0.113.{number}")
        for number in range(7)
    ]

    assert statuses == [201] * 5 + [429, 429]


def test_behind_one_proxy_the_address_it_appended_is_the_client(api: APIClient, settings) -> None:
    settings.TRUSTED_PROXIES = 1
    proxy = {"REMOTE_ADDR": "10.0.0.2"}

    # the client writes whatever it likes on the left; our proxy appends the address it saw
    same_client = [
        _register(api, number, **proxy, HTTP_X_FORWARDED_FOR=f"192.0.2.{number}, 203.0.113.9")
        for number in range(6)
    ]
    other_client = _register(api, 99, **proxy, HTTP_X_FORWARDED_FOR="192.0.2.1, 203.0.113.10")

    assert same_client == [201] * 5 + [429]
    assert other_client == 201


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "203.0.113.9", "10.0.0.2"),
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "192.0.2.1, 203.0.113.9", "203.0.113.9"),
        (2, "192.0.2.1, 203.0.113.9, 10.0.0.3", "203.0.113.9"),
        (3, "203.0.113.9", "203.0.113.9"),  # fewer hops than proxies: the leftmost
        (1, "not-an-address", "10.0.0.2"),
        (1, "", "10.0.0.2"),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_client_ip(settings, proxies: int, forwarded: str, expected: str) -> None:
    settings.TRUSTED_PROXIES = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)

    assert client_ip(request) == expected


def test_the_sign_in_lockout_counts_the_same_address(settings) -> None:
    client = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="192.0.2.1, 203.0.113.9")
    client.post("/accounts/login/", {"username": "nobody@example.com", "password": "x"})
    settings.TRUSTED_PROXIES = 1
    client.post("/accounts/login/", {"username": "nobody@example.com", "password": "x"})

    assert sorted(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["10.0.0.2", "203.0.113.9"]
