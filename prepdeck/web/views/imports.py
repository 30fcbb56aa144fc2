"""Pages: importing documents. Upload files, read the dry run's report, confirm to import for real, and
follow the import job to its report. Editors only."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from prepdeck.catalog import importing
from prepdeck.catalog import selectors as catalog_selectors
from prepdeck.catalog.importers.base import MAX_FILE_BYTES
from prepdeck.catalog.importers.ownjson import MAX_EXPORT_BYTES
from prepdeck.catalog.models import ImportJob, ImportJobStatus
from prepdeck.core import exceptions
from prepdeck.core.uploads import refused_upload
from prepdeck.web.forms import MAX_IMPORT_FILES, ImportUploadForm, topic_choices
from prepdeck.web.views.editor import editor_required, editor_user

RECENT_JOBS = 20
_PENDING = (ImportJobStatus.QUEUED, ImportJobStatus.RUNNING)
REPAIR_LABELS = {
    "bom": "Byte-order marks removed",
    "crlf": "Windows line endings normalised",
    "mojibake": "Garbled characters (mojibake) re-decoded",
    "ftfy_lines": "Lines with broken characters fixed",
    "fences": "Broken code fences repaired",
    "splices": "Questions run into answers split apart",
    "title_splits": "Titles run into code split apart",
    "filler": "Filler lines dropped",
    "section_markers": "Section headings restored",
    "section_numbers": "Section numbers removed",
}


@dataclass
class JobState:
    """What a job is at, in words, with the tone of its badge (``ok``, ``warn``, ``danger`` or ``""``)."""

    label: str
    tone: str


def job_state(job: ImportJob) -> JobState:
    """A dry run is ready to confirm while it keeps its files; an import reports how it ended."""
    report = job.report or {}
    if job.status == ImportJobStatus.QUEUED:
        return JobState("Queued", "")
    if job.status == ImportJobStatus.RUNNING:
        return JobState("Running", "")
    if job.status == ImportJobStatus.FAILED:
        return JobState("Errors: nothing imported", "danger")
    if not job.dry_run:
        return JobState("Imported", "ok")
    if report.get("confirmed_job"):
        return JobState("Dry run, confirmed", "ok")
    if job.files.all():
        return JobState("Dry run, ready to confirm", "warn")
    return JobState("Dry run, not imported", "")


def _upload_form(request: HttpRequest) -> ImportUploadForm:
    return ImportUploadForm(
        request.POST or None,
        request.FILES or None,
        topics=topic_choices(catalog_selectors.topics_in_tree_order()),
        size_limit=importing.largest_file_bytes(),
    )


def _render_upload(
    request: HttpRequest, form: ImportUploadForm, *, status: int = 200, upload_error: str = ""
) -> HttpResponse:
    jobs = [
        (job, job_state(job)) for job in catalog_selectors.import_jobs_of(user=request.user)[:RECENT_JOBS]
    ]
    return render(
        request,
        "web/imports/upload.html",
        {
            "form": form,
            "upload_error": upload_error,
            "jobs": jobs,
            "file_limit_mib": MAX_FILE_BYTES // (1024 * 1024),
            "export_limit_mib": MAX_EXPORT_BYTES // (1024 * 1024),
            "max_files": MAX_IMPORT_FILES,
        },
        status=status,
    )


@editor_required
@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest) -> HttpResponse:
    """Upload documents: they are dry-run at once and the dry run's report opens, ready to confirm."""
    form = _upload_form(request)
    refused = refused_upload(request)
    if refused is not None:
        # the upload was cut short: show the empty form and why
        return _render_upload(request, _upload_form(HttpRequest()), status=413, upload_error=refused)
    if request.method == "GET" or not form.is_valid():
        return _render_upload(request, form, status=200 if request.method == "GET" else 400)
    try:
        files = importing.input_files_from_uploads(
            form.cleaned_data["documents"], file_format=form.cleaned_data["file_format"]
        )
        job = importing.import_dry_run_create(
            owner=editor_user(request),
            files=files,
            file_format=form.cleaned_data["file_format"],
            topic=form.cleaned_data["topic"],
            keep_status=form.cleaned_data["keep_status"],
        )
    except exceptions.InvalidInput as error:
        form.add_error(None, error.message)
        return _render_upload(request, form, status=400)
    return redirect("web:import_job", job_id=job.pk)


def _job_or_404(request: HttpRequest, job_id: int) -> ImportJob:
    try:
        return catalog_selectors.import_job_get(user=request.user, job_id=job_id)
    except exceptions.NotFound:
        raise Http404("Import job not found.") from None


@editor_required
@require_GET
def import_job(request: HttpRequest, job_id: int) -> HttpResponse:
    """One import job: a dry run's report with the confirm button, or an import's status and report.

    While the job is queued or running the status part polls this page (htmx asks for the part alone).
    """
    job = _job_or_404(request, job_id)
    report = job.report or {}
    context = {
        "job": job,
        "state": job_state(job),
        "report": report,
        # "document:line prompt" labels, split so that where an item comes from can be set apart
        "duplicate_groups": [
            [tuple(label.partition(" ")[::2]) for label in group]
            for group in report.get("near_duplicate_groups", [])
        ],
        "repairs": [
            (REPAIR_LABELS.get(name, name), count) for name, count in report.get("repairs", {}).items()
        ],
        "pending": job.status in _PENDING,
        "file_names": [file.name for file in job.files.all()] or list(report.get("files", [])),
        "confirmable": job.dry_run
        and job.status == ImportJobStatus.SUCCEEDED
        and not report.get("confirmed_job")
        and bool(job.files.all()),
    }
    htmx = request.htmx  # type: ignore[attr-defined]
    if htmx and not htmx.history_restore_request:
        return render(request, "web/imports/_job.html", context)
    return render(request, "web/imports/job.html", context)


@editor_required
@require_POST
def import_confirm(request: HttpRequest, job_id: int) -> HttpResponse:
    """Import for real what a dry run reported (its files were kept); opens the new import job."""
    try:
        job = importing.import_dry_run_confirm(owner=editor_user(request), job_id=job_id)
    except exceptions.NotFound:
        raise Http404("Import job not found.") from None
    except (exceptions.Conflict, exceptions.ServiceUnavailable) as error:
        # a queue that is down rolls the confirmation back: the dry run keeps its files for another try
        messages.error(request, error.message)
        return redirect("web:import_job", job_id=job_id)
    messages.success(
        request, f"Import confirmed: the files of dry run {job_id} are imported as import {job.pk}."
    )
    return redirect("web:import_job", job_id=job.pk)


urlpatterns: list[URLPattern] = [
    path("import/", import_upload, name="import"),
    path("import/<int:job_id>/", import_job, name="import_job"),
    path("import/<int:job_id>/confirm/", import_confirm, name="import_confirm"),
]
