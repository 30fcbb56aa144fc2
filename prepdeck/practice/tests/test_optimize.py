"""``prepdeck practice optimize``: clear refusals when it cannot fit, parameters stored when it can."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import CommandError, call_command

from prepdeck.accounts.tests.factories import make_user
from prepdeck.practice import scheduling, services
from prepdeck.practice.models import SchedulerParameters
from prepdeck.practice.tests.test_reviews import _bank

pytestmark = pytest.mark.django_db


def test_an_unknown_user_is_a_one_line_error() -> None:
    with pytest.raises(CommandError, match="no user with the email"):
        call_command("practice", "optimize", "--user", "ghost@example.com")


def test_too_few_reviews_are_refused_with_the_count() -> None:
    question = _bank(1)[0]
    user = make_user()
    services.review_submit(
        user=user,
        question_id=question.pk,
        rating=3,
        idempotency_key="a",
        settings=scheduling.SchedulerSettings(fuzz=False),
    )

    with pytest.raises(CommandError, match=r"has 1 review\(s\); fitting needs at least 400"):
        call_command("practice", "optimize", "--user", user.email)
    assert SchedulerParameters.objects.count() == 0


def test_without_the_optimizer_extra_the_command_says_how_to_install_it() -> None:
    pytest.importorskip("fsrs")
    try:
        import torch  # noqa: F401
    except ImportError:
        pass
    else:
        pytest.skip("the optimizer extra is installed here")
    question = _bank(1)[0]
    user = make_user()
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for number in range(3):
        services.review_submit(
            user=user,
            question_id=question.pk,
            rating=3,
            idempotency_key=str(number),
            now=start + timedelta(days=number * 5),
            settings=scheduling.SchedulerSettings(fuzz=False),
        )

    with pytest.raises(CommandError, match=r'pip install "prepdeck\[optimizer\]"'):
        call_command("practice", "optimize", "--user", user.email, "--min-reviews", "2")


def test_fitted_parameters_feed_the_scheduler() -> None:
    user = make_user(desired_retention=0.85)
    custom = list(scheduling.DEFAULT_PARAMETERS)
    custom[3] = 20.0
    SchedulerParameters.objects.create(user=user, parameters=custom, review_count=500)

    settings = services.scheduler_settings_for(user)

    assert settings.desired_retention == 0.85
    assert settings.parameters == tuple(custom)
