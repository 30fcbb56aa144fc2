"""One sign-in flow at every door that checks a password: the web sign-in form, the JWT endpoint, password
change, account deletion and the admin's login share the lockout (django-axes, in the database), its limits
per account and per client address, its messages and its ``Retry-After``."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from prepdeck.accounts.models import User
from prepdeck.accounts.tests.factories import DEFAULT_PASSWORD, make_user

pytestmark = pytest.mark.django_db

LOCKED_MESSAGE = "Too many failed sign-in attempts. Try again in 15 minutes."
FAILED_MESSAGE = (
    "Please enter a correct email address and password. Both are case-sensitive except the email address."
)


def _web_sign_in(client: Client, email: str, password: str) -> int:
    return int(client.post("/accounts/login/", {"username": email, "password": password}).status_code)


def _jwt(api: APIClient, email: str, password: str) -> Any:
    return api.post("/api/v1/auth/token/", {"email": email, "password": password}, format="json")


def _lock_on_the_web(email: str, *, address: str = "10.0.0.1") -> None:
    failing = Client(REMOTE_ADDR=address)
    assert [_web_sign_in(failing, email, "wrong password") for _ in range(5)] == [200, 200, 200, 200, 429]


# --- the JWT door --------------------------------------------------------------------------------------


def test_an_account_locked_on_the_web_gets_no_jwt_even_with_the_right_password(api: APIClient) -> None:
    user = make_user(email="ada@example.com")
    _lock_on_the_web(user.email)

    response = _jwt(api, "ada@example.com", DEFAULT_PASSWORD)

    assert response.status_code == 429
    assert response.json() == {
        "error": {"code": "sign_in_locked", "message": LOCKED_MESSAGE, "details": {"retry_after": 900}}
    }
    assert response["Retry-After"] == "900"


def test_jwt_failures_lock_the_account_at_every_door(api: APIClient) -> None:
    make_user(email="ada@example.com")

    responses = [_jwt(api, "Ada@Example.com ", "wrong password") for _ in range(5)]

    assert [response.status_code for response in responses] == [401, 401, 401, 401, 429]
    assert responses[0].json()["error"] == {
        "code": "no_active_account",
        "message": FAILED_MESSAGE,
        "details": {},
    }
    assert _jwt(api, "ada@example.com", DEFAULT_PASSWORD).status_code == 429
    assert _web_sign_in(Client(), "ada@example.com", DEFAULT_PASSWORD) == 429


def test_the_right_password_clears_the_account_failures(api: APIClient) -> None:
    make_user(email="ada@example.com")
    for _ in range(4):
        _jwt(api, "ada@example.com", "wrong password")

    assert _jwt(api, "ada@example.com", DEFAULT_PASSWORD).status_code == 200
    assert [_jwt(api, "ada@example.com", "wrong password").status_code for _ in range(4)] == [401] * 4


# --- the password change and account deletion doors ---------------------------------------------------------


def test_wrong_current_passwords_on_the_api_password_change_count_and_the_lock_refuses_the_right_one(
    api: APIClient,
) -> None:
    user = make_user(email="ada@example.com")
    api.force_authenticate(user)

    def change(old_password: str) -> Any:
        return api.post(
            "/api/v1/auth/password/change/",
            {"old_password": old_password, "new_password": "a much better passphrase"},
            format="json",
        )

    wrong = [change("wrong password") for _ in range(5)]
    right = change(DEFAULT_PASSWORD)

    assert [response.status_code for response in wrong] == [400, 400, 400, 400, 429]
    assert right.status_code == 429
    assert right.json()["error"]["message"] == LOCKED_MESSAGE
    assert right["Retry-After"] == "900"
    user.refresh_from_db()
    assert user.check_password(DEFAULT_PASSWORD)
    assert _jwt(APIClient(), "ada@example.com", DEFAULT_PASSWORD).status_code == 429


def test_a_locked_account_cannot_change_its_password_on_the_web(client: Client) -> None:
    user = make_user(email="ada@example.com")
    _lock_on_the_web(user.email)
    client.force_login(user)

    response = client.post(
        "/accounts/password/change/",
        {
            "old_password": DEFAULT_PASSWORD,
            "new_password1": "a brand new passphrase",
            "new_password2": "a brand new passphrase",
        },
    )

    assert response.status_code == 429
    assert response["Retry-After"] == "900"
    assert LOCKED_MESSAGE in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(DEFAULT_PASSWORD)


def test_a_locked_account_cannot_be_deleted_with_its_password(api: APIClient, client: Client) -> None:
    user = make_user(email="ada@example.com")
    _lock_on_the_web(user.email)
    api.force_authenticate(user)
    client.force_login(user)

    by_api = api.post("/api/v1/me/delete/", {"password": DEFAULT_PASSWORD}, format="json")
    on_the_web = client.post("/accounts/delete/", {"password": DEFAULT_PASSWORD})

    assert (by_api.status_code, by_api.json()["error"]["code"]) == (429, "sign_in_locked")
    assert (on_the_web.status_code, on_the_web["Retry-After"]) == (429, "900")
    assert LOCKED_MESSAGE in on_the_web.content.decode()
    assert User.objects.filter(pk=user.pk).exists()


def test_wrong_passwords_on_account_deletion_count_towards_the_lock(api: APIClient) -> None:
    user = make_user(email="ada@example.com")
    api.force_authenticate(user)

    statuses = [
        api.post("/api/v1/me/delete/", {"password": "wrong password"}, format="json").status_code
        for _ in range(5)
    ]

    assert statuses == [400, 400, 400, 400, 429]
    assert _web_sign_in(Client(), "ada@example.com", DEFAULT_PASSWORD) == 429


# --- the admin's door -------------------------------------------------------------------------------------


def test_a_locked_staff_account_cannot_sign_in_to_the_admin(client: Client) -> None:
    make_user(email="boss@example.com", is_staff=True, is_superuser=True)
    _lock_on_the_web("boss@example.com")

    response = client.post(
        "/admin/login/?next=/admin/", {"username": "boss@example.com", "password": DEFAULT_PASSWORD}
    )

    assert response.status_code == 429
    assert response["Retry-After"] == "900"
    assert LOCKED_MESSAGE in response.content.decode()
    assert SESSION_KEY not in client.session


def test_admin_login_failures_lock_the_account_everywhere(client: Client, api: APIClient) -> None:
    make_user(email="boss@example.com", is_staff=True, is_superuser=True)

    statuses = [
        client.post("/admin/login/", {"username": "boss@example.com", "password": "wrong"}).status_code
        for _ in range(5)
    ]

    assert statuses == [200, 200, 200, 200, 429]
    assert _jwt(api, "boss@example.com", DEFAULT_PASSWORD).status_code == 429


def test_the_admin_still_signs_staff_in(client: Client) -> None:
    boss = make_user(email="boss@example.com", is_staff=True, is_superuser=True)

    response = client.post(
        "/admin/login/?next=/admin/", {"username": "boss@example.com", "password": DEFAULT_PASSWORD}
    )

    assert (response.status_code, response["Location"]) == (302, "/admin/")
    assert client.session[SESSION_KEY] == str(boss.pk)


# --- per account and per address ---------------------------------------------------------------------------


def test_a_locked_account_does_not_lock_other_accounts_from_the_same_address() -> None:
    make_user(email="ada@example.com")
    colleague = make_user(email="bob@example.com")
    _lock_on_the_web("ada@example.com", address="10.0.0.1")

    office = Client(REMOTE_ADDR="10.0.0.1")
    assert _web_sign_in(office, "bob@example.com", DEFAULT_PASSWORD) == 302
    assert office.session[SESSION_KEY] == str(colleague.pk)
    assert _web_sign_in(Client(REMOTE_ADDR="10.0.0.1"), "ada@example.com", DEFAULT_PASSWORD) == 429


def test_an_account_is_locked_from_every_address() -> None:
    make_user(email="ada@example.com")
    _lock_on_the_web("ada@example.com", address="10.0.0.1")

    assert _web_sign_in(Client(REMOTE_ADDR="192.0.2.7"), "ada@example.com", DEFAULT_PASSWORD) == 429


def test_the_address_limit_locks_every_account_from_that_address_only(settings) -> None:
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 12
    for number in range(4):
        make_user(email=f"user{number}@example.com")
    fresh = make_user(email="fresh@example.com")
    guesser = Client(REMOTE_ADDR="10.0.0.1")

    # four accounts, three failures each: no account reaches 5, the address reaches 12 on the last one
    statuses = [
        _web_sign_in(guesser, f"user{number}@example.com", "wrong password")
        for number in range(4)
        for _ in range(3)
    ]

    assert statuses == [200] * 11 + [429]
    assert _web_sign_in(guesser, "fresh@example.com", DEFAULT_PASSWORD) == 429
    elsewhere = Client(REMOTE_ADDR="10.0.0.2")
    assert _web_sign_in(elsewhere, "fresh@example.com", DEFAULT_PASSWORD) == 302
    assert elsewhere.session[SESSION_KEY] == str(fresh.pk)


# --- Retry-After ---------------------------------------------------------------------------------------------


def test_retry_after_is_the_time_actually_remaining_on_the_web_and_the_api(api: APIClient) -> None:
    make_user(email="ada@example.com")
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        _lock_on_the_web("ada@example.com")

    with time_machine.travel(start + timedelta(minutes=6), tick=False):
        web = Client().post("/accounts/login/", {"username": "ada@example.com", "password": DEFAULT_PASSWORD})
        jwt = _jwt(api, "ada@example.com", DEFAULT_PASSWORD)
    with time_machine.travel(start + timedelta(minutes=15, seconds=1), tick=False):
        after = _jwt(api, "ada@example.com", DEFAULT_PASSWORD)

    assert (web.status_code, web["Retry-After"]) == (429, "540")
    assert "try again in 9 minutes" in web.content.decode()
    assert (jwt.status_code, jwt["Retry-After"]) == (429, "540")
    assert jwt.json()["error"]["message"] == "Too many failed sign-in attempts. Try again in 9 minutes."
    assert after.status_code == 200


def test_attempts_while_locked_do_not_extend_the_lock(api: APIClient) -> None:
    make_user(email="ada@example.com")
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        _lock_on_the_web("ada@example.com")
    with time_machine.travel(start + timedelta(minutes=10), tick=False):
        assert _jwt(api, "ada@example.com", "still guessing").status_code == 429

    with time_machine.travel(start + timedelta(minutes=15, seconds=1), tick=False):
        assert _jwt(api, "ada@example.com", DEFAULT_PASSWORD).status_code == 200


# --- no cache needed ---------------------------------------------------------------------------------------


def test_sign_in_and_its_lockout_work_without_the_cache(settings) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
        }
    }
    user = make_user(email="ada@example.com")

    _lock_on_the_web("ada@example.com")
    assert _web_sign_in(Client(), "ada@example.com", DEFAULT_PASSWORD) == 429
    signed_in = Client(REMOTE_ADDR="10.0.0.1")
    assert _web_sign_in(signed_in, "bob@example.com", "wrong password") == 200
    make_user(email="bob@example.com")
    assert _web_sign_in(signed_in, "bob@example.com", DEFAULT_PASSWORD) == 302
    assert user.pk != int(signed_in.session[SESSION_KEY])


def test_no_code_checks_a_password_outside_the_sign_in_flow() -> None:
    """A new door must call ``services.sign_in`` / ``password_verify``, not check a password itself."""
    import ast
    from pathlib import Path

    import prepdeck

    root = Path(prepdeck.__file__).parent
    calls = []
    for path in sorted(root.rglob("*.py")):
        if "tests" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call):
                function = node.func
                name = function.id if isinstance(function, ast.Name) else getattr(function, "attr", "")
                if name in {"authenticate", "check_password"}:
                    calls.append((str(path.relative_to(root)), name))

    assert calls == [("accounts/services.py", "authenticate")]
