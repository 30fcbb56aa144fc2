"""A new password (changed or reset, by the API or on the web) ends what the old one granted: JWT refresh and
access tokens, personal API tokens and the other browser sessions; the door that changed it stays signed in."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.test import Client
from rest_framework.test import APIClient

from prepdeck.accounts import services
from prepdeck.accounts.models import ApiToken, User
from prepdeck.accounts.tests.factories import DEFAULT_PASSWORD, make_user

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a brand new passphrase"


@dataclass
class Credentials:
    """Every way into one account that the old password gave out."""

    access: str
    refresh: str
    api_token: str
    browser: Client


def _credentials(user: User) -> Credentials:
    pair = APIClient().post(
        "/api/v1/auth/token/", {"email": user.email, "password": DEFAULT_PASSWORD}, format="json"
    )
    assert pair.status_code == 200
    _, raw = services.api_token_create(user=user, name="script")
    browser = Client()
    assert (
        browser.post("/accounts/login/", {"username": user.email, "password": DEFAULT_PASSWORD}).status_code
        == 302
    )
    return Credentials(
        access=pair.json()["access"], refresh=pair.json()["refresh"], api_token=raw, browser=browser
    )


def _me(header: str) -> int:
    return int(APIClient().get("/api/v1/me/", HTTP_AUTHORIZATION=header).status_code)


def _me_error(header: str) -> tuple[int, str]:
    response = APIClient().get("/api/v1/me/", HTTP_AUTHORIZATION=header)
    return response.status_code, response.json()["error"]["code"]


def _refresh(refresh: str) -> Any:
    return APIClient().post("/api/v1/auth/token/refresh/", {"refresh": refresh}, format="json")


def _assert_all_ended(old: Credentials) -> None:
    assert _me_error(f"Bearer {old.access}") == (401, "password_changed")
    refreshed = _refresh(old.refresh)
    assert (refreshed.status_code, refreshed.json()["error"]["code"]) == (401, "token_not_valid")
    assert _me(f"Token {old.api_token}") == 401
    page = old.browser.get("/accounts/preferences/")
    assert (page.status_code, page["Location"]) == (302, "/accounts/login/?next=/accounts/preferences/")


def test_all_of_them_work_before_a_password_change() -> None:
    old = _credentials(make_user())

    assert _me(f"Bearer {old.access}") == 200
    assert _refresh(old.refresh).status_code == 200
    assert _me(f"Token {old.api_token}") == 200
    assert old.browser.get("/accounts/preferences/").status_code == 200


def test_an_api_password_change_ends_every_token_and_other_session() -> None:
    user = make_user()
    old = _credentials(user)
    changer = APIClient()
    changer.credentials(HTTP_AUTHORIZATION=f"Bearer {old.access}")

    response = changer.post(
        "/api/v1/auth/password/change/",
        {"old_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD},
        format="json",
    )

    assert response.status_code == 204
    _assert_all_ended(old)
    assert ApiToken.objects.filter(user=user).count() == 0
    fresh = APIClient().post(
        "/api/v1/auth/token/", {"email": user.email, "password": NEW_PASSWORD}, format="json"
    )
    assert _me(f"Bearer {fresh.json()['access']}") == 200


def test_an_api_password_change_from_a_browser_session_keeps_that_session() -> None:
    user = make_user()
    old = _credentials(user)
    browser = Client()
    browser.post("/accounts/login/", {"username": user.email, "password": DEFAULT_PASSWORD})

    response = browser.post(
        "/api/v1/auth/password/change/",
        {"old_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD},
        content_type="application/json",
    )

    assert response.status_code == 204
    assert browser.get("/accounts/preferences/").status_code == 200
    _assert_all_ended(old)


def test_a_web_password_change_keeps_this_session_and_ends_the_rest() -> None:
    user = make_user()
    old = _credentials(user)
    services.api_token_create(user=user, name="laptop")
    browser = Client()
    browser.post("/accounts/login/", {"username": user.email, "password": DEFAULT_PASSWORD})

    form = browser.get("/accounts/password/change/").content.decode()
    response = browser.post(
        "/accounts/password/change/",
        {"old_password": DEFAULT_PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert "your 2 personal API tokens, which are revoked" in re.sub(r"\s+", " ", form)
    assert (response.status_code, response["Location"]) == (302, "/accounts/password/change/done/")
    assert browser.get("/accounts/preferences/").status_code == 200
    assert browser.session[SESSION_KEY] == str(user.pk)
    _assert_all_ended(old)
    assert ApiToken.objects.filter(user=user).count() == 0


def test_an_api_password_reset_ends_every_token_and_session(api: APIClient) -> None:
    user = make_user()
    old = _credentials(user)
    api.post("/api/v1/auth/password/reset/", {"email": user.email}, format="json")
    uid, token = re.search(r"/password/reset/([^/]+)/([^/\s]+)/", str(mail.outbox[0].body)).groups()  # type: ignore[union-attr]

    response = api.post(
        "/api/v1/auth/password/reset/confirm/",
        {"uid": uid, "token": token, "new_password": NEW_PASSWORD},
        format="json",
    )

    assert response.status_code == 204
    _assert_all_ended(old)


def test_a_web_password_reset_ends_every_token_and_session(client: Client) -> None:
    user = make_user()
    old = _credentials(user)
    client.post("/accounts/password/reset/", {"email": user.email})
    link = re.search(r"http://testserver(/accounts/password/reset/\S+/)", str(mail.outbox[0].body))
    assert link is not None
    form_page = client.get(link.group(1), follow=True)

    response = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )

    assert (response.status_code, response["Location"]) == (302, "/accounts/password/reset/complete/")
    _assert_all_ended(old)
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_deleting_the_account_blacklists_its_refresh_tokens(api: APIClient) -> None:
    user = make_user()
    old = _credentials(user)
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {old.access}")

    assert api.post("/api/v1/me/delete/", {"password": DEFAULT_PASSWORD}, format="json").status_code == 204
    refreshed = _refresh(old.refresh)

    assert (refreshed.status_code, refreshed.json()["error"]["code"]) == (401, "token_not_valid")


def test_an_admin_setting_a_users_password_revokes_their_tokens_and_sessions(client: Client) -> None:
    user = make_user()
    old = _credentials(user)
    client.force_login(make_user(is_staff=True, is_superuser=True))

    response = client.post(
        f"/admin/accounts/user/{user.pk}/password/",
        {"usable_password": "true", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    _assert_all_ended(old)
