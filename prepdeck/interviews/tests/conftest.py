"""Fixtures for live interviews: two published questions, a kit of them, and a scheduled session."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from prepdeck.accounts.models import User
from prepdeck.accounts.tests.factories import make_user
from prepdeck.catalog import services as catalog_services
from prepdeck.catalog.models import Question
from prepdeck.interviews import services
from prepdeck.interviews.access import CANDIDATE, INTERVIEWER, Participant
from prepdeck.interviews.models import InterviewSession, Kit

KEY_POINTS = [
    ["select_related follows foreign keys with a join", "prefetch_related runs a second query"],
    ["an index speeds up lookups", "an index slows down writes"],
]


def load_questions() -> list[Question]:
    catalog_services.topics_sync()
    catalog_services.questions_upsert(
        [
            {
                "key": f"live-{number}",
                "topic": "django-orm",
                "prompt": f"Live question {number}?",
                "short_answer": "An answer.",
                "key_points": KEY_POINTS[number],
                "difficulty": "basic",
                "status": "published",
            }
            for number in range(2)
        ],
        revision_summary="test",
    )
    return list(Question.objects.filter(key__startswith="live-").order_by("key"))


@pytest.fixture
def questions(db: None) -> list[Question]:
    return load_questions()


@pytest.fixture
def interviewer(db: None) -> User:
    return make_user(display_name="Ada")


@pytest.fixture
def second_interviewer(db: None) -> User:
    return make_user(display_name="Grace")


def build_kit(owner: User, questions: list[Question]) -> Kit:
    kit = services.kit_create(owner=owner, title="Backend kit")
    for question in questions:
        services.kit_add_item(kit=kit, question_id=question.pk, suggested_minutes=5)
    services.kit_add_item(
        kit=kit, custom_prompt="Tell me about a bug you fixed.", custom_key_points=["names the cause"]
    )
    return kit


@pytest.fixture
def kit(interviewer: User, questions: list[Question]) -> Kit:
    return build_kit(interviewer, questions)


@pytest.fixture
def session(kit: Kit, interviewer: User, second_interviewer: User) -> InterviewSession:
    return services.session_schedule(
        kit=kit,
        owner=interviewer,
        candidate_name="Linus",
        scheduled_at=timezone.now() + timedelta(hours=1),
        interviewers=[second_interviewer],
    )


def as_interviewer(user: User) -> Participant:
    return Participant(role=INTERVIEWER, user=user, name=user.get_short_name())


def as_candidate(session: InterviewSession, user: User | None = None) -> Participant:
    return Participant(role=CANDIDATE, user=user, name=session.candidate_name)
