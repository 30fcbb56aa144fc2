"""Every main page, as an editor in a real browser: labelled controls, one h1, alt text, visible focus,
and a keyboard user reaches the content first."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page

from prepdeck.accounts.tests.factories import DEFAULT_PASSWORD, make_editor
from prepdeck.practice import services as practice_services
from prepdeck.practice import sessions
from prepdeck.web.tests.conftest import make_bank

pytestmark = pytest.mark.django_db(transaction=True)

PAGES = [
    "/",
    "/browse/",
    "/questions/{question}/",
    "/search/?q=join",
    "/review/",
    "/quiz/",
    "/quiz/{quiz}/",
    "/mock/",
    "/mock/{mock}/report/",
    "/statistics/",
    "/import/",
    "/questions/new/",
    "/questions/{question}/edit/",
    "/questions/{question}/history/",
    "/accounts/preferences/",
    "/accounts/tokens/",
    "/accounts/export/",
    "/accounts/delete/",
    "/no-such-page/",
]

# Every visible form control (and button) without an accessible name: a label, aria-label(ledby), title,
# or for buttons their text.
UNLABELLED_CONTROLS = """
() => Array.from(document.querySelectorAll('input, select, textarea, button'))
  .filter(el => el.type !== 'hidden' && el.offsetParent !== null)
  .filter(el => !(
      (el.labels && el.labels.length) || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby')
      || el.title || (el.tagName === 'BUTTON' && el.textContent.trim())
      || (el.type === 'submit' && el.value)))
  .map(el => el.outerHTML.slice(0, 120))
"""
IMAGES_WITHOUT_ALT = (
    "() => Array.from(document.images).filter(img => !img.hasAttribute('alt')).map(img => img.src)"
)


def test_every_main_page_is_usable_by_keyboard_and_screen_reader(page: Page, sign_in: Any) -> None:
    questions = make_bank(12)
    editor = make_editor(email="a11y@example.com")
    for number, question in enumerate(questions[:4]):
        practice_services.review_submit(
            user=editor, question_id=question.pk, rating=3, idempotency_key=str(number)
        )
    quiz = sessions.quiz_create(user=editor, kind="written", count=2, seed=3)
    mock = sessions.mock_start(user=editor, topics=[], difficulty_mix={"basic": 1})
    sessions.mock_finish(user=editor, interview_id=mock.pk)
    sign_in(page, editor.email, DEFAULT_PASSWORD)

    for template in PAGES:
        url = template.format(question=questions[0].pk, quiz=quiz.pk, mock=mock.pk)
        page.goto(url)

        assert page.evaluate("document.documentElement.lang") == "en", url
        assert page.locator("h1").count() == 1, url
        assert page.evaluate(UNLABELLED_CONTROLS) == [], url
        assert page.evaluate(IMAGES_WITHOUT_ALT) == [], url
        if page.evaluate("document.activeElement !== document.body"):
            # a page that puts the cursor in its main field (search, a new question) is already in the content
            assert page.evaluate("document.activeElement.closest('main') !== null"), url
            continue
        # otherwise the first Tab lands on "Skip to content", visibly, and following it moves focus to the content
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "() => ({text: document.activeElement.textContent.trim(),"
            " outline: getComputedStyle(document.activeElement).outlineStyle,"
            " left: document.activeElement.getBoundingClientRect().left})"
        )
        assert focused["text"] == "Skip to content", url
        assert focused["outline"] != "none", url
        assert focused["left"] >= 0, url  # on screen while focused
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "main", url


def test_the_shortcut_list_opens_with_a_question_mark_and_closes_with_escape(page: Page) -> None:
    page.goto("/browse/")

    page.keyboard.press("?")
    shown = page.locator("#shortcuts").is_visible()
    # the heading starts at the dialog's padding: no blank band above it
    gap = page.evaluate(
        "(() => { const dialog = document.querySelector('#shortcuts');"
        " const title = document.querySelector('#shortcuts-title');"
        " return title.getBoundingClientRect().top - dialog.getBoundingClientRect().top - dialog.clientTop"
        " - parseFloat(getComputedStyle(dialog).paddingTop); })()"
    )
    page.keyboard.press("Escape")

    assert shown
    assert abs(gap) < 1
    assert not page.locator("#shortcuts").is_visible()


def test_slash_focuses_the_search_box(page: Page) -> None:
    page.goto("/browse/")

    page.keyboard.press("/")

    assert page.evaluate("document.activeElement.id") == "site-search"


@pytest.mark.parametrize(
    # Wait for what appears only once the schema has been fetched and rendered (the operations list), so
    # that every request and console message of the rendered page happens while the test watches.
    ("url", "ready"),
    [("/api/docs/", ".swagger-ui .opblock"), ("/api/redoc/", ".api-content [id^='operation/']")],
)
def test_the_api_docs_render_from_our_own_files(page: Page, url: str, ready: str) -> None:
    response = page.goto(url)

    assert response is not None
    assert response.status == 200
    # Redoc lays out the whole schema (every operation) in the browser before the first one is attached:
    # seconds of CPU that a loaded 2-core CI machine stretched past the default wait.
    page.locator(ready).first.wait_for(state="attached", timeout=60_000)
    page.wait_for_load_state("networkidle", timeout=60_000)  # the images and fonts the rendered page asks for


@pytest.mark.parametrize("dark", [False, True])
def test_swagger_follows_the_colour_scheme(
    open_context: Callable[..., BrowserContext], screenshot: Callable[[Page, str], Path], dark: bool
) -> None:
    page = open_context(dark=dark).new_page()
    page.goto("/api/docs/")
    page.locator(".swagger-ui .opblock").first.wait_for(state="attached")

    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    inverted = page.evaluate("getComputedStyle(document.querySelector('.swagger-ui')).filter")

    screenshot(page, f"api-docs-{'dark' if dark else 'light'}-desktop")
    assert background == ("rgb(13, 17, 23)" if dark else "rgb(250, 250, 250)")
    assert ("invert" in inverted) is dark
