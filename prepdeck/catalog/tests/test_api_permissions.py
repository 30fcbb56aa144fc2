"""Who may do what to one question: the rule (``services.question_action_refusal``) and the API's permission
classes that apply it before a request's body is read, with the services' own message."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from rest_framework.test import APIClient

from prepdeck.accounts.tests.factories import make_editor, make_user
from prepdeck.catalog import services
from prepdeck.catalog.models import Question, QuestionRevision, QuestionStatus
from prepdeck.core.exceptions import InvalidInput

pytestmark = pytest.mark.django_db

ACTIONS = ("edit", "delete", "restore", "restore_revision", "submit", "publish", "archive", "reopen")
EDITOR_ONLY = {
    "delete": "Only editors can delete questions.",
    "restore": "Only editors can restore questions.",
    "restore_revision": "Only editors can restore an earlier version of a question.",
    "publish": "Only editors can publish questions.",
    "archive": "Only editors can archive questions.",
    "reopen": "Only editors can reopen questions.",
}
NOT_YOURS = {
    **EDITOR_ONLY,
    "edit": "Only editors can change this question.",
    "submit": "Only the author or an editor can submit this question.",
}


def _draft_of(author: Any) -> Question:
    services.topics_sync()
    return services.question_create(author=author, topic="django-orm", prompt="A draft?", key_points=["x"])


def _refusals(question: Question, user: Any) -> dict[str, str | None]:
    return {
        action: services.question_action_refusal(question=question, user=user, action=action)
        for action in ACTIONS
    }


def test_the_author_of_a_draft_may_edit_and_submit_it_and_nothing_else() -> None:
    author = make_user()
    draft = _draft_of(author)

    assert _refusals(draft, author) == {**EDITOR_ONLY, "edit": None, "submit": None}


def test_the_author_of_a_question_in_review_may_no_longer_edit_or_submit_it() -> None:
    author = make_user()
    draft = _draft_of(author)
    in_review = services.question_transition(question=draft, user=author, action="submit", expected_version=1)

    assert in_review.status == QuestionStatus.IN_REVIEW
    assert _refusals(in_review, author) == NOT_YOURS


@pytest.mark.parametrize("who", ["anonymous", "another learner"])
def test_nobody_else_but_editors_may_do_anything(who: str) -> None:
    draft = _draft_of(make_user())
    user = AnonymousUser() if who == "anonymous" else make_user()

    assert _refusals(draft, user) == NOT_YOURS


def test_editors_and_staff_may_do_everything() -> None:
    draft = _draft_of(make_user())

    assert _refusals(draft, make_editor()) == dict.fromkeys(ACTIONS)
    assert _refusals(draft, make_user(is_staff=True)) == dict.fromkeys(ACTIONS)


def test_an_unknown_action_is_invalid_input() -> None:
    draft = _draft_of(make_user())

    with pytest.raises(InvalidInput) as raised:
        services.question_action_refusal(question=draft, user=make_editor(), action="promote")

    assert raised.value.code == "invalid"


def _unchanged(question: Question) -> tuple[int, str, str, int]:
    fresh = Question.all_objects.get(pk=question.pk)
    return (
        fresh.version,
        fresh.status,
        fresh.prompt,
        QuestionRevision.objects.filter(question=fresh).count(),
    )


@pytest.mark.parametrize(
    ("method", "path", "body", "message"),
    [
        ("patch", "", {"version": "not a number", "prompt": ""}, "Only editors can change this question."),
        ("post", "submit/", {}, "Only the author or an editor can submit this question."),
        ("post", "publish/", {}, "Only editors can publish questions."),
        ("post", "archive/", {"version": "x"}, "Only editors can archive questions."),
        ("delete", "?version=x", None, "Only editors can delete questions."),
    ],
)
def test_a_refusal_is_answered_before_the_body_is_read_with_the_services_message(
    api: APIClient, method: str, path: str, body: Any, message: str
) -> None:
    # given the author's question, now in review: they may still see it, but no longer change it
    author = make_user()
    draft = _draft_of(author)
    question = services.question_transition(question=draft, user=author, action="submit", expected_version=1)
    before = _unchanged(question)
    api.force_authenticate(author)

    # when they send an invalid body (which used to be a 400 before the refusal)
    response = getattr(api, method)(f"/api/v1/questions/{question.pk}/{path}", body, format="json")

    # then
    assert response.status_code == 403
    assert response.json() == {"error": {"code": "permission_denied", "message": message, "details": {}}}
    assert _unchanged(question) == before


def test_a_question_you_may_not_see_is_not_found_before_anything_is_refused(api: APIClient) -> None:
    draft = _draft_of(make_user())
    api.force_authenticate(make_user())

    response = api.post(f"/api/v1/questions/{draft.pk}/publish/", {}, format="json")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_an_editor_reaches_the_service_which_checks_the_version(api: APIClient) -> None:
    draft = _draft_of(make_user())
    api.force_authenticate(make_editor())

    missing = api.post(f"/api/v1/questions/{draft.pk}/publish/", {}, format="json")
    published = api.post(f"/api/v1/questions/{draft.pk}/publish/", {"version": 1}, format="json")

    assert missing.status_code == 400
    assert missing.json()["error"]["details"]["fields"] == {"version": ["This field is required."]}
    assert (published.status_code, published.json()["status"], published.json()["version"]) == (
        200,
        "published",
        2,
    )


def test_questions_are_edited_with_patch_only(api: APIClient) -> None:
    draft = _draft_of(make_user())
    api.force_authenticate(make_editor())

    response = api.put(
        f"/api/v1/questions/{draft.pk}/",
        {"version": 1, "topic": "django-orm", "prompt": "Put?"},
        format="json",
    )

    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"
    assert Question.objects.get(pk=draft.pk).prompt == "A draft?"


@pytest.mark.parametrize("who", ["anonymous", "learner", "the author of the draft"])
def test_only_editors_restore_an_earlier_version_through_the_api(api: APIClient, who: str) -> None:
    # given a draft with two versions
    author = make_user()
    draft = _draft_of(author)
    services.question_update(question=draft, expected_version=1, changes={"prompt": "Second?"})
    before = _unchanged(draft)
    if who != "anonymous":
        api.force_authenticate(author if who == "the author of the draft" else make_user())

    # when they ask to restore version 1
    response = api.post(f"/api/v1/questions/{draft.pk}/revisions/1/restore/", {"version": 2}, format="json")

    # then
    assert response.status_code == (401 if who == "anonymous" else 403)
    assert _unchanged(draft) == before
