"""What is cached, seen where users meet it: the topic tree (browse page and API), a question page's rendered
Markdown, a learner's statistics (dashboard and API) and search facets. Each is served from the cache the
second time, and a write through the product's own doors (an editor's edit, a learner's review) is seen on
the next read. One learner's cached statistics are never shown to another.

Writes run inside ``django_capture_on_commit_callbacks(execute=True)``: the cache is invalidated when the
write commits, which a test transaction never does by itself."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from prepdeck.accounts.models import User
from prepdeck.accounts.tests.factories import make_editor, make_user
from prepdeck.catalog.models import Question
from prepdeck.core import caching
from prepdeck.web.tests.conftest import make_bank

pytestmark = pytest.mark.django_db


# The setup commits (its on-commit callbacks run): a write still pending in the test's transaction would
# make every read of what it changed go around the cache, as it should inside a writing transaction.
@pytest.fixture
def bank(db: None, django_capture_on_commit_callbacks: Any) -> list[Question]:
    with django_capture_on_commit_callbacks(execute=True):
        return make_bank()


@pytest.fixture
def editor(db: None, django_capture_on_commit_callbacks: Any) -> User:
    with django_capture_on_commit_callbacks(execute=True):
        return make_editor(email="editor@example.com")


@pytest.fixture
def learner(db: None, django_capture_on_commit_callbacks: Any) -> User:
    with django_capture_on_commit_callbacks(execute=True):
        return make_user(email="learner@example.com")


def _main(page: str) -> str:
    """The page's main content (the rest holds a per-request CSRF token)."""
    return page[page.index("<main") : page.index("</main>")]


def _counts(api: APIClient) -> dict[str, int]:
    return {row["slug"]: row["published_questions"] for row in api.get("/api/v1/topics/").json()}


def _edit(api: APIClient, question: Question, **changes: Any) -> Any:
    return api.patch(
        f"/api/v1/questions/{question.pk}/", {"version": question.version, **changes}, format="json"
    )


def test_the_topic_tree_is_cached_and_an_editors_change_is_seen_next(
    bank: list[Question],
    editor: User,
    django_assert_num_queries: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    anonymous, editing = APIClient(), APIClient()
    editing.force_authenticate(editor)
    first = _counts(anonymous)

    # the second read runs no query at all
    with django_assert_num_queries(0):
        second = _counts(anonymous)

    # when an editor moves a question to another topic through the API
    with django_capture_on_commit_callbacks(execute=True):
        moved = _edit(editing, bank[0], topic="drf-serializers")
    after = _counts(anonymous)

    assert first == second
    assert (first["django-orm"], first["drf-serializers"]) == (4, 4)
    assert moved.status_code == 200
    assert (after["django-orm"], after["drf-serializers"]) == (3, 5)
    assert caching.cache_stats()["topic-tree"] == {"hit": 1, "miss": 2, "wait": 0, "bypass": 0}


def test_the_browse_page_shows_a_question_archived_by_an_editor_at_once(
    client: Client, bank: list[Question], editor: User, django_capture_on_commit_callbacks: Any
) -> None:
    editing = APIClient()
    editing.force_authenticate(editor)

    def rows() -> dict[str, int]:
        response = client.get("/browse/")
        return {row.topic.slug: row.questions for row in response.context["topic_rows"]}

    before, again = rows(), rows()
    with django_capture_on_commit_callbacks(execute=True):
        archived = editing.post(
            f"/api/v1/questions/{bank[0].pk}/archive/", {"version": bank[0].version}, format="json"
        )
    after = rows()

    assert archived.status_code == 200
    assert before == again
    assert (before["django-orm"], after["django-orm"]) == (4, 3)
    assert caching.cache_stats()["topic-tree"]["hit"] == 1


def test_a_question_page_renders_its_markdown_once_and_an_edit_shows_at_once(
    client: Client, bank: list[Question], editor: User, django_capture_on_commit_callbacks: Any
) -> None:
    question = bank[0]
    editing = APIClient()
    editing.force_authenticate(editor)

    first = _main(client.get(f"/questions/{question.pk}/").content.decode())
    second = _main(client.get(f"/questions/{question.pk}/").content.decode())
    with django_capture_on_commit_callbacks(execute=True):
        edited = _edit(editing, question, explanation="Now with *a new* explanation.")
    third = client.get(f"/questions/{question.pk}/").content.decode()

    assert edited.status_code == 200
    assert "explained here with <strong>emphasis</strong>" in first
    assert first == second
    assert "<p>Now with <em>a new</em> explanation.</p>" in third
    assert "explained here with" not in third
    # short answer and explanation: rendered on the first view, read from the cache on the second; after
    # the edit the short answer is unchanged (a hit) and the new explanation is rendered
    assert caching.cache_stats()["markdown"] == {"hit": 3, "miss": 3, "wait": 0, "bypass": 0}
    assert caching.cache_stats()["highlight"] == {"hit": 2, "miss": 1, "wait": 0, "bypass": 0}


def _review(api: APIClient, question: Question, key: str) -> Any:
    return api.post(
        "/api/v1/practice/reviews/",
        {"question": question.pk, "rating": 3, "idempotency_key": key},
        format="json",
    )


def test_statistics_are_cached_per_learner_and_never_shown_to_another(
    bank: list[Question], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        alice, bob = make_user(), make_user()
    as_alice, as_bob = APIClient(), APIClient()
    as_alice.force_authenticate(alice)
    as_bob.force_authenticate(bob)
    with django_capture_on_commit_callbacks(execute=True):
        for number in range(3):
            assert _review(as_alice, bank[number], f"a{number}").status_code == 201

    alice_first = as_alice.get("/api/v1/practice/statistics/").json()
    bob_first = as_bob.get("/api/v1/practice/statistics/").json()
    alice_again = as_alice.get("/api/v1/practice/statistics/").json()
    with django_capture_on_commit_callbacks(execute=True):
        assert _review(as_bob, bank[5], "b1").status_code == 201
    bob_after = as_bob.get("/api/v1/practice/statistics/").json()
    alice_after = as_alice.get("/api/v1/practice/statistics/").json()

    assert (alice_first["reviews_today"], alice_first["totals"]["reviews"]) == (3, 3)
    assert (bob_first["reviews_today"], bob_first["totals"]["reviews"]) == (0, 0)
    assert alice_again == alice_first
    assert (bob_after["reviews_today"], bob_after["totals"]["reviews"]) == (1, 1)
    # Bob's review leaves Alice's cached figures as they were (and right)
    assert alice_after == alice_first
    assert caching.cache_stats()["user-statistics"] == {"hit": 2, "miss": 3, "wait": 0, "bypass": 0}


def test_the_dashboard_shows_a_review_made_since_it_was_cached(
    bank: list[Question], learner: User, learner_client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    api = APIClient()
    api.force_authenticate(learner)

    before = learner_client.get("/").context
    with django_capture_on_commit_callbacks(execute=True):
        assert _review(api, bank[0], "k1").status_code == 201
    after = learner_client.get("/").context
    again = learner_client.get("/")

    assert [page["stats"].reviews_today for page in (before, after, again.context)] == [0, 1, 1]
    # the charts are cached with the figures, and drawn again with them: the heatmap counts the review
    assert before["heatmap"].summary.startswith("0 reviews")
    assert after["heatmap"].summary.startswith("1 review on 1 day")
    assert again.context["heatmap"] == after["heatmap"]
    assert after["heatmap"].summary in again.content.decode()
    assert caching.cache_stats()["statistics-charts"] == {"hit": 1, "miss": 2, "wait": 0, "bypass": 0}


def test_search_facets_are_cached_and_a_new_question_is_counted_next(
    bank: list[Question], editor: User, django_capture_on_commit_callbacks: Any
) -> None:
    anonymous, editing = APIClient(), APIClient()
    editing.force_authenticate(editor)
    query = {"q": "feature batches"}

    first = anonymous.get("/api/v1/search/", query).json()
    second = anonymous.get("/api/v1/search/", query).json()
    with django_capture_on_commit_callbacks(execute=True):
        archived = editing.post(
            f"/api/v1/questions/{bank[0].pk}/archive/", {"version": bank[0].version}, format="json"
        )
    third = anonymous.get("/api/v1/search/", query).json()

    assert archived.status_code == 200
    assert (first["count"], first["facets"]["topic"]["django-orm"]) == (12, 4)
    assert second == first
    assert (third["count"], third["facets"]["topic"]["django-orm"]) == (11, 3)
    assert caching.cache_stats()["search-facets"] == {"hit": 1, "miss": 2, "wait": 0, "bypass": 0}
