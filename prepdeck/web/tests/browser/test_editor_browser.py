"""The editor in a real Chromium: two editors edit the same question at once, and the pages' screenshots."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from prepdeck.accounts.tests.factories import DEFAULT_PASSWORD, make_editor
from prepdeck.catalog import services as catalog_services
from prepdeck.catalog.models import Question
from prepdeck.web.tests.conftest import make_bank

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_edit_conflict_keeps_the_typed_text_and_is_resolved_by_overwriting(
    open_context: Callable[..., BrowserContext],
    sign_in: Callable[[Page, str, str], None],
    screenshot: Callable[[Page, str], Path],
) -> None:
    question = make_bank(3)[0]
    make_editor(email="ada@example.com", display_name="Ada Lovelace")
    make_editor(email="grace@example.com", display_name="Grace Hopper")
    edit_url = f"/questions/{question.pk}/edit/"
    ada = open_context().new_page()
    sign_in(ada, "ada@example.com", DEFAULT_PASSWORD)
    ada.goto(edit_url)
    grace = open_context().new_page()
    sign_in(grace, "grace@example.com", DEFAULT_PASSWORD)
    grace.goto(edit_url)

    # Ada saves first.
    ada.get_by_label("Short answer").fill("Ada's short answer.")
    ada.get_by_role("button", name="Save changes").click()
    expect(ada.get_by_text("Saved as version 2.")).to_be_visible()

    # Grace, still on version 1, types an explanation (the live preview follows) and saves.
    grace.get_by_label("Explanation").fill("Grace's **new** explanation.")
    expect(grace.locator("#explanation-preview strong")).to_have_text("new")
    grace.get_by_role("button", name="Save changes").click()

    conflict = grace.locator("section.conflict")
    expect(grace.get_by_role("alert").filter(has_text="since you opened it")).to_be_visible()
    expect(conflict.get_by_role("heading", level=2)).to_contain_text(
        "This question was changed by Ada Lovelace at"
    )
    expect(conflict).to_contain_text("You opened version 1; it is now version 2.")
    expect(conflict.locator("table.diff ins")).to_have_text("Ada's short answer.")
    expect(grace.get_by_label("Explanation")).to_have_value("Grace's **new** explanation.")
    expect(grace.locator("#explanation-preview strong")).to_have_text("new")
    screenshot(grace, "editor-conflict-light-desktop")
    assert Question.all_objects.get(pk=question.pk).explanation != "Grace's **new** explanation."

    # Grace keeps her version.
    grace.get_by_role("button", name="Overwrite with my version").first.click()
    expect(grace.get_by_text("Saved as version 3.")).to_be_visible()
    saved = Question.all_objects.get(pk=question.pk)
    assert (saved.version, saved.explanation) == (3, "Grace's **new** explanation.")
    assert saved.short_answer == "Feature 0 batches the work into one query."


def test_reloading_after_a_conflict_shows_the_latest_version(
    open_context: Callable[..., BrowserContext], sign_in: Callable[[Page, str, str], None]
) -> None:
    question = make_bank(3)[0]
    editor = make_editor(email="grace@example.com", display_name="Grace Hopper")
    page = open_context().new_page()
    sign_in(page, "grace@example.com", DEFAULT_PASSWORD)
    page.goto(f"/questions/{question.pk}/edit/")
    catalog_services.question_edit(
        question=question,
        user=make_editor(email="ada@example.com"),
        expected_version=1,
        changes={"short_answer": "Ada's short answer."},
    )

    page.get_by_label("Prompt").fill("My reworded prompt?")
    page.get_by_role("button", name="Save changes").click()
    page.get_by_role("link", name="Reload the latest (discard my changes)").click()

    expect(page.get_by_label("Short answer")).to_have_value("Ada's short answer.")
    expect(page.get_by_label("Prompt")).to_have_value(question.prompt)
    assert editor.pk is not None


def _editor_pages(page: Page, question: Question, name: str, screenshot: Callable[[Page, str], Path]) -> None:
    page.goto(f"/questions/{question.pk}/edit/")
    expect(page.get_by_role("heading", name="Edit question")).to_be_visible()
    screenshot(page, f"editor-{name}")
    page.goto(f"/questions/{question.pk}/history/")
    expect(page.get_by_role("heading", name="Changes in version 3")).to_be_visible()
    screenshot(page, f"history-{name}")


@pytest.mark.parametrize(("dark", "phone"), [(False, False), (True, False), (False, True), (True, True)])
def test_editor_and_history_screenshots(
    open_context: Callable[..., BrowserContext],
    sign_in: Callable[[Page, str, str], None],
    screenshot: Callable[[Page, str], Path],
    dark: bool,
    phone: bool,
) -> None:
    question = make_bank(3)[0]
    editor = make_editor(email="ada@example.com", display_name="Ada Lovelace")
    edits: list[dict[str, Any]] = [
        {"short_answer": "It batches the lookups into a single query joined on the foreign key."},
        {
            "explanation": question.explanation.replace("emphasis", "a clear example")
            + "\nAnother paragraph about prefetch_related.\n"
        },
    ]
    for changes in edits:
        question = catalog_services.question_edit(
            question=Question.all_objects.get(pk=question.pk),
            user=editor,
            expected_version=question.version,
            changes=changes,
        )
    page = open_context(dark=dark, phone=phone).new_page()
    sign_in(page, "ada@example.com", DEFAULT_PASSWORD)

    _editor_pages(
        page, question, f"{'dark' if dark else 'light'}-{'phone' if phone else 'desktop'}", screenshot
    )

    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def test_the_editor_is_centred_like_every_page_not_full_width(
    open_context: Callable[..., BrowserContext], sign_in: Callable[[Page, str, str], None]
) -> None:
    make_editor(email="ada@example.com")
    page = open_context().new_page()  # 1280 px wide
    sign_in(page, "ada@example.com", DEFAULT_PASSWORD)

    page.goto("/questions/new/")
    box = page.locator("main").bounding_box()

    assert box is not None
    assert box["width"] == 72 * 16  # 72rem: room for the side-by-side preview, with margins
    assert box["x"] == (1280 - 72 * 16) / 2
