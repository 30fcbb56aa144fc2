"""The bundled bank itself: well-formed, complete questions, and it loads idempotently."""

from __future__ import annotations

from collections import Counter

import pytest

from prepdeck.catalog import services
from prepdeck.catalog.bank import files
from prepdeck.catalog.models import Question

QUESTIONS = [question for _path, question in files.iter_questions()]
KEYS = {question["key"] for question in QUESTIONS}
TOPICS = {topic["slug"] for topic in files.load_topics()}


def test_keys_are_unique() -> None:
    duplicates = [key for key, count in Counter(q["key"] for q in QUESTIONS).items() if count > 1]

    assert duplicates == []


@pytest.mark.parametrize("question", QUESTIONS, ids=[q["key"] for q in QUESTIONS])
def test_question_is_complete(question: dict[str, object]) -> None:
    assert question["topic"] in TOPICS
    assert question["prompt"]
    assert question["short_answer"]
    assert question["difficulty"] in {"basic", "intermediate", "advanced"}
    key_points = question["key_points"]
    assert isinstance(key_points, list)
    assert 3 <= len(key_points) <= 6
    distractors = question.get("distractors", [])
    assert isinstance(distractors, list)
    assert len(distractors) in (0, 3)
    follow_ups = question.get("follow_ups", [])
    assert isinstance(follow_ups, list)
    assert set(follow_ups) <= KEYS
    for example in question.get("code_examples", []):  # type: ignore[attr-defined]
        assert example["code"].strip()
        assert example.get("runnable") or example.get("not_runnable_reason")


@pytest.mark.django_db
def test_the_bundled_bank_loads_and_reloading_changes_nothing() -> None:
    first = services.bank_load()
    second = services.bank_load()

    assert first.created == len(QUESTIONS)
    assert (second.created, second.updated, second.unchanged) == (0, 0, len(QUESTIONS))
    assert Question.objects.filter(status="published").count() == len(QUESTIONS)
