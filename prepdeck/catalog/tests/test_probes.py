"""Probing follow-ups (``Question.probes``): the pure shape checks, the editor's text form, and every door
that writes them (bank load, JSON import, API-level services, revisions)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from prepdeck.catalog import services
from prepdeck.catalog.diffing import snapshot_diff
from prepdeck.catalog.importers.ownjson import entry_problems
from prepdeck.catalog.models import Question
from prepdeck.catalog.probes import (
    MAX_ASK_CHARS,
    MAX_PROBES,
    probes_as_text,
    probes_from_text,
    probes_normalized,
    probes_problems,
)
from prepdeck.core.exceptions import InvalidInput

PROBES = [
    {"ask": "Now the table has 100 million rows: what changes?", "answer": "Add the index `CONCURRENTLY`."},
    {
        "ask": "Now it runs behind PgBouncer in transaction mode?",
        "answer": "Server-side cursors break.\n\nSo...",
    },
]


def test_well_formed_probes_have_no_problems() -> None:
    assert probes_problems(PROBES) == []
    assert probes_problems([]) == []
    assert probes_problems(None) == []


@pytest.mark.parametrize(
    "value",
    [
        "ask me",
        {"ask": "x", "answer": "y"},
        [{"ask": "x"}],
        [{"ask": "", "answer": "y"}],
        [{"ask": "x", "answer": "y", "extra": 1}],
        [{"ask": "x" * (MAX_ASK_CHARS + 1), "answer": "y"}],
        [{"ask": "x", "answer": "y"}] * (MAX_PROBES + 1),
        [{"ask": 3, "answer": "y"}],
    ],
)
def test_malformed_probes_are_named(value: object) -> None:
    (problem,) = probes_problems(value)
    assert problem.startswith("probes as ")


def test_normalizing_trims_and_drops_empty_probes() -> None:
    assert probes_normalized(
        [{"ask": "  Why\n now? ", "answer": " Because. "}, {"ask": " ", "answer": ""}]
    ) == [{"ask": "Why now?", "answer": "Because."}]


_line = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=40
).filter(lambda text: text.strip() == text and not text.lower().startswith(("ask:", "answer:")))


@given(st.lists(st.tuples(_line, st.lists(_line, min_size=1, max_size=3)), max_size=4))
def test_the_editors_text_form_reads_back_to_the_same_probes(items: list[tuple[str, list[str]]]) -> None:
    probes = [{"ask": ask, "answer": "\n".join(lines)} for ask, lines in items]
    assert probes_from_text(probes_as_text(probes)) == probes


def test_text_without_answer_lines_gives_a_probe_without_answer() -> None:
    assert probes_from_text("Ask: What if two servers run it?\n") == [
        {"ask": "What if two servers run it?", "answer": ""}
    ]


def test_a_json_import_names_the_probes_field() -> None:
    entry = {"key": "k", "topic": "django-orm", "prompt": "Why?", "probes": [{"ask": "x"}]}
    assert [path for path, _ in entry_problems(entry)] == ["probes"]


@pytest.mark.django_db
def test_probes_go_through_upsert_export_and_revisions() -> None:
    # given a question loaded with probes
    services.topics_sync()
    entry = {
        "key": "probe-q",
        "topic": "django-orm",
        "prompt": "How do you add an index to a big table?",
        "short_answer": "Concurrently.",
        "key_points": ["CREATE INDEX CONCURRENTLY"],
        "difficulty": "advanced",
        "probes": PROBES,
    }
    services.questions_upsert([entry], revision_summary="load")
    question = Question.objects.get(key="probe-q")
    assert question.probes == PROBES
    assert question.revisions.get().snapshot["probes"] == PROBES

    # when the same entry is applied again nothing changes; a changed probe is a new version
    assert services.questions_upsert([entry], revision_summary="again").unchanged == 1
    changed = {**entry, "probes": PROBES[:1]}
    services.questions_upsert([changed], revision_summary="edit")
    question.refresh_from_db()

    # then the revision diff names the field
    assert question.version == 2
    old, new = (revision.snapshot for revision in question.revisions.order_by("version"))
    labels = [field.label for field in snapshot_diff(old, new)]
    assert labels == ["Probing follow-ups"]


@pytest.mark.django_db
def test_question_update_refuses_malformed_probes_and_writes_nothing() -> None:
    services.topics_sync()
    services.questions_upsert(
        [{"key": "p", "topic": "django-orm", "prompt": "Q?", "key_points": ["a"], "difficulty": "basic"}],
        revision_summary="load",
    )
    question = Question.objects.get(key="p")

    with pytest.raises(InvalidInput):
        services.question_update(question=question, expected_version=1, changes={"probes": [{"ask": "x"}]})

    question.refresh_from_db()
    assert (question.version, question.probes) == (1, [])
