"""Import jobs survive dead workers (issue 14, item 12): a claim is a lease, an expired claim is taken
over by the redelivered task or the sweeper, transient database errors give the job back for a retry."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from django.db import OperationalError, connection
from django.utils import timezone

from prepdeck.accounts.tests.factories import make_editor
from prepdeck.catalog import importing, services, tasks
from prepdeck.catalog.models import ImportJob, ImportJobFile, ImportJobStatus, Question

pytestmark = pytest.mark.django_db

CSV = b"question,answer,topic\nWhat does select_related do?,It joins.,django-orm\n"


def _queued_job() -> ImportJob:
    """A job as an upload leaves it: queued, its file stored (its task not sent)."""
    services.topics_sync()
    job = ImportJob.objects.create(owner=make_editor(), file_format="auto")
    ImportJobFile.objects.create(job=job, name="bank.csv", data=CSV)
    return job


def _left_running_by_a_dead_worker(job: ImportJob, *, attempts: int = 1) -> None:
    """What a worker that died mid-import leaves: the job running, its claim expired, nothing imported."""
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJobStatus.RUNNING,
        started_at=timezone.now() - importing.IMPORT_JOB_LEASE - timedelta(minutes=1),
        claimed_until=timezone.now() - timedelta(seconds=1),
        attempts=attempts,
    )


def test_a_claim_is_a_lease_and_a_second_claim_gets_nothing() -> None:
    job = _queued_job()
    now = timezone.now()

    first = importing.import_job_claim(job_id=job.pk, now=now)
    second = importing.import_job_claim(job_id=job.pk, now=now + timedelta(minutes=1))

    assert first is not None
    assert (first.status, first.attempts, first.claimed_until) == (
        ImportJobStatus.RUNNING,
        1,
        now + importing.IMPORT_JOB_LEASE,
    )
    assert second is None


def test_an_expired_claim_can_be_claimed_again() -> None:
    job = _queued_job()
    now = timezone.now()
    importing.import_job_claim(job_id=job.pk, now=now)

    later = now + importing.IMPORT_JOB_LEASE + timedelta(seconds=1)
    again = importing.import_job_claim(job_id=job.pk, now=later)

    assert again is not None
    assert (again.attempts, again.claimed_until) == (2, later + importing.IMPORT_JOB_LEASE)


def test_the_redelivered_task_runs_a_job_its_dead_worker_left_running() -> None:
    job = _queued_job()
    _left_running_by_a_dead_worker(job)

    tasks.import_job_run_task.delay(job.pk)

    job.refresh_from_db()
    assert (job.status, job.attempts, job.claimed_until) == (ImportJobStatus.SUCCEEDED, 2, None)
    assert job.report is not None
    assert (job.report["created"], job.report["errors"]) == (1, [])
    assert Question.all_objects.count() == 1
    assert job.files.count() == 0


def test_a_job_whose_worker_is_alive_is_not_run_twice() -> None:
    job = _queued_job()
    importing.import_job_claim(job_id=job.pk)  # a live worker holds it

    importing.import_job_run(job_id=job.pk)  # a duplicate delivery

    job.refresh_from_db()
    assert (job.status, job.attempts, job.report) == (ImportJobStatus.RUNNING, 1, None)
    assert Question.all_objects.count() == 0


def test_a_job_that_lost_its_last_attempt_fails_saying_so() -> None:
    job = _queued_job()
    _left_running_by_a_dead_worker(job, attempts=importing.IMPORT_JOB_MAX_ATTEMPTS)

    importing.import_job_run(job_id=job.pk)

    job.refresh_from_db()
    assert job.status == ImportJobStatus.FAILED
    assert job.report is not None
    assert job.report["files"] == ["bank.csv"]
    assert job.report["errors"] == [
        {
            "file": None,
            "line": None,
            "message": "The import was interrupted on our side 3 times (its worker stopped); nothing was "
            "imported. Upload the files again, or ask an administrator.",
        }
    ]
    assert Question.all_objects.count() == 0


def test_a_transient_database_error_gives_the_job_back_for_the_retry(monkeypatch: pytest.MonkeyPatch) -> None:
    job = _queued_job()
    calls: list[int] = []
    real_import = importing.documents_import

    def flaky(**options: Any) -> importing.ImportReport:
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real_import(**options)

    monkeypatch.setattr(importing, "documents_import", flaky)

    with pytest.raises(OperationalError):
        importing.import_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.attempts, job.claimed_until) == (ImportJobStatus.QUEUED, 0, None)

    importing.import_job_run(job_id=job.pk)  # what the retried task does
    job.refresh_from_db()
    assert (job.status, job.attempts) == (ImportJobStatus.SUCCEEDED, 1)
    assert Question.all_objects.count() == 1


def test_the_tasks_retry_transient_errors_with_backoff_and_have_time_limits() -> None:
    task = tasks.import_job_run_task
    assert task.autoretry_for == (OperationalError, importing.InterfaceError)
    assert (task.retry_backoff, task.retry_jitter, task.max_retries) == (True, True, 8)
    assert (task.acks_late, task.reject_on_worker_lost) == (True, True)
    assert (task.soft_time_limit, task.time_limit) == (15 * 60, 16 * 60)
    assert timedelta(seconds=task.time_limit) < importing.IMPORT_JOB_LEASE


def test_the_sweeper_is_in_the_beat_schedule() -> None:
    from django.conf import settings

    assert settings.CELERY_BEAT_SCHEDULE["catalog-import-jobs-sweep"] == {
        "task": "prepdeck.catalog.import_jobs_sweep",
        "schedule": 300.0,
    }
    assert tasks.import_jobs_sweep_task.name == "prepdeck.catalog.import_jobs_sweep"


def test_the_sweeper_requeues_stale_jobs_fails_exhausted_ones_and_leaves_live_ones(
    django_capture_on_commit_callbacks: Any,
) -> None:
    stale, exhausted, live, forgotten = (_queued_job() for _ in range(4))
    _left_running_by_a_dead_worker(stale)
    _left_running_by_a_dead_worker(exhausted, attempts=importing.IMPORT_JOB_MAX_ATTEMPTS)
    importing.import_job_claim(job_id=live.pk)
    ImportJob.objects.filter(pk=forgotten.pk).update(created_at=timezone.now() - timedelta(minutes=11))

    # when the periodic task runs (its tasks are sent on commit and run in-process here)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        tasks.import_jobs_sweep_task.delay()

    states = {job.pk: job for job in ImportJob.objects.all()}
    # two jobs sent (the other callbacks are the imports' announcements that the bank changed)
    assert (
        len([callback for callback in callbacks if getattr(callback, "func", None) is importing._enqueue])
        == 2
    )
    assert (states[stale.pk].status, states[stale.pk].attempts) == (ImportJobStatus.SUCCEEDED, 2)
    assert (states[forgotten.pk].status, states[forgotten.pk].attempts) == (ImportJobStatus.SUCCEEDED, 1)
    assert states[exhausted.pk].status == ImportJobStatus.FAILED
    assert (states[live.pk].status, states[live.pk].report) == (ImportJobStatus.RUNNING, None)
    # the same prompt four times: the first run creates it, the second finds it
    assert Question.all_objects.count() == 1


def test_the_sweeper_sends_a_forgotten_job_again_only_once_per_period() -> None:
    job = _queued_job()
    now = timezone.now() + timedelta(minutes=11)

    first = importing.import_jobs_sweep(now=now)
    second = importing.import_jobs_sweep(now=now + timedelta(minutes=1))

    assert (first.queued_again, second.queued_again) == (1, 0)
    job.refresh_from_db()
    assert job.status == ImportJobStatus.QUEUED


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_two_workers_claiming_at_once_get_the_job_once() -> None:
    job = _queued_job()
    barrier = threading.Barrier(2)
    results: list[bool] = []

    def worker() -> None:
        try:
            barrier.wait()
            results.append(importing.import_job_claim(job_id=job.pk) is not None)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results) == [False, True]
    assert ImportJob.objects.get(pk=job.pk).attempts == 1
