"""Background tasks of the question bank. Thin: they take ids and call services."""

from __future__ import annotations

from celery import shared_task

from prepdeck.catalog import importing


@shared_task(name="prepdeck.catalog.import_job_run", acks_late=True)
def import_job_run_task(job_id: int) -> None:
    """Run an uploaded import (idempotent: a job that already started is not run twice)."""
    importing.import_job_run(job_id=job_id)
