"""Markdown rendering: untrusted HTML is sanitised, code is highlighted."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from prepdeck.catalog.rendering import render_markdown


def test_script_tags_event_handlers_and_javascript_urls_are_removed() -> None:
    rendered = render_markdown(
        'Hi <script>alert(1)</script><img src="x.png" onerror="alert(2)"> '
        '[click](javascript:alert(3)) <a href="javascript:alert(4)">x</a>'
    )

    assert "<script" not in rendered
    assert "alert(1)" not in rendered
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
