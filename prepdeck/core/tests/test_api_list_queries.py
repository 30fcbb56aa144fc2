"""Every list endpoint runs the same number of queries whatever the page size (no N+1 anywhere)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from prepdeck.accounts import services as account_services
from prepdeck.accounts.models import User
from prepdeck.accounts.tests.factories import make_editor
from prepdeck.catalog import services as catalog_services
from prepdeck.catalog.models import ImportJob, Question
from prepdeck.interviews import services as interview_services
from prepdeck.practice import scheduling, sessions
from prepdeck.practice import services as practice_services

pytestmark = pytest.mark.django_db

COUNT = 12
LISTS = [
    "/api/v1/questions/",
    "/api/v1/tags/",
    "/api/v1/questions/{question}/revisions/",
    "/api/v1/imports/",
    "/api/v1/me/tokens/",
    "/api/v1/practice/reviews/",
    "/api/v1/practice/quizzes/",
    "/api/v1/practice/mock-interviews/",
    "/api/v1/interviews/kits/",
    "/api/v1/interviews/sessions/",
]


@pytest.fixture
def world() -> dict[str, Any]:
    catalog_services.topics_sync()
    catalog_services.questions_upsert(
        [
            {
                "key": f"q-{number}",
                "topic": "django-orm",
                "prompt": f"Question {number}?",
                "short_answer": "An answer.",
                "key_points": ["one point", "another point"],
                "choice": {
                    "correct": "The right option.",
                    "distractors": [
                        {"text": f"Wrong option {letter}.", "why_wrong": "It is not."} for letter in "abc"
                    ],
                },
                "difficulty": "basic",
                "tags": [f"tag-{number}", "shared"],
                "status": "published",
            }
            for number in range(COUNT)
        ],
        revision_summary="test",
    )
    user = make_editor()
    question = Question.objects.get(key="q-0")
    for version in range(1, COUNT):
        catalog_services.question_update(
            question=question, expected_version=version, changes={"short_answer": f"v{version}"}, author=user
        )
    start = datetime(2026, 11, 1, tzinfo=UTC)
    fixed = scheduling.SchedulerSettings(fuzz=False)
    for number, other in enumerate(Question.objects.order_by("id")):
        practice_services.review_submit(
            user=user,
            question_id=other.pk,
            rating=3,
            idempotency_key=str(number),
            now=start + timedelta(hours=number),
            settings=fixed,
        )
        account_services.api_token_create(user=user, name=f"token {number}")
        ImportJob.objects.create(
            owner=user, report={"files": [f"f{number}.md"], "errors": []}, status="succeeded"
        )
        sessions.quiz_create(user=user, kind="choice", count=2, seed=number)
        sessions.mock_start(user=user, topics=[], difficulty_mix={"basic": 2}, seed=number)
        kit = interview_services.kit_create(owner=user, title=f"Kit {number}")
        interview_services.kit_add_item(kit=kit, question_id=other.pk)
        interview_services.session_schedule(
            kit=kit, owner=user, candidate_name=f"Candidate {number}", scheduled_at=start
        )
    return {"user": user, "question": question.pk}


@pytest.mark.parametrize("url", LISTS)
def test_a_list_runs_the_same_queries_for_any_page_size(
    api: APIClient, world: dict[str, Any], url: str
) -> None:
    path = url.format(question=world["question"])
    counts = []
    for page_size in (3, COUNT):
        # a fresh user object per request, as in production (roles are cached on it for one request)
        api.force_authenticate(User.objects.get(pk=world["user"].pk))
        with CaptureQueriesContext(connection) as queries:
            response = api.get(f"{path}?page_size={page_size}")
        assert response.status_code == 200
        assert len(response.json()["results"]) == page_size
        counts.append(len(queries))
    assert counts[0] == counts[1], f"{path}: {counts[0]} queries for 3 items, {counts[1]} for {COUNT}"
