"""The task broker down while an editor confirms a dry run: a friendly message on the dry run's page,
never a 500, and the dry run kept (files included) so that confirming again works once the queue is back.
The broker is taken away for real (a Redis URL at a closed port)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from prepdeck.catalog.models import ImportJob, ImportJobStatus, Question
from prepdeck.core.tests.outages import take_the_broker_away

pytestmark = pytest.mark.django_db

CSV = b"question,answer,topic\nWhat does select_related do?,It joins.,django-orm\n"


def test_confirming_while_the_queue_is_down_says_so_and_keeps_the_dry_run(
    editor_client: Client, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    # given: a successful dry run (run at once, no queue needed), then the broker goes away
    editor_client.post(
        reverse("web:import"),
        {"documents": [SimpleUploadedFile("bank.csv", CSV)], "file_format": "auto", "topic": ""},
    )
    dry_run = ImportJob.objects.get()
    assert dry_run.status == ImportJobStatus.SUCCEEDED
    report_before = dry_run.report
    take_the_broker_away(monkeypatch)

    # when
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = editor_client.post(reverse("web:import_confirm", args=[dry_run.pk]))

    # then: back to the dry run, which is untouched, with the reason shown
    assert response.status_code == 302
    assert response["Location"] == reverse("web:import_job", args=[dry_run.pk])
    assert callbacks == []
    dry_run.refresh_from_db()
    assert ImportJob.objects.count() == 1
    assert dry_run.report == report_before
    assert dry_run.files.count() == 1
    assert Question.all_objects.count() == 0
    page = editor_client.get(response["Location"]).content.decode()
    assert (
        "The task queue is unavailable at the moment, so the job could not be queued; nothing was saved. "
        "Try again shortly."
    ) in page
    assert "Confirm import" in page

    # when: the queue is back (tasks run in-process again), confirming works
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        again = editor_client.post(reverse("web:import_confirm", args=[dry_run.pk]))

    job = ImportJob.objects.exclude(pk=dry_run.pk).get()
    assert again["Location"] == reverse("web:import_job", args=[job.pk])
    assert job.status == ImportJobStatus.SUCCEEDED
