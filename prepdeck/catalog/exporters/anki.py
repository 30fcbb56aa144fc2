"""Anki package (``.apkg``) export: one deck per topic, one Front/Back note per question.

Conventions (``prepdeck.catalog.importers.anki`` reads them back):

- Decks are named ``PrepDeck::<topic title>``, so all of them sit under one PrepDeck parent deck in Anki,
  with the topic slug in the deck description. Deck ids come from the topic slug and the note type id is a
  constant, so exporting again and importing into Anki updates the same decks and notes instead of
  adding copies.
- The note type "PrepDeck question" has the fields Front, Back and Topic. Topic holds the topic slug and
  is not shown on the cards; the importer uses it as the section, so a round trip puts every question back
  in its topic even if the deck was renamed in Anki.
- Note GUIDs are ``genanki.guid_for(question.key)``: stable across exports.
- Front is the prompt as escaped text (backtick spans become ``<code>``). Back is the short answer (escaped
  the same way), the explanation rendered from Markdown and sanitised with nh3, the code examples, and a
  "Key points" list (escaped text).
- Tags are the question's tag slugs plus ``difficulty::<level>`` when the difficulty is known.
- Questions without a prompt (``needs_question`` drafts) have nothing to ask and are left out.
"""

from __future__ import annotations

import hashlib
import html
import io
import itertools
import json
import re
import sqlite3
import tempfile
import time
import zipfile
from collections.abc import Iterable
from pathlib import Path

import genanki

from prepdeck.catalog.models import Difficulty, Question
from prepdeck.catalog.rendering import render_markdown

MODEL_ID = 1_739_146_201
MODEL_NAME = "PrepDeck question"
DECK_PREFIX = "PrepDeck::"
# Anki deck ids are 64-bit; genanki suggests ids between 2**30 and 2**31, clear of Anki's own (1 = Default).
_DECK_ID_BASE = 1 << 30
_DECK_ID_SPAN = 1 << 30

CARD_CSS = """\
.card { font-family: system-ui, sans-serif; font-size: 18px; text-align: left; line-height: 1.45;
        max-width: 48em; margin: 0 auto; color: black; background-color: white; }
.nightMode .card { color: #eee; background-color: #222; }
code, pre { font-family: ui-monospace, "SFMono-Regular", Menlo, monospace; font-size: 0.9em; }
pre { padding: 0.6em 0.8em; overflow-x: auto; background: rgba(127, 127, 127, 0.12); border-radius: 4px; }
.key-points { margin-top: 1em; }
"""

MODEL = genanki.Model(
    MODEL_ID,
    MODEL_NAME,
    fields=[{"name": "Front"}, {"name": "Back"}, {"name": "Topic"}],
    templates=[
        {
            "name": "Card 1",
            "qfmt": "{{Front}}",
            "afmt": '{{FrontSide}}\n\n<hr id="answer">\n\n{{Back}}',
        }
    ],
    css=CARD_CSS,
)

_CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.DOTALL)


def deck_id_for(topic_slug: str) -> int:
    """A stable Anki deck id for a topic (the same on every export and every machine)."""
    digest = hashlib.sha256(f"prepdeck-deck:{topic_slug}".encode()).digest()
    return _DECK_ID_BASE + int.from_bytes(digest[:8], "big") % _DECK_ID_SPAN


def markdown_to_html(text: str) -> str:
    """Markdown as safe HTML (the product's renderer; no highlighting, Anki has no styles for it)."""
    return render_markdown(text, highlight_code=False)


def plain_to_html(text: str) -> str:
    """Plain text as HTML: escaped, backtick spans as ``<code>``, new lines as ``<br>``.

    Used for prompts, short answers and key points, which are text rather than Markdown: rendering them
    as Markdown would turn ``__init__`` into bold "init".
    """
    parts: list[str] = []
    position = 0
    for match in _CODE_SPAN.finditer(text):
        parts.append(html.escape(text[position : match.start()], quote=False))
        parts.append(f"<code>{html.escape(match.group(2).strip(), quote=False)}</code>")
        position = match.end()
    parts.append(html.escape(text[position:], quote=False))
    return "".join(parts).replace("\n", "<br>")


def _code_html(code: str, language: str) -> str:
    css_class = f' class="language-{html.escape(language)}"' if re.fullmatch(r"[\w+#.-]+", language) else ""
    return f"<pre><code{css_class}>{html.escape(code, quote=False)}</code></pre>"


def back_html(question: Question) -> str:
    """The back of a question's card: short answer, explanation, code examples, key points."""
    blocks: list[str] = []
    if question.short_answer.strip():
        blocks.append(f"<p>{plain_to_html(question.short_answer.strip())}</p>")
    if question.explanation.strip():
        blocks.append(markdown_to_html(question.explanation))
    for example in question.code_examples.all():
        if example.caption.strip():
            blocks.append(f"<p>{plain_to_html(example.caption.strip())}</p>")
        blocks.append(_code_html(example.code, example.language))
    points = [point.strip() for point in question.key_points if str(point).strip()]
    if points:
        items = "".join(f"<li>{plain_to_html(point)}</li>" for point in points)
        blocks.append(f'<div class="key-points"><p><b>Key points</b></p><ul>{items}</ul></div>')
    return "\n".join(blocks)


def note_tags(question: Question) -> list[str]:
    """The question's tag slugs (whitespace, which Anki tags cannot hold, made '_') and its difficulty."""
    tags = sorted({re.sub(r"\s+", "_", tag.slug.strip()) for tag in question.tags.all() if tag.slug.strip()})
    if question.difficulty != Difficulty.UNKNOWN:
        tags.append(f"difficulty::{question.difficulty}")
    return tags


def export_apkg(questions: Iterable[Question]) -> bytes:
    """An Anki package of the questions (fetch them with ``selectors.questions_for_export``)."""
    decks: dict[str, genanki.Deck] = {}
    for question in questions:
        if question.needs_question or not question.prompt.strip():
            continue
        topic = question.topic
        deck = decks.get(topic.slug)
        if deck is None:
            deck = genanki.Deck(
                deck_id_for(topic.slug),
                f"{DECK_PREFIX}{topic.title.replace('::', ':')}",
                description=f"PrepDeck questions on {html.escape(topic.title)} (topic {topic.slug}).",
            )
            decks[topic.slug] = deck
        deck.add_note(
            genanki.Note(
                model=MODEL,
                fields=[plain_to_html(question.prompt.strip()), back_html(question), html.escape(topic.slug)],
                tags=note_tags(question),
                guid=genanki.guid_for(question.key),
            )
        )
    return package_bytes(genanki.Package(list(decks.values())))


def package_bytes(package: genanki.Package) -> bytes:
    """What ``Package.write_to_file`` writes, built in a directory we remove afterwards.

    genanki's own ``write_to_file`` leaves its SQLite file behind in the system temporary directory, so
    the collection is written through its ``write_to_db`` into our own temporary directory instead.
    """
    timestamp = time.time()
    with tempfile.TemporaryDirectory(prefix="prepdeck-apkg-") as directory:
        database = Path(directory) / "collection.anki2"
        connection = sqlite3.connect(database)
        try:
            package.write_to_db(connection.cursor(), timestamp, itertools.count(int(timestamp * 1000)))
            connection.commit()
        finally:
            connection.close()
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.write(database, "collection.anki2")
            archive.writestr("media", json.dumps({}))
        return buffer.getvalue()
