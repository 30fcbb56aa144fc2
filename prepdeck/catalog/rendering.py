"""Markdown answers as safe HTML, with highlighted code.

Answers come from imports and from editors, so their Markdown is untrusted: it is rendered with
markdown-it (CommonMark plus tables and strikethrough; raw HTML allowed, because people write ``<details>``
and ``<kbd>``), then every tag and attribute outside a small allow-list is removed by nh3, which also strips
``javascript:`` URLs and event handlers. Fenced code is highlighted by Pygments into ``<span class="...">``
tokens (styled by ``static/prepdeck/app.css``); unknown languages stay plain, escaped text.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

_LANGUAGE = re.compile(r"^[\w+#.-]{1,30}$")
_TOKEN_CLASS = re.compile(r"^[a-z]{1,3}[0-9]?$")  # Pygments' short token classes: k, nf, s2, ...
_FORMATTER = HtmlFormatter(nowrap=True)

_TAGS = {
    *{"p", "br", "hr", "blockquote", "pre", "code", "span", "kbd", "sub", "sup"},
    *{"strong", "em", "del", "s", "a", "img", "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6"},
    *{"table", "thead", "tbody", "tr", "th", "td", "details", "summary"},
}
_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "code": {"class"},
    "span": {"class"},
    "th": {"align"},
    "td": {"align"},
    "ol": {"start"},
}


def _highlight(code: str, language: str, attributes: str) -> str:
    name = language.strip().split()[0].lower() if language.strip() else ""
    if not name or not _LANGUAGE.match(name):
        return ""  # markdown-it escapes the code itself
    try:
        lexer = get_lexer_by_name(name)
    except ClassNotFound:
        return ""
    return (
        f'<pre><code class="language-{html.escape(name)}">{highlight(code, lexer, _FORMATTER)}</code></pre>'
    )


def _keep_class(element: str, attribute: str, value: str) -> str | None:
    if attribute != "class":
        return value
    if element == "code":
        return value if re.fullmatch(r"language-[\w+#.-]{1,30}", value) else None
    if element == "span":
        return " ".join(part for part in value.split() if _TOKEN_CLASS.match(part)) or None
    return None


@lru_cache(maxsize=2)
def _renderer(highlight_code: bool) -> MarkdownIt:
    options = {"html": True, "linkify": False, "typographer": False}
    if highlight_code:
        options["highlight"] = _highlight  # type: ignore[assignment]
    return MarkdownIt("commonmark", options).enable(["table", "strikethrough"])


def render_markdown(text: str, *, highlight_code: bool = True) -> str:
    """Untrusted Markdown → sanitised HTML (code highlighted unless ``highlight_code`` is false)."""
    rendered = _renderer(highlight_code).render(text or "")
    return nh3.clean(
        rendered,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        attribute_filter=_keep_class,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    ).strip()


def highlight_css() -> str:
    """The CSS for highlighted code (Pygments' default style), for pages and exports that embed it."""
    return str(_FORMATTER.get_style_defs(".highlight, pre code"))
