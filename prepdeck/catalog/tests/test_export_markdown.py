"""The Markdown exporter: its canonical dialect, and the round trip through our own Markdown importer."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction

from prepdeck.catalog import selectors, services
from prepdeck.catalog.bank.files import iter_questions
from prepdeck.catalog.exporters.markdown import export_markdown
from prepdeck.catalog.importers.markdown import parse_markdown
from prepdeck.catalog.importing import InputFile, documents_import
from prepdeck.catalog.models import CodeExample, Question, Topic

FENCE = "```"

# Every question of the bundled bank files (the whole bank round-trips, whatever its size).
BANK_SIZE = sum(1 for _ in iter_questions())


def _question(key: str, topic: str, prompt: str, **fields: Any) -> Question:
    code_examples = fields.pop("code_examples", [])
    tags = fields.pop("tags", [])
    question = Question.objects.create(
        key=key, topic=Topic.objects.get(slug=topic), prompt=prompt, status="published", **fields
    )
    for order, example in enumerate(code_examples):
        CodeExample.objects.create(question=question, order=order, **example)
    if tags:
        services.question_tags_set(question=question, slugs=tags)
    return question


# -- the dialect ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_one_question_in_the_canonical_dialect() -> None:
    services.topics_sync()
    _question(
        "orm-select-related",
        "django-orm",
        "What does select_related do?",
        short_answer="It follows foreign keys with a SQL join.",
        explanation="One query instead of N + 1.",
        key_points=["Joins in SQL", "Only for forward foreign keys and one-to-one"],
        difficulty="basic",
        tags=["performance", "orm"],
        code_examples=[
            {"language": "python", "caption": "One query", "code": "Book.objects.select_related('author')"}
        ],
    )

    text = export_markdown(selectors.questions_for_export())

    assert text == (
        "# PrepDeck questions\n"
        "\n"
        "## ORM and QuerySets\n"
        "\n"
        "### Q1. What does select_related do?\n"
        "\n"
        "- Topic: django-orm\n"
        "- Difficulty: basic\n"
        "- Tags: orm, performance\n"
        "\n"
        "It follows foreign keys with a SQL join.\n"
        "\n"
        "One query instead of N + 1.\n"
        "\n"
        "**One query:**\n"
        "\n"
        f"{FENCE}python\n"
        "Book.objects.select_related('author')\n"
        f"{FENCE}\n"
        "\n"
        "**Key points:**\n"
        "\n"
        "- Joins in SQL\n"
        "- Only for forward foreign keys and one-to-one\n"
    )


@pytest.mark.django_db
def test_topics_headings_fences_and_missing_fields_are_written_so_the_importer_reads_them() -> None:
    services.topics_sync()
    _question(
        "b-walk",
        "django-core",
        "Walk through\n  the request cycle",  # not worded as a question, and on two lines
        explanation=(
            "# Overview\n\nMiddleware first.\n\n\n\nThen the view:\n\n~~~python\ndef view(request):\n"
            "    return response\n~~~\n\n## Details\n\n```text\nleft open"
        ),
        key_points=["Middleware wraps the view"],
        difficulty="unknown",
    )
    _question(
        "a-ticks",
        "django-core",
        "How do you show a fence in Markdown?",
        short_answer="Use a longer fence around it.",
        difficulty="advanced",
        code_examples=[{"language": "python", "caption": "", "code": 'FENCE = "```"'}],
    )
    _question("c-draft", "django-orm", "", explanation="An answer still waiting for its question.")

    text = export_markdown(selectors.questions_for_export())
    document = parse_markdown("export.md", text.encode())

    assert text.split("\n### ")[1:] == [
        "Q1. How do you show a fence in Markdown?\n\n- Topic: django-core\n- Difficulty: advanced\n\n"
        'Use a longer fence around it.\n\n````python\nFENCE = "```"\n````\n\n',
        "Q2. Walk through the request cycle\n\n- Topic: django-core\n\n#### Overview\n\nMiddleware first.\n\n"
        "Then the view:\n\n```python\ndef view(request):\n    return response\n```\n\n##### Details\n\n"
        "```text\nleft open\n```\n\n**Key points:**\n\n- Middleware wraps the view\n\n\n## ORM and QuerySets\n",
        "Q1. (needs a question)\n\n- Topic: django-orm\n\nAn answer still waiting for its question.\n",
    ]
    assert [
        (item.prompt, item.section, item.difficulty, item.key_points, item.flags) for item in document.items
    ] == [
        ("How do you show a fence in Markdown?", "django-core", "advanced", [], []),
        ("Walk through the request cycle", "django-core", "unknown", ["Middleware wraps the view"], []),
        ("(needs a question)", "django-orm", "unknown", [], []),
    ]
    assert [(code.language, code.code) for code in document.items[0].code_examples] == [
        ("python", 'FENCE = "```"')
    ]
    assert [code.code for code in document.items[1].code_examples] == [
        "def view(request):\n    return response",
        "left open",
    ]
    assert document.repairs == Counter()


# -- the whole bank, there and back ------------------------------------------------------------------------


@dataclass
class BankExport:
    text: str
    originals: list[dict[str, Any]]


@pytest.fixture(scope="module")
def bank_export(django_db_setup: None, django_db_blocker: Any) -> BankExport:
    """The bundled bank exported as Markdown, with what each question held; the database is left empty."""
    with django_db_blocker.unblock(), transaction.atomic():
        services.bank_load()
        questions = list(selectors.questions_for_export())
        originals = [
            {
                "prompt": question.prompt,
                "topic": question.topic.slug,
                "difficulty": question.difficulty,
                "tags": sorted(tag.slug for tag in question.tags.all()),
                "key_points": question.key_points,
                "short_answer": question.short_answer,
                "explanation": question.explanation,
                "code": [
                    (example.language, example.caption, example.code)
                    for example in question.code_examples.all()
                ],
            }
            for question in questions
        ]
        text = export_markdown(questions)
        transaction.set_rollback(True)
    return BankExport(text, originals)


def test_the_whole_bank_parses_back_question_by_question(bank_export: BankExport) -> None:
    document = parse_markdown("bank.md", bank_export.text.encode())

    assert len(bank_export.originals) == BANK_SIZE
    assert len(document.items) == len(bank_export.originals)
    assert document.repairs == Counter()
    assert document.notes == []
    for item, original in zip(document.items, bank_export.originals, strict=True):
        assert (item.prompt, item.section, item.difficulty, item.tags, item.key_points) == (
            original["prompt"],
            original["topic"],
            original["difficulty"],
            original["tags"],
            original["key_points"],
        )
        assert item.flags == [], item.prompt
        assert not item.needs_question
        assert item.answer.startswith(original["short_answer"] + "\n\n" + original["explanation"]), (
            item.prompt
        )
        # the code examples come last, after any code in the explanation; the importer drops the blank
        # lines around code
        examples = item.code_examples[len(item.code_examples) - len(original["code"]) :]
        assert [(code.language, code.caption, code.code) for code in examples] == [
            (language, caption, code.strip("\n")) for language, caption, code in original["code"]
        ]
        for _language, _caption, code in original["code"]:
            assert code.strip("\n") in item.answer


@pytest.mark.django_db
def test_importing_the_exported_bank_into_an_empty_database_recreates_every_question(
    bank_export: BankExport,
) -> None:
    # given: an empty bank with only the topic tree
    assert not Question.all_objects.exists()
    services.topics_sync()
    data = bank_export.text.encode()

    # when
    report = documents_import(files=[InputFile("bank.md", data)])

    # then
    assert report.errors == []
    assert (report.questions_found, report.created, report.drafts) == (BANK_SIZE, BANK_SIZE, 0)
    assert (report.merged_exact, report.merged_near) == (0, 0)
    assert dict(report.repairs) == {}
    imported = {
        question.prompt: question
        for question in Question.objects.select_related("topic").prefetch_related("tags")
    }
    assert len(imported) == BANK_SIZE
    for original in bank_export.originals:
        question = imported[original["prompt"]]
        assert (question.topic.slug, question.difficulty) == (original["topic"], original["difficulty"])
        assert sorted(tag.slug for tag in question.tags.all()) == original["tags"]
        assert question.key_points == original["key_points"][:6]
        assert question.short_answer == original["short_answer"]

    again = documents_import(files=[InputFile("bank.md", data)])

    assert again.errors == []
    assert (again.created, again.drafts, again.merged_exact, again.merged_near) == (0, 0, 0, 0)
    assert Question.all_objects.count() == BANK_SIZE
