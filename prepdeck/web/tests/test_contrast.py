"""WCAG AA contrast of the colour pairs our pages use, read from the CSS variables of both colour schemes."""

from __future__ import annotations

import re

import pytest
from django.conf import settings

APP_CSS = settings.BASE_DIR / "prepdeck" / "static" / "prepdeck" / "app.css"
AA_TEXT = 4.5

# (text, background) pairs that carry text somewhere on the site
PAIRS = [
    ("--fg", "--bg"),
    ("--fg", "--card"),
    ("--muted", "--bg"),
    ("--muted", "--card"),
    ("--accent", "--bg"),
    ("--accent", "--card"),
    ("--accent-fg", "--accent"),
    ("--danger", "--bg"),
    ("--danger", "--card"),
    ("--ok", "--bg"),
    ("--warn", "--bg"),
    ("--fg", "--accent-soft"),
    ("--fg", "--ok-soft"),
    ("--fg", "--warn-soft"),
    ("--fg", "--danger-soft"),
    ("--fg", "--mark"),
    ("--again", "--bg"),
    ("--hard", "--bg"),
    ("--good", "--bg"),
    ("--easy", "--bg"),
]


def _variables(block: str) -> dict[str, str]:
    return dict(re.findall(r"(--[\w-]+):\s*(#[0-9a-fA-F]{6})", block))


def _schemes() -> dict[str, dict[str, str]]:
    css = APP_CSS.read_text()
    light = _variables(css[css.index(":root {") : css.index("}", css.index(":root {"))])
    dark_start = css.index("@media (prefers-color-scheme: dark)")
    dark_block = css[dark_start : css.index("}", css.index(":root {", dark_start))]
    return {"light": light, "dark": {**light, **_variables(dark_block)}}


def _luminance(colour: str) -> float:
    channels = [int(colour[index : index + 2], 16) / 255 for index in (1, 3, 5)]
    linear = [value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4 for value in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first: str, second: str) -> float:
    lighter, darker = sorted([_luminance(first), _luminance(second)], reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_contrast_formula_matches_known_values() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize(("text", "background"), PAIRS)
def test_text_colours_meet_wcag_aa(scheme: str, text: str, background: str) -> None:
    colours = _schemes()[scheme]

    ratio = contrast(colours[text], colours[background])

    assert ratio >= AA_TEXT, f"{scheme}: {text} on {background} is {ratio:.2f}:1"
