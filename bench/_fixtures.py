"""Data the benchmarks share: Django set up on the bench's database with the bundled bank, and learners with a
year of review history written with COPY (``bench/practice.py``, ``bench/caching.py``).

Import it only in a bench's child process, after the parent has chosen DATABASE_URL: the functions set Django
up on first use. The random draws are the same, in the same order, for the same ``rng``, so a bench that
moves here keeps its data (and its figures comparable with earlier runs).
"""

from __future__ import annotations

import os
import random
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

MINUTES_A_YEAR = 365 * 24 * 60


def django_ready() -> None:
    """Set Django up with the local settings (the bench's own DATABASE_URL and REDIS_URL), once."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()


def database_with_bank() -> None:
    """Migrate the (empty, throwaway) database and load the bundled question bank into it."""
    django_ready()
    from django.core.management import call_command

    from prepdeck.catalog.models import Question
    from prepdeck.catalog.services import bank_load

    call_command("migrate", verbosity=0)
    if not Question.objects.exists():
        bank_load()


def history_reviews(
    *,
    user_id: int,
    card_ids: Sequence[int],
    count: int,
    now: datetime,
    rng: random.Random,
    key_prefix: str,
    earliest_minutes: int = 1,
) -> None:
    """``count`` reviews of ``card_ids`` in turn, each rated mostly Good, at a random moment between
    ``earliest_minutes`` and a year before ``now``."""
    django_ready()
    from prepdeck.core.bulk import bulk_insert_rows
    from prepdeck.practice.models import Review

    bulk_insert_rows(
        Review,
        [
            {
                "user_id": user_id,
                "card_id": card_ids[number % len(card_ids)],
                "rating": rng.choice((1, 3, 3, 3, 4)),
                "reviewed_at": now - timedelta(minutes=rng.randint(earliest_minutes, MINUTES_A_YEAR)),
                "idempotency_key": f"{key_prefix}-{number}",
                "state_before": 2,
                "card_before": {},
                "scheduled_days": 3.0,
            }
            for number in range(count)
        ],
    )


def learner_with_history(
    *,
    email: str,
    question_ids: Sequence[int],
    reviews: int,
    now: datetime,
    rng: random.Random,
    key_prefix: str,
    **fields: Any,
) -> Any:
    """A new learner (``fields`` for the user, e.g. ``time_zone``) with a review card for each of
    ``question_ids`` (due from 5 days ago to 40 days ahead, reviewed 1 to 60 days ago, created a year ago)
    and ``reviews`` reviews of them over the past year (keys ``<key_prefix>-<n>``). Returns the user."""
    django_ready()
    from prepdeck.accounts.models import User
    from prepdeck.core.bulk import bulk_insert_rows
    from prepdeck.practice.models import Card

    user = User.objects.create_user(email=email, password=None, **fields)
    card_ids = bulk_insert_rows(
        Card,
        [
            {
                "user_id": user.pk,
                "question_id": question_id,
                "state": 2,
                "stability": rng.uniform(1, 200),
                "difficulty": rng.uniform(1, 10),
                "due": now + timedelta(days=rng.randint(-5, 40)),
                "last_review": now - timedelta(days=rng.randint(1, 60)),
                "reps": 10,
                "created_at": now - timedelta(days=365),
            }
            for question_id in question_ids
        ],
    )
    history_reviews(
        user_id=user.pk, card_ids=card_ids, count=reviews, now=now, rng=rng, key_prefix=key_prefix
    )
    return user
