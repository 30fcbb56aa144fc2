"""Periodic practice work (Celery Beat, ``CELERY_BEAT_SCHEDULE``): the study reminder and weekly digest
emails, and the nightly FSRS refit. The dispatchers find who is due and queue one task per user (tasks
take ids); each per-user task is idempotent on its own (see ``practice.reminders``)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from celery import Task, shared_task
from django.utils import timezone

from prepdeck.core.exceptions import ApplicationError
from prepdeck.core.tasks import PERIODIC_TASK_OPTIONS
from prepdeck.practice import reminders, services

logger = logging.getLogger(__name__)


def _queue_each(task: Task, user_ids: list[int]) -> int:
    for user_id in user_ids:
        task.delay(user_id)
    return len(user_ids)


def _run_and_log(kind: str, find: Callable[[], list[int]], task: Task) -> int:
    user_ids = find()
    queued = _queue_each(task, user_ids)
    logger.info("%s: %s user(s) due, %s task(s) queued", kind, len(user_ids), queued)
    return queued


@shared_task(name="prepdeck.practice.study_reminder_send", **PERIODIC_TASK_OPTIONS)
def study_reminder_send_task(user_id: int) -> str:
    """Send one user's study reminder if it is still due (at most one per local day)."""
    outcome = reminders.study_reminder_send(user_id=user_id)
    logger.info("Study reminder for user %s: %s", user_id, outcome)
    return outcome


@shared_task(name="prepdeck.practice.study_reminders_dispatch", **PERIODIC_TASK_OPTIONS)
def study_reminders_dispatch_task() -> int:
    """Every 15 minutes: queue a reminder task for each user whose local reminder hour has come."""
    return _run_and_log(
        "Study reminders",
        lambda: reminders.study_reminder_candidates(now=timezone.now()),
        study_reminder_send_task,
    )


@shared_task(name="prepdeck.practice.weekly_digest_send", **PERIODIC_TASK_OPTIONS)
def weekly_digest_send_task(user_id: int) -> str:
    """Send one user's weekly digest if it is still due (at most one per local week)."""
    outcome = reminders.weekly_digest_send(user_id=user_id)
    logger.info("Weekly digest for user %s: %s", user_id, outcome)
    return outcome


@shared_task(name="prepdeck.practice.weekly_digests_dispatch", **PERIODIC_TASK_OPTIONS)
def weekly_digests_dispatch_task() -> int:
    """Every 15 minutes: queue a digest task for each user whose weekly digest is due."""
    return _run_and_log(
        "Weekly digests",
        lambda: reminders.weekly_digest_candidates(now=timezone.now()),
        weekly_digest_send_task,
    )


# A fit on a large history takes minutes of CPU: its own, longer limits.
_FIT_OPTIONS = {**PERIODIC_TASK_OPTIONS, "soft_time_limit": 1800, "time_limit": 1900}


@shared_task(name="prepdeck.practice.scheduler_parameters_refit", **_FIT_OPTIONS)
def scheduler_parameters_refit_task(user_id: int) -> bool:
    """Fit one user's FSRS parameters if they are still due a fit; ``True`` when it fitted."""
    try:
        fitted = services.scheduler_parameters_refit(user_id=user_id)
    except ApplicationError as error:  # optimizer_missing / not_enough_reviews: nothing to retry
        logger.warning("FSRS refit for user %s skipped: %s", user_id, error.message)
        return False
    logger.info("FSRS refit for user %s: %s", user_id, "fitted" if fitted else "not due")
    return fitted is not None


@shared_task(name="prepdeck.practice.scheduler_parameters_refit_dispatch", **PERIODIC_TASK_OPTIONS)
def scheduler_parameters_refit_dispatch_task() -> int:
    """Nightly: queue a fit for each user with enough new reviews since their last fit. Without the
    optimizer extra (PyTorch) nothing is queued; the log line says how many users are waiting for it."""
    user_ids = services.scheduler_parameters_refit_candidates()
    if not services.optimizer_available():
        logger.info(
            "FSRS refit: %s user(s) due a fit; none queued, the optimizer extra is not installed "
            '(pip install "prepdeck[optimizer]")',
            len(user_ids),
        )
        return 0
    queued = _queue_each(scheduler_parameters_refit_task, user_ids)
    logger.info("FSRS refit: %s user(s) due a fit, %s task(s) queued", len(user_ids), queued)
    return queued
