"""PrepDeck on a phone (375 px, touch): nothing wider than the screen, every page reachable, no keyboard hints."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page

from prepdeck.accounts.tests.factories import DEFAULT_PASSWORD, make_editor, make_user
from prepdeck.catalog import services as catalog_services
from prepdeck.catalog.models import Question
from prepdeck.web.tests.conftest import bank_entries, make_bank

pytestmark = pytest.mark.django_db(transaction=True)

# As in the bank: identifiers joined by "/" make one unbreakable word wider than a phone.
LONG_KEY_POINT = "Configure globally (DEFAULT_PARSER_CLASSES/DEFAULT_RENDERER_CLASSES) or per view"


def fits_the_screen(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth"))


def test_a_long_unbroken_key_point_wraps_instead_of_widening_the_page(
    open_context: Callable[..., BrowserContext],
) -> None:
    question = make_bank(1)[0]
    Question.objects.filter(pk=question.pk).update(key_points=[LONG_KEY_POINT])
    page = open_context(phone=True).new_page()

    page.goto(f"/questions/{question.pk}/")

    assert page.get_by_text("Configure globally").is_visible()
    assert fits_the_screen(page)


@pytest.mark.parametrize("editor", [False, True])
def test_every_main_page_is_one_tap_away_in_the_navigation(
    open_context: Callable[..., BrowserContext], sign_in: Callable[[Page, str, str], None], editor: bool
) -> None:
    user = make_editor(email="ed@example.com") if editor else make_user(email="learner@example.com")
    page = open_context(phone=True).new_page()
    sign_in(page, user.email, DEFAULT_PASSWORD)
    page.goto("/")

    navigation = page.get_by_role("navigation", name="Main")
    names = ["Dashboard", "Review", "Browse", "Quiz", "Mock interview", "Statistics", "Interviews"]
    names += ["Import", "New question"] if editor else []
    width = page.evaluate("window.innerWidth")
    for name in names:
        link = navigation.get_by_role("link", name=name, exact=True)
        box = link.bounding_box()
        assert box is not None, name
        assert box["x"] >= 0, (name, box)
        assert box["x"] + box["width"] <= width, (name, box)
    assert fits_the_screen(page)

    navigation.get_by_role("link", name="Statistics").tap()
    page.wait_for_url("**/statistics/")


def test_keyboard_hints_show_with_a_keyboard_and_not_on_a_touch_screen(
    open_context: Callable[..., BrowserContext], sign_in: Callable[[Page, str, str], None]
) -> None:
    user = make_user(email="hints@example.com")
    for phone in (False, True):
        page = open_context(phone=phone).new_page()
        sign_in(page, user.email, DEFAULT_PASSWORD)
        page.goto("/")

        hints = page.locator(".key-hint")
        assert hints.count() >= 3  # the search key, the footer's "?" and the welcome card's keys
        visible = [hints.nth(index).is_visible() for index in range(hints.count())]
        assert visible == [not phone] * len(visible)
        assert page.get_by_text("Show the answer").first.is_visible()


@pytest.mark.parametrize("width", [1280, 390, 375])
def test_search_facet_counts_stay_beside_their_names(
    open_context: Callable[..., BrowserContext], width: int
) -> None:
    # given questions in topics with long names ("Authentication, permissions and throttling")
    entries = bank_entries(6)
    for entry, topic in zip(entries, ["drf-auth-permissions", "postgresql-operations"], strict=False):
        entry["topic"] = topic
    catalog_services.topics_sync()
    catalog_services.questions_upsert(entries, revision_summary="facets")
    page = open_context(phone=width < 1000).new_page()
    page.set_viewport_size({"width": width, "height": 800})

    # when a search lists them
    page.goto("/search/?q=feature")
    page.locator(".facets li").first.wait_for()

    # then every count sits on the first line of its name, to its right, inside the column
    placements = page.evaluate(
        """() => [...document.querySelectorAll('.facets li')].map(item => {
            const name = item.querySelector('a'), count = item.querySelector('.count');
            const range = document.createRange(); range.selectNodeContents(name);
            const firstLine = range.getClientRects()[0], box = count.getBoundingClientRect();
            const column = item.getBoundingClientRect();
            return {
                name: name.textContent,
                besideName: box.left >= name.getBoundingClientRect().right - 0.5,
                onFirstLine: box.top < firstLine.bottom && box.bottom > firstLine.top,
                inside: box.right <= column.right + 0.5,
            };
        })"""
    )
    assert "Authentication, permissions and throttling" in [placement["name"] for placement in placements]
    assert [
        placement
        for placement in placements
        if not all(placement[key] for key in ("besideName", "onFirstLine", "inside"))
    ] == []
    assert fits_the_screen(page)
