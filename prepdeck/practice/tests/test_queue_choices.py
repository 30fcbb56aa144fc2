"""The queue's learner choices (issue 13 item 5): which new cards count against the daily limit, learning
more beyond it in a topic, and taking learning steps ahead; through the service and ``/practice/queue/``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from rest_framework.test import APIClient

from prepdeck.accounts.tests.factories import make_user
from prepdeck.practice import selectors, services
from prepdeck.practice.models import ReviewSource
from prepdeck.practice.tests.test_reviews import FIXED, _bank

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)


@pytest.mark.parametrize("source", [ReviewSource.QUIZ, ReviewSource.WRITTEN, ReviewSource.MOCK])
def test_a_question_first_met_in_a_quiz_or_mock_does_not_use_up_the_limit(source: str) -> None:
    questions = _bank(5)
    user = make_user(daily_new_limit=2)
    services.review_submit(user=user, question_id=questions[0].pk, rating=3, idempotency_key="r", now=NOW)
    for number in (1, 2):
        services.review_submit(
            user=user,
            question_id=questions[number].pk,
            rating=3,
            idempotency_key=f"p{number}",
            source=source,
            now=NOW,
        )

    queue = selectors.review_queue(user=user, now=NOW, settings=FIXED)

    assert (queue.new_introduced_today, queue.new_from_practice_today, queue.new) == (1, 2, 1)


def test_new_limit_bonus_raises_the_limit_for_that_queue_only() -> None:
    questions = _bank(6)
    user = make_user(daily_new_limit=1)
    services.review_submit(user=user, question_id=questions[0].pk, rating=4, idempotency_key="r", now=NOW)

    plain = selectors.review_queue(user=user, now=NOW, settings=FIXED, topic="django-orm")
    more = selectors.review_queue(user=user, now=NOW, settings=FIXED, topic="django-orm", new_limit_bonus=3)
    all_of_it = selectors.review_queue(
        user=user, now=NOW, settings=FIXED, topic="django-orm", new_limit_bonus=50
    )

    assert (plain.new, more.new, all_of_it.new) == (0, 3, 5)
    assert [item.kind for item in more.items] == ["new", "new", "new"]


def test_learn_ahead_offers_learning_steps_due_before_then() -> None:
    question = _bank(1)[0]
    user = make_user()
    services.review_submit(
        user=user, question_id=question.pk, rating=1, idempotency_key="a", now=NOW, settings=FIXED
    )
    soon = NOW + timedelta(seconds=30)

    plain = selectors.review_queue(user=user, now=soon, settings=FIXED)
    ahead = selectors.review_queue(
        user=user, now=soon, settings=FIXED, learn_ahead_until=soon + timedelta(minutes=20)
    )
    too_short = selectors.review_queue(
        user=user, now=soon, settings=FIXED, learn_ahead_until=soon + timedelta(seconds=10)
    )

    assert (plain.due, plain.learning_later_today) == (0, 1)
    assert (ahead.due, ahead.learning_later_today) == (1, 0)
    assert [item.question.pk for item in ahead.items] == [question.pk]
    assert (too_short.due, too_short.learning_later_today) == (0, 1)


def test_the_queue_api_takes_more_and_learn_ahead(api: APIClient) -> None:
    questions = _bank(4)
    user = make_user(daily_new_limit=1)
    api.force_authenticate(user)
    services.review_submit(user=user, question_id=questions[0].pk, rating=1, idempotency_key="a", now=NOW)
    services.review_submit(
        user=user,
        question_id=questions[1].pk,
        rating=3,
        idempotency_key="q",
        source=ReviewSource.QUIZ,
        now=NOW,
    )

    with time_machine.travel(NOW + timedelta(seconds=30), tick=False):
        plain = api.get("/api/v1/practice/queue/?topic=django-orm").json()
        more = api.get("/api/v1/practice/queue/?topic=django-orm&more=10&learn_ahead=1").json()
        refused = api.get("/api/v1/practice/queue/?more=10")
        not_a_number = api.get("/api/v1/practice/queue/?topic=django-orm&more=many")

    assert (plain["due"], plain["new"], plain["new_introduced_today"], plain["new_from_practice_today"]) == (
        0,
        0,
        1,
        1,
    )
    # both learning steps (Again: 1 minute, Good from the quiz: 10 minutes) are within the 20 minutes
    assert (more["due"], more["new"]) == (2, 2)
    assert [item["kind"] for item in more["items"]] == ["due", "due", "new", "new"]
    assert refused.status_code == 400
    assert "more" in refused.json()["error"]["details"]["fields"]
    assert not_a_number.status_code == 400


@pytest.mark.parametrize("zone", ["UTC", "America/New_York"])
def test_the_queue_api_answers_what_its_serializer_documents(api: APIClient, zone: str) -> None:
    # given: a queue of due cards (one in learning, one in review) and new questions, tags on some
    from django.utils import timezone

    from prepdeck.catalog.models import Tag
    from prepdeck.practice.models import Card, CardState
    from prepdeck.practice.serializers import QueueSerializer

    questions = _bank(5)
    tag = Tag.objects.create(slug="orm-basics")
    questions[0].tags.add(tag)
    questions[3].tags.add(tag)
    user = make_user(daily_new_limit=5)
    api.force_authenticate(user)
    for number, rating in ((0, 1), (1, 4)):
        services.review_submit(
            user=user, question_id=questions[number].pk, rating=rating, idempotency_key=f"k{number}", now=NOW
        )
    Card.objects.filter(user=user, state=CardState.REVIEW).update(due=NOW)
    later = NOW + timedelta(hours=1)

    with timezone.override(zone), time_machine.travel(later, tick=False):
        body = api.get("/api/v1/practice/queue/").json()
        queue = selectors.review_queue(
            user=user, now=later, settings=services.scheduler_settings_for(user), limit=20
        )
        items = [
            {
                "kind": item.kind,
                "question": item.question,
                "retrievability": round(item.retrievability, 4),
                "intervals": {
                    str(rating): int(seconds.total_seconds()) for rating, seconds in item.intervals.items()
                },
            }
            for item in queue.items
        ]
        documented = QueueSerializer({**queue.__dict__, "items": items}).data

    # then: exactly what QueueSerializer writes for the same queue, tags and times included
    assert [item["kind"] for item in body["items"]] == ["due", "due", "new", "new", "new"]
    assert body == documented
    assert body["items"][0]["question"]["tags"] == ["orm-basics"]


def test_learning_steps_later_today_are_counted_not_shown_when_due_cards_fill_the_queue() -> None:
    # given: three cards due now and one learning step due later today, a queue of two
    from prepdeck.practice.models import Card, CardState

    questions = _bank(4)
    user = make_user(daily_new_limit=0)
    for number, question in enumerate(questions):
        services.review_submit(
            user=user,
            question_id=question.pk,
            rating=1,
            idempotency_key=f"k{number}",
            now=NOW,
            settings=FIXED,
        )
    later = questions[3]
    Card.objects.filter(user=user).exclude(question=later).update(
        state=CardState.REVIEW, step=None, due=NOW - timedelta(days=1)
    )
    Card.objects.filter(user=user, question=later).update(
        state=CardState.LEARNING, due=NOW + timedelta(hours=2)
    )

    queue = selectors.review_queue(user=user, now=NOW, settings=FIXED, limit=2)
    counts = selectors.review_queue(user=user, now=NOW, settings=FIXED, limit=0)

    # then: all three due are counted, two shown; the later step is counted and never shown
    assert (queue.due, queue.learning_later_today, len(queue.items)) == (3, 1, 2)
    assert later.pk not in {item.question.pk for item in queue.items}
    assert (counts.due, counts.learning_later_today) == (3, 1)
