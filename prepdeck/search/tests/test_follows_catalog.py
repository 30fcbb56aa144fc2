"""The index follows the catalog through the catalog's own announcement (the catalog never imports search,
docs/architecture.md): what any door writes is found, or no longer found, at once; a write that rolls back
leaves the index as it was; a bulk import announces once, with every question it wrote."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import transaction
from rest_framework.test import APIClient

from prepdeck.accounts.tests.factories import make_editor
from prepdeck.catalog import importing
from prepdeck.catalog import services as catalog_services
from prepdeck.catalog.events import QuestionsChanged, questions_changed
from prepdeck.catalog.models import Question
from prepdeck.search import services as search_services
from prepdeck.search.selectors import search_questions

pytestmark = pytest.mark.django_db

Questions = Callable[..., dict[str, Question]]


def _found(query: str) -> list[str]:
    return [hit.key for hit in search_questions(query, status=None).results]


def _beat(questions: Questions) -> Question:
    return questions(
        beat={
            "prompt": "What is Celery beat?",
            "short_answer": "Celery beat sends periodic tasks to the broker.",
            "topic": "celery",
        }
    )["beat"]


def test_search_subscribes_to_the_catalogs_announcement_in_the_write_transaction() -> None:
    subscribed = [(s.hook, s.when) for s in questions_changed.subscriptions]

    assert subscribed.count((search_services.search_index_follow_catalog, "in_transaction")) == 1


def test_an_edit_through_the_api_is_found_at_once(api: APIClient, questions: Questions) -> None:
    question = _beat(questions)
    api.force_authenticate(make_editor())
    assert _found("flower") == []

    response = api.patch(
        f"/api/v1/questions/{question.pk}/",
        {"version": 1, "short_answer": "Watch the workers with Flower."},
        format="json",
    )

    assert response.status_code == 200
    assert _found("flower") == ["beat"]
    assert _found("periodic") == []
    assert [hit["key"] for hit in api.get("/api/v1/search/", {"q": "flower"}).json()["results"]] == ["beat"]


def test_a_deleted_question_leaves_search_and_a_restored_one_comes_back(
    api: APIClient, questions: Questions
) -> None:
    question = _beat(questions)
    api.force_authenticate(make_editor())

    deleted = api.delete(f"/api/v1/questions/{question.pk}/?version=1")
    after_delete = _found("celery beat")
    restored = api.post(f"/api/v1/questions/{question.pk}/restore/", {"version": 2}, format="json")

    assert (deleted.status_code, restored.status_code) == (204, 200)
    assert after_delete == []
    assert _found("celery beat") == ["beat"]


class _Abort(Exception):
    pass


def test_a_write_that_rolls_back_leaves_the_index_as_it_was(questions: Questions) -> None:
    question = _beat(questions)

    inside: list[str] = []

    def edit_and_roll_back() -> None:
        with transaction.atomic():
            catalog_services.question_update(
                question=question, expected_version=1, changes={"short_answer": "Watch it with Flower."}
            )
            inside.extend(_found("flower"))  # the index changed with the write, in its transaction
            raise _Abort

    with pytest.raises(_Abort):
        edit_and_roll_back()

    assert inside == ["beat"]
    assert _found("flower") == []
    assert _found("periodic") == ["beat"]


def test_a_bulk_import_announces_once_with_every_question_it_wrote() -> None:
    announced: list[QuestionsChanged] = []
    questions_changed.subscribe(announced.append, when="in_transaction")
    csv = (
        "question,answer,topic\n"
        '"What does select_related do?","It follows foreign keys with a SQL join.",ORM\n'
        '"What does prefetch_related do?","It runs one more query per relation.",ORM\n'
        '"What is a Celery chord?","A group of tasks with a callback.",Celery\n'
    )
    try:
        report = importing.documents_import(files=[importing.InputFile(name="bank.csv", data=csv.encode())])
    finally:
        questions_changed.unsubscribe(announced.append)

    assert report.created == 3
    assert announced == [
        QuestionsChanged(question_ids=frozenset(Question.all_objects.values_list("pk", flat=True)))
    ]
    assert _found("chord") == [Question.objects.get(prompt="What is a Celery chord?").key]
