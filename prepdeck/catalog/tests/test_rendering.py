"""Markdown rendering: untrusted HTML is sanitised, code is highlighted."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from prepdeck.catalog.bank.files import iter_questions
from prepdeck.catalog.rendering import render_markdown


def test_script_tags_event_handlers_and_javascript_urls_are_removed() -> None:
    rendered = render_markdown(
        'Hi <script>alert(1)</script><img src="x.png" onerror="alert(2)"> '
        '[click](javascript:alert(3)) <a href="javascript:alert(4)">x</a>'
    )

    assert "<script" not in rendered
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rendered  # shown as the text it is, never run
    assert "onerror" not in rendered
    assert 'href="javascript' not in rendered  # the link is dropped; the Markdown one stays text
    assert '<img src="x.png">' in rendered


def test_harmless_html_people_write_in_answers_is_kept() -> None:
    rendered = render_markdown("<details><summary>Why?</summary>\n\nPress <kbd>Ctrl</kbd>.\n\n</details>")
    assert "<details><summary>Why?</summary>" in rendered
    assert "<kbd>Ctrl</kbd>" in rendered


def test_python_code_is_highlighted_and_unknown_languages_stay_escaped() -> None:
    python = render_markdown("```python\ndef f():\n    return '<b>'\n```")
    unknown = render_markdown("```nosuchlang\n<b>x</b>\n```")

    assert '<pre><code class="language-python"><span class="k">def</span>' in python
    assert "&lt;b&gt;" in python
    assert unknown == '<pre><code class="language-nosuchlang">&lt;b&gt;x&lt;/b&gt;\n</code></pre>'


def test_class_attributes_cannot_smuggle_arbitrary_classes() -> None:
    rendered = render_markdown('<span class="k evil-overlay">x</span> <em class="x">y</em>')
    assert rendered == '<p><span class="k">x</span> <em>y</em></p>'


def test_links_get_a_safe_rel() -> None:
    assert render_markdown("[docs](https://docs.djangoproject.com/)") == (
        '<p><a href="https://docs.djangoproject.com/" rel="noopener noreferrer nofollow">docs</a></p>'
    )


@given(st.text(max_size=400))
def test_any_text_renders_without_script(text: str) -> None:
    assert "<script" not in render_markdown(text).lower()


def test_text_in_angle_brackets_is_shown_not_dropped() -> None:
    assert render_markdown("Create app/management/commands/<name>.py; run python manage.py <name>.") == (
        "<p>Create app/management/commands/&lt;name&gt;.py; run python manage.py &lt;name&gt;.</p>"
    )
    assert render_markdown("Data interpolated into inline <script> blocks must be escaped for JS.") == (
        "<p>Data interpolated into inline &lt;script&gt; blocks must be escaped for JS.</p>"
    )
    assert render_markdown('Converters: path("<int:pk>/") and <name:arg>.') == (
        '<p>Converters: path("&lt;int:pk&gt;/") and &lt;name:arg&gt;.</p>'
    )
    assert render_markdown("<name>\n\nafter") == "&lt;name&gt;\n<p>after</p>"
    assert render_markdown("a < b, and <!-- hidden --> c") == "<p>a &lt; b, and  c</p>"


def test_autolinks_with_our_schemes_still_link() -> None:
    assert render_markdown("<https://docs.djangoproject.com/>") == (
        '<p><a href="https://docs.djangoproject.com/" rel="noopener noreferrer nofollow">'
        "https://docs.djangoproject.com/</a></p>"
    )


def _prose_placeholders(markdown: str) -> list[str]:
    """``<word>`` placeholders written in prose (outside code) that are not HTML tags we keep."""
    prose = re.sub(r"```.*?```", "", markdown, flags=re.DOTALL)
    prose = re.sub(r"`[^`]*`", "", prose)
    return [
        match.group(0)
        for match in re.finditer(r"<([A-Za-z][\w:-]*)>", prose)
        if match.group(1).lower() not in {"details", "summary", "kbd", "sub", "sup", "br", "code", "p"}
    ]


def test_every_placeholder_in_the_bank_is_shown_on_the_page() -> None:
    checked = 0
    for _, question in iter_questions():
        for field in ("short_answer", "explanation"):
            text = question.get(field) or ""
            rendered = render_markdown(text)
            for placeholder in _prose_placeholders(text):
                assert placeholder.replace("<", "&lt;").replace(">", "&gt;") in rendered, (
                    question["key"],
                    placeholder,
                )
                checked += 1
    assert checked >= 6
