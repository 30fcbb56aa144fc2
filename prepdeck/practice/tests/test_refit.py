"""The nightly FSRS refit: who is due a fit, and what runs without the optimizer extra."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest

from prepdeck.accounts.tests.factories import make_user
from prepdeck.practice import services, tasks
from prepdeck.practice.models import Card, Review, SchedulerParameters
from prepdeck.practice.tests.test_reviews import _bank

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)


def _reviews(user, count: int, card: Card) -> None:
    Review.objects.bulk_create(
        Review(
            user=user,
            card=card,
            rating=3,
            reviewed_at=NOW - timedelta(minutes=count - number),
            idempotency_key=f"{user.pk}-{number}",
            state_before=2,
            card_before={},
        )
        for number in range(count)
    )


def test_refit_candidates_need_enough_reviews_and_enough_new_ones_since_the_last_fit(
    django_assert_num_queries,
) -> None:
    question = _bank(1)[0]
    users = {
        name: make_user(email=f"{name}@example.com") for name in ["few", "never", "stale", "fresh", "off"]
    }
    counts = {"few": 10, "never": 12, "stale": 15, "fresh": 15, "off": 12}
    for name, user in users.items():
        _reviews(user, counts[name], Card.objects.create(user=user, question=question))
    SchedulerParameters.objects.create(user=users["stale"], parameters=[0.1], review_count=10)  # 5 new
    SchedulerParameters.objects.create(user=users["fresh"], parameters=[0.1], review_count=12)  # 3 new
    users["off"].is_active = False
    users["off"].save()

    with django_assert_num_queries(1):
        due = services.scheduler_parameters_refit_candidates(minimum_reviews=12, new_reviews=5)

    assert due == [users["never"].pk, users["stale"].pk]


@pytest.mark.skipif(services.optimizer_available(), reason="checks the install without the optimizer extra")
def test_without_the_optimizer_extra_the_nightly_task_queues_nothing_and_says_why(
    caplog: pytest.LogCaptureFixture,
) -> None:
    question = _bank(1)[0]
    user = make_user()
    _reviews(user, services.MIN_REVIEWS_TO_FIT, Card.objects.create(user=user, question=question))

    with caplog.at_level(logging.INFO, logger="prepdeck.practice.tasks"):
        queued = tasks.scheduler_parameters_refit_dispatch_task.delay().get()
        fitted = tasks.scheduler_parameters_refit_task.delay(user.pk).get()  # had one been queued

    assert queued == 0
    assert fitted is False
    assert [record.getMessage() for record in caplog.records if record.name == "prepdeck.practice.tasks"] == [
        "FSRS refit: 1 user(s) due a fit; none queued, the optimizer extra is not installed "
        '(pip install "prepdeck[optimizer]")',
        f"FSRS refit for user {user.pk} skipped: "
        'The optimizer is not installed: pip install "prepdeck[optimizer]" (it needs PyTorch).',
    ]
    assert not SchedulerParameters.objects.exists()


def test_the_per_user_refit_task_does_nothing_for_a_user_not_due() -> None:
    user = make_user()

    assert tasks.scheduler_parameters_refit_task.delay(user.pk).get() is False
    assert not SchedulerParameters.objects.exists()
