"""Fixtures for the search tests: the bundled bank, or a few questions written for one test, indexed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from prepdeck.catalog import services as catalog_services
from prepdeck.catalog.models import Question, QuestionStatus
from prepdeck.search.services import search_index_refresh


@pytest.fixture
def bank(db: None) -> None:
    """The bundled bank (353 questions), loaded and indexed."""
    catalog_services.bank_load()
    search_index_refresh()


def _entry(key: str, **content: Any) -> dict[str, Any]:
    return {
        "key": key,
        "topic": "django-orm",
        "prompt": f"Question {key}?",
        "short_answer": "",
        "explanation": "",
        "key_points": [],
        "difficulty": "basic",
        "tags": [],
        "status": QuestionStatus.PUBLISHED,
        **content,
    }


@pytest.fixture
def questions(db: None) -> Callable[..., dict[str, Question]]:
    """``questions(key=dict(prompt=..., ...), ...)``: write these questions and index them; by key."""

    def write(**entries: dict[str, Any]) -> dict[str, Question]:
        catalog_services.topics_sync()
        catalog_services.questions_upsert(
            [_entry(key, **content) for key, content in entries.items()], revision_summary="test"
        )
        written = {question.key: question for question in Question.all_objects.filter(key__in=entries)}
        search_index_refresh(question.pk for question in written.values())
        return written

    return write
