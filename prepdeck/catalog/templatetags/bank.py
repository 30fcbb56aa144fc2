"""Template filters of the question bank: ``{% load bank %}{{ question.explanation|markdown }}``."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from prepdeck.catalog.rendering import render_code, render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str) -> SafeString:
    """Render untrusted Markdown to sanitised HTML (safe to mark: nh3 removed anything risky)."""
    return mark_safe(render_markdown(text))  # noqa: S308 - sanitised by nh3 in render_markdown


@register.filter(name="highlight")
def highlight_filter(code: str, language: str) -> SafeString:
    """``{{ example.code|highlight:example.language }}``: Pygments tokens, or escaped text when unknown."""
    return mark_safe(render_code(code, language))  # noqa: S308 - Pygments escapes the code it tokenises
