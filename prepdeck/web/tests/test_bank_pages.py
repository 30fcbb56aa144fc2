"""Browse, question and search pages through the Django test client."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from prepdeck.accounts.models import User
from prepdeck.catalog.models import Question, QuestionStatus
from prepdeck.practice import services as practice_services
from prepdeck.practice.models import Card, CardState
from prepdeck.web.tests.conftest import make_bank

pytestmark = pytest.mark.django_db


def _text(response: Any) -> str:
    return response.content.decode()


def test_browse_lists_published_questions_with_the_topic_tree_and_counts(
    client: Client, bank: list[Question]
) -> None:
    Question.objects.filter(pk=bank[0].pk).update(status=QuestionStatus.DRAFT)

    response = client.get("/browse/")

    assert response.status_code == 200
    assert response.context["page"].paginator.count == 11
    rows = {row.topic.slug: row.questions for row in response.context["topic_rows"]}
    # parents count the questions below them; topics without any are left out of the tree
    assert rows == {
        "django": 3,
        "django-orm": 3,
        "drf": 4,
        "drf-serializers": 4,
        "postgresql": 4,
        "postgresql-indexes": 4,
    }
    assert bank[0].prompt not in _text(response)
    assert bank[1].prompt in _text(response)


def test_browse_filters_by_topic_difficulty_and_tag(client: Client, bank: list[Question]) -> None:
    response = client.get("/browse/?topic=drf-serializers&difficulty=intermediate&tag=performance")

    shown = [question.key for question, _ in response.context["items"]]
    expected = [
        question.key
        for question in bank
        if question.topic.slug == "drf-serializers"
        and question.difficulty == "intermediate"
        and question.tags.filter(slug="performance").exists()
    ]
    assert shown == expected
    assert shown  # the fixture has such a question: the filter is really exercised
    assert response.context["current_topic"].slug == "drf-serializers"


@pytest.mark.parametrize(
    "query",
    ["page=abc", "page=999", "page=-1", "difficulty=impossible", "topic=nope", "tag=%00", "page_size=x"],
)
def test_browse_survives_bad_parameters(client: Client, bank: list[Question], query: str) -> None:
    response = client.get(f"/browse/?{query}")

    assert response.status_code == 200


def test_drafts_are_hidden_from_learners_and_shown_to_editors_with_a_status_filter(
    learner_client: Client, editor_client: Client, bank: list[Question]
) -> None:
    Question.objects.filter(pk=bank[0].pk).update(status=QuestionStatus.DRAFT)

    as_learner = learner_client.get("/browse/?status=draft")
    as_editor = editor_client.get("/browse/?status=draft")

    assert as_learner.context["page"].paginator.count == 11
    assert [question.pk for question, _ in as_editor.context["items"]] == [bank[0].pk]
    assert 'name="status"' in _text(as_editor)
    assert 'name="status"' not in _text(as_learner)
    # the topic tree counts what each list shows: one draft for the editor, the published rest for learners
    editor_rows = {row.topic.slug: row.questions for row in as_editor.context["topic_rows"]}
    learner_rows = {row.topic.slug: row.questions for row in as_learner.context["topic_rows"]}
    assert sum(editor_rows[slug] for slug in editor_rows if "-" in slug) == 1
    assert sum(learner_rows[slug] for slug in learner_rows if "-" in slug) == 11
    everything = editor_client.get("/browse/")
    assert everything.context["page"].paginator.count == 12
    assert sum(row.questions for row in everything.context["topic_rows"] if "-" in row.topic.slug) == 12


def test_browse_shows_the_learners_mastery_per_topic(
    learner: User, learner_client: Client, bank: list[Question]
) -> None:
    orm_question = next(question for question in bank if question.topic.slug == "django-orm")
    practice_services.review_submit(user=learner, question_id=orm_question.pk, rating=3, idempotency_key="m1")

    response = learner_client.get("/browse/")

    mastery = {row.topic.slug: row.mastery for row in response.context["topic_rows"]}
    assert mastery["django-orm"] == pytest.approx(1 / 4, abs=0.01)  # one of four questions, just reviewed
    assert mastery["drf-serializers"] is None
    assert 'aria-label="Your mastery of' in _text(response)


def test_browse_runs_the_same_number_of_queries_for_any_page_size(
    learner: User, learner_client: Client, django_assert_num_queries: Any
) -> None:
    questions = make_bank(24)
    for question in questions[:6]:
        practice_services.card_add(user=learner, question_id=question.pk)

    # session, user, topics, scheduler parameters, recall by topic, tags, editor?, count, page, tags, cards
    with django_assert_num_queries(11):
        learner_client.get("/browse/?page_size=3")
    with django_assert_num_queries(11):
        learner_client.get("/browse/?page_size=20")


def test_the_question_page_shows_every_part_of_the_answer(client: Client, bank: list[Question]) -> None:
    question = bank[0]

    response = client.get(f"/questions/{question.pk}/")

    html = _text(response)
    assert response.status_code == 200
    assert question.prompt in html
    assert "Feature 0 batches the work into one query." in html
    assert "<li>feature 0 runs one query</li>" in html
    assert "<strong>emphasis</strong>" in html
    assert '<span class="nb">print</span>' in html  # the code example, highlighted by Pygments
    assert "Similar questions" in html
    # a visitor is invited to sign in (and come back here) or sign up, rather than offered a button
    assert (
        f'<a href="/accounts/login/?next=/questions/{question.pk}/">Sign in</a> to add this question' in html
    )
    assert "create an account</a> to review it with spaced repetition" in html


def test_a_draft_question_page_is_a_friendly_404_for_visitors(client: Client, bank: list[Question]) -> None:
    Question.objects.filter(pk=bank[0].pk).update(status=QuestionStatus.DRAFT)

    response = client.get(f"/questions/{bank[0].pk}/")

    assert response.status_code == 404
    assert "We could not find that page" in _text(response)


def test_add_to_my_reviews_puts_the_question_first_among_new_cards(
    learner: User, learner_client: Client, bank: list[Question]
) -> None:
    last = bank[-1]

    added = learner_client.post(f"/questions/{last.pk}/reviews/", {"action": "add"}, follow=True)
    review = learner_client.get("/review/")

    # one confirmation, beside the button (no flash message repeating it)
    assert _text(added).count("comes before other new questions") == 1
    assert "Added to your reviews: it comes before other new questions." in _text(added)
    assert Card.objects.get(user=learner, question=last).state == CardState.NEW
    assert review.context["item"].question.pk == last.pk


def test_remove_from_my_reviews_suspends_the_card(
    learner: User, learner_client: Client, bank: list[Question]
) -> None:
    practice_services.review_submit(user=learner, question_id=bank[0].pk, rating=3, idempotency_key="r1")

    learner_client.post(f"/questions/{bank[0].pk}/reviews/", {"action": "remove"})

    assert Card.objects.get(user=learner, question=bank[0]).suspended is True
    assert "Add back to my reviews" in _text(learner_client.get(f"/questions/{bank[0].pk}/"))


def test_adding_needs_an_account_and_changes_nothing_for_a_visitor(
    client: Client, bank: list[Question]
) -> None:
    response = client.post(f"/questions/{bank[0].pk}/reviews/", {"action": "add"})

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert Card.objects.count() == 0


def test_search_shows_ranked_results_with_highlights_and_facets(client: Client, bank: list[Question]) -> None:
    by_topic = client.get("/search/?q=serializers")
    highlighted = client.get("/search/?q=join")

    assert by_topic.status_code == 200
    assert by_topic.context["result"].count == 4
    assert [slug for slug, _, _ in by_topic.context["topic_facets"]] == ["drf-serializers"]
    assert highlighted.context["result"].count == 12
    assert "<mark>join</mark>" in _text(highlighted)
    assert "&lt;mark&gt;" not in _text(highlighted)


def test_search_suggests_a_spelling(client: Client, bank: list[Question]) -> None:
    response = client.get("/search/?q=serializrs")

    assert response.context["result"].suggestion == "serializers"
    assert "Did you mean" in _text(response)


def test_search_as_you_type_returns_only_the_results_fragment(client: Client, bank: list[Question]) -> None:
    response = client.get("/search/?q=serializers", headers={"HX-Request": "true"})

    html = _text(response)
    assert "<html" not in html
    assert "question-list" in html
    assert "HX-Request" in response["Vary"]


@pytest.mark.parametrize("query", ["", "   ", "&&&", "x" * 600, "' OR 1=1 --", '"unclosed', "\\", "héllo ✓"])
def test_search_never_fails_on_odd_input(client: Client, bank: list[Question], query: str) -> None:
    response = client.get("/search/", {"q": query, "page": "zz", "topic": "nope", "difficulty": "?"})

    assert response.status_code == 200


def test_search_runs_the_same_number_of_queries_for_any_result_count(
    client: Client, django_assert_num_queries: Any
) -> None:
    make_bank(30)

    with django_assert_num_queries(4):  # topics, vocabulary, facets, page
        client.get("/search/?q=feature")
    with django_assert_num_queries(4):
        client.get("/search/?q=serializers")


def test_a_placeholder_in_angle_brackets_shows_on_the_question_page(
    client: Client, bank: list[Question]
) -> None:
    question = bank[1]
    Question.objects.filter(pk=question.pk).update(
        explanation="Create app/management/commands/<name>.py; it runs as python manage.py <name>."
    )

    page = _text(client.get(f"/questions/{question.pk}/"))

    assert "Create app/management/commands/&lt;name&gt;.py; it runs as python manage.py &lt;name&gt;." in page
