"""The Beat schedule in CELERY_BEAT_SCHEDULE: every entry names a registered task that retries transient
errors with backoff, has soft and hard time limits, and is acknowledged late (idempotent tasks)."""

from __future__ import annotations

from celery.schedules import crontab
from django.conf import settings
from django.db import OperationalError

from config.celery import app

EXPECTED = {
    "catalog-import-jobs-sweep": "prepdeck.catalog.import_jobs_sweep",
    "catalog-dry-run-files-sweep": "prepdeck.catalog.dry_run_files_sweep",
    "accounts-credentials-sweep": "prepdeck.accounts.credentials_sweep",
    "practice-study-reminders": "prepdeck.practice.study_reminders_dispatch",
    "practice-weekly-digests": "prepdeck.practice.weekly_digests_dispatch",
    "practice-fsrs-refit": "prepdeck.practice.scheduler_parameters_refit_dispatch",
    "interviews-presence-sweep": "prepdeck.interviews.presence_sweep",
}


def test_every_scheduled_task_is_registered_with_retries_and_time_limits() -> None:
    app.loader.import_default_modules()
    schedule = settings.CELERY_BEAT_SCHEDULE

    assert {name: entry["task"] for name, entry in schedule.items()} == EXPECTED
    per_user = [
        "prepdeck.practice.study_reminder_send",
        "prepdeck.practice.weekly_digest_send",
        "prepdeck.practice.scheduler_parameters_refit",
    ]
    for name in [*EXPECTED.values(), *per_user]:
        task = app.tasks[name]
        assert OperationalError in task.autoretry_for, name
        assert task.retry_backoff is True, name
        assert task.max_retries >= 5, name
        assert 0 < task.soft_time_limit < task.time_limit, name
        assert task.acks_late is True, name


def test_the_reminders_run_every_15_minutes_and_the_nightly_jobs_once_a_day() -> None:
    schedule = settings.CELERY_BEAT_SCHEDULE

    assert schedule["practice-study-reminders"]["schedule"] == crontab(minute="*/15")
    assert schedule["practice-weekly-digests"]["schedule"] == crontab(minute="5-59/15")
    assert schedule["practice-fsrs-refit"]["schedule"] == crontab(hour=3, minute=30)
    assert schedule["accounts-credentials-sweep"]["schedule"] == crontab(hour=2, minute=10)
    assert schedule["catalog-dry-run-files-sweep"]["schedule"] == crontab(minute=20)
