"""Fixtures for page tests: a small published bank, a learner, an editor and clients signed in as them."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from prepdeck.accounts.models import User
from prepdeck.accounts.tests.factories import make_editor, make_user
from prepdeck.catalog import services as catalog_services
from prepdeck.catalog.models import Question, QuestionStatus

TOPICS = ["django-orm", "drf-serializers", "postgresql-indexes"]


def bank_entries(count: int = 12) -> list[dict[str, Any]]:
    """``count`` published questions over three topics, with everything a question page shows."""
    entries = []
    for number in range(count):
        topic = TOPICS[number % len(TOPICS)]
        entries.append(
            {
                "key": f"web-{number}",
                "topic": topic,
                "prompt": f"Question {number}: how does {topic.replace('-', ' ')} feature {number} work?",
                "short_answer": f"Feature {number} batches the work into one query.",
                "explanation": (
                    f"Feature {number} is explained here with **emphasis** and `inline_code`.\n\n"
                    "```python\nqueryset = Book.objects.select_related('author')\n```\n"
                ),
                "key_points": [
                    f"feature {number} runs one query",
                    "select_related follows foreign keys with a join",
                    "prefetch_related runs a second query",
                ],
                "choice": {
                    "correct": f"Feature {number} batches the work into one query.",
                    "distractors": [
                        {
                            "text": f"Wrong answer {number}{letter}",
                            "why_wrong": f"Why {number}{letter} is wrong.",
                        }
                        for letter in "abc"
                    ],
                },
                "difficulty": ["basic", "intermediate", "advanced"][number % 3],
                "tags": ["performance", "orm"] if number % 2 else ["api"],
                "code_examples": [
                    {"language": "python", "caption": "An example", "code": "print('hello')\n"}
                ],
                "status": QuestionStatus.PUBLISHED,
            }
        )
    return entries


def make_bank(count: int = 12) -> list[Question]:
    catalog_services.topics_sync()
    catalog_services.questions_upsert(bank_entries(count), revision_summary="test bank")
    return list(Question.objects.order_by("id"))


@pytest.fixture
def bank(db: None) -> list[Question]:
    return make_bank()


@pytest.fixture
def learner(db: None) -> User:
    return make_user(email="learner@example.com")


@pytest.fixture
def editor(db: None) -> User:
    return make_editor(email="editor@example.com")


@pytest.fixture
def learner_client(learner: User) -> Client:
    client = Client()
    client.force_login(learner)
    return client


@pytest.fixture
def editor_client(editor: User) -> Client:
    client = Client()
    client.force_login(editor)
    return client
