"""Dropping a learner's cached statistics when their study history or settings change.

Signals rather than calls in each service because the point is decoupling: every write to a learner's
reviews, cards, quizzes and mock interviews (services, sessions, the admin, a data migration) goes through
``Model.save``/``delete``, and none of those writers should have to know which views are cached. The receivers
give the learner's ``practice-user:<id>`` namespace a new generation on commit (``prepdeck.core.caching``).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from prepdeck.core import caching
from prepdeck.practice.models import Card, MockInterview, Quiz, Review, SchedulerParameters

NOT_IN_STATISTICS = {"last_login", "password"}


@receiver(post_save, sender=Review)
@receiver(post_delete, sender=Review)
@receiver(post_save, sender=Card)
@receiver(post_delete, sender=Card)
@receiver(post_save, sender=Quiz)
@receiver(post_delete, sender=Quiz)
@receiver(post_save, sender=MockInterview)
@receiver(post_delete, sender=MockInterview)
@receiver(post_save, sender=SchedulerParameters)
@receiver(post_delete, sender=SchedulerParameters)
def _history_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    caching.bump_on_commit(caching.practice_user(instance.user_id))


@receiver(post_save, sender=settings.AUTH_USER_MODEL)
def _user_saved(sender: Any, instance: Any, update_fields: Any = None, **kwargs: Any) -> None:
    # time zone, desired retention and day start change what the statistics show; a sign-in does not
    if update_fields is not None and set(update_fields) <= NOT_IN_STATISTICS:
        return
    caching.bump_on_commit(caching.practice_user(instance.pk))
