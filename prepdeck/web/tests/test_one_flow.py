"""One rule per action, whichever door: the quiz score, overall retention, the setup forms and the
preference limits agree between the web pages and the API (issue 16)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from prepdeck.accounts import validators
from prepdeck.accounts.models import User
from prepdeck.catalog.models import Question
from prepdeck.practice import services, sessions
from prepdeck.practice.models import MockInterview, Quiz

pytestmark = pytest.mark.django_db


def _api(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_quiz_score_is_the_same_on_the_page_and_in_the_api(
    learner: User, learner_client: Client, bank: list[Question]
) -> None:
    # given a three-question quiz with one right answer and two wrong ones
    quiz = sessions.quiz_create(user=learner, kind="choice", count=3, seed=1)
    for item in quiz.items.order_by("position"):
        right = item.correct_option or 0
        chosen = right if item.position == 1 else (right + 1) % len(item.options)
        sessions.quiz_answer(user=learner, quiz_id=quiz.pk, position=item.position, chosen_option=chosen)

    page = learner_client.get(f"/quiz/{quiz.pk}/")
    listed = learner_client.get("/quiz/")
    api = _api(learner).get(f"/api/v1/practice/quizzes/{quiz.pk}/").json()

    assert api["score"] == 0.33
    assert page.context["summary"]["score"] == 0.33
    assert listed.context["recent"][0]["score"] == 0.33
    assert "You scored 33%" in page.content.decode()


def test_a_quiz_without_answers_has_no_score_on_either_door(
    learner: User, learner_client: Client, bank: list[Question]
) -> None:
    quiz = sessions.quiz_create(user=learner, kind="choice", count=2, seed=1)

    listed = learner_client.get("/quiz/")
    api = _api(learner).get(f"/api/v1/practice/quizzes/{quiz.pk}/").json()

    assert api["score"] is None
    assert listed.context["recent"][0]["score"] is None


def test_overall_retention_is_a_statistic_of_the_api_and_the_page_shows_it(
    learner: User, learner_client: Client, bank: list[Question]
) -> None:
    now = timezone.now()
    for question, first, second in ((bank[0], 4, 3), (bank[1], 4, 1), (bank[2], 4, 3)):
        for rating, days_ago, key in ((first, 20, "a"), (second, 10, "b")):
            services.review_submit(
                user=learner,
                question_id=question.pk,
                rating=rating,
                idempotency_key=f"{question.pk}-{key}",
                now=now - timedelta(days=days_ago),
            )

    api = _api(learner).get("/api/v1/practice/statistics/").json()
    page = learner_client.get("/statistics/").content.decode()

    assert api["overall_retention"] == 0.667
    assert '<dt class="stat-label">True retention</dt><dd class="stat">67%</dd>' in page


def test_a_quiz_count_that_is_not_a_number_is_refused_not_replaced(
    learner: User, learner_client: Client, bank: list[Question]
) -> None:
    response = learner_client.post("/quiz/", {"kind": "choice", "count": "lots"})

    assert response.status_code == 400
    assert "Questions: Enter a whole number." in response.content.decode()
    assert Quiz.objects.filter(user=learner).count() == 0


def test_an_unknown_quiz_kind_is_refused_by_the_form(
    learner: User, learner_client: Client, bank: list[Question]
) -> None:
    response = learner_client.post("/quiz/", {"kind": "oral", "count": "5"})

    assert response.status_code == 400
    assert (
        "Kind: Select a valid choice. oral is not one of the available choices." in response.content.decode()
    )
    assert Quiz.objects.filter(user=learner).count() == 0


def test_mock_setup_refuses_a_negative_count_and_a_time_that_is_not_a_number(
    learner: User, learner_client: Client, bank: list[Question]
) -> None:
    negative = learner_client.post(
        "/mock/", {"count_basic": "-3", "count_intermediate": "2", "seconds": "180"}
    )
    no_time = learner_client.post("/mock/", {"count_basic": "1", "seconds": "soon"})

    assert negative.status_code == 400
    assert "Basic questions: Ensure this value is greater than or equal to 0." in negative.content.decode()
    assert no_time.status_code == 400
    assert "Time per question: Enter a whole number." in no_time.content.decode()
    assert MockInterview.objects.filter(user=learner).count() == 0


def test_mock_setup_through_the_form_starts_the_interview_asked_for(
    learner: User, learner_client: Client, bank: list[Question]
) -> None:
    response = learner_client.post("/mock/", {"count_basic": "1", "count_intermediate": "", "seconds": "120"})

    interview = MockInterview.objects.get(user=learner)
    assert response.status_code == 302
    assert (interview.items.count(), interview.seconds_per_question) == (1, 120)


@pytest.mark.parametrize(
    ("field", "highest", "too_high"),
    [
        ("daily_new_limit", validators.MAX_DAILY_NEW_LIMIT, validators.MAX_DAILY_NEW_LIMIT + 1),
        ("desired_retention", validators.MAX_DESIRED_RETENTION, validators.MAX_DESIRED_RETENTION + 0.01),
        ("day_start_hour", validators.MAX_DAY_START_HOUR, validators.MAX_DAY_START_HOUR + 1),
    ],
)
def test_the_api_preference_limits_are_the_validators(
    learner: User, field: str, highest: float, too_high: float
) -> None:
    api = _api(learner)

    refused = api.patch("/api/v1/me/", {field: too_high}, format="json")
    accepted = api.patch("/api/v1/me/", {field: highest}, format="json")

    assert refused.status_code == 400
    assert (accepted.status_code, accepted.json()[field]) == (200, highest)
