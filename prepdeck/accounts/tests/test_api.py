"""Account API: registration, the JWT lifecycle, personal API tokens, profile and preferences."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from prepdeck.accounts.models import ApiToken, User
from prepdeck.accounts.tests.factories import DEFAULT_PASSWORD, make_user

pytestmark = pytest.mark.django_db


def test_registration_creates_a_learner_and_refuses_a_taken_email(api: APIClient) -> None:
    body = {"email": "New@Example.com", "password": DEFAULT_PASSWORD, "display_name": "Ana"}

    created = api.post("/api/v1/auth/register/", body, format="json")
    again = api.post("/api/v1/auth/register/", body, format="json")

    assert created.status_code == 201
    assert (created.json()["email"], created.json()["is_editor"]) == ("new@example.com", False)
    assert again.status_code == 400
    assert again.json()["error"]["details"]["fields"]["email"] == [
        "An account with this email address already exists."
    ]
    assert User.objects.count() == 1


def test_a_weak_password_is_refused(api: APIClient) -> None:
    response = api.post(
        "/api/v1/auth/register/", {"email": "a@example.com", "password": "123"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    assert User.objects.count() == 0


def _login(api: APIClient, email: str) -> dict[str, str]:
    response = api.post("/api/v1/auth/token/", {"email": email, "password": DEFAULT_PASSWORD}, format="json")
    assert response.status_code == 200, response.json()
    return dict(response.json())


def test_jwt_access_token_works_until_it_expires(api: APIClient) -> None:
    user = make_user()
    tokens = _login(api, user.email)

    api.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    assert api.get("/api/v1/me/").json()["email"] == user.email
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        expired = api.get("/api/v1/me/")

    assert expired.status_code == 401
    assert expired.json()["error"]["code"] == "token_not_valid"


def test_refresh_rotates_and_a_used_refresh_token_is_refused(api: APIClient) -> None:
    user = make_user()
    tokens = _login(api, user.email)

    rotated = api.post("/api/v1/auth/token/refresh/", {"refresh": tokens["refresh"]}, format="json")
    reused = api.post("/api/v1/auth/token/refresh/", {"refresh": tokens["refresh"]}, format="json")

    assert rotated.status_code == 200
    assert rotated.json()["refresh"] != tokens["refresh"]
    assert reused.status_code == 401
    assert reused.json()["error"]["code"] == "token_not_valid"


def test_logout_blacklists_the_refresh_token(api: APIClient) -> None:
    tokens = _login(api, make_user().email)

    logout = api.post("/api/v1/auth/logout/", {"refresh": tokens["refresh"]}, format="json")
    refresh = api.post("/api/v1/auth/token/refresh/", {"refresh": tokens["refresh"]}, format="json")

    assert logout.status_code == 200
    assert refresh.status_code == 401


def test_wrong_password_is_a_401_in_the_error_shape(api: APIClient) -> None:
    user = make_user()
    response = api.post("/api/v1/auth/token/", {"email": user.email, "password": "nope"}, format="json")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "no_active_account"


def test_an_api_token_is_shown_once_stored_hashed_and_revocable(api: APIClient) -> None:
    user = make_user()
    api.force_authenticate(user)
    created = api.post("/api/v1/me/tokens/", {"name": "my CLI"}, format="json").json()
    listed = api.get("/api/v1/me/tokens/").json()
    api.force_authenticate(None)

    api.credentials(HTTP_AUTHORIZATION=f"Token {created['token']}")
    me = api.get("/api/v1/me/")
    ApiToken.objects.filter(pk=created["id"]).delete()
    after_revoke = api.get("/api/v1/me/")

    assert created["token"].startswith("pd_")
    assert "token" not in listed["results"][0]
    assert not ApiToken.objects.filter(digest=created["token"]).exists()
    assert me.json()["email"] == user.email
    assert after_revoke.status_code == 401


def test_another_users_token_cannot_be_revoked(api: APIClient) -> None:
    from prepdeck.accounts import services

    token, _ = services.api_token_create(user=make_user(), name="theirs")
    api.force_authenticate(make_user())

    response = api.delete(f"/api/v1/me/tokens/{token.pk}/")

    assert response.status_code == 404
    assert ApiToken.objects.filter(pk=token.pk).exists()


def test_preferences_are_validated_and_saved(api: APIClient) -> None:
    user = make_user()
    api.force_authenticate(user)

    bad = api.patch("/api/v1/me/", {"time_zone": "Mars/Olympus", "desired_retention": 0.5}, format="json")
    good = api.patch("/api/v1/me/", {"time_zone": "Europe/Berlin", "day_start_hour": 5}, format="json")

    assert bad.status_code == 400
    assert set(bad.json()["error"]["details"]["fields"]) >= {"desired_retention"}
    assert (good.json()["time_zone"], good.json()["day_start_hour"]) == ("Europe/Berlin", 5)
    user.refresh_from_db()
    assert user.time_zone == "Europe/Berlin"


def test_login_is_throttled_with_retry_after(api: APIClient, monkeypatch: pytest.MonkeyPatch) -> None:
    from prepdeck.core.api.throttling import ScopedThrottle

    monkeypatch.setattr(
        ScopedThrottle, "THROTTLE_RATES", {**ScopedThrottle.THROTTLE_RATES, "login": "2/minute"}
    )

    statuses = [
        api.post("/api/v1/auth/token/", {"email": "x@example.com", "password": "x"}, format="json")
        for _ in range(3)
    ]

    assert [response.status_code for response in statuses] == [401, 401, 429]
    assert statuses[2].json()["error"]["code"] == "throttled"
    assert 0 < int(statuses[2]["Retry-After"]) <= 60
    assert statuses[2].json()["error"]["details"] == {"retry_after": int(statuses[2]["Retry-After"])}
