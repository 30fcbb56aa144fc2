"""The account pages in Chromium: sign up with the keyboard alone, change preferences, create and revoke an
API token; screenshots of the sign-up, sign-in, preferences and tokens pages in both schemes and sizes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import BrowserContext, Page, expect

from prepdeck.accounts import services
from prepdeck.accounts.models import ApiToken, User
from prepdeck.accounts.tests.factories import DEFAULT_PASSWORD, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def focused_id(page: Page) -> str:
    return str(page.evaluate("document.activeElement && document.activeElement.id"))


def test_sign_up_with_the_keyboard_then_preferences_and_a_token(page: Page, live_server: Any) -> None:
    # given: the sign-up page, whose email field has the focus
    page.goto("/accounts/signup/")
    assert focused_id(page) == "id_email"

    # when: the whole form is filled and sent with the keyboard alone
    page.keyboard.type("kim@example.com")
    page.keyboard.press("Tab")
    assert focused_id(page) == "id_display_name"
    page.keyboard.type("Kim")
    page.keyboard.press("Tab")
    assert focused_id(page) == "id_password1"
    page.keyboard.type("a long passphrase for kim")
    page.keyboard.press("Tab")
    assert focused_id(page) == "id_password2"
    page.keyboard.type("a long passphrase for kim")
    page.keyboard.press("Enter")

    # then: signed in, on the dashboard
    page.wait_for_url(f"{live_server.url}/")
    expect(page.get_by_text("Welcome to PrepDeck. Your account is ready.")).to_be_visible()
    user = User.objects.get()
    assert (user.email, user.display_name) == ("kim@example.com", "Kim")

    # preferences: the account link in the header leads there; the retention effect follows the typing
    page.get_by_role("navigation", name="Account").get_by_role("link", name="Kim").click()
    page.wait_for_url("**/accounts/preferences/")
    page.get_by_label("Time zone").fill("Europe/Berlin")
    page.get_by_label("New study day starts at").select_option("6")
    retention = page.get_by_label("Desired retention")
    retention.fill("0.95")
    expect(page.locator("#retention-effect")).to_contain_text(
        "At 0.95 you should recall about 95 of every 100"
    )
    page.get_by_label("New questions per day").fill("12")
    page.get_by_label("New questions per day").press("Enter")
    expect(page.get_by_text("Preferences saved.")).to_be_visible()
    user.refresh_from_db()
    assert (user.time_zone, user.day_start_hour, user.desired_retention, user.daily_new_limit) == (
        "Europe/Berlin",
        6,
        0.95,
        12,
    )

    # a token: created, shown once with a copy button, then revoked after a confirmation
    page.get_by_role("navigation", name="Account sections").get_by_role("link", name="API tokens").click()
    expect(page.get_by_text("No API tokens yet")).to_be_visible()
    page.get_by_label("Token name").fill("my CLI")
    page.get_by_label("Token name").press("Enter")
    page.wait_for_url("**/accounts/tokens/created/")
    secret = page.get_by_label("Your token")
    expect(secret).to_be_focused()
    raw = secret.input_value()
    assert raw.startswith("pd_")
    assert services.api_token_authenticate(raw=raw) == ApiToken.objects.get(user=user)
    copy = page.get_by_role("button", name="Copy token")
    expect(copy).to_be_visible()
    copy.click()
    expect(page.locator("[data-copy-status]")).not_to_be_empty()
    page.get_by_role("link", name="Done, back to my tokens").click()
    page.wait_for_url("**/accounts/tokens/")
    expect(page.get_by_role("rowheader", name="my CLI")).to_be_visible()
    assert raw not in page.content()

    dialogs: list[str] = []

    def accept(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.accept()

    page.once("dialog", accept)
    page.get_by_role("button", name="Revoke my CLI").click()
    expect(page.get_by_text("Token revoked.")).to_be_visible()
    assert dialogs == ["Revoke the token “my CLI”? Programs using it will stop working."]
    expect(page.get_by_text("No API tokens yet")).to_be_visible()
    assert not ApiToken.objects.exists()


def test_cancelling_the_revoke_confirmation_keeps_the_token(
    page: Page, sign_in: Callable[[Page, str, str], None]
) -> None:
    user = make_user(email="ada@example.com")
    services.api_token_create(user=user, name="laptop")
    sign_in(page, "ada@example.com", DEFAULT_PASSWORD)

    page.goto("/accounts/tokens/")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="Revoke laptop").click()

    expect(page.get_by_role("rowheader", name="laptop")).to_be_visible()
    assert ApiToken.objects.count() == 1


def test_deleting_the_account_after_a_wrong_password_and_a_confirmation(
    page: Page, sign_in: Callable[[Page, str, str], None], live_server: Any
) -> None:
    make_user(email="ada@example.com")
    sign_in(page, "ada@example.com", DEFAULT_PASSWORD)
    page.goto("/accounts/delete/")
    dialogs: list[str] = []

    def accept(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)
    page.get_by_label("Your password").fill("not my password")
    page.get_by_role("button", name="Delete my account").click()
    expect(page.get_by_text("This is not your password.")).to_be_visible()
    expect(page.get_by_label("Your password")).to_be_focused()
    assert User.objects.count() == 1

    page.keyboard.type(DEFAULT_PASSWORD)
    page.keyboard.press("Enter")

    page.wait_for_url(f"{live_server.url}/")
    expect(page.get_by_text("Your account and your practice data have been deleted.")).to_be_visible()
    expect(page.get_by_role("navigation", name="Account").get_by_role("link", name="Sign in")).to_be_visible()
    assert dialogs == ["Delete your account and all your practice data? This cannot be undone."] * 2
    assert not User.objects.exists()


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_account_pages_screenshots(
    open_context: Callable[..., BrowserContext],
    sign_in: Callable[[Page, str, str], None],
    screenshot: Callable[[Page, str], Path],
    dark: bool,
    phone: bool,
) -> None:
    suffix = f"{'dark' if dark else 'light'}-{'phone' if phone else 'desktop'}"
    user = make_user(email="ada.lovelace@example.com", display_name="Ada")
    used, _ = services.api_token_create(user=user, name="CI pipeline")
    ApiToken.objects.filter(pk=used.pk).update(last_used_at=timezone.now() - timedelta(hours=3))
    services.api_token_create(user=user, name="my laptop script")
    page = open_context(dark=dark, phone=phone).new_page()
    too_wide: list[str] = []

    def shoot(name: str) -> None:
        screenshot(page, f"{name}-{suffix}")
        if not page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth"):
            too_wide.append(name)

    page.goto("/accounts/signup/")
    shoot("signup")
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill("ada.lovelace@example.com")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Please enter a correct email address and password")).to_be_visible()
    shoot("login")

    sign_in(page, "ada.lovelace@example.com", DEFAULT_PASSWORD)
    page.goto("/accounts/preferences/")
    page.get_by_text("What the typical values mean").click()
    shoot("preferences")
    page.goto("/accounts/tokens/")
    shoot("tokens")
    page.get_by_label("Token name").fill("new one")
    page.get_by_role("button", name="Create token").click()
    page.wait_for_url("**/accounts/tokens/created/")
    shoot("tokens-created")
    page.goto("/accounts/export/")
    shoot("export")
    page.goto("/accounts/delete/")
    shoot("delete")
    page.goto("/accounts/password/change/")
    expect(page.get_by_text("your 3 personal API tokens, which are revoked")).to_be_visible()
    shoot("password-change")

    assert too_wide == []  # no page scrolls sideways
