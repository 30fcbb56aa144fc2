"""Background tasks of the question bank. Thin: they take ids and call services."""

from __future__ import annotations

import logging

from celery import shared_task

from prepdeck.catalog import importing
from prepdeck.core.tasks import PERIODIC_TASK_OPTIONS

logger = logging.getLogger(__name__)

# A transient database error (connection lost, server restarting) is retried with exponential backoff
# (1 s, 2 s, 4 s, ... at most 10 minutes apart, with jitter); anything else is the job's report.
_RETRYING = {
    "autoretry_for": importing.TRANSIENT_ERRORS,
    "retry_backoff": True,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 8,
}


@shared_task(
    name="prepdeck.catalog.import_job_run",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=importing.IMPORT_TASK_SOFT_TIME_LIMIT,
    time_limit=importing.IMPORT_TASK_TIME_LIMIT,
    **_RETRYING,
)
def import_job_run_task(job_id: int) -> None:
    """Run an uploaded import. Idempotent: the job is claimed with a lease, so a redelivered task runs it
    only when no live worker holds it (its claim expired), and a finished job is not run again."""
    importing.import_job_run(job_id=job_id)


@shared_task(
    name="prepdeck.catalog.import_jobs_sweep",
    acks_late=True,
    soft_time_limit=240,
    time_limit=300,
    **_RETRYING,
)
def import_jobs_sweep_task() -> None:
    """Periodic (Celery Beat, ``CELERY_BEAT_SCHEDULE``): requeue or fail jobs whose worker died."""
    sweep = importing.import_jobs_sweep()
    logger.info(
        "Import jobs sweep: %s requeued, %s failed, %s queued again",
        sweep.requeued,
        sweep.failed,
        sweep.queued_again,
    )


@shared_task(name="prepdeck.catalog.dry_run_files_sweep", **PERIODIC_TASK_OPTIONS)
def dry_run_files_sweep_task() -> int:
    """Periodic: drop the files of dry runs whose confirmation has expired (idempotent)."""
    deleted = importing.dry_run_files_sweep()
    logger.info("Dry-run files sweep: %s expired file(s) deleted", deleted)
    return deleted
