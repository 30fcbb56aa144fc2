"""The authorisation matrix: every API endpoint and method, as each role, gets the expected status, and a
refused write changes nothing.

The endpoints are read from the URL configuration, so a new endpoint without an entry in ``MATRIX`` fails
``test_every_endpoint_has_an_entry``. Each (endpoint, method, role) runs in a fresh world:

- learner A owns a draft question, a card with a review, a written quiz (first answer given), a mock
  interview and an API token; learner B owns nothing; the editor owns an import job; staff is an editor
  too. Everyone can see the two published questions. Learner A also owns an interview kit (one question)
  and interviews in a session scheduled from it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from prepdeck.accounts.models import ApiToken, User
from prepdeck.accounts.tests.factories import DEFAULT_PASSWORD, make_editor, make_user
from prepdeck.catalog import services as catalog_services
from prepdeck.catalog.models import ImportJob, Question, QuestionRevision
from prepdeck.interviews import services as interview_services
from prepdeck.interviews.models import InterviewSession, Invite, Kit, KitItem, Scorecard
from prepdeck.practice import services as practice_services
from prepdeck.practice import sessions
from prepdeck.practice.models import Card, MockInterview, Quiz, QuizItem, Review

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "learner_a", "learner_b", "editor", "staff")


@dataclass
class World:
    users: dict[str, User | None]
    published: Question
    draft: Question
    quiz: Quiz
    mock: MockInterview
    token: ApiToken
    job: ImportJob
    kit: Kit
    interview: InterviewSession


def _world() -> World:
    catalog_services.topics_sync()
    catalog_services.questions_upsert(
        [
            {
                "key": f"pub-{number}",
                "topic": "django-orm",
                "prompt": f"Published question {number}?",
                "short_answer": "An answer.",
                "key_points": ["select_related joins", "prefetch_related runs a second query"],
                "choice": {
                    "correct": "The right option.",
                    "distractors": [
                        {"text": f"Wrong option {letter}.", "why_wrong": "It is not."} for letter in "abc"
                    ],
                },
                "difficulty": "basic",
                "status": "published",
            }
            for number in range(2)
        ],
        revision_summary="test",
    )
    learner_a, learner_b = make_user(), make_user()
    editor = make_editor()
    staff = make_user(is_staff=True)
    published = Question.objects.get(key="pub-0")
    draft = catalog_services.question_create(
        author=learner_a, topic="django-orm", prompt="A's draft?", key_points=["x"]
    )
    practice_services.review_submit(user=learner_a, question_id=published.pk, rating=3, idempotency_key="a-1")
    quiz = sessions.quiz_create(user=learner_a, kind="written", count=2, seed=1)
    sessions.quiz_answer(user=learner_a, quiz_id=quiz.pk, position=1, answer="select_related joins in SQL.")
    mock = sessions.mock_start(user=learner_a, topics=[], difficulty_mix={"basic": 1})
    token, _ = _api_token(learner_a)
    job = ImportJob.objects.create(owner=editor, status="succeeded", report={"files": [], "errors": []})
    kit = interview_services.kit_create(owner=learner_a, title="A's kit")
    interview_services.kit_add_item(kit=kit, question_id=published.pk)
    interview = interview_services.session_schedule(
        kit=kit, owner=learner_a, candidate_name="Candidate", scheduled_at=published.created_at
    )
    return World(
        users={
            "anonymous": None,
            "learner_a": learner_a,
            "learner_b": learner_b,
            "editor": editor,
            "staff": staff,
        },
        published=published,
        draft=draft,
        quiz=quiz,
        mock=mock,
        token=token,
        job=job,
        kit=kit,
        interview=interview,
    )


def _api_token(user: User) -> tuple[ApiToken, str]:
    from prepdeck.accounts import services as account_services

    return account_services.api_token_create(user=user, name="cli")


@dataclass
class Entry:
    expected: dict[str, int]
    path: Callable[[World], dict[str, int]] = lambda world: {}
    body: Callable[[World, str], Any] = lambda world, role: {}
    multipart: bool = False


def everyone(status: int) -> dict[str, int]:
    return dict.fromkeys(ROLES, status)


def signed_in(status: int, anonymous: int = 401) -> dict[str, int]:
    return {"anonymous": anonymous, **dict.fromkeys(ROLES[1:], status)}


def owner_only(status: int) -> dict[str, int]:
    return {"anonymous": 401, "learner_a": status, "learner_b": 404, "editor": 404, "staff": 404}


EDITORS_ONLY = {"anonymous": 401, "learner_a": 403, "learner_b": 403, "editor": 200, "staff": 200}
DRAFT_READ = {"anonymous": 404, "learner_a": 200, "learner_b": 404, "editor": 200, "staff": 200}
DRAFT_WRITE = {"anonymous": 401, "learner_a": 200, "learner_b": 404, "editor": 200, "staff": 200}
DRAFT_EDITOR_WRITE = {"anonymous": 401, "learner_a": 403, "learner_b": 404, "editor": 200, "staff": 200}


def _draft(world: World) -> dict[str, int]:
    return {"question_id": world.draft.pk}


def _deleted_draft(world: World) -> dict[str, int]:
    """The draft, soft-deleted (now at version 2)."""
    catalog_services.question_delete(question=world.draft, user=None)
    return {"question_id": world.draft.pk}


def _published(world: World) -> dict[str, int]:
    return {"question_id": world.published.pk}


def _kit(world: World) -> dict[str, int]:
    return {"kit_id": world.kit.pk}


def _interview(world: World) -> dict[str, int]:
    return {"session_id": world.interview.pk}


CSV = b"question,answer,topic\nWhat is a QuerySet?,A lazy query.,django-orm\n"

MATRIX: dict[tuple[str, str], Entry] = {
    # account
    ("register", "post"): Entry(
        everyone(201),
        body=lambda world, role: {"email": f"new-{role}@example.com", "password": DEFAULT_PASSWORD},
    ),
    ("token-obtain", "post"): Entry(
        everyone(200),
        body=lambda world, role: {"email": world.users["learner_a"].email, "password": DEFAULT_PASSWORD},  # type: ignore[union-attr]
    ),
    ("token-refresh", "post"): Entry(everyone(401), body=lambda world, role: {"refresh": "not-a-token"}),
    ("logout", "post"): Entry(everyone(401), body=lambda world, role: {"refresh": "not-a-token"}),
    ("password-change", "post"): Entry(
        signed_in(204),
        body=lambda world, role: {"old_password": DEFAULT_PASSWORD, "new_password": "a brand new passphrase"},
    ),
    ("password-reset", "post"): Entry(
        everyone(202), body=lambda world, role: {"email": "someone@example.com"}
    ),
    ("password-reset-confirm", "post"): Entry(
        everyone(400),
        body=lambda world, role: {"uid": "MQ", "token": "nope", "new_password": "a brand new passphrase"},
    ),
    ("verify-email", "post"): Entry(signed_in(202)),
    ("verify-email-confirm", "post"): Entry(everyone(400), body=lambda world, role: {"token": "forged"}),
    ("me", "get"): Entry(signed_in(200)),
    ("me", "patch"): Entry(signed_in(200), body=lambda world, role: {"display_name": "New name"}),
    ("account-export", "get"): Entry(signed_in(200)),
    ("account-delete", "post"): Entry(
        signed_in(204), body=lambda world, role: {"password": DEFAULT_PASSWORD}
    ),
    ("token-list", "get"): Entry(signed_in(200)),
    ("token-list", "post"): Entry(signed_in(201), body=lambda world, role: {"name": "laptop"}),
    ("token-detail", "delete"): Entry(owner_only(204), path=lambda world: {"token_id": world.token.pk}),
    # bank
    ("topic-list", "get"): Entry(everyone(200)),
    ("tag-list", "get"): Entry(everyone(200)),
    ("question-list", "get"): Entry(everyone(200)),
    ("question-list", "post"): Entry(
        signed_in(201), body=lambda world, role: {"topic": "django-orm", "prompt": "New?"}
    ),
    ("question-detail", "get"): Entry(DRAFT_READ, path=_draft),
    ("question-detail", "patch"): Entry(
        DRAFT_WRITE, path=_draft, body=lambda world, role: {"version": 1, "short_answer": "Edited."}
    ),
    ("question-detail", "delete"): Entry({**DRAFT_EDITOR_WRITE, "editor": 204, "staff": 204}, path=_draft),
    ("question-deleted-list", "get"): Entry(EDITORS_ONLY),
    ("question-undelete", "post"): Entry(
        EDITORS_ONLY, path=_deleted_draft, body=lambda world, role: {"version": 2}
    ),
    ("question-submit", "post"): Entry(DRAFT_WRITE, path=_draft, body=lambda world, role: {"version": 1}),
    ("question-publish", "post"): Entry(
        DRAFT_EDITOR_WRITE, path=_draft, body=lambda world, role: {"version": 1}
    ),
    ("question-archive", "post"): Entry(
        DRAFT_EDITOR_WRITE, path=_draft, body=lambda world, role: {"version": 1}
    ),
    ("question-reopen", "post"): Entry(
        {**DRAFT_EDITOR_WRITE, "editor": 409, "staff": 409},
        path=_draft,
        body=lambda world, role: {"version": 1},
    ),
    # editors only, like the web history page: revisions name their authors and hold earlier versions
    ("question-revisions", "get"): Entry(EDITORS_ONLY, path=_draft),
    ("question-restore", "post"): Entry(
        EDITORS_ONLY,
        path=lambda world: {"question_id": world.draft.pk, "version": 1},
        body=lambda world, role: {"version": 1},
    ),
    ("import-list", "get"): Entry(EDITORS_ONLY),
    ("import-list", "post"): Entry(
        {**EDITORS_ONLY, "editor": 202, "staff": 202},
        body=lambda world, role: {"files": [SimpleUploadedFile("bank.csv", CSV)]},
        multipart=True,
    ),
    ("import-detail", "get"): Entry(
        {**EDITORS_ONLY, "staff": 404}, path=lambda world: {"job_id": world.job.pk}
    ),
    ("export", "get"): Entry(everyone(200)),
    # search
    ("search", "get"): Entry(everyone(200), body=lambda world, role: {"q": "select_related"}),
    ("question-similar", "get"): Entry(DRAFT_READ, path=_draft),
    # practice
    ("practice-queue", "get"): Entry(signed_in(200)),
    ("practice-reviews", "get"): Entry(signed_in(200)),
    ("practice-reviews", "post"): Entry(
        signed_in(201),
        body=lambda world, role: {
            "question": world.published.pk,
            "rating": 3,
            "idempotency_key": f"m-{role}",
        },
    ),
    ("practice-review-undo", "post"): Entry({**signed_in(409), "learner_a": 200}),
    ("practice-card-suspend", "post"): Entry(signed_in(200), path=_published),
    ("practice-card-unsuspend", "post"): Entry(signed_in(200), path=_published),
    ("practice-card-bury", "post"): Entry(signed_in(200), path=_published),
    ("practice-statistics", "get"): Entry(signed_in(200)),
    ("grade", "post"): Entry(
        signed_in(200), body=lambda world, role: {"question": world.published.pk, "answer": "It joins."}
    ),
    ("quiz-list", "get"): Entry(signed_in(200)),
    ("quiz-list", "post"): Entry(signed_in(201), body=lambda world, role: {"kind": "choice", "count": 1}),
    ("quiz-detail", "get"): Entry(owner_only(200), path=lambda world: {"quiz_id": world.quiz.pk}),
    ("quiz-answer", "post"): Entry(
        owner_only(200),
        path=lambda world: {"quiz_id": world.quiz.pk, "position": 2},
        body=lambda world, role: {"answer": "A guess."},
    ),
    ("quiz-override", "post"): Entry(
        owner_only(200),
        path=lambda world: {"quiz_id": world.quiz.pk, "position": 1},
        body=lambda world, role: {"score": 0.9},
    ),
    ("mock-list", "get"): Entry(signed_in(200)),
    ("mock-list", "post"): Entry(signed_in(201), body=lambda world, role: {"difficulty_mix": {"basic": 1}}),
    ("mock-detail", "get"): Entry(owner_only(200), path=lambda world: {"interview_id": world.mock.pk}),
    ("mock-answer", "post"): Entry(
        owner_only(200),
        path=lambda world: {"interview_id": world.mock.pk},
        body=lambda world, role: {"answer": "My answer."},
    ),
    ("mock-finish", "post"): Entry(owner_only(200), path=lambda world: {"interview_id": world.mock.pk}),
    # live interviews: a kit is its owner's; a session its interviewers' (a candidate's view is tested in
    # prepdeck/interviews/tests/test_api.py)
    ("interview-kit-list", "get"): Entry(signed_in(200)),
    ("interview-kit-list", "post"): Entry(signed_in(201), body=lambda world, role: {"title": "New kit"}),
    ("interview-kit-detail", "get"): Entry(owner_only(200), path=_kit),
    ("interview-kit-detail", "patch"): Entry(
        owner_only(200), path=_kit, body=lambda world, role: {"title": "Renamed"}
    ),
    ("interview-kit-items", "post"): Entry(
        owner_only(201), path=_kit, body=lambda world, role: {"custom_prompt": "Why?"}
    ),
    ("interview-kit-item-detail", "delete"): Entry(
        owner_only(204), path=lambda world: {"kit_id": world.kit.pk, "item_id": world.kit.items.get().pk}
    ),
    ("interview-kit-reorder", "post"): Entry(
        owner_only(200), path=_kit, body=lambda world, role: {"item_ids": [world.kit.items.get().pk]}
    ),
    ("interview-kit-copy", "post"): Entry(owner_only(201), path=_kit),
    ("interview-session-list", "get"): Entry(signed_in(200)),
    ("interview-session-list", "post"): Entry(
        owner_only(201),
        body=lambda world, role: {
            "kit": world.kit.pk,
            "candidate_name": "Someone",
            "scheduled_at": "2030-01-01T10:00:00Z",
        },
    ),
    ("interview-join", "post"): Entry(signed_in(410), body=lambda world, role: {"token": "f" * 43}),
    ("interview-session-detail", "get"): Entry(owner_only(200), path=_interview),
    ("interview-events", "get"): Entry(owner_only(200), path=_interview),
    ("interview-invites", "post"): Entry(owner_only(201), path=_interview),
    ("interview-share", "post"): Entry(
        owner_only(200), path=_interview, body=lambda world, role: {"shared": True}
    ),
    ("interview-scorecard", "get"): Entry(owner_only(200), path=_interview),
    ("interview-scorecard", "patch"): Entry(
        owner_only(200), path=_interview, body=lambda world, role: {"feedback": "Notes."}
    ),
    # A's scorecard has no recommendation yet: submitting it is refused as incomplete
    ("interview-scorecard-submit", "post"): Entry(owner_only(400), path=_interview),
    ("interview-scorecards", "get"): Entry(owner_only(200), path=_interview),
    ("interview-packet", "get"): Entry(owner_only(409), path=_interview),
    ("interview-report", "get"): Entry(owner_only(200), path=_interview),
    # an interviewer is not the candidate: nothing to add to their reviews
    ("interview-report-reviews", "post"): Entry(owner_only(400), path=_interview),
}


def _api_endpoints() -> list[tuple[str, str]]:
    """(url name, method) of every view under /api/v1/, from the URL configuration."""
    found: list[tuple[str, str]] = []

    def walk(patterns: list[Any], prefix: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern) and route.startswith("api/v1/"):
                # A viewset's route names the methods it maps to actions; another view has a method each.
                actions = getattr(pattern.callback, "actions", None)
                view_class = getattr(pattern.callback, "view_class", None)
                for method in ("get", "post", "put", "patch", "delete"):
                    if (method in actions) if actions else hasattr(view_class, method):
                        found.append((str(pattern.name), method))

    walk(get_resolver().url_patterns, "")
    return sorted(set(found))


def test_every_endpoint_has_an_entry() -> None:
    endpoints = _api_endpoints()
    assert sorted(set(endpoints) - set(MATRIX)) == []
    assert sorted(set(MATRIX) - set(endpoints)) == []


def _fingerprint() -> list[Any]:
    """What a refused write must not change."""
    return [
        list(
            User.objects.order_by("id").values_list(
                "id", "email", "password", "display_name", "email_verified_at"
            )
        ),
        list(
            Question.all_objects.order_by("id").values_list(
                "id", "version", "status", "short_answer", "deleted_at"
            )
        ),
        QuestionRevision.objects.count(),
        list(
            Card.objects.order_by("id").values_list("id", "state", "due", "suspended", "buried_until", "reps")
        ),
        list(Review.objects.order_by("id").values_list("id", "rating")),
        list(QuizItem.objects.order_by("id").values_list("id", "answer", "score", "answered_at")),
        list(MockInterview.objects.order_by("id").values_list("id", "status")),
        list(ApiToken.objects.order_by("id").values_list("id")),
        list(ImportJob.objects.order_by("id").values_list("id", "status")),
        Quiz.objects.count(),
        list(Kit.objects.order_by("id").values_list("id", "title")),
        list(KitItem.objects.order_by("id").values_list("id", "order")),
        list(InterviewSession.objects.order_by("id").values_list("id", "state", "share_report", "last_seq")),
        Invite.objects.count(),
        list(Scorecard.objects.order_by("id").values_list("id", "feedback", "submitted_at")),
    ]


CASES = [(name, method, role) for (name, method) in sorted(MATRIX) for role in ROLES]


@pytest.mark.parametrize(("name", "method", "role"), CASES, ids=[f"{n}-{m}-{r}" for n, m, r in CASES])
def test_authorization(name: str, method: str, role: str, django_capture_on_commit_callbacks: Any) -> None:
    from django.urls import reverse

    world = _world()
    entry = MATRIX[(name, method)]
    client = APIClient()
    user = world.users[role]
    if user is not None:
        client.force_authenticate(user)
    url = reverse(f"api:{name}", kwargs=entry.path(world))
    body = entry.body(world, role)
    before = _fingerprint()

    with django_capture_on_commit_callbacks(execute=True):
        if entry.multipart:
            response = getattr(client, method)(url, body, format="multipart")
        else:
            response = getattr(client, method)(url, body, format="json")

    assert response.status_code == entry.expected[role], response.content[:500]
    if response.status_code >= 400:
        assert set(response.json()) == {"error"}
        if method != "get":
            assert _fingerprint() == before, "a refused write changed data"
