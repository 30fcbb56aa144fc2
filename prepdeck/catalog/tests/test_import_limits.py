"""Limits at the door (issue 14, item 9): per request (size, number of files), per format (before a file
is read whole), per import and per item; every door answers with the limit, never a 500."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import StopUpload
from django.core.management import CommandError, call_command
from django.test import Client, RequestFactory
from rest_framework.test import APIClient

from prepdeck.accounts.tests.factories import make_editor
from prepdeck.catalog import importing, limits
from prepdeck.catalog.models import ImportJob, ImportJobFile, Question
from prepdeck.core.uploads import RequestSizeLimitHandler, refused_upload

pytestmark = pytest.mark.django_db

MIB = 1024 * 1024
CSV_ROW = "What does select_related number {number} do?,It joins.\n"


def _csv(rows: int) -> bytes:
    return ("question,answer\n" + "".join(CSV_ROW.format(number=number) for number in range(rows))).encode()


# --- per request -------------------------------------------------------------------------------------------


def test_an_api_upload_over_the_request_limit_is_a_413_before_its_body_is_read(
    api: APIClient, settings: Any
) -> None:
    settings.UPLOAD_MAX_REQUEST_BYTES = 2 * MIB
    api.force_authenticate(make_editor())

    response = api.post(
        "/api/v1/imports/",
        {"files": [SimpleUploadedFile("big.csv", b"x" * (2 * MIB + 1))]},
        format="multipart",
    )

    assert response.status_code == 413
    assert response.json() == {
        "error": {
            "code": "request_too_large",
            "message": "The upload is larger than 2 MiB, the limit for one request.",
            "details": {},
        }
    }
    assert ImportJob.objects.count() == 0


def test_a_web_upload_over_the_request_limit_is_a_413(client: Client, settings: Any) -> None:
    settings.UPLOAD_MAX_REQUEST_BYTES = 2 * MIB
    client.force_login(make_editor())

    response = client.post("/import/", {"documents": [SimpleUploadedFile("big.md", b"x" * (2 * MIB + 1))]})

    assert response.status_code == 413
    assert response.content.decode() == "The upload is larger than 2 MiB, the limit for one request."
    assert ImportJob.objects.count() == 0


def test_more_files_than_the_limit_are_a_413_from_the_api(api: APIClient, settings: Any) -> None:
    settings.UPLOAD_MAX_FILES = 3
    api.force_authenticate(make_editor())
    files = [SimpleUploadedFile(f"part{number}.csv", _csv(1)) for number in range(4)]

    response = api.post("/api/v1/imports/", {"files": files}, format="multipart")

    assert response.status_code == 413
    assert response.json()["error"] == {
        "code": "request_too_large",
        "message": "At most 3 files can be uploaded at once.",
        "details": {},
    }
    assert (ImportJob.objects.count(), ImportJobFile.objects.count()) == (0, 0)


def test_more_files_than_the_limit_are_a_413_on_the_import_page(client: Client, settings: Any) -> None:
    settings.UPLOAD_MAX_FILES = 3
    client.force_login(make_editor())
    files = [SimpleUploadedFile(f"part{number}.csv", _csv(1)) for number in range(4)]

    response = client.post("/import/", {"documents": files, "file_format": "auto"})

    assert response.status_code == 413
    assert "At most 3 files can be uploaded at once." in response.content.decode()
    assert ImportJob.objects.count() == 0


def test_the_upload_handler_stops_reading_past_the_request_limit(settings: Any) -> None:
    settings.UPLOAD_MAX_REQUEST_BYTES = 100
    request = RequestFactory().post("/api/v1/imports/")
    handler = RequestSizeLimitHandler(request)
    handler.new_file("files", "a.md", "text/markdown", None)

    assert handler.receive_data_chunk(b"x" * 100, 0) == b"x" * 100
    with pytest.raises(StopUpload):
        handler.receive_data_chunk(b"x", 100)
    assert refused_upload(request) == "The upload is larger than 0 MiB, the limit for one request."


# --- per format: refused before the file is read whole ----------------------------------------------------


class _CountingUpload:
    """An upload that records how many bytes were read from it."""

    def __init__(self, name: str, data: bytes) -> None:
        self.name, self.size, self._data, self._position, self.read_bytes = name, len(data), data, 0, 0

    def read(self, size: int = -1) -> bytes:
        end = len(self._data) if size < 0 else self._position + size
        chunk = self._data[self._position : end]
        self._position += len(chunk)
        self.read_bytes += len(chunk)
        return chunk

    def seek(self, offset: int) -> int:
        self._position = offset
        return offset


def test_a_document_over_its_format_limit_is_refused_after_reading_only_its_start() -> None:
    markdown = _CountingUpload("notes.md", b"# " + b"x" * limits.DOCUMENT_BYTES_MAX)
    export = _CountingUpload(
        "bank.json", b'{"format": "prepdeck-export/1", "questions": []}' + b" " * MIB * 6
    )

    with pytest.raises(importing.InvalidInput) as refused:
        importing.input_files_from_uploads([markdown], file_format="auto")
    accepted = importing.input_files_from_uploads([export], file_format="auto")

    assert refused.value.message == "notes.md: larger than the 5 MiB limit for its format."
    assert refused.value.code == "file_too_large"
    assert markdown.read_bytes == 4096
    assert len(accepted[0].data) == export.size


def test_the_api_refuses_a_markdown_file_over_5_mib_at_upload(api: APIClient) -> None:
    api.force_authenticate(make_editor())
    big = SimpleUploadedFile("notes.md", b"x" * (limits.DOCUMENT_BYTES_MAX + 1))

    response = api.post("/api/v1/imports/", {"files": [big]}, format="multipart")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "file_too_large"
    assert response.json()["error"]["message"] == "notes.md: larger than the 5 MiB limit for its format."
    assert ImportJob.objects.count() == 0


def test_the_import_command_refuses_a_markdown_file_over_5_mib(tmp_path: Path) -> None:
    path = tmp_path / "notes.md"
    path.write_bytes(b"x" * (limits.DOCUMENT_BYTES_MAX + 1))

    with pytest.raises(CommandError, match=r"notes.md: larger than the 5 MiB limit for its format"):
        call_command("import", str(path))


# --- per import and per item ---------------------------------------------------------------------------------


def test_more_questions_than_one_import_takes_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "DOCUMENT_ITEMS_MAX", 2)

    report = importing.documents_import(files=[importing.InputFile("bank.csv", _csv(3))])

    assert report.errors == [
        {
            "file": "bank.csv",
            "line": None,
            "message": "the files hold 3 questions; one import takes at most 2 (split them into several imports)",
        }
    ]
    assert Question.all_objects.count() == 0


def test_a_four_megabyte_heading_is_refused_naming_its_line() -> None:
    heading = "## What is " + "very " * (800_000) + "long?\n\nAn answer.\n"
    document = "# Notes\n\n## What is a model?\n\nA class.\n\n" + heading

    report = importing.documents_import(files=[importing.InputFile("notes.md", document.encode())])

    assert report.errors == [
        {
            "file": "notes.md",
            "line": 7,
            "message": f"the question is {len(heading.splitlines()[0]) - 3:,} characters long; the limit is 2,000",
        }
    ]
    assert Question.all_objects.count() == 0


def test_a_csv_tag_over_60_characters_is_reported_not_a_database_error() -> None:
    content = "question,answer,tags\nWhat is a model?,A class.," + "t" * 61 + "\n"

    report = importing.documents_import(files=[importing.InputFile("bank.csv", content.encode())])

    assert report.errors == [{"file": "bank.csv", "line": 2, "message": "a tag is longer than 60 characters"}]
    assert Question.all_objects.count() == 0


def test_questions_at_the_limits_import(settings: Any) -> None:
    content = "question,answer\n" + "Q" * (limits.PROMPT_MAX - 1) + "?,Answer.\n"

    report = importing.documents_import(files=[importing.InputFile("bank.csv", content.encode())])

    assert (report.errors, report.created) == ([], 1)
