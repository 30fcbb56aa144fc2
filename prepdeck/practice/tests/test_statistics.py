"""Progress statistics against values computed by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from rest_framework.test import APIClient

from prepdeck.accounts.tests.factories import make_user
from prepdeck.practice import scheduling, selectors, services
from prepdeck.practice.models import Card
from prepdeck.practice.tests.test_reviews import FIXED, _bank

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)  # a Monday, 13:00 in Berlin


def test_statistics_match_hand_computed_values() -> None:
    questions = _bank(4)
    user = make_user(time_zone="Europe/Berlin", day_start_hour=4)

    def review(question: int, rating: int, when: datetime) -> None:
        services.review_submit(
            user=user,
            question_id=questions[question].pk,
            rating=rating,
            idempotency_key=f"{question}-{when.isoformat()}",
            now=when,
            settings=FIXED,
        )

    # Three study days in a row: Saturday, Sunday (at 02:00 Berlin on Monday = still Sunday), Monday.
    review(0, 4, NOW - timedelta(days=2))  # Saturday 13:00: Easy -> review state
    review(1, 3, NOW - timedelta(days=2))
    review(0, 1, datetime(2026, 11, 23, 1, tzinfo=UTC))  # Monday 02:00 Berlin: counts for Sunday; a lapse
    review(2, 3, NOW)
    review(3, 3, NOW)

    stats = selectors.user_statistics(user=user, now=NOW, settings=FIXED)

    assert stats.reviews_today == 2
    assert stats.streak_days == 3
    assert stats.heatmap == [
        {"date": "2026-11-21", "reviews": 2},
        {"date": "2026-11-22", "reviews": 1},
        {"date": "2026-11-23", "reviews": 2},
    ]
    # one review of a card in review state (question 0 on Sunday), forgotten: retention 0 that week
    assert stats.retention_by_week == [{"week": "2026-11-16", "reviews": 1, "recalled": 0, "retention": 0.0}]
    assert sum(day["due"] for day in stats.due_forecast) == 4
    assert len(stats.due_forecast) == 30
    assert stats.totals == {"reviews": 5, "cards": 4, "quizzes": 0, "mock_interviews": 0}


def test_mastery_is_the_mean_predicted_recall_over_the_topics_questions() -> None:
    questions = _bank(4)  # four published questions, all in django-orm
    user = make_user()
    services.review_submit(
        user=user, question_id=questions[0].pk, rating=4, idempotency_key="a", now=NOW, settings=FIXED
    )
    later = NOW + timedelta(days=10)

    stats = selectors.user_statistics(user=user, now=later, settings=FIXED)

    card = services.card_state(Card.objects.get(question=questions[0]))
    expected_recall = scheduling.retrievability(card, now=later, settings=FIXED)
    orm = next(row for row in stats.mastery_by_topic if row["topic"] == "django-orm")
    assert orm["questions"] == 4
    assert orm["mastery"] == pytest.approx(expected_recall / 4, abs=0.001)
    assert stats.weakest_topics == ["django-orm"]


def test_a_new_user_gets_empty_statistics(api: APIClient) -> None:
    _bank(2)
    api.force_authenticate(make_user())

    response = api.get("/api/v1/practice/statistics/")

    assert response.status_code == 200
    body = response.json()
    assert (body["reviews_today"], body["streak_days"], body["heatmap"], body["weakest_topics"]) == (
        0,
        0,
        [],
        [],
    )
    assert [row["mastery"] for row in body["mastery_by_topic"]] == [0.0]


@pytest.mark.parametrize("reviews", [3, 30])
def test_statistics_run_the_same_queries_for_any_history(
    reviews: int, django_assert_num_queries: object
) -> None:
    questions = _bank(3)
    user = make_user()
    for number in range(reviews):
        services.review_submit(
            user=user,
            question_id=questions[number % 3].pk,
            rating=3,
            idempotency_key=str(number),
            now=NOW - timedelta(days=reviews - number),
            settings=FIXED,
        )

    # today, the year by study day, the forecast, recall by topic, topics, four totals
    with django_assert_num_queries(9):  # type: ignore[operator]
        selectors.user_statistics(user=user, now=NOW, settings=FIXED)
