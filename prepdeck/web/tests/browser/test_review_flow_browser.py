"""The review flow without dead ends in a real browser (issue 13 item 5): a typed answer by keyboard only,
continuing after the finished screen, and studying a topic beyond the daily limit."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from prepdeck.accounts.tests.factories import DEFAULT_PASSWORD, make_user
from prepdeck.practice import services
from prepdeck.practice.models import Review
from prepdeck.web.tests.conftest import make_bank

pytestmark = pytest.mark.django_db(transaction=True)

Shot = Callable[[Page, str], Path]


def test_a_typed_answer_by_keyboard_only_and_letters_in_the_box_fire_no_shortcut(
    page: Page, sign_in: Any
) -> None:
    # given a learner who already rated one card (so "u" would undo it)
    bank = make_bank(3)
    user = make_user(email="typing@example.com")
    services.review_submit(user=user, question_id=bank[2].pk, rating=4, idempotency_key="before")
    sign_in(page, user.email, DEFAULT_PASSWORD)
    page.goto("/review/")
    expect(page.locator("#review-prompt")).to_be_visible()
    page.wait_for_load_state()  # our script, which reads the keys, has run

    # when they press t, type an answer holding every shortcut letter, then Ctrl+Enter
    page.keyboard.press("t")
    box = page.get_by_label("Your answer")
    expect(box).to_be_focused()
    expect(box).to_have_value("")  # the "t" itself opened the box; it is not typed into it
    answer = "It runs one query: u g r ? / 1 2 3 4 select_related follows foreign keys with a join."
    page.keyboard.type(answer)
    page.keyboard.press("Control+Enter")

    # then the answer was graded, nothing was undone or rated by the letters, and a rating key rates
    expect(page.locator(".grade")).to_contain_text("Your answer covered")
    expect(page.get_by_label("Your answer")).to_have_value(answer)
    assert Review.objects.filter(user=user).count() == 1
    assert page.url.endswith("/review/")
    # keys are ignored while a request is on its way (by design): wait for the graded card to settle
    expect(page.locator("[data-review] .htmx-request, [data-review].htmx-request")).to_have_count(0)
    expect(page.locator(".rating.suggested")).to_be_focused()
    page.keyboard.press("3")
    expect(page.locator("span.review-done")).to_have_text("2")
    assert Review.objects.filter(user=user).count() == 2


def test_opening_the_box_with_the_mouse_puts_the_cursor_in_it(page: Page, sign_in: Any) -> None:
    bank = make_bank(3)
    user = make_user(email="mouse@example.com")
    services.review_submit(user=user, question_id=bank[2].pk, rating=4, idempotency_key="before")
    sign_in(page, user.email, DEFAULT_PASSWORD)
    page.goto("/review/")
    page.wait_for_load_state()

    page.get_by_text("Type your answer first").click()
    expect(page.get_by_label("Your answer")).to_be_focused()
    page.keyboard.type("u")

    expect(page.get_by_label("Your answer")).to_have_value("u")
    assert Review.objects.filter(user=user).count() == 1  # "u" did not undo the earlier rating


def test_continue_after_the_finished_screen_when_a_learning_step_is_minutes_away(
    page: Page, sign_in: Any, screenshot: Shot
) -> None:
    # given one new card a day
    make_bank(3)
    user = make_user(email="continue@example.com", daily_new_limit=1)
    sign_in(page, user.email, DEFAULT_PASSWORD)
    page.goto("/review/")
    prompt = page.locator("#review-prompt").inner_text()
    page.wait_for_load_state()

    # when they forget it (Again: back in a minute), the finished screen offers to go on
    page.keyboard.press("Space")
    page.keyboard.press("1")
    expect(page.locator("#done-heading")).to_have_text("All done for now")
    offer = page.get_by_role("link", name="Continue now")
    expect(offer).to_be_visible()
    expect(page.locator(".continue-offer")).to_contain_text("1 card in learning is due within 20 minutes")
    expect(offer).to_be_focused()
    screenshot(page, "review-continue-offer-light-desktop")
    page.keyboard.press("Enter")

    # then the same card is shown again at once and is rated by keyboard
    expect(page.locator("#review-prompt")).to_have_text(prompt)
    page.wait_for_load_state()
    page.keyboard.press("Space")
    page.keyboard.press("3")
    expect(page.locator("span.review-done")).to_have_text("2")
    assert list(Review.objects.filter(user=user).order_by("id").values_list("rating", flat=True)) == [1, 3]


def test_study_a_topic_beyond_the_daily_limit(page: Page, sign_in: Any, screenshot: Shot) -> None:
    # given the daily limit of 1 already met with an ORM question (bank[n]'s topic is n % 3: 0 is ORM)
    bank = make_bank(12)
    user = make_user(email="more@example.com", daily_new_limit=1)
    services.review_submit(user=user, question_id=bank[0].pk, rating=4, idempotency_key="first")
    sign_in(page, user.email, DEFAULT_PASSWORD)

    # when they open the ORM session, it says the limit is met and offers more
    page.goto("/review/?topic=django-orm")
    expect(page.locator("#done-heading")).to_be_visible()
    screenshot(page, "review-learn-more-offer-light-desktop")
    page.get_by_role("link", name="Learn 3 more in ORM and QuerySets").click()

    # then new ORM questions come, the page says why, and the learner rates them
    expect(page.locator(".learning-more")).to_contain_text(
        "up to 10 new questions beyond your daily limit of 1, because you asked for them"
    )
    screenshot(page, "review-learning-more-light-desktop")
    seen: list[str] = []
    for done in (2, 3, 4):
        prompt = page.locator("#review-prompt")
        if seen:  # the next card is in (another prompt) and has settled (its prompt has the focus)
            expect(prompt).not_to_have_text(seen[-1])
            expect(prompt).to_be_focused()
        seen.append(prompt.inner_text())
        expect(page.locator(".review-card .badge").first).to_have_text("ORM and QuerySets")
        expect(page.locator(".review-card .badge.status")).to_have_text("New")
        page.wait_for_load_state()
        page.keyboard.press("Space")
        expect(page.locator("[data-answer]")).to_be_visible()
        page.keyboard.press("4")
        expect(page.locator("span.review-done")).to_have_text(str(done))
    expect(page.locator("#done-heading")).to_have_text("All done for now")
    assert Review.objects.filter(user=user, card__question__topic__slug="django-orm").count() == 4


def test_a_key_pressed_before_the_new_card_settles_waits_for_it_instead_of_reloading_the_page(
    page: Page, sign_in: Any
) -> None:
    # given a learner on the review page, on a machine so busy that htmx settles a swap only 600 ms later
    bank = make_bank(3)
    user = make_user(email="busy@example.com")
    services.review_submit(user=user, question_id=bank[2].pk, rating=4, idempotency_key="before")
    sign_in(page, user.email, DEFAULT_PASSWORD)
    page.goto("/review/")
    expect(page.locator("#review-prompt")).to_be_visible()
    page.wait_for_load_state()  # our script, which reads the keys, has run
    page.evaluate("htmx.config.defaultSettleDelay = 600; window.reviewPage = 'still the same page'")

    # when they rate a card and press "u" as soon as the next one shows, before htmx has wired its forms
    page.keyboard.press("Space")
    expect(page.locator("[data-answer]")).to_be_visible()
    page.keyboard.press("3")
    expect(page.locator(".review-done")).to_have_text("2")
    assert page.locator("#review.htmx-settling").count() == 1  # the undo button is not wired yet
    page.keyboard.press("u")

    # then the undo is done through htmx once the card has settled: no page load, one rating taken back
    expect(page.locator(".review-done")).to_have_text("1")
    assert page.evaluate("window.reviewPage") == "still the same page"
    assert Review.objects.filter(user=user).count() == 1
