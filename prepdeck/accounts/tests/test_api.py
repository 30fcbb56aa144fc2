"""Account API: registration, the JWT lifecycle, personal API tokens, profile and preferences."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from prepdeck.accounts.models import ApiToken, User
from prepdeck.accounts.tests.factories import DEFAULT_PASSWORD, make_editor, make_user

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


def test_a_jwt_request_loads_its_user_and_role_in_one_statement(api: APIClient) -> None:
    editor, learner = make_editor(), make_user()
    for user, is_editor in ((editor, True), (learner, False)):
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {_login(api, user.email)['access']}")
        with CaptureQueriesContext(connection) as queries:
            me = api.get("/api/v1/me/")
        assert (me.json()["email"], me.json()["is_editor"]) == (user.email, is_editor)
        # the user row and whether it is in the editors group: /me/ needs nothing else from the database
        assert len(queries) == 1, [query["sql"] for query in queries]
        assert "auth_group" in queries[0]["sql"]
    editor.groups.clear()  # a role taken away counts at the next request, not when the token expires
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {_login(api, editor.email)['access']}")
    assert api.get("/api/v1/me/").json()["is_editor"] is False


def test_a_jwt_of_a_deactivated_or_deleted_user_is_refused(api: APIClient) -> None:
    user = make_user()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {_login(api, user.email)['access']}")
    User.objects.filter(pk=user.pk).update(is_active=False)
    inactive = api.get("/api/v1/me/")
    User.objects.filter(pk=user.pk).delete()
    deleted = api.get("/api/v1/me/")

    assert (inactive.status_code, inactive.json()["error"]["code"]) == (401, "user_inactive")
    assert (deleted.status_code, deleted.json()["error"]["code"]) == (401, "user_not_found")


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


def test_password_change_needs_the_current_password(api: APIClient) -> None:
    user = make_user()
    api.force_authenticate(user)

    wrong = api.post(
        "/api/v1/auth/password/change/",
        {"old_password": "nope", "new_password": "a much better passphrase"},
        format="json",
    )
    right = api.post(
        "/api/v1/auth/password/change/",
        {"old_password": DEFAULT_PASSWORD, "new_password": "a much better passphrase"},
        format="json",
    )

    assert wrong.status_code == 400
    assert "old_password" in wrong.json()["error"]["details"]["fields"]
    assert right.status_code == 204
    user.refresh_from_db()
    assert user.check_password("a much better passphrase")


def test_password_reset_by_email_then_confirm_with_uid_and_token(
    api: APIClient, mailoutbox: list[Any]
) -> None:
    import re

    user = make_user()

    unknown = api.post("/api/v1/auth/password/reset/", {"email": "nobody@example.com"}, format="json")
    known = api.post("/api/v1/auth/password/reset/", {"email": user.email}, format="json")
    uid, token = re.search(r"/password/reset/([^/]+)/([^/\s]+)/", mailoutbox[0].body).groups()  # type: ignore[union-attr]
    confirmed = api.post(
        "/api/v1/auth/password/reset/confirm/",
        {"uid": uid, "token": token, "new_password": "brand new passphrase"},
        format="json",
    )
    reused = api.post(
        "/api/v1/auth/password/reset/confirm/",
        {"uid": uid, "token": token, "new_password": "another passphrase!"},
        format="json",
    )

    assert (unknown.status_code, known.status_code) == (202, 202)  # the same answer: no account enumeration
    assert len(mailoutbox) == 1
    assert confirmed.status_code == 204
    assert reused.status_code == 400
    assert reused.json()["error"]["code"] == "invalid_token"
    user.refresh_from_db()
    assert user.check_password("brand new passphrase")


def test_email_verification_by_token(api: APIClient, mailoutbox: list[Any]) -> None:
    import re

    user = make_user()
    api.force_authenticate(user)
    assert api.post("/api/v1/auth/verify-email/").status_code == 202
    token = re.search(r"token=(\S+)", mailoutbox[0].body).group(1)  # type: ignore[union-attr]

    api.force_authenticate(None)
    bad = api.post("/api/v1/auth/verify-email/confirm/", {"token": token + "x"}, format="json")
    good = api.post("/api/v1/auth/verify-email/confirm/", {"token": token}, format="json")

    assert bad.status_code == 400
    assert good.status_code == 200
    user.refresh_from_db()
    assert user.email_verified_at is not None


def test_the_verification_link_works_in_the_browser(client: Any) -> None:
    from django.core import signing

    from prepdeck.accounts import services as account_services

    user = make_user()
    token = signing.dumps(
        {"user": user.pk, "email": user.email}, salt=account_services.EMAIL_VERIFICATION_SALT
    )

    page = client.get(f"/accounts/verify-email/?token={token}")
    broken = client.get("/accounts/verify-email/?token=forged")

    assert page.status_code == 200
    assert f"<strong>{user.email}</strong> is verified" in page.content.decode()
    assert broken.status_code == 400


def test_export_my_data_has_everything_of_mine_and_nothing_of_others(api: APIClient) -> None:
    from prepdeck.catalog.models import Question
    from prepdeck.catalog.services import questions_upsert, topics_sync
    from prepdeck.practice import services as practice_services

    topics_sync()
    questions_upsert(
        [{"key": "q", "topic": "django-orm", "prompt": "Q?", "key_points": ["k"], "status": "published"}],
        revision_summary="t",
    )
    question_id = Question.objects.get().pk
    me, other = make_user(), make_user()
    practice_services.review_submit(user=me, question_id=question_id, rating=3, idempotency_key="mine")
    practice_services.review_submit(user=other, question_id=question_id, rating=1, idempotency_key="theirs")
    api.force_authenticate(me)

    data = api.get("/api/v1/me/export/").json()

    assert data["format"] == "prepdeck-account/1"
    assert data["profile"]["email"] == me.email
    # the email preferences are part of what PrepDeck keeps about the user
    assert {
        name: data["profile"][name]
        for name in ("study_reminder_enabled", "study_reminder_hour", "weekly_digest_enabled")
    } == {
        "study_reminder_enabled": False,
        "study_reminder_hour": me.study_reminder_hour,
        "weekly_digest_enabled": False,
    }
    assert [review["rating"] for review in data["reviews"]] == [3]
    assert [card["question__key"] for card in data["cards"]] == ["q"]


def test_deleting_the_account_needs_the_password_and_removes_practice_data(api: APIClient) -> None:
    user = make_user()
    token = ApiToken.objects.create(user=user, name="x", prefix="pd_x", digest="d" * 64)
    api.force_authenticate(user)

    refused = api.post("/api/v1/me/delete/", {"password": "wrong"}, format="json")
    deleted = api.post("/api/v1/me/delete/", {"password": DEFAULT_PASSWORD}, format="json")

    assert refused.status_code == 400
    assert deleted.status_code == 204
    assert not User.objects.filter(pk=user.pk).exists()
    assert not ApiToken.objects.filter(pk=token.pk).exists()


def _claims(token: str) -> dict[str, Any]:
    from rest_framework_simplejwt.tokens import UntypedToken

    return dict(UntypedToken(token).payload)  # type: ignore[arg-type]  # the stubs omit the str form


def test_jwt_tokens_carry_the_display_name_and_roles_and_keep_them_on_refresh(api: APIClient) -> None:
    from prepdeck.accounts.tests.factories import make_editor

    learner = make_user(display_name="Ada")
    editor = make_editor()

    learner_tokens = _login(api, learner.email)
    editor_tokens = _login(api, editor.email)
    refreshed = api.post("/api/v1/auth/token/refresh/", {"refresh": learner_tokens["refresh"]}, format="json")

    learner_claims = _claims(learner_tokens["access"])
    assert (learner_claims["name"], learner_claims["roles"]) == ("Ada", ["learner"])
    assert "email" not in learner_claims
    editor_claims = _claims(editor_tokens["access"])
    assert (editor_claims["name"], editor_claims["roles"]) == (f"User #{editor.pk}", ["learner", "editor"])
    assert refreshed.status_code == 200
    assert {key: _claims(refreshed.json()["access"])[key] for key in ("name", "roles")} == {
        "name": "Ada",
        "roles": ["learner"],
    }
