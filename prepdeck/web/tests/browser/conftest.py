"""Browser tests: Playwright driving Debian's Chromium against a live server.

They skip, saying why, where Chromium (``apt-get install chromium``) or Playwright is missing; ``.ci/run``
installs Chromium so they run in CI. Every page a test opens is watched: a console error, an uncaught
exception, a Content-Security-Policy violation or a request to another origin fails the test.

Screenshots go to ``PREPDECK_SCREENSHOTS`` (default ``test-artifacts/screenshots``); the run prints the folder.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.conf import settings

try:
    from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright
except ImportError:  # pragma: no cover - the dev extra installs it
    sync_playwright = None  # type: ignore[assignment]

CHROMIUM = os.environ.get("PREPDECK_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = Path(
    os.environ.get("PREPDECK_SCREENSHOTS", settings.BASE_DIR / "test-artifacts" / "screenshots")
)
DESKTOP: dict[str, Any] = {"viewport": {"width": 1280, "height": 860}}
PHONE: dict[str, Any] = {
    "viewport": {"width": 375, "height": 760},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}

_taken: list[Path] = []


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _taken:
        terminalreporter.write_line(f"Browser screenshots ({len(_taken)}): {SCREENSHOTS}")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if sync_playwright is None:
        pytest.skip("Playwright is not installed (pip install -e '.[dev]')")
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed: apt-get install chromium")
    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make around it are
    # ordinary blocking calls, so Django's async-safety guard does not apply to them. Module-scoped, so the
    # variable is set only while a browser module runs (subprocesses of other tests must not inherit it).
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--headless", "--no-sandbox"]
        )
        yield browser
        browser.close()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


class PageProblems:
    """What went wrong on the pages of one test: console errors, exceptions, foreign requests."""

    def __init__(self, origin: str) -> None:
        self.origin = origin
        self.errors: list[str] = []

    def watch(self, context: BrowserContext) -> None:
        def on_request(route: Any) -> None:
            url = route.request.url
            parts = urlsplit(url)
            if parts.scheme in {"data", "blob", "about"} or f"{parts.scheme}://{parts.netloc}" == self.origin:
                route.continue_()
            else:
                self.errors.append(f"request to another origin: {url}")
                route.abort()

        context.route("**/*", on_request)
        context.on("page", self._watch_page)

    def _watch_page(self, page: Page) -> None:
        page.on("pageerror", lambda error: self.errors.append(f"uncaught exception: {error}"))
        page.on(
            "console",
            lambda message: (
                self.errors.append(
                    f"console {message.type} on {message.page.url if message.page else '?'}: {message.text} at {message.location}"
                )
                if message.type == "error"
                else None
            ),
        )


@pytest.fixture
def open_context(browser: Browser, live_server: Any) -> Iterator[Callable[..., BrowserContext]]:
    """``open_context(dark=False, phone=False)`` → a fresh browser context (its own cookies) on the live server."""
    problems = PageProblems(live_server.url)
    contexts: list[BrowserContext] = []

    def open_(*, dark: bool = False, phone: bool = False) -> BrowserContext:
        options: dict[str, Any] = dict(PHONE if phone else DESKTOP)
        context = browser.new_context(
            base_url=live_server.url, color_scheme="dark" if dark else "light", **options
        )
        context.set_default_timeout(10_000)
        problems.watch(context)
        contexts.append(context)
        return context

    yield open_
    for context in contexts:
        context.close()
    # A 4xx the test provokes on purpose is logged by Chromium as a failed resource; those are not problems.
    real = [error for error in problems.errors if "Failed to load resource" not in error]
    assert real == [], "\n".join(real)


@pytest.fixture
def page(open_context: Callable[..., BrowserContext]) -> Page:
    """A desktop page in light mode."""
    return open_context().new_page()


@pytest.fixture
def sign_in(live_server: Any) -> Callable[[Page, str, str], None]:
    """Sign in through the real form, as a person would."""

    def sign_in_(page: Page, email: str, password: str) -> None:
        page.goto("/accounts/login/")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(lambda url: "/accounts/login/" not in url)

    return sign_in_


@pytest.fixture
def screenshot() -> Callable[[Page, str], Path]:
    """``screenshot(page, "review-dark-phone")`` saves a full-page PNG and returns its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page: Page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        # caret="initial": hiding the caret would inject a <style>, which our Content-Security-Policy refuses
        page.screenshot(path=str(path), full_page=True, caret="initial")
        _taken.append(path)
        return path

    return take
