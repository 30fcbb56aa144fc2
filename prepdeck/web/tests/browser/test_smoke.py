"""The browser harness itself: a page loads with our assets, no CSP violation and no foreign request."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page


def test_home_page_loads_with_htmx_and_our_script(
    page: Page, screenshot: Callable[[Page, str], Path]
) -> None:
    response = page.goto("/")

    assert response is not None
    assert response.status == 200
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert page.evaluate("typeof window.htmx") == "object"
    screenshot(page, "smoke-home")
