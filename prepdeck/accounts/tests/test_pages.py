"""The account pages through the test client: sign-in and sign-up pages, the account hub (preferences,
email verification), API tokens, export and deletion."""

from __future__ import annotations

import hashlib
import json
import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.test import Client
from django.utils import timezone

from prepdeck.accounts import services
from prepdeck.accounts.models import ApiToken, User
from prepdeck.accounts.retention import retention_effect
from prepdeck.accounts.tests.factories import DEFAULT_PASSWORD, make_user
from prepdeck.accounts.views import NEW_TOKEN_SESSION_KEY

pytestmark = pytest.mark.django_db


@pytest.fixture
def user() -> User:
    return make_user(email="ada@example.com", display_name="Ada")


@pytest.fixture
def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- sign in, sign up, sign out -----------------------------------------------------------------------------


def test_sign_in_page_links_to_sign_up_and_password_reset(client: Client) -> None:
    page = client.get("/accounts/login/").content.decode()

    assert '<a href="/accounts/signup/">Sign up</a>' in page
    assert '<a href="/accounts/password/reset/">Forgot your password?</a>' in page
    assert '<label for="id_username">Email address</label>' in page
    assert 'autocomplete="current-password"' in page


def test_a_failed_sign_in_keeps_the_email_but_never_the_password(client: Client, user: User) -> None:
    response = client.post("/accounts/login/", {"username": "ada@example.com", "password": "wrong password"})

    page = response.content.decode()
    assert response.status_code == 200
    assert 'value="ada@example.com"' in page
    assert "wrong password" not in page
    assert "Please enter a correct email address and password" in page
    assert re.search(
        r'<input type="password" name="password" autocomplete="current-password"[^>]* autofocus', page
    )
    assert not re.search(r'<input type="email" name="username"[^>]* autofocus', page)


def test_a_throttled_sign_in_says_so_clearly_and_answers_429(client: Client, user: User, settings) -> None:
    settings.LOGIN_FAILURE_LIMIT = 2
    settings.LOGIN_FAILURE_WINDOW_SECONDS = 600
    for _ in range(2):
        client.post("/accounts/login/", {"username": "ada@example.com", "password": "nope"})

    response = client.post("/accounts/login/", {"username": "ada@example.com", "password": DEFAULT_PASSWORD})

    page = response.content.decode()
    assert response.status_code == 429
    assert "<strong>Too many failed sign-in attempts.</strong>" in page
    assert "try again in 10 minutes" in page
    assert 'href="/accounts/password/reset/">reset it</a>' in page
    assert 'value="ada@example.com"' in page
    assert SESSION_KEY not in client.session


def test_sign_up_page_labels_every_field_and_focuses_the_email(client: Client) -> None:
    page = client.get("/accounts/signup/").content.decode()

    for field_id, label in [
        ("id_email", "Email address"),
        ("id_display_name", "Name (optional)"),
        ("id_password1", "Password"),
        ("id_password2", "Password again"),
    ]:
        assert f'<label for="{field_id}">{label}</label>' in page
    assert re.search(r'<input type="email" name="email"[^>]*autofocus', page)
    assert 'Already have an account? <a href="/accounts/login/">Sign in</a>' in page


def test_sign_up_errors_sit_next_to_their_field_and_keep_what_was_typed(client: Client) -> None:
    response = client.post(
        "/accounts/signup/",
        {"email": "new@example.com", "display_name": "Neo", "password1": DEFAULT_PASSWORD, "password2": "x"},
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert '<div class="field-errors" id="id_password2_error">' in page
    assert "The two passwords differ." in page
    assert (
        '<input type="password" name="password2" autocomplete="new-password" autofocus required '
        'aria-invalid="true" aria-describedby="id_password2_helptext id_password2_error" id="id_password2">'
    ) in page
    assert '<input type="email" name="email" value="new@example.com" autocomplete="email" maxlength' in page
    assert 'value="Neo"' in page
    assert DEFAULT_PASSWORD not in page
    assert not User.objects.exists()


def test_sign_out_by_get_asks_first_and_post_signs_out_with_a_message(signed_in: Client) -> None:
    page = signed_in.get("/accounts/logout/")
    assert page.status_code == 200
    assert "You are signed in as <strong>ada@example.com</strong>" in page.content.decode()
    assert SESSION_KEY in signed_in.session

    response = signed_in.post("/accounts/logout/", follow=True)

    assert response.redirect_chain == [("/", 302)]
    assert SESSION_KEY not in signed_in.session
    assert "You are signed out." in response.content.decode()


def test_sign_out_page_sends_anonymous_visitors_home(client: Client) -> None:
    response = client.get("/accounts/logout/")

    assert response.status_code == 302
    assert response["Location"] == "/"


def test_password_reset_pages_render_in_the_card_layout(client: Client) -> None:
    form = client.get("/accounts/password/reset/").content.decode()
    done = client.get("/accounts/password/reset/sent/").content.decode()
    bad_link = client.get("/accounts/password/reset/MQ/bad-token/").content.decode()

    assert '<h1 id="auth-heading">Reset your password</h1>' in form
    assert '<a href="/accounts/login/">Sign in</a>' in form
    assert '<h1 id="auth-heading">Check your email</h1>' in done
    assert '<h1 id="auth-heading">This link has expired</h1>' in bad_link
    assert '<a class="button" href="/accounts/password/reset/">Ask for a new link</a>' in bad_link


def test_password_change_page_is_part_of_the_account_hub(signed_in: Client) -> None:
    page = signed_in.get("/accounts/password/change/").content.decode()

    assert '<a href="/accounts/password/change/" aria-current="page">Password</a>' in page
    assert '<label for="id_old_password">Old password</label>' in page


# --- preferences, the account hub -------------------------------------------------------------------------


def test_preferences_page_is_the_hub_with_every_section(signed_in: Client) -> None:
    page = signed_in.get("/accounts/preferences/").content.decode()

    for href, label in [
        ("/accounts/preferences/", "Preferences"),
        ("/accounts/password/change/", "Password"),
        ("/accounts/tokens/", "API tokens"),
        ("/accounts/export/", "Export my data"),
        ("/accounts/delete/", "Delete account"),
    ]:
        assert f'<a href="{href}"' in page
        assert f">{label}</a>" in page
    assert '<a href="/accounts/preferences/" aria-current="page">Preferences</a>' in page


def test_preferences_explain_desired_retention_with_its_effect(signed_in: Client, user: User) -> None:
    user.desired_retention = 0.95
    user.save(update_fields=["desired_retention"])

    page = signed_in.get("/accounts/preferences/").content.decode()

    assert "Higher means more reviews and fewer forgotten cards" in page
    assert "Most people do well between 0.85 and 0.95." in page
    assert "At <strong>0.95</strong> you should recall about 95 of every 100 cards" in page
    assert "roughly 2.5\N{MULTIPLICATION SIGN} as many reviews" in page
    assert 'hx-get="/accounts/preferences/retention-effect/"' in page
    assert "<td>about 52%</td>" in page  # the typical-values table, row 0.85


def test_preferences_offer_time_zones_and_hours(signed_in: Client) -> None:
    page = signed_in.get("/accounts/preferences/").content.decode()

    assert 'list="time-zone-list"' in page
    assert '<option value="Europe/Berlin"></option>' in page
    assert '<option value="US/Pacific"></option>' not in page  # legacy alias: accepted, not suggested
    assert '<option value="4" selected>04:00</option>' in page
    assert '<option value="0">00:00 (midnight)</option>' in page


def test_preferences_keep_what_was_typed_when_one_field_is_wrong(signed_in: Client, user: User) -> None:
    response = signed_in.post(
        "/accounts/preferences/",
        {
            "display_name": "Ada L.",
            "time_zone": "Mars/Olympus",
            "day_start_hour": "6",
            "desired_retention": "0.93",
            "daily_new_limit": "12",
        },
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_time_zone_error"' in page
    assert "Mars/Olympus is not a known time zone" in page
    assert 'value="Mars/Olympus"' in page
    assert 'value="Ada L."' in page
    assert '<option value="6" selected>06:00</option>' in page
    assert 'value="0.93"' in page
    assert "At <strong>0.93</strong>" in page
    user.refresh_from_db()
    assert (user.display_name, user.time_zone, user.day_start_hour, user.desired_retention) == (
        "Ada",
        "UTC",
        4,
        0.90,
    )


def test_preferences_refuse_an_out_of_range_hour_and_limit(signed_in: Client, user: User) -> None:
    response = signed_in.post(
        "/accounts/preferences/",
        {
            "display_name": "Ada",
            "time_zone": "UTC",
            "day_start_hour": "24",
            "desired_retention": "0.9",
            "daily_new_limit": "501",
        },
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_day_start_hour_error"' in page
    assert 'id="id_daily_new_limit_error"' in page
    user.refresh_from_db()
    assert (user.day_start_hour, user.daily_new_limit) == (4, 20)


def test_retention_effect_preview_for_htmx(signed_in: Client) -> None:
    good = signed_in.get("/accounts/preferences/retention-effect/", {"desired_retention": "0.85"})
    default = signed_in.get("/accounts/preferences/retention-effect/", {"desired_retention": "0.9"})
    bad = signed_in.get("/accounts/preferences/retention-effect/", {"desired_retention": "2"})
    junk = signed_in.get("/accounts/preferences/retention-effect/", {"desired_retention": "abc"})

    assert good.status_code == 200
    assert "At <strong>0.85</strong> you should recall about 85 of every 100 cards" in good.content.decode()
    assert (
        "Intervals are about 1.9\N{MULTIPLICATION SIGN} as long as at 0.90: roughly 52% of the reviews."
        in good.content.decode()
    )
    assert "(the default)" in default.content.decode()
    assert "Enter a number from 0.70 to 0.97" in bad.content.decode()
    assert "Enter a number from 0.70 to 0.97" in junk.content.decode()


def test_retention_effect_figures() -> None:
    default = retention_effect(0.90)
    higher = retention_effect(0.95)
    lower = retention_effect(0.85)

    assert (default.interval_factor, default.review_percent, default.forgotten_per_100) == (1.0, 100, 10)
    assert (round(higher.interval_factor, 2), round(higher.review_factor, 1)) == (0.40, 2.5)
    assert (round(lower.interval_factor, 2), lower.review_percent, lower.remembered_per_100) == (1.91, 52, 85)


def test_email_verification_status_and_send_button(signed_in: Client, user: User) -> None:
    page = signed_in.get("/accounts/preferences/").content.decode()
    assert '<span class="badge unverified">Not verified</span>' in page
    assert '<form method="post" action="/accounts/verify-email/send/">' in page

    response = signed_in.post("/accounts/verify-email/send/", follow=True)

    assert response.redirect_chain == [("/accounts/preferences/", 302)]
    assert "We sent a link to ada@example.com" in response.content.decode()
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/accounts/verify-email/\?token=\S+)", str(mail.outbox[0].body))
    assert link is not None
    confirmed = signed_in.get(link.group(1))
    assert confirmed.status_code == 200
    assert "<strong>ada@example.com</strong> is verified" in confirmed.content.decode()
    page = signed_in.get("/accounts/preferences/").content.decode()
    assert '<span class="badge verified">Verified</span>' in page
    assert "verify-email/send/" not in page


def test_asking_twice_within_a_minute_mails_once(signed_in: Client, user: User) -> None:
    signed_in.post("/accounts/verify-email/send/")

    again = signed_in.post("/accounts/verify-email/send/", follow=True)

    assert "We sent a link less than a minute ago." in again.content.decode()
    assert len(mail.outbox) == 1


def test_a_verified_address_is_not_mailed_again(signed_in: Client, user: User) -> None:
    user.email_verified_at = timezone.now()
    user.save(update_fields=["email_verified_at"])

    response = signed_in.post("/accounts/verify-email/send/", follow=True)

    assert "ada@example.com is already verified." in response.content.decode()
    assert mail.outbox == []


def test_a_broken_verification_link_explains_what_to_do(client: Client) -> None:
    response = client.get("/accounts/verify-email/", {"token": "nonsense"})

    assert response.status_code == 400
    assert "This link is not valid." in response.content.decode()
    assert "ask for a new link on your account page" in response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/accounts/preferences/",
        "/accounts/tokens/",
        "/accounts/tokens/created/",
        "/accounts/export/",
        "/accounts/export/download/",
        "/accounts/delete/",
        "/accounts/password/change/",
        "/accounts/preferences/retention-effect/",
    ],
)
def test_account_pages_send_anonymous_visitors_to_sign_in(client: Client, url: str) -> None:
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={url}"


# --- API tokens -------------------------------------------------------------------------------------------


def test_tokens_page_empty_state_explains_tokens(signed_in: Client) -> None:
    page = signed_in.get("/accounts/tokens/").content.decode()

    assert "<strong>No API tokens yet</strong>" in page
    assert '<a href="/api/docs/">API documentation</a>' in page
    assert "<code>Authorization: Token &lt;token&gt;</code>" in page


def test_a_new_token_is_shown_once_and_stored_hashed(signed_in: Client, user: User) -> None:
    response = signed_in.post("/accounts/tokens/", {"name": "my CLI"})

    assert response.status_code == 302
    assert response["Location"] == "/accounts/tokens/created/"
    token = ApiToken.objects.get()
    assert (token.user, token.name) == (user, "my CLI")

    shown = signed_in.get("/accounts/tokens/created/")
    page = shown.content.decode()
    raw = re.search(r'id="new-token" class="token-secret" type="text" value="(pd_[^"]+)"', page)
    assert raw is not None
    assert token.digest == hashlib.sha256(raw.group(1).encode()).hexdigest()
    assert token.prefix == raw.group(1)[:10]
    assert raw.group(1) not in {token.digest, token.prefix, token.name}
    assert "this is the only time it is shown" in page
    assert "no-store" in shown["Cache-Control"]
    assert services.api_token_authenticate(raw=raw.group(1)) == token

    again = signed_in.get("/accounts/tokens/created/")
    assert again.status_code == 302
    assert again["Location"] == "/accounts/tokens/"
    assert NEW_TOKEN_SESSION_KEY not in signed_in.session
    listing = signed_in.get("/accounts/tokens/").content.decode()
    assert raw.group(1) not in listing
    assert f"<code>{token.prefix}…</code>" in listing
    assert '<th scope="row" class="token-name">my CLI</th>' in listing


def test_a_token_needs_a_name(signed_in: Client) -> None:
    response = signed_in.post("/accounts/tokens/", {"name": "  "})

    assert response.status_code == 200
    assert 'id="id_name_error"' in response.content.decode()
    assert not ApiToken.objects.exists()


def test_revoking_a_token_asks_first_and_deletes_it(signed_in: Client, user: User) -> None:
    token, _ = services.api_token_create(user=user, name="laptop")
    page = signed_in.get("/accounts/tokens/").content.decode()
    assert (
        f'<form method="post" action="/accounts/tokens/{token.pk}/revoke/" '
        'data-confirm="Revoke the token “laptop”? Programs using it will stop working.">'
    ) in page

    response = signed_in.post(f"/accounts/tokens/{token.pk}/revoke/", follow=True)

    assert response.redirect_chain == [("/accounts/tokens/", 302)]
    assert "Token revoked." in response.content.decode()
    assert not ApiToken.objects.exists()


def test_someone_elses_token_cannot_be_revoked(signed_in: Client) -> None:
    other_token, _ = services.api_token_create(user=make_user(email="bob@example.com"), name="bob's")

    response = signed_in.post(f"/accounts/tokens/{other_token.pk}/revoke/")

    assert response.status_code == 404
    assert list(ApiToken.objects.values_list("name", flat=True)) == ["bob's"]


def test_revoke_needs_a_post(signed_in: Client, user: User) -> None:
    token, _ = services.api_token_create(user=user, name="laptop")

    assert signed_in.get(f"/accounts/tokens/{token.pk}/revoke/").status_code == 405
    assert ApiToken.objects.count() == 1


@pytest.mark.parametrize("count", [2, 9])
def test_tokens_page_runs_a_constant_number_of_queries(
    signed_in: Client, user: User, count: int, django_assert_num_queries
) -> None:
    for number in range(count):
        token, _ = services.api_token_create(user=user, name=f"token {number}")
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())

    # session, user, editor? (for the navigation), tokens
    with django_assert_num_queries(4):
        response = signed_in.get("/accounts/tokens/")

    assert response.content.decode().count('class="token-name"') == count


# --- export --------------------------------------------------------------------------------------------------


def test_export_page_explains_and_links_the_download(signed_in: Client) -> None:
    page = signed_in.get("/accounts/export/").content.decode()

    assert (
        '<a class="button" href="/accounts/export/download/" download="prepdeck-my-data.json">'
        "Download my data (JSON)</a>"
    ) in page
    assert "<code>GET /api/v1/me/export/</code>" in page


def test_export_download_is_the_api_document_as_an_attachment(signed_in: Client, user: User) -> None:
    services.api_token_create(user=user, name="my CLI")

    response = signed_in.get("/accounts/export/download/")
    api = signed_in.get("/api/v1/me/export/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == 'attachment; filename="prepdeck-my-data.json"'
    data = json.loads(response.content)
    assert data == api.json()
    assert data["format"] == "prepdeck-account/1"
    assert data["profile"]["email"] == "ada@example.com"
    assert [token["name"] for token in data["api_tokens"]] == ["my CLI"]


# --- deletion -------------------------------------------------------------------------------------------------


def test_delete_page_explains_what_goes_and_asks_for_confirmation(signed_in: Client) -> None:
    page = signed_in.get("/accounts/delete/").content.decode()

    assert "your cards, review history and statistics" in page
    assert 'data-confirm="Delete your account and all your practice data? This cannot be undone."' in page
    assert '<label for="id_password">Your password</label>' in page
    assert '<a href="/accounts/export/">Export your data</a>' in page


def test_a_wrong_password_deletes_nothing_and_says_so_next_to_the_field(
    signed_in: Client, user: User
) -> None:
    services.api_token_create(user=user, name="my CLI")

    response = signed_in.post("/accounts/delete/", {"password": "not my password"})

    page = response.content.decode()
    assert response.status_code == 200
    assert '<div class="field-errors" id="id_password_error">' in page
    assert "This is not your password." in page
    assert "not my password" not in page
    assert User.objects.filter(pk=user.pk).exists()
    assert ApiToken.objects.filter(user=user).count() == 1
    assert signed_in.session[SESSION_KEY] == str(user.pk)


def test_an_empty_password_deletes_nothing(signed_in: Client, user: User) -> None:
    response = signed_in.post("/accounts/delete/", {"password": ""})

    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert User.objects.filter(pk=user.pk).exists()


def test_deleting_the_account_signs_out_and_goes_home(signed_in: Client, user: User) -> None:
    services.api_token_create(user=user, name="my CLI")
    other = make_user(email="bob@example.com")

    response = signed_in.post("/accounts/delete/", {"password": DEFAULT_PASSWORD}, follow=True)

    assert response.redirect_chain == [("/", 302)]
    assert "Your account and your practice data have been deleted." in response.content.decode()
    assert SESSION_KEY not in signed_in.session
    assert list(User.objects.values_list("email", flat=True)) == [other.email]
    assert not ApiToken.objects.exists()
