"""Markdown answers as safe HTML, with highlighted code.

Answers come from imports and from editors, so their Markdown is untrusted: it is rendered with
markdown-it (CommonMark plus tables and strikethrough). Raw HTML is kept only for the tags of a small
allow-list, because people write ``<details>`` and ``<kbd>``; any other tag is text the author meant to show
(``manage.py <name>``, "an inline <script> block"), so it is escaped and shown as written rather than dropped,
and so is an autolink whose scheme we would not link (``<name:arg>``). nh3 then removes every attribute outside
the allow-list, ``javascript:`` URLs and event handlers. Fenced code is highlighted by Pygments into ``<span class="...">``
tokens (styled by ``static/prepdeck/highlight.css``); unknown languages stay plain, escaped text.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import nh3
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
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
_HTML_TAG = re.compile(r"</?([A-Za-z][A-Za-z0-9-]*)(?=[\s/>])[^<>]*>|<!--.*?-->", re.DOTALL)
_URL_SCHEMES = {"http", "https", "mailto"}
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


def render_code(code: str, language: str) -> str:
    """One code example as highlighted HTML (``<pre><code>``), or plain escaped code for unknown languages."""
    return _highlight(code, language, "") or (
        f'<pre><code class="language-text">{html.escape(code)}</code></pre>'
    )


def _keep_class(element: str, attribute: str, value: str) -> str | None:
    if attribute != "class":
        return value
    if element == "code":
        return value if re.fullmatch(r"language-[\w+#.-]{1,30}", value) else None
    if element == "span":
        return " ".join(part for part in value.split() if _TOKEN_CLASS.match(part)) or None
    return None


def _escape_unknown_tags(raw: str) -> str:
    """Raw HTML with every tag outside the allow-list escaped (shown as text); comments are dropped."""

    def replace(match: re.Match[str]) -> str:
        if match.group(0).startswith("<!--"):
            return ""
        return match.group(0) if match.group(1).lower() in _TAGS else html.escape(match.group(0), quote=False)

    escaped = _HTML_TAG.sub(replace, raw)
    # What is left between the tags is text: a stray "<" (an unfinished tag) is shown too.
    return re.sub(r"<(?![A-Za-z/])", "&lt;", escaped)


def _render_html(self: Any, tokens: Sequence[Token], index: int, options: Any, env: Any) -> str:
    return _escape_unknown_tags(tokens[index].content)


def _text_autolinks(state: StateCore) -> None:
    """``<name:arg>`` parses as an autolink; one whose scheme we would not link is the text it was."""
    for block in state.tokens:
        children = block.children or []
        index = 0
        while index < len(children):
            token = children[index]
            if token.type == "link_open" and token.markup == "autolink":
                scheme = str(token.attrGet("href") or "").split(":", 1)[0].lower()
                if scheme not in _URL_SCHEMES:
                    label = children[index + 1].content if index + 1 < len(children) else ""
                    text = Token("text", "", 0)
                    text.content = f"<{label}>"
                    children[index : index + 3] = [text]
            index += 1


@lru_cache(maxsize=2)
def _renderer(highlight_code: bool) -> MarkdownIt:
    options = {"html": True, "linkify": False, "typographer": False}
    if highlight_code:
        options["highlight"] = _highlight  # type: ignore[assignment]
    renderer = MarkdownIt("commonmark", options).enable(["table", "strikethrough"])
    renderer.add_render_rule("html_inline", _render_html)
    renderer.add_render_rule("html_block", _render_html)
    renderer.core.ruler.push("text_autolinks", _text_autolinks)
    return renderer


def render_markdown(text: str, *, highlight_code: bool = True) -> str:
    """Untrusted Markdown → sanitised HTML (code highlighted unless ``highlight_code`` is false)."""
    rendered = _renderer(highlight_code).render(text or "")
    return nh3.clean(
        rendered,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        attribute_filter=_keep_class,
        url_schemes=_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    ).strip()


LIGHT_CODE_STYLE = "default"
DARK_CODE_STYLE = "github-dark"


def highlight_css() -> str:
    """The CSS for highlighted code: Pygments' default style, and github-dark under a dark colour scheme.
    ``static/prepdeck/highlight.css`` holds its output (a test keeps the two equal)."""
    light = HtmlFormatter(style=LIGHT_CODE_STYLE).get_style_defs("pre code")
    dark = HtmlFormatter(style=DARK_CODE_STYLE).get_style_defs("pre code")
    indented_dark = "\n".join("  " + line for line in dark.splitlines())
    return (
        "/* Generated by prepdeck.catalog.rendering.highlight_css(); do not edit by hand. */\n"
        f"{light}\n@media (prefers-color-scheme: dark) {{\n{indented_dark}\n}}\n"
    )
