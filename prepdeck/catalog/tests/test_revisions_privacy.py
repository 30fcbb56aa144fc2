"""A question's revisions (who changed what, earlier versions) are for editors, through the API as on the web
history page, and name their authors by display name, never by email address."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from prepdeck.accounts.tests.factories import make_editor, make_user
from prepdeck.catalog import services
from prepdeck.catalog.models import Question, QuestionStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def edited() -> Question:
    """A published question edited by an editor with a display name, then by one without."""
    services.topics_sync()
    services.questions_upsert(
        [
            {
                "key": "q-1",
                "topic": "django-orm",
                "prompt": "What does select_related do?",
                "short_answer": "It joins.",
                "key_points": ["a join"],
                "difficulty": "basic",
                "status": QuestionStatus.PUBLISHED,
            }
        ],
        revision_summary="loaded",
    )
    question = Question.objects.get(key="q-1")
    named = make_editor(email="grace.hopper@example.com", display_name="Grace")
    unnamed = make_editor(email="secret.editor@example.com")
    services.question_update(
        question=question, expected_version=1, changes={"short_answer": "A JOIN."}, author=named
    )
    services.question_update(
        question=Question.objects.get(pk=question.pk),
        expected_version=2,
        changes={"short_answer": "A SQL JOIN."},
        author=unnamed,
    )
    return Question.objects.get(pk=question.pk)


def test_anonymous_visitors_and_learners_get_no_revisions(edited: Question) -> None:
    api = APIClient()
    anonymous = api.get(f"/api/v1/questions/{edited.pk}/revisions/")
    api.force_authenticate(make_user())
    learner = api.get(f"/api/v1/questions/{edited.pk}/revisions/")

    assert (anonymous.status_code, anonymous.json()["error"]["code"]) == (401, "not_authenticated")
    assert (learner.status_code, learner.json()["error"]["code"]) == (403, "permission_denied")
    assert "@example.com" not in anonymous.content.decode() + learner.content.decode()


def test_the_web_history_page_answers_the_same_people(edited: Question) -> None:
    anonymous = Client().get(reverse("web:question_history", args=[edited.pk]))
    learner = Client()
    learner.force_login(make_user())

    assert (anonymous.status_code, anonymous["Location"]) == (
        302,
        f"/accounts/login/?next=/questions/{edited.pk}/history/",
    )
    assert learner.get(reverse("web:question_history", args=[edited.pk])).status_code == 403


def test_editors_see_authors_by_display_name_never_by_email(edited: Question) -> None:
    unnamed = edited.revisions.get(version=3).author
    assert unnamed is not None
    api = APIClient()
    api.force_authenticate(make_editor())

    response = api.get(f"/api/v1/questions/{edited.pk}/revisions/")

    assert response.status_code == 200
    assert [(row["version"], row["author"]) for row in response.json()["results"]] == [
        (3, f"User #{unnamed.pk}"),
        (2, "Grace"),
        (1, None),
    ]
    assert "@example.com" not in response.content.decode()


def test_the_history_and_edit_pages_name_authors_without_their_email(edited: Question) -> None:
    unnamed = edited.revisions.get(version=3).author
    assert unnamed is not None
    editor = Client()
    editor.force_login(make_editor(email="viewer@example.com", display_name="Viewer"))

    history = editor.get(reverse("web:question_history", args=[edited.pk])).content.decode()
    edit = editor.get(reverse("web:question_edit", args=[edited.pk])).content.decode()

    for page in (history, edit):
        assert f"User #{unnamed.pk}" in page
        assert "secret.editor@example.com" not in page
        assert "grace.hopper@example.com" not in page
    assert "Grace" in history
