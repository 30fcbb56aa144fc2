"""``prepdeck search`` on the terminal."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from prepdeck.catalog.models import Question

pytestmark = pytest.mark.django_db


def _run(*arguments: str) -> str:
    out = StringIO()
    call_command("search", *arguments, stdout=out)
    return out.getvalue()


def test_prints_ranked_questions_with_their_snippets(questions: Callable[..., dict[str, Question]]) -> None:
    written = questions(
        beat={
            "prompt": "What is Celery beat?",
            "short_answer": "Celery beat runs periodic tasks & more.",
            "topic": "celery",
        }
    )

    lines = _run("celry", "beat").splitlines()

    assert lines[:4] == ["Did you mean: celery beat", "1-1 of 1 question(s)", "", "1. What is Celery beat?"]
    assert re.fullmatch(rf"   celery · basic · beat \(#{written['beat'].pk}, score [0-9.]+\)", lines[4])
    # (PostgreSQL's fragments end at a word, SQLite's at the end of the text)
    assert [line.rstrip(".") for line in lines[5:]] == ["   **Celery** **beat** runs periodic tasks & more"]


def test_json_prints_the_api_result(questions: Callable[..., dict[str, Question]]) -> None:
    questions(one={"prompt": "What is select_related?"}, two={"prompt": "What is a GIN index?"})

    result = json.loads(_run("select_related", "--json", "--limit", "5"))

    assert result["count"] == 1
    assert [hit["key"] for hit in result["results"]] == ["one"]
    assert result["facets"] == {"topic": {"django-orm": 1}, "difficulty": {"basic": 1}}


def test_rebuild_recomputes_the_index(questions: Callable[..., dict[str, Question]]) -> None:
    written = questions(one={"prompt": "What is a deadlock?"})
    Question.all_objects.filter(pk=written["one"].pk).update(prompt="What is a livelock?")

    assert _run("--rebuild") == "Search index rebuilt.\n"
    assert "1-1 of 1" in _run("livelock")


def test_an_empty_or_overlong_query_is_an_error(db: None) -> None:
    with pytest.raises(CommandError, match="Type what you are looking for"):
        _run()
    with pytest.raises(CommandError, match="at most 500 characters"):
        _run("x" * 501)
