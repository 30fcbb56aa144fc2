"""Anki export: the package's decks, notes, tags and card HTML, and the round trip through the importer."""

from __future__ import annotations

import io
import json
import sqlite3
import zipfile
from pathlib import Path
from typing import Any

import genanki
import pytest

from prepdeck.catalog import selectors, services
from prepdeck.catalog.exporters.anki import MODEL_ID, back_html, deck_id_for, export_apkg, markdown_to_html
from prepdeck.catalog.importers.anki import parse_apkg
from prepdeck.catalog.models import CodeExample, Question, Topic

pytestmark = pytest.mark.django_db


def _question(topic: Topic, key: str, prompt: str, *, tags: tuple[str, ...] = (), **fields: Any) -> Question:
    question = Question.objects.create(key=key, topic=topic, prompt=prompt, **fields)
    services.question_tags_set(question=question, slugs=list(tags))
    return question


@pytest.fixture
def questions() -> list[Question]:
    orm = Topic.objects.create(slug="django-orm", title="Django ORM", order=1)
    signals = Topic.objects.create(slug="django-signals", title="Signals", order=2)
    joins = _question(
        orm,
        "orm-select-related",
        "What does `select_related` do?",
        tags=("performance", "orm"),
        short_answer="It follows foreign keys with a SQL JOIN, so <one> query & no N+1.",
        explanation='Use it for **forward** relations:\n\n```python\nBook.objects.select_related("author")\n```',
        key_points=["One query instead of N+1", "Only for single-valued relations (FK, one-to-one)"],
        difficulty="basic",
    )
    CodeExample.objects.create(
        question=joins,
        order=0,
        language="python",
        caption="Example:",
        code="qs = Book.objects.select_related('author')\nqs[0].author  # no query",
    )
    _question(orm, "orm-f-expressions", "What is an F() expression?", short_answer="A reference to a column.")
    _question(
        signals,
        "signals-what",
        "What are Django __signals__?",
        tags=("signals",),
        explanation="Observer-style hooks.",
        key_points=["post_save fires after save()"],
        difficulty="intermediate",
    )
    _question(orm, "imp-draft", "", needs_question=True, explanation="Answer text without a question.")
    return list(selectors.questions_for_export())


def _collection(data: bytes, directory: Path) -> sqlite3.Connection:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.namelist() == ["collection.anki2", "media"]
        assert archive.read("media") == b"{}"
        path = directory / "collection.anki2"
        path.write_bytes(archive.read("collection.anki2"))
    return sqlite3.connect(path)


def test_the_package_is_a_zip_holding_an_anki_collection_with_one_note_per_question(
    questions: list[Question], tmp_path: Path
) -> None:
    # when
    data = export_apkg(questions)

    # then: the draft without a question is left out
    collection = _collection(data, tmp_path)
    notes = collection.execute("SELECT guid, mid, flds FROM notes ORDER BY id").fetchall()
    assert [(guid, mid, fields.split("\x1f")[0]) for guid, mid, fields in notes] == [
        (genanki.guid_for("orm-f-expressions"), MODEL_ID, "What is an F() expression?"),
        (genanki.guid_for("orm-select-related"), MODEL_ID, "What does <code>select_related</code> do?"),
        (genanki.guid_for("signals-what"), MODEL_ID, "What are Django __signals__?"),
    ]
    models = json.loads(collection.execute("SELECT models FROM col").fetchone()[0])
    assert [field["name"] for field in models[str(MODEL_ID)]["flds"]] == ["Front", "Back", "Topic"]
    collection.close()


def test_there_is_one_deck_per_topic_with_an_id_derived_from_the_slug(
    questions: list[Question], tmp_path: Path
) -> None:
    collection = _collection(export_apkg(questions), tmp_path)

    decks = json.loads(collection.execute("SELECT decks FROM col").fetchone()[0])
    assert sorted((deck["name"], deck["id"], deck["desc"]) for deck in decks.values()) == [
        ("Default", 1, ""),
        (
            "PrepDeck::Django ORM",
            deck_id_for("django-orm"),
            "PrepDeck questions on Django ORM (topic django-orm).",
        ),
        (
            "PrepDeck::Signals",
            deck_id_for("django-signals"),
            "PrepDeck questions on Signals (topic django-signals).",
        ),
    ]
    cards = collection.execute(
        "SELECT notes.guid, cards.did FROM cards JOIN notes ON notes.id = cards.nid ORDER BY notes.id"
    ).fetchall()
    assert cards == [
        (genanki.guid_for("orm-f-expressions"), deck_id_for("django-orm")),
        (genanki.guid_for("orm-select-related"), deck_id_for("django-orm")),
        (genanki.guid_for("signals-what"), deck_id_for("django-signals")),
    ]
    collection.close()


def test_deck_ids_are_stable_and_distinct() -> None:
    assert deck_id_for("django-orm") == deck_id_for("django-orm")
    assert deck_id_for("django-orm") != deck_id_for("django-signals")
    assert 1 << 30 <= deck_id_for("django-orm") < 1 << 31


def test_tags_and_difficulty_are_note_tags(questions: list[Question], tmp_path: Path) -> None:
    collection = _collection(export_apkg(questions), tmp_path)

    assert collection.execute("SELECT tags FROM notes ORDER BY id").fetchall() == [
        ("  ",),
        (" orm performance difficulty::basic ",),
        (" signals difficulty::intermediate ",),
    ]
    collection.close()


def test_the_back_holds_short_answer_explanation_code_examples_and_key_points(
    questions: list[Question], tmp_path: Path
) -> None:
    collection = _collection(export_apkg(questions), tmp_path)

    fields = collection.execute("SELECT flds FROM notes ORDER BY id").fetchall()[1][0].split("\x1f")
    assert fields == [
        "What does <code>select_related</code> do?",
        "<p>It follows foreign keys with a SQL JOIN, so &lt;one&gt; query &amp; no N+1.</p>\n"
        "<p>Use it for <strong>forward</strong> relations:</p>\n"
        '<pre><code class="language-python">Book.objects.select_related("author")\n</code></pre>\n'
        "<p>Example:</p>\n"
        "<pre><code class=\"language-python\">qs = Book.objects.select_related('author')\n"
        "qs[0].author  # no query</code></pre>\n"
        '<div class="key-points"><p><b>Key points</b></p><ul><li>One query instead of N+1</li>'
        "<li>Only for single-valued relations (FK, one-to-one)</li></ul></div>",
        "django-orm",
    ]
    collection.close()


def test_markdown_is_rendered_safely() -> None:
    explanation = (
        "<script>alert(1)</script> [click](javascript:alert(2)) <img src=x onerror=alert(3)>\n\n"
        "| a | b |\n|---|---|\n| 1 | 2 |"
    )

    rendered = markdown_to_html(explanation)

    # the script is shown as text (never run), the event handler removed; the javascript: link stays text
    assert rendered == (
        '&lt;script&gt;alert(1)&lt;/script&gt; [click](javascript:alert(2)) <img src="x">\n'
        "<table>\n<thead>\n<tr>\n<th>a</th>\n<th>b</th>\n</tr>\n</thead>\n"
        "<tbody>\n<tr>\n<td>1</td>\n<td>2</td>\n</tr>\n</tbody>\n</table>"
    )


def test_a_question_without_answer_text_has_an_empty_back() -> None:
    topic = Topic.objects.create(slug="python", title="Python")
    question = _question(topic, "py-gil", "What is the GIL?")

    assert back_html(question) == ""


def test_the_round_trip_gives_back_prompts_topics_tags_difficulty_and_key_points(
    questions: list[Question],
) -> None:
    # when
    document = parse_apkg("prepdeck.apkg", export_apkg(questions))

    # then
    assert [
        (item.prompt, item.section, item.tags, item.difficulty, item.key_points, item.line_start)
        for item in document.items
    ] == [
        ("What is an F() expression?", "django-orm", [], "unknown", [], 1),
        (
            "What does `select_related` do?",
            "django-orm",
            ["orm", "performance"],
            "basic",
            ["One query instead of N+1", "Only for single-valued relations (FK, one-to-one)"],
            2,
        ),
        (
            "What are Django __signals__?",
            "django-signals",
            ["signals"],
            "intermediate",
            ["post_save fires after save()"],
            3,
        ),
    ]
    assert document.items[1].answer == (
        "It follows foreign keys with a SQL JOIN, so <one> query & no N+1.\n\n"
        "Use it for forward relations:\n\n"
        '```python\nBook.objects.select_related("author")\n```\n\n'
        "Example:\n\n"
        "```python\nqs = Book.objects.select_related('author')\nqs[0].author  # no query\n```"
    )


def test_the_whole_bundled_bank_round_trips() -> None:
    # given
    services.bank_load()
    questions = list(selectors.questions_for_export())

    # when
    document = parse_apkg("bank.apkg", export_apkg(questions))

    # then
    expected = sorted(
        (
            question.prompt,
            question.topic.slug,
            sorted(tag.slug for tag in question.tags.all()),
            question.difficulty,
            question.key_points,
        )
        for question in questions
    )
    assert len(document.items) == Question.objects.count()
    assert (
        sorted(
            (item.prompt, item.section, sorted(item.tags), item.difficulty, item.key_points)
            for item in document.items
        )
        == expected
    )
