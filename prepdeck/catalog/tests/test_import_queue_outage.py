"""The task broker down: an API upload whose job cannot be queued gets a clear 503, never a 500, and
nothing is left half-written. The broker is taken away for real (a Redis URL at a closed port)."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from prepdeck.accounts.tests.factories import make_editor
from prepdeck.catalog import importing, services
from prepdeck.catalog.models import ImportJob, ImportJobFile, Question
from prepdeck.core.outages import outage_log
from prepdeck.core.tests.outages import take_the_broker_away

CSV = b"question,answer,topic\nWhat does select_related do?,It joins.,django-orm\n"

QUEUE_UNAVAILABLE = {
    "error": {
        "code": "service_unavailable",
        "message": "The task queue is unavailable at the moment, so the job could not be queued; nothing "
        "was saved. Try again shortly.",
        "details": {"service": "task_queue", "retry_after": 30},
    }
}


@pytest.fixture(autouse=True)
def _fresh_outage_log() -> Any:
    outage_log.reset()
    yield
    outage_log.reset()


def _upload(api: APIClient) -> Any:
    return api.post("/api/v1/imports/", {"files": [SimpleUploadedFile("bank.csv", CSV)]}, format="multipart")


@pytest.mark.django_db
def test_an_upload_gets_503_and_nothing_is_written_when_the_broker_is_down(
    api: APIClient,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # given
    services.topics_sync()
    api.force_authenticate(make_editor())
    broker = take_the_broker_away(monkeypatch)

    # when
    with (
        caplog.at_level(logging.WARNING, logger="prepdeck.outages"),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        response = _upload(api)

    # then
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response.json() == QUEUE_UNAVAILABLE
    assert callbacks == []
    assert (ImportJob.objects.count(), ImportJobFile.objects.count(), Question.all_objects.count()) == (
        0,
        0,
        0,
    )
    assert [record.name for record in caplog.records if record.levelno >= logging.WARNING] == [
        "prepdeck.outages",  # once per outage and minute
        "prepdeck.access",  # once per request
    ]
    [line] = [record.getMessage() for record in caplog.records if record.name == "prepdeck.outages"]
    assert line.startswith("The task broker is unreachable (")
    assert broker.rsplit(":", 1)[1].split("/")[0] in line  # names the port it tried


@pytest.mark.django_db(transaction=True)
def test_a_broker_lost_between_the_check_and_the_commit_fails_the_job_with_its_reason(
    api: APIClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: the broker answers the check, then is gone when the job is sent after the commit
    services.topics_sync()
    api.force_authenticate(make_editor())
    take_the_broker_away(monkeypatch)
    monkeypatch.setattr(importing, "task_queue_check", lambda: None)

    # when
    response = _upload(api)

    # then: 503 for the upload, and the job is finished as failed (no files kept, nothing imported)
    assert response.status_code == 503
    assert response.json() == QUEUE_UNAVAILABLE
    job = ImportJob.objects.get()
    assert job.report is not None
    assert (job.status, job.report["errors"]) == (
        "failed",
        [{"file": None, "line": None, "message": "The job could not be queued; upload the files again."}],
    )
    assert job.report["files"] == ["bank.csv"]
    assert job.finished_at is not None
    assert (ImportJobFile.objects.count(), Question.all_objects.count()) == (0, 0)
