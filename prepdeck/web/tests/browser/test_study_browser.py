"""The learner's journeys in a real browser: sign up and review by keyboard, search, quiz, mock interview."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from prepdeck.accounts.models import User
from prepdeck.accounts.tests.factories import DEFAULT_PASSWORD, make_user
from prepdeck.catalog.models import Question
from prepdeck.practice.models import Card, MockInterview, Review, ReviewSource
from prepdeck.web.tests.conftest import make_bank

pytestmark = pytest.mark.django_db(transaction=True)

Shot = Callable[[Page, str], Path]


def test_sign_up_and_review_five_cards_with_the_keyboard_only(page: Page, screenshot: Shot) -> None:
    # given a bank and a visitor on the sign-up page
    make_bank(12)
    page.goto("/accounts/signup/")
    page.get_by_label("Email").focus()

    # when they fill the form with the keyboard, then review five cards with Space and 2/3/4 only
    page.keyboard.type("keys@example.com")
    page.keyboard.press("Tab")
    while page.evaluate("document.activeElement.type") != "password":
        page.keyboard.press("Tab")
    page.keyboard.type(DEFAULT_PASSWORD)
    page.keyboard.press("Tab")
    page.keyboard.type(DEFAULT_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"^http://[^/]+/$"))  # signed up and on the dashboard
    page.goto("/statistics/")
    assert _stat(page, "Reviews") == "0"
    assert _stat(page, "Questions studied") == "0"
    page.goto("/")
    page.keyboard.press("g")
    page.keyboard.press("r")
    page.wait_for_url("**/review/")
    prompts = []
    for number, key in enumerate(["3", "4", "2", "3", "3"]):
        prompt = page.locator("#review-prompt")
        expect(prompt).to_be_visible()
        prompts.append(prompt.inner_text())
        expect(page.locator("[data-answer]")).to_be_hidden()
        if number:  # a card swapped in has settled once its prompt has the focus (a key may reach it before)
            expect(prompt).to_be_focused()
        page.keyboard.press("Space")
        expect(page.locator("[data-answer]")).to_be_visible()
        if number == 0:
            screenshot(page, "review-answer-light-desktop")
        page.keyboard.press(key)
        expect(page.locator(".review-done")).to_have_text(str(number + 1))

    # then five reviews were recorded, one per card shown, and the statistics say so
    user = User.objects.get(email="keys@example.com")
    assert Review.objects.filter(user=user).count() == 5
    assert sorted(Review.objects.filter(user=user).values_list("rating", flat=True)) == [2, 3, 3, 3, 4]
    assert len(set(prompts)) == 5
    page.evaluate("window.reviewPage = 'still the same page'")  # gone if anything reloads the page
    page.keyboard.press("u")  # at once: the last card may not have settled yet
    expect(page.locator(".review-done")).to_have_text("4")
    assert Review.objects.filter(user=user).count() == 4
    expect(page.locator("[data-answer]")).to_be_hidden()
    assert page.evaluate("window.reviewPage") == "still the same page"  # the undo came through htmx
    page.keyboard.press("Space")
    # Keys are ignored while a request is on its way (so a double press never rates twice): wait for the
    # answer before rating, as a person would. Pressing "3" at once lost the rating on a busy machine.
    expect(page.locator("[data-answer]")).to_be_visible()
    page.keyboard.press("3")
    expect(page.locator(".review-done")).to_have_text("5")
    page.goto("/statistics/")
    assert _stat(page, "Reviews") == "5"  # the four kept, the undone one gone, one more after the undo
    assert _stat(page, "Reviews today") == "5"
    assert _stat(page, "Questions studied") == "5"
    assert Review.objects.filter(user=user).count() == 5


def _stat(page: Page, label: str) -> str:
    """The figure shown under ``label`` on the statistics page."""
    card = page.locator(".card").filter(has=page.locator("dt", has_text=re.compile(f"^{label}$")))
    return card.locator("dd").inner_text().split()[0]


def test_a_typed_answer_is_graded_before_rating(page: Page, sign_in: Any) -> None:
    make_bank(3)
    user = make_user(email="typed@example.com")
    sign_in(page, user.email, DEFAULT_PASSWORD)
    page.goto("/review/")

    page.get_by_text("Type your answer first").click()
    page.get_by_label("Your answer").fill(
        "It runs one query, select_related follows foreign keys with a join, and prefetch_related runs a "
        "second query."
    )
    page.keyboard.press("Control+Enter")

    expect(page.locator(".grade")).to_contain_text("Your answer covered")
    expect(page.locator(".grade .points li.covered").first).to_be_visible()
    expect(
        page.locator(".graded-answer mark.covered", has_text="select_related follows foreign keys")
    ).to_have_count(1)
    expect(page.locator(".rating.suggested")).to_have_count(1)
    page.locator(".rating.suggested").click()
    expect(page.locator(".review-done")).to_have_text("1")
    assert Review.objects.get(user=user).rating in {2, 3, 4}


def test_a_contradicting_typed_answer_is_highlighted_in_both_colour_schemes(
    open_context: Callable[..., BrowserContext], sign_in: Any, screenshot: Shot
) -> None:
    make_bank(3)
    user = make_user(email="contradicts@example.com")
    for dark in (False, True):
        page = open_context(dark=dark).new_page()
        sign_in(page, user.email, DEFAULT_PASSWORD)
        page.goto("/review/")

        page.get_by_text("Type your answer first").click()
        page.get_by_label("Your answer").fill(
            "It runs one query. select_related does not follow foreign keys, it never uses a join."
        )
        page.keyboard.press("Control+Enter")

        expect(page.locator(".grade .points li.contradicted")).to_contain_text(
            "select_related follows foreign keys with a join"
        )
        expect(page.locator(".graded-answer mark.contradicted")).to_contain_text(
            "select_related does not follow foreign keys, it never uses a join"
        )
        screenshot(page, f"review-graded-{'dark' if dark else 'light'}-desktop")
    assert Review.objects.filter(user=user).count() == 0


def test_search_with_a_typo_suggests_the_right_word(page: Page, screenshot: Shot) -> None:
    make_bank(12)
    page.goto("/search/")

    page.get_by_label("Search for").fill("foriegn keys")

    expect(page.locator(".did-you-mean")).to_contain_text("foreign keys")
    expect(page.locator("#search-results .question-list li").first).to_be_visible()
    assert "q=foriegn%20keys" in page.url  # the address follows what was typed, so it can be shared
    expect(page.locator("#search-results mark").first).to_be_visible()
    screenshot(page, "search-typo-light-desktop")
    page.locator(".facets a").first.click()
    expect(page.locator(".active-filters")).to_be_visible()


def test_a_multiple_choice_quiz_from_start_to_score(page: Page, sign_in: Any, screenshot: Shot) -> None:
    make_bank(12)
    user = make_user(email="quiz@example.com")
    sign_in(page, user.email, DEFAULT_PASSWORD)
    page.goto("/quiz/")
    page.get_by_label("Questions", exact=True).select_option("5")
    page.get_by_role("button", name="Start the quiz").click()

    for number in range(5):
        # the next question's options (the feedback page before it has a #quiz-prompt too)
        expect(page.locator("[data-quiz-options]")).to_be_visible()
        page.wait_for_load_state()  # our script, which reads the number keys, has run
        if number == 0:
            screenshot(page, "quiz-question-light-desktop")
        if number % 2:  # by mouse
            page.locator(".option").nth(number % 4).click()
            page.get_by_role("button", name="Answer").click()
        else:  # by keyboard: a number picks the option, Enter answers
            page.keyboard.press(str(number % 4 + 1))
            expect(page.locator(".option input").nth(number % 4)).to_be_checked()
            page.keyboard.press("Enter")
        expect(page.locator(".options.answered li.correct")).to_have_count(1)
        page.locator(".actions .button").click()

    expect(page.locator("#summary-heading")).to_contain_text("You scored")
    screenshot(page, "quiz-summary-light-desktop")
    assert Review.objects.filter(user=user, source=ReviewSource.QUIZ).count() == 5
    assert Card.objects.filter(user=user).count() == 5


def test_a_mock_interview_to_its_report(page: Page, sign_in: Any, screenshot: Shot) -> None:
    make_bank(12)
    user = make_user(email="mock@example.com")
    sign_in(page, user.email, DEFAULT_PASSWORD)
    page.goto("/mock/")
    page.get_by_label("Basic").fill("1")
    page.get_by_label("Intermediate").fill("1")
    page.get_by_label("Advanced").fill("0")
    page.get_by_label("Time per question").select_option("60")
    page.get_by_role("button", name="Start the interview").click()

    expect(page.get_by_role("timer")).to_have_text(re.compile(r"^[01]:\d\d$"))
    screenshot(page, "mock-question-light-desktop")
    answer = "select_related follows foreign keys with a join; it runs one query."
    page.get_by_label("Your answer").fill(answer)
    page.goto(page.url)  # coming back to the page (not a reload, whose form restore is the browser's own)
    expect(page.get_by_label("Your answer")).to_have_value(answer)
    page.get_by_role("button", name="Submit and continue").click()
    expect(page.get_by_label("Your answer")).to_have_value("")  # the next question starts empty
    page.get_by_label("Your answer").fill("I am not sure.")
    page.get_by_role("button", name="Submit and finish").click()

    expect(page.get_by_role("heading", name="Mock interview report")).to_be_visible()
    expect(page.locator("#missed")).to_be_visible()
    expect(page.locator(".topic-scores tbody tr")).not_to_have_count(0)
    screenshot(page, "mock-report-light-desktop")
    interview = MockInterview.objects.get(user=user)
    assert interview.report is not None
    assert interview.report["answered"] == 2
    assert Review.objects.filter(user=user, source=ReviewSource.MOCK).count() == 2


PAGES = [
    ("browse", "/browse/"),
    ("question", "/questions/{question}/"),
    ("search", "/search/?q=select_related"),
    ("review", "/review/"),
    ("quiz-new", "/quiz/"),
    ("mock-new", "/mock/"),
]


@pytest.mark.parametrize(("dark", "phone"), [(False, False), (True, False), (False, True), (True, True)])
def test_screenshots_of_the_study_pages(
    open_context: Callable[..., BrowserContext], sign_in: Any, screenshot: Shot, dark: bool, phone: bool
) -> None:
    questions = make_bank(12)
    user = make_user(email=f"shots-{int(dark)}{int(phone)}@example.com")
    question = Question.objects.get(pk=questions[0].pk)
    page = open_context(dark=dark, phone=phone).new_page()
    sign_in(page, user.email, DEFAULT_PASSWORD)
    suffix = f"{'dark' if dark else 'light'}-{'phone' if phone else 'desktop'}"

    for name, url in PAGES:
        response = page.goto(url.format(question=question.pk))
        assert response is not None
        assert response.status == 200, name
        # nothing is wider than the screen: no sideways scrolling on a phone
        assert page.evaluate(
            "document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1"
        ), name
        screenshot(page, f"{name}-{suffix}")
