"""The periodic sweep of dry-run uploads whose "Confirm import" has expired."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from prepdeck.accounts.tests.factories import make_user
from prepdeck.catalog.importing import DRY_RUN_FILES_KEPT
from prepdeck.catalog.models import ImportJob, ImportJobFile, ImportJobStatus
from prepdeck.catalog.tasks import dry_run_files_sweep_task

pytestmark = pytest.mark.django_db


def _job(*, age: timedelta, dry_run: bool = True, status: str = ImportJobStatus.SUCCEEDED) -> ImportJob:
    job = ImportJob.objects.create(
        owner=make_user(),
        dry_run=dry_run,
        status=status,
        created_at=timezone.now() - age,
        report={"files": ["a.json"]},
    )
    ImportJobFile.objects.create(job=job, name="a.json", data=b"{}")
    return job


def test_expired_dry_run_files_go_and_everything_else_stays() -> None:
    expired = _job(age=DRY_RUN_FILES_KEPT + timedelta(minutes=1))
    fresh = _job(age=DRY_RUN_FILES_KEPT - timedelta(minutes=1))
    queued_real_import = _job(age=timedelta(days=3), dry_run=False, status=ImportJobStatus.QUEUED)

    assert dry_run_files_sweep_task.delay().get() == 1
    assert dry_run_files_sweep_task.delay().get() == 0  # idempotent

    assert sorted(ImportJobFile.objects.values_list("job_id", flat=True)) == sorted(
        [fresh.pk, queued_real_import.pk]
    )
    expired.refresh_from_db()
    assert expired.report == {"files": ["a.json"]}  # the report stays; confirming now says the files are gone
