"""An import in a real Chromium: upload a seed document, read the dry run, confirm, read the job's report."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from prepdeck.accounts.tests.factories import DEFAULT_PASSWORD, make_editor
from prepdeck.catalog.models import ImportJob, Question, Source

SEEDS = Path(__file__).resolve().parents[5] / "shared" / "seeds"
SEED = SEEDS / "002_b79a0525d76d0729.txt"  # 18 questions


pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not SEED.is_file(), reason="the seed documents (../shared/seeds) are not present"),
]


def _dry_run(page: Page, *paths: Path) -> None:
    page.goto("/import/")
    page.get_by_label("Files", exact=True).set_input_files([str(path) for path in paths])
    page.get_by_role("button", name="Upload and show the dry run").click()
    expect(page.get_by_role("heading", name="Dry-run report")).to_be_visible()


def test_an_import_from_upload_through_dry_run_to_the_report(
    open_context: Callable[..., BrowserContext],
    sign_in: Callable[[Page, str, str], None],
    screenshot: Callable[[Page, str], Path],
) -> None:
    make_editor(email="ada@example.com")
    page = open_context().new_page()
    sign_in(page, "ada@example.com", DEFAULT_PASSWORD)

    _dry_run(page, SEED)

    expect(page.get_by_text("Dry run: nothing was written yet")).to_be_visible()
    expect(page.locator(".report-counts > div").filter(has_text="Items found").locator("dd")).to_have_text(
        "18"
    )
    expect(page.get_by_role("listitem").filter(has_text=SEED.name).first).to_be_visible()
    assert Question.all_objects.count() == 0

    page.get_by_role("button", name="Confirm import").click()

    expect(page.get_by_role("heading", name="Import report")).to_be_visible()
    expect(page.locator(".job-meta .badge")).to_have_text("Imported")
    expect(page.locator(".report-counts > div").filter(has_text="Items found").locator("dd")).to_have_text(
        "18"
    )
    job = ImportJob.objects.get(dry_run=False)
    assert job.report is not None
    assert Question.all_objects.count() == job.report["created"] + job.report["drafts"]
    assert Source.objects.count() == 18
    screenshot(page, "import-job-light-desktop")

    page.get_by_role("link", name="← Imports").click()
    expect(page.locator("table.jobs tbody tr")).to_have_count(2)


@pytest.mark.parametrize(("dark", "phone"), [(False, False), (True, False), (False, True), (True, True)])
def test_import_report_screenshots(
    open_context: Callable[..., BrowserContext],
    sign_in: Callable[[Page, str, str], None],
    screenshot: Callable[[Page, str], Path],
    dark: bool,
    phone: bool,
) -> None:
    make_editor(email="ada@example.com")
    page = open_context(dark=dark, phone=phone).new_page()
    sign_in(page, "ada@example.com", DEFAULT_PASSWORD)
    name = f"{'dark' if dark else 'light'}-{'phone' if phone else 'desktop'}"

    _dry_run(page, *sorted(SEEDS.iterdir()))
    screenshot(page, f"import-report-{name}")
    page.goto("/import/")
    screenshot(page, f"import-upload-{name}")

    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
