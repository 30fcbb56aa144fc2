"""The import pages through the Django test client: upload → dry-run report → confirm → the job's report,
with the real seed documents (../shared/seeds) as input where they are present."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from prepdeck.accounts.models import User
from prepdeck.accounts.tests.factories import make_editor
from prepdeck.catalog import importing
from prepdeck.catalog.models import ImportJob, ImportJobFile, ImportJobStatus, Question, Source, Topic

pytestmark = pytest.mark.django_db

SEEDS = Path(__file__).resolve().parents[4] / "shared" / "seeds"
needs_seeds = pytest.mark.skipif(
    not SEEDS.is_dir(), reason="the seed documents (../shared/seeds) are not present"
)

SMALL_SEED = "002_b79a0525d76d0729.txt"  # 18 questions
BROKEN_JSON = b'{\n  "format": "prepdeck-export/1",\n  "questions": [\n    {"key": "a",, }\n  ]\n}\n'


def _seed(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, (SEEDS / name).read_bytes(), content_type="text/plain")


def _bank_counts() -> tuple[int, int, int]:
    return (Question.all_objects.count(), Source.objects.count(), Topic.objects.count())


def _upload(client: Client, *files: SimpleUploadedFile, **fields: str) -> Any:
    return client.post(
        reverse("web:import"), {"documents": list(files), "file_format": "auto", "topic": "", **fields}
    )


# --- who may import ----------------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client: Client) -> None:
    response = client.get(reverse("web:import"))

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={reverse('web:import')}"


def test_learners_get_the_friendly_403_and_their_upload_changes_nothing(learner_client: Client) -> None:
    before = _bank_counts()

    page = learner_client.get(reverse("web:import"))
    upload = _upload(learner_client, SimpleUploadedFile("notes.md", b"## Q: What?\nA: That.\n"))

    assert (page.status_code, upload.status_code) == (403, 403)
    assert ImportJob.objects.count() == 0
    assert _bank_counts() == before


def test_someone_elses_job_is_a_404_and_cannot_be_confirmed(editor_client: Client) -> None:
    owner = make_editor(email="owner@example.com")
    job = importing.import_dry_run_create(
        owner=owner, files=[importing.InputFile(name="n.csv", data=b"question,answer\nWhat?,That.\n")]
    )
    before = _bank_counts()

    page = editor_client.get(reverse("web:import_job", args=[job.pk]))
    confirm = editor_client.post(reverse("web:import_confirm", args=[job.pk]))

    assert (page.status_code, confirm.status_code) == (404, 404)
    assert ImportJob.objects.count() == 1
    assert ImportJobFile.objects.filter(job=job).count() == 1
    assert _bank_counts() == before


# --- the upload page ---------------------------------------------------------------------------------------


def test_the_upload_page_names_the_formats_and_limits_and_says_what_to_do_first(
    editor_client: Client,
) -> None:
    content = editor_client.get(reverse("web:import")).content.decode()

    assert "Markdown or plain-text notes (<code>.md</code>, <code>.txt</code>)" in content
    assert "Anki packages (<code>.apkg</code>)" in content
    assert "Up to 20 files at once, each up to 5 MiB (PrepDeck JSON exports up to 256 MiB)." in content
    assert 'accept=".md,.markdown,.txt,.csv,.tsv,.json,.apkg"' in content
    assert "No imports yet" in content


def test_uploading_nothing_says_so(editor_client: Client) -> None:
    response = editor_client.post(reverse("web:import"), {"file_format": "auto"})

    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert ImportJob.objects.count() == 0


def test_a_file_over_the_limit_is_refused_before_anything_runs(
    editor_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importing, "largest_file_bytes", lambda: 10)

    response = _upload(editor_client, SimpleUploadedFile("big.md", b"x" * 11))

    assert response.status_code == 400
    assert "Larger than the 0 MiB limit: big.md." in response.content.decode()
    assert ImportJob.objects.count() == 0


# --- dry run, confirm, report ------------------------------------------------------------------------------


@needs_seeds
def test_the_dry_run_of_a_seed_writes_nothing_and_shows_its_report(
    editor_client: Client, editor: User
) -> None:
    before = _bank_counts()

    response = _upload(editor_client, _seed(SMALL_SEED))

    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("web:import_job", args=[job.pk])
    assert _bank_counts() == before  # not even the topics were written
    assert (job.owner, job.dry_run, job.status) == (editor, True, ImportJobStatus.SUCCEEDED)
    assert job.report is not None
    assert job.report["questions_found"] == 18
    assert job.report["errors"] == []
    assert list(job.files.values_list("name", flat=True)) == [SMALL_SEED]
    content = editor_client.get(response["Location"]).content.decode()
    assert "Dry run: nothing was written yet" in content
    assert '<dt class="stat-label">Items found</dt><dd class="stat">18</dd>' in content
    assert ">Confirm import</button>" in content
    assert "hx-trigger" not in content  # finished: nothing to poll


@needs_seeds
def test_confirming_imports_the_kept_files_and_shows_the_jobs_report(
    editor_client: Client, editor: User, django_capture_on_commit_callbacks: Any
) -> None:
    _upload(editor_client, _seed(SMALL_SEED))
    dry_run = ImportJob.objects.get()
    expected = dry_run.report

    # the job is queued once the transaction commits; Celery runs it eagerly, in this process
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(reverse("web:import_confirm", args=[dry_run.pk]))

    job = ImportJob.objects.exclude(pk=dry_run.pk).get()
    dry_run.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == reverse("web:import_job", args=[job.pk])
    assert (job.dry_run, job.status, job.owner) == (False, ImportJobStatus.SUCCEEDED, editor)
    assert job.report is not None
    assert expected is not None
    assert {name: job.report[name] for name in ("questions_found", "created", "drafts", "merged_exact")} == {
        name: expected[name] for name in ("questions_found", "created", "drafts", "merged_exact")
    }
    assert Question.all_objects.count() == job.report["created"] + job.report["drafts"]
    assert Source.objects.count() == 18
    assert dry_run.report is not None
    assert dry_run.report["confirmed_job"] == job.pk
    assert dry_run.files.count() == 0
    content = editor_client.get(response["Location"]).content.decode()
    assert f"Import confirmed: the files of dry run {dry_run.pk} are imported as import {job.pk}." in content
    assert "Import report" in content
    assert f'<dt class="stat-label">Created</dt><dd class="stat">{job.report["created"]}</dd>' in content
    # the jobs list counts what an editor will find: new questions (all drafts), and, only when there are
    # any, the answers that came without a question; never "0 drafts" beside sixteen new drafts
    listed = editor_client.get(reverse("web:import")).content.decode()
    summary = f"{job.report['questions_found']} found · {job.report['created']} new"
    assert summary in listed
    assert " drafts<" not in listed
    assert (" without a question" in listed) == (job.report["drafts"] > 0)


@needs_seeds
def test_a_dry_run_is_confirmed_only_once(
    editor_client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    _upload(editor_client, _seed(SMALL_SEED))
    dry_run = ImportJob.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(reverse("web:import_confirm", args=[dry_run.pk]))
    after_first = (ImportJob.objects.count(), _bank_counts())

    response = editor_client.post(reverse("web:import_confirm", args=[dry_run.pk]))

    assert response["Location"] == reverse("web:import_job", args=[dry_run.pk])
    assert (ImportJob.objects.count(), _bank_counts()) == after_first
    content = editor_client.get(response["Location"]).content.decode()
    assert "This dry run was already imported." in content
    assert "These files were imported" in content


@needs_seeds
def test_the_dry_run_of_every_seed_reports_merges_repairs_duplicates_and_lint(editor_client: Client) -> None:
    _upload(editor_client, *(_seed(path.name) for path in sorted(SEEDS.iterdir())))

    job = ImportJob.objects.get()
    report = job.report
    assert report is not None
    assert (report["questions_found"], report["drafts"], report["merged_exact"]) == (298, 10, 25)
    assert report["repairs"]["mojibake"] == 22
    assert {"DJ001", "DJ005"} <= {finding["rule"] for finding in report["lint_findings"]}
    assert Question.all_objects.count() == 0
    content = editor_client.get(reverse("web:import_job", args=[job.pk])).content.decode()
    assert "Garbled characters (mojibake) re-decoded: <strong>22</strong>" in content
    assert f"Near-duplicate groups ({len(report['near_duplicate_groups'])})" in content
    assert f"Lint findings ({len(report['lint_findings'])})" in content
    assert "<code>DJ001</code>" in content


def test_a_malformed_file_is_named_with_its_line_and_nothing_changes(editor_client: Client) -> None:
    before = _bank_counts()

    _upload(
        editor_client,
        SimpleUploadedFile("good.csv", b"question,answer\nWhat?,That.\n"),
        SimpleUploadedFile("broken.json", BROKEN_JSON),
    )

    job = ImportJob.objects.get()
    assert job.status == ImportJobStatus.FAILED
    assert job.report is not None
    assert job.report["errors"] == [
        {
            "file": "broken.json",
            "line": 4,
            "message": "invalid JSON: Expecting property name enclosed in double quotes",
        }
    ]
    assert job.files.count() == 0  # nothing to confirm
    assert _bank_counts() == before
    content = editor_client.get(reverse("web:import_job", args=[job.pk])).content.decode()
    assert "Nothing was imported" in content
    assert "<strong>broken.json, line 4</strong>: invalid JSON" in content
    assert "Confirm import" not in content
    assert editor_client.post(reverse("web:import_confirm", args=[job.pk])).status_code == 302
    assert ImportJob.objects.count() == 1


def test_a_csv_row_without_a_question_is_named_by_line(editor_client: Client) -> None:
    _upload(editor_client, SimpleUploadedFile("cards.csv", b"question,answer\nWhat?,That.\n,Orphan answer\n"))

    content = editor_client.get(reverse("web:import_job", args=[ImportJob.objects.get().pk])).content.decode()
    assert "<strong>cards.csv, line 3</strong>: the question cell is empty" in content


# --- following a job ---------------------------------------------------------------------------------------


def test_a_pending_job_polls_until_it_has_finished(editor_client: Client, editor: User) -> None:
    job = ImportJob.objects.create(owner=editor, status=ImportJobStatus.RUNNING)
    url = reverse("web:import_job", args=[job.pk])

    running = editor_client.get(url, headers={"HX-Request": "true"})
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJobStatus.SUCCEEDED, report=importing.ImportReport(files=["a.md"], created=3).as_dict()
    )
    finished = editor_client.get(url, headers={"HX-Request": "true"})

    assert running.status_code == 200
    assert running.content.decode().startswith(
        f'<div id="import-job" class="import-job" hx-get="{url}" hx-trigger="every 2s" hx-swap="outerHTML">'
    )
    assert "<html" not in running.content.decode()  # the part alone
    assert "The import is running." in running.content.decode()
    assert finished.content.decode().startswith('<div id="import-job" class="import-job">')
    assert '<dt class="stat-label">Created</dt><dd class="stat">3</dd>' in finished.content.decode()


@pytest.mark.parametrize("count", [3, 12])
def test_the_jobs_list_runs_a_constant_number_of_queries(
    editor_client: Client, editor: User, count: int, django_assert_num_queries: Any
) -> None:
    for number in range(count):
        job = ImportJob.objects.create(
            owner=editor,
            dry_run=bool(number % 2),
            status=ImportJobStatus.SUCCEEDED,
            report=importing.ImportReport(files=[f"file-{number}.md"], created=number).as_dict(),
        )
        ImportJobFile.objects.create(job=job, name=f"file-{number}.md", data=b"x")
    ImportJob.objects.create(owner=make_editor(email="other@example.com"))  # not listed

    # session, user, editor group, topics (the form's select), jobs, their files
    with django_assert_num_queries(6):
        response = editor_client.get(reverse("web:import"))

    content = response.content.decode()
    assert content.count('<td class="file-names" data-label="Files">') == count
    assert "Dry run, ready to confirm" in content


# --- issue 14: bad JSON fields are reported, not a 500; keeping an export's status is a deliberate choice ---

LINE_START_2_40 = (
    b'{"format": "prepdeck-export/1", "questions": [{"key": "a", "topic": "django-orm", "prompt": "P?",\n'
    b' "sources": [{"document": "d.md", "line_start": 1099511627776}]}]}'
)
PUBLISHED_EXPORT = (
    b'{"format": "prepdeck-export/1", "questions": [{"key": "a", "topic": "django-orm", "prompt": "P?",'
    b' "status": "published"}]}'
)


def test_a_dry_run_of_an_export_with_a_bad_field_shows_the_error_and_writes_nothing(
    editor_client: Client,
) -> None:
    response = _upload(editor_client, SimpleUploadedFile("bank.json", LINE_START_2_40))

    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert job.status == ImportJobStatus.FAILED
    assert job.report is not None
    assert job.report["errors"] == [
        {
            "file": "bank.json",
            "line": 1,
            "message": "question 1 ('a'): sources[0].line_start must be null or an integer from 0 to 2,147,483,647",
            "item": 1,
            "key": "a",
            "field": "sources[0].line_start",
        }
    ]
    page = editor_client.get(response["Location"])
    assert page.status_code == 200
    assert "sources[0].line_start must be null or an integer" in page.content.decode()
    assert Question.all_objects.count() == 0


def test_an_imported_export_is_a_draft_unless_keep_status_is_ticked(
    editor_client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    for keep_status in ("", "on"):
        Question.all_objects.all().delete()
        _upload(editor_client, SimpleUploadedFile("bank.json", PUBLISHED_EXPORT), keep_status=keep_status)
        dry_run = ImportJob.objects.filter(dry_run=True).latest("pk")
        with django_capture_on_commit_callbacks(execute=True):
            editor_client.post(reverse("web:import_confirm", args=[dry_run.pk]))
        job = ImportJob.objects.filter(dry_run=False).latest("pk")
        assert (job.status, job.keep_status) == (ImportJobStatus.SUCCEEDED, bool(keep_status))
        assert Question.all_objects.get().status == ("published" if keep_status else "draft")
