"""Template filters of the question bank: ``{% load bank %}{{ question.explanation|markdown }}``.

Both filters keep what they render in the cache under a key made from their input (content-addressed), so
a question page rendered once serves its Markdown and highlighted code from the cache in every process,
and an edit needs no invalidation: changed text is a new key, and the old entry expires by itself.
"""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from prepdeck.catalog.rendering import render_code, render_markdown
from prepdeck.core import caching

register = template.Library()

# Bump when the renderer's output changes for the same input (sanitiser rules, Pygments style, plugins).
RENDERING_VERSION = 1
RENDERED_CACHE_SECONDS = 24 * 3600


@register.filter(name="markdown")
def markdown_filter(text: str) -> SafeString:
    """Render untrusted Markdown to sanitised HTML (safe to mark: nh3 removed anything risky)."""
    html = caching.cached(
        "markdown",
        lambda: render_markdown(text),
        key=(RENDERING_VERSION, text or ""),
        timeout=RENDERED_CACHE_SECONDS,
    )
    return mark_safe(html)  # noqa: S308 - sanitised by nh3 in render_markdown


@register.filter(name="highlight")
def highlight_filter(code: str, language: str) -> SafeString:
    """``{{ example.code|highlight:example.language }}``: Pygments tokens, or escaped text when unknown."""
    html = caching.cached(
        "highlight",
        lambda: render_code(code, language),
        key=(RENDERING_VERSION, code or "", language or ""),
        timeout=RENDERED_CACHE_SECONDS,
    )
    return mark_safe(html)  # noqa: S308 - Pygments escapes the code it tokenises
