"""The search API as clients meet it: results, facets and suggestions, bad input, editors' statuses,
similar questions, and a constant number of queries."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from prepdeck.accounts.tests.factories import make_editor, make_user
from prepdeck.catalog.models import Question

pytestmark = pytest.mark.django_db

Questions = Callable[..., dict[str, Question]]


def _small_bank(questions: Questions) -> dict[str, Question]:
    return questions(
        beat={
            "prompt": "What is Celery beat?",
            "short_answer": "Celery beat sends periodic tasks to the broker on a schedule.",
            "topic": "celery",
            "difficulty": "basic",
        },
        retries={
            "prompt": "How do Celery tasks retry?",
            "short_answer": "autoretry_for with retry_backoff retries failing tasks.",
            "topic": "celery",
            "difficulty": "intermediate",
            "tags": ["reliability"],
        },
        draft={"prompt": "A draft about Celery beat?", "topic": "celery", "status": "draft"},
        orm={"prompt": "What does select_related do?", "topic": "django-orm", "difficulty": "basic"},
    )


def test_search_returns_ranked_results_with_snippets_counts_and_facets(
    api: APIClient, questions: Questions
) -> None:
    written = _small_bank(questions)

    response = api.get("/api/v1/search/", {"q": "celery beat"})

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert body["facets"] == {"topic": {"celery": 1}, "difficulty": {"basic": 1}}
    assert body["suggestion"] is None
    (hit,) = body["results"]
    assert {name: hit[name] for name in ("id", "key", "prompt", "topic", "difficulty")} == {
        "id": written["beat"].pk,
        "key": "beat",
        "prompt": "What is Celery beat?",
        "topic": "celery",
        "difficulty": "basic",
    }
    # the same snippet on both databases (cut in Python)
    assert hit["snippet"] == (
        "<mark>Celery</mark> <mark>beat</mark> sends periodic tasks to the broker on a schedule."
    )
    assert isinstance(hit["score"], float)


def test_filters_and_a_misspelling(api: APIClient, questions: Questions) -> None:
    _small_bank(questions)

    filtered = api.get("/api/v1/search/", {"q": "celery", "difficulty": "intermediate", "tag": "reliability"})
    misspelled = api.get("/api/v1/search/", {"q": "celry tasks", "topic": "celery"})

    assert [hit["key"] for hit in filtered.json()["results"]] == ["retries"]
    assert misspelled.json()["suggestion"] == "celery tasks"
    assert misspelled.json()["count"] == 2


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({}, "q"),
        ({"q": ""}, "q"),
        ({"q": "x" * 10_000}, "q"),
        ({"q": "celery\x00"}, "q"),
        ({"q": "celery", "difficulty": "impossible"}, "difficulty"),
        ({"q": "celery", "limit": "0"}, "limit"),
        ({"q": "celery", "limit": "lots"}, "limit"),
        ({"q": "celery", "offset": "-1"}, "offset"),
        ({"q": "celery", "tag": "not a slug"}, "tag"),
    ],
)
def test_bad_parameters_are_a_400_in_the_error_shape(
    api: APIClient, params: dict[str, str], field: str
) -> None:
    response = api.get("/api/v1/search/", params)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    assert field in response.json()["error"]["details"]["fields"]


@pytest.mark.parametrize(
    "query",
    ["!!!", "&|!:*", "a:* & !b | 'c' \\", '"', "'; DROP TABLE catalog_question; --", "日本語 🚀", "%s %%"],
)
def test_odd_queries_are_answered_with_results_or_nothing(
    api: APIClient, questions: Questions, query: str
) -> None:
    _small_bank(questions)

    response = api.get("/api/v1/search/", {"q": query})

    assert response.status_code == 200
    assert set(response.json()) == {"count", "count_exact", "results", "facets", "suggestion"}


def test_only_editors_search_other_statuses(api: APIClient, questions: Questions) -> None:
    _small_bank(questions)

    anonymous = api.get("/api/v1/search/", {"q": "draft", "status": "draft"})
    api.force_authenticate(make_user())
    learner = api.get("/api/v1/search/", {"q": "draft", "status": "any"})
    api.force_authenticate(make_editor())
    editor = api.get("/api/v1/search/", {"q": "celery beat", "status": "any"})

    assert anonymous.status_code == 403
    assert anonymous.json()["error"]["code"] == "permission_denied"
    assert learner.status_code == 403
    assert editor.status_code == 200
    assert sorted(hit["key"] for hit in editor.json()["results"]) == ["beat", "draft"]


@pytest.mark.parametrize("limit", [5, 50])
def test_search_runs_the_same_queries_for_any_page_size(
    api: APIClient, bank: None, limit: int, django_assert_num_queries: Any
) -> None:
    # vocabulary lookup, counts and facets, the ranked page with snippets
    with django_assert_num_queries(3):
        response = api.get("/api/v1/search/", {"q": "django queryset", "limit": str(limit)})

    assert response.status_code == 200
    assert len(response.json()["results"]) == limit


def test_similar_questions_share_words_and_tags(api: APIClient, bank: None) -> None:
    question = Question.objects.get(key="orm-select-related-vs-prefetch-related")

    response = api.get(f"/api/v1/questions/{question.pk}/similar/")

    assert response.status_code == 200
    keys = [hit["key"] for hit in response.json()["results"]]
    assert len(keys) == 5
    assert question.key not in keys
    assert "orm-prefetch-object-to-attr" in keys[:3]


@pytest.mark.parametrize("limit", [2, 10])
def test_similar_questions_run_the_same_queries_for_any_limit(
    api: APIClient, bank: None, limit: int, django_assert_num_queries: Any
) -> None:
    question = Question.objects.get(key="celery-beat-periodic-tasks")

    # the question, its tags, the ranked page
    with django_assert_num_queries(3):
        response = api.get(f"/api/v1/questions/{question.pk}/similar/", {"limit": str(limit)})

    assert len(response.json()["results"]) == limit


def test_similar_questions_of_a_question_you_cannot_see_is_a_404(
    api: APIClient, questions: Questions
) -> None:
    written = _small_bank(questions)

    hidden = api.get(f"/api/v1/questions/{written['draft'].pk}/similar/")
    missing = api.get("/api/v1/questions/999999/similar/")
    api.force_authenticate(make_editor())
    editor = api.get(f"/api/v1/questions/{written['draft'].pk}/similar/")

    assert hidden.status_code == 404
    assert hidden.json()["error"]["code"] == "not_found"
    assert missing.status_code == 404
    assert editor.status_code == 200
    assert "beat" in [hit["key"] for hit in editor.json()["results"]]


def test_a_swap_of_two_letters_is_suggested_and_searched(api: APIClient, questions: Questions) -> None:
    # issue 16 item 10: "djnago" found nothing and suggested nothing ("djang" worked)
    questions(
        views={"prompt": "How do Django views work?"},
        models={"prompt": "What is a Django model?"},
        dragon={"prompt": "What does a dragon eat?"},
        mango={"prompt": "Is a mango a fruit?"},
    )

    swapped = api.get("/api/v1/search/", {"q": "djnago"}).json()
    doubled = api.get("/api/v1/search/", {"q": "djangoo models"}).json()

    assert swapped["suggestion"] == "django"
    assert sorted(hit["key"] for hit in swapped["results"]) == ["models", "views"]
    assert swapped["count"] == 2
    assert doubled["suggestion"] == "django models"
    assert [hit["key"] for hit in doubled["results"]] == ["models"]


def test_snippets_keep_key_points_apart_with_punctuation(api: APIClient, questions: Questions) -> None:
    # issue 16 item 10: snippets ran key points together ("skipped rows Cursor pagination ...")
    questions(
        pages={
            "prompt": "Which pagination?",
            "short_answer": "It depends on the list",
            "key_points": ["Offset pagination reads the skipped rows", "Cursor pagination is stable."],
        }
    )

    response = api.get("/api/v1/search/", {"q": "pagination"}).json()

    assert response["results"][0]["snippet"] == (
        "It depends on the list. Offset <mark>pagination</mark> reads the skipped rows. Cursor "
        "<mark>pagination</mark> is stable."
    )


def test_counts_stop_at_a_thousand_and_say_so(api: APIClient, questions: Questions) -> None:
    # Counting every match of a common word costs time in proportion to the bank: beyond 1,000 a search
    # says "1,000+" and its facets are the first 1,000 matches'.
    questions(
        **{f"widget-{number:04d}": {"prompt": f"Widget number {number}?"} for number in range(1001)},
        gadget={"prompt": "A gadget?", "difficulty": "advanced"},
    )

    many = api.get("/api/v1/search/", {"q": "widget", "limit": "5"}).json()
    few = api.get("/api/v1/search/", {"q": "gadget"}).json()

    assert many["count"] == 1000
    assert many["count_exact"] is False
    assert sum(many["facets"]["difficulty"].values()) == 1000
    assert sum(many["facets"]["topic"].values()) == 1000
    assert len(many["results"]) == 5
    keys = {hit["key"] for hit in many["results"]}
    assert len(keys) == 5
    assert keys <= {f"widget-{number:04d}" for number in range(1001)}
    assert few["count"] == 1
    assert few["count_exact"] is True


def test_a_long_answers_snippet_is_the_fragment_around_its_matches(
    api: APIClient, questions: Questions
) -> None:
    filler = " ".join(f"Sentence {number} says nothing." for number in range(40))
    questions(
        deep={
            "prompt": "How do I load related rows?",
            "short_answer": "It depends.",
            "explanation": f"{filler} Use select_related for the N+1 queries of foreign keys. {filler}",
        }
    )

    (hit,) = api.get("/api/v1/search/", {"q": "select_related n+1 query"}).json()["results"]

    # every form of a word (query -> queries), identifiers as written, the text around them, "…" where
    # the text goes on; the rest of the long explanation is left out
    assert (
        "Use <mark>select_related</mark> for the <mark>N+1</mark> <mark>queries</mark> of foreign keys."
        in (hit["snippet"])
    )
    assert hit["snippet"].startswith("…")
    assert hit["snippet"].endswith("…")
    assert len(hit["snippet"]) < 300
