"""The home page, dashboard and statistics in Chromium: light and dark, desktop and phone, with screenshots."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import BrowserContext, Page

from prepdeck.accounts.models import User
from prepdeck.accounts.tests.factories import DEFAULT_PASSWORD, make_user
from prepdeck.practice import services, sessions
from prepdeck.web.tests.conftest import make_bank

pytestmark = pytest.mark.django_db(transaction=True)

SCHEMES = [(dark, phone) for dark in (False, True) for phone in (False, True)]


def name(page: str, dark: bool, phone: bool) -> str:
    return f"{page}-{'dark' if dark else 'light'}-{'phone' if phone else 'desktop'}"


def active_learner() -> User:
    """A learner with two months of reviews (some forgotten, so cards are due) and a finished mock interview."""
    questions = make_bank(12)
    user = make_user(email="active@example.com", display_name="Ada")
    now = timezone.now()
    for day in range(60, 0, -1):
        for offset in range(day % 4):  # a few reviews on most days, none on every fourth day
            question = questions[(day + offset) % 9]
            services.review_submit(
                user=user,
                question_id=question.pk,
                rating=1 if (day + offset) % 5 == 0 else 3,
                idempotency_key=f"{day}-{offset}",
                now=now - timedelta(days=day, hours=offset),
            )
    interview = sessions.mock_start(user=user, topics=["django-orm"], difficulty_mix={"basic": 1})
    sessions.mock_finish(user=user, interview_id=interview.pk)
    return user


def fits_the_screen(page: Page) -> bool:
    """No horizontal scrolling of the page itself (the heatmap scrolls inside its own frame)."""
    return bool(page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth"))


def test_a_visitor_sees_the_introduction(
    open_context: Callable[..., BrowserContext], screenshot: Callable[[Page, str], Path]
) -> None:
    for dark, phone in SCHEMES:
        page = open_context(dark=dark, phone=phone).new_page()
        page.goto("/")

        assert (
            page.get_by_role("heading", level=1).inner_text()
            == "Prepare for Django, DRF and PostgreSQL interviews"
        )
        assert page.get_by_role("link", name="Create a free account").is_visible()
        screenshot(page, name("home-anonymous", dark, phone))
        assert fits_the_screen(page)

    page.get_by_role("link", name="Browse questions").first.click()
    page.wait_for_url("**/browse/")


def test_dashboard_and_statistics_of_an_active_learner(
    open_context: Callable[..., BrowserContext],
    sign_in: Callable[[Page, str, str], None],
    screenshot: Callable[[Page, str], Path],
) -> None:
    user = active_learner()

    for dark, phone in SCHEMES:
        page = open_context(dark=dark, phone=phone).new_page()
        sign_in(page, user.email, DEFAULT_PASSWORD)
        page.goto("/")

        assert page.get_by_role("heading", level=1).inner_text() == "Hello, Ada"
        assert page.get_by_role("link", name="Start review").is_visible()
        heatmap = page.get_by_role("img", name="reviews on")
        assert heatmap.count() == 1
        assert page.locator(".chart-heatmap rect.day").count() in {370, 371}  # 365/366 days, 5 in the legend
        assert page.get_by_role("link", name="Report").count() == 1
        screenshot(page, name("dashboard", dark, phone))
        assert fits_the_screen(page)

        page.goto("/statistics/")
        assert page.get_by_role("heading", level=1).inner_text() == "Statistics"
        assert page.get_by_role("img").count() >= 3
        screenshot(page, name("statistics", dark, phone))
        assert fits_the_screen(page)


def test_the_heatmap_starts_scrolled_to_the_latest_weeks_on_a_phone(
    open_context: Callable[..., BrowserContext], sign_in: Callable[[Page, str, str], None]
) -> None:
    user = make_user(email="phone@example.com")
    page = open_context(phone=True).new_page()
    sign_in(page, user.email, DEFAULT_PASSWORD)
    page.goto("/")

    frame = page.locator(".chart-scroll")
    sizes: dict[str, Any] = frame.evaluate(
        "frame => ({scroll: frame.scrollWidth, client: frame.clientWidth, "
        "right: frame.getBoundingClientRect().right, "
        "last: frame.querySelector('svg').getBoundingClientRect().right})"
    )
    assert sizes["scroll"] > sizes["client"]  # it scrolls inside its frame...
    assert abs(sizes["last"] - sizes["right"]) < 2  # ...and shows the latest weeks first


def test_the_welcome_card_starts_the_first_review(
    open_context: Callable[..., BrowserContext],
    sign_in: Callable[[Page, str, str], None],
    screenshot: Callable[[Page, str], Path],
) -> None:
    make_bank(6)
    user = make_user(email="new@example.com")
    for dark, phone in [(False, False), (True, True)]:
        page = open_context(dark=dark, phone=phone).new_page()
        sign_in(page, user.email, DEFAULT_PASSWORD)
        page.goto("/")
        assert page.get_by_role("heading", name="Welcome to PrepDeck").is_visible()
        screenshot(page, name("dashboard-new", dark, phone))
        assert fits_the_screen(page)
        page.goto("/statistics/")
        assert page.get_by_text("No reviews yet").is_visible()
        screenshot(page, name("statistics-empty", dark, phone))

    page.goto("/")
    page.get_by_role("link", name="Start your first review").click()
    page.wait_for_url("**/review/")
