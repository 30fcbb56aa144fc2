"""Sign-up, sign-in, sign-out, password change and reset, through the test client as a browser would."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.test import Client

from prepdeck.accounts.models import User
from prepdeck.accounts.tests.factories import DEFAULT_PASSWORD, make_user

pytestmark = pytest.mark.django_db


def test_sign_up_creates_an_account_with_an_argon2_hash_and_signs_in(client: Client, settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]

    response = client.post(
        "/accounts/signup/",
        {"email": "Ada@Example.com", "password1": DEFAULT_PASSWORD, "password2": DEFAULT_PASSWORD},
    )

    assert response.status_code == 302
    user = User.objects.get()
    assert user.email == "ada@example.com"
    assert user.password.startswith("argon2$")
    assert user.desired_retention == 0.90
    assert (user.time_zone, user.day_start_hour, user.daily_new_limit) == ("UTC", 4, 20)
    assert client.session[SESSION_KEY] == str(user.pk)


def test_sign_up_refuses_a_taken_email_in_any_case_and_keeps_the_input(client: Client) -> None:
    make_user(email="ada@example.com")

    response = client.post(
        "/accounts/signup/",
        {"email": "ADA@example.com", "password1": DEFAULT_PASSWORD, "password2": DEFAULT_PASSWORD},
    )

    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert 'value="ADA@example.com"' in response.content.decode()
    assert User.objects.count() == 1


@pytest.mark.parametrize(
    ("password1", "password2", "message"),
    [
        ("short", "short", "too short"),
        ("password1234", "password1234", "too common"),
        (DEFAULT_PASSWORD, "other", "differ"),
    ],
)
def test_sign_up_refuses_weak_or_mismatched_passwords(
    client: Client, password1: str, password2: str, message: str
) -> None:
    response = client.post(
        "/accounts/signup/", {"email": "new@example.com", "password1": password1, "password2": password2}
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not User.objects.exists()


def test_sign_in_with_the_right_password_and_sign_out(client: Client) -> None:
    user = make_user(email="ada@example.com")

    response = client.post("/accounts/login/", {"username": "Ada@Example.com", "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(user.pk)

    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert SESSION_KEY not in client.session


def test_a_wrong_password_does_not_sign_in(client: Client) -> None:
    make_user(email="ada@example.com")

    response = client.post("/accounts/login/", {"username": "ada@example.com", "password": "wrong password"})

    assert response.status_code == 200
    assert "Please enter a correct email address and password" in response.content.decode()
    assert SESSION_KEY not in client.session


def test_sign_in_is_throttled_after_repeated_failures_even_with_the_right_password(
    client: Client, settings
) -> None:
    settings.LOGIN_FAILURE_LIMIT = 3
    make_user(email="ada@example.com")
    statuses = [
        client.post("/accounts/login/", {"username": "ada@example.com", "password": "nope"}).status_code
        for _ in range(3)
    ]
    assert statuses == [200, 200, 429]  # the failure that reaches the limit already says so

    response = client.post("/accounts/login/", {"username": "ada@example.com", "password": DEFAULT_PASSWORD})

    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert SESSION_KEY not in client.session


def test_a_successful_sign_in_resets_the_email_failure_count(client: Client, settings) -> None:
    settings.LOGIN_FAILURE_LIMIT = 3
    make_user(email="ada@example.com")
    other_client = Client(REMOTE_ADDR="10.0.0.9")
    for _ in range(2):
        client.post("/accounts/login/", {"username": "ada@example.com", "password": "nope"})
    assert (
        other_client.post(
            "/accounts/login/", {"username": "ada@example.com", "password": DEFAULT_PASSWORD}
        ).status_code
        == 302
    )

    # two more failures from anywhere stay under the limit of three: the count restarted at the success
    third_client = Client(REMOTE_ADDR="10.0.0.10")
    for _ in range(2):
        third_client.post("/accounts/login/", {"username": "ada@example.com", "password": "nope"})
    response = third_client.post(
        "/accounts/login/", {"username": "ada@example.com", "password": DEFAULT_PASSWORD}
    )

    assert response.status_code == 302


def test_password_change(client: Client) -> None:
    user = make_user()
    client.force_login(user)

    response = client.post(
        "/accounts/password/change/",
        {
            "old_password": DEFAULT_PASSWORD,
            "new_password1": "a brand new passphrase",
            "new_password2": "a brand new passphrase",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/change/done/"
    user.refresh_from_db()
    assert user.check_password("a brand new passphrase")


def test_password_reset_by_email_link(client: Client) -> None:
    user = make_user(email="ada@example.com")

    response = client.post("/accounts/password/reset/", {"email": "ada@example.com"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/accounts/password/reset/\S+/)", str(mail.outbox[0].body))
    assert link is not None

    form_page = client.get(link.group(1), follow=True)
    assert form_page.status_code == 200
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "reset passphrase here", "new_password2": "reset passphrase here"},
    )

    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/complete/"
    user.refresh_from_db()
    assert user.check_password("reset passphrase here")


def test_password_reset_for_an_unknown_email_says_the_same_and_sends_nothing(client: Client) -> None:
    response = client.post("/accounts/password/reset/", {"email": "nobody@example.com"})

    assert response.status_code == 302
    assert mail.outbox == []


def test_preferences_are_validated_and_saved(client: Client) -> None:
    user = make_user()
    client.force_login(user)
    valid = {
        "display_name": "Ada",
        "time_zone": "Europe/Berlin",
        "day_start_hour": 5,
        "desired_retention": 0.85,
        "daily_new_limit": 15,
    }

    assert client.post("/accounts/preferences/", valid).status_code == 302
    user.refresh_from_db()
    assert (user.time_zone, user.day_start_hour, user.desired_retention, user.daily_new_limit) == (
        "Europe/Berlin",
        5,
        0.85,
        15,
    )

    response = client.post(
        "/accounts/preferences/", {**valid, "time_zone": "Mars/Olympus", "desired_retention": 0.99}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "not a known time zone" in page
    assert "between 0.70 and 0.97" in page
    user.refresh_from_db()
    assert (user.time_zone, user.desired_retention) == ("Europe/Berlin", 0.85)


def test_pages_need_no_account_to_render(client: Client) -> None:
    for url in ["/", "/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"]:
        assert client.get(url).status_code == 200


def test_preferences_need_a_signed_in_user(client: Client) -> None:
    response = client.get("/accounts/preferences/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
