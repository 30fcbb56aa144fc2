"""The import pipeline's service: parse documents, merge duplicates, write questions and sources.

One pipeline behind every door (``prepdeck import``, the admin upload page, the API's background task):
parse every file first (pure parsers, no database), and only when all of them parsed write everything in
one transaction. A dry run does the same work and rolls it back, so its counts are exactly what a real
import would do. Re-importing the same documents changes nothing: items are matched to questions already
in the bank by their prompt's core and to existing sources by document and line.
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from pathlib import PurePath
from typing import Any, Literal, Protocol

from celery.exceptions import SoftTimeLimitExceeded
from django.db import DatabaseError, InterfaceError, OperationalError, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from prepdeck.accounts.models import User
from prepdeck.catalog import limits, matching, services, topic_rules
from prepdeck.catalog.importers.anki import parse_apkg
from prepdeck.catalog.importers.base import MAX_FILE_BYTES, ImportFormatError, ParsedDocument, ParsedItem
from prepdeck.catalog.importers.markdown import parse_markdown
from prepdeck.catalog.importers.ownjson import MAX_EXPORT_BYTES, parse_export
from prepdeck.catalog.importers.tabular import parse_tabular
from prepdeck.catalog.lint.checks import lint_markdown
from prepdeck.catalog.models import (
    CodeExample,
    ImportJob,
    ImportJobFile,
    ImportJobStatus,
    Question,
    QuestionStatus,
    Source,
    Tag,
    Topic,
)
from prepdeck.catalog.signals import catalog_changed_on_commit
from prepdeck.core.bulk import bulk_insert_rows
from prepdeck.core.exceptions import Conflict, InvalidInput, NotFound, ServiceUnavailable
from prepdeck.core.task_queue import task_queue_check, task_send
from prepdeck.search.services import search_index_refresh

logger = logging.getLogger(__name__)

ImportFormat = Literal["auto", "markdown", "csv", "json", "apkg"]
Progress = Callable[[int, int], None]


@dataclass
class InputFile:
    name: str
    data: bytes


@dataclass
class ImportReport:
    files: list[str] = field(default_factory=list)
    questions_found: int = 0
    created: int = 0
    merged_exact: int = 0
    merged_near: int = 0
    drafts: int = 0
    repairs: Counter[str] = field(default_factory=Counter)
    near_duplicate_groups: list[list[str]] = field(default_factory=list)
    errors: list[dict[str, object]] = field(default_factory=list)
    dry_run: bool = False

    def as_dict(self) -> dict[str, Any]:
        """Exactly the object ``prepdeck import --json`` prints."""
        return {
            "files": self.files,
            "questions_found": self.questions_found,
            "created": self.created,
            "merged_exact": self.merged_exact,
            "merged_near": self.merged_near,
            "drafts": self.drafts,
            "repairs": dict(sorted(self.repairs.items())),
            "near_duplicate_groups": self.near_duplicate_groups,
            "errors": self.errors,
        }


def largest_file_bytes() -> int:
    """The size above which no importer accepts a file (our own JSON export has the largest limit)."""
    return max(MAX_FILE_BYTES, MAX_EXPORT_BYTES)


# Bytes of a file's start that decide its format (``detect_format``).
_FORMAT_HEAD_BYTES = 4096


def file_limit(name: str, head: bytes, file_format: str) -> int:
    """The size limit of a file in the format it will be read as: our JSON export's, or a document's."""
    chosen = detect_format(name, head) if file_format == "auto" else file_format
    return MAX_EXPORT_BYTES if chosen == "json" else MAX_FILE_BYTES


class Upload(Protocol):
    """An uploaded file as Django gives it (in memory, or spooled to a temporary file)."""

    @property
    def name(self) -> str | None: ...

    @property
    def size(self) -> int | None: ...

    def read(self, size: int = -1, /) -> bytes: ...

    def seek(self, offset: int, /) -> int: ...


def _too_large(name: str, limit: int) -> InvalidInput:
    return InvalidInput(
        f"{name}: larger than the {limit // (1024 * 1024)} MiB limit for its format.", code="file_too_large"
    )


def input_files_from_uploads(uploads: Iterable[Upload], *, file_format: str) -> list[InputFile]:
    """Read uploaded files for an import, refusing one over its format's limit before reading it whole.

    Django has already spooled a large upload to a temporary file; only its first bytes are read to tell
    its format, so a 256 MiB Markdown file is refused without being loaded into memory.
    """
    files = []
    for upload in uploads:
        name = upload.name or "upload"
        head = upload.read(_FORMAT_HEAD_BYTES)
        upload.seek(0)
        limit = file_limit(name, head, file_format)
        if (upload.size or 0) > limit:
            raise _too_large(name, limit)
        files.append(InputFile(name=name, data=upload.read()))
    return files


def detect_format(name: str, data: bytes) -> str:
    """Pick a parser from the file name, then from the first bytes."""
    suffix = PurePath(name).suffix.lower()
    if suffix in {".csv", ".tsv"}:
        return "csv"
    if suffix == ".apkg" or data[:4] == b"PK\x03\x04":
        return "apkg"
    if suffix == ".json" or data.lstrip()[:1] in (b"{", b"["):
        return "json"
    return "markdown"


def parse_file(file: InputFile, *, file_format: str) -> ParsedDocument:
    """Run the parser for ``file_format`` (as chosen by ``detect_format`` or the caller).

    Raises ``ImportFormatError`` naming the file (and line) it cannot read.
    """
    if file_format == "markdown":
        return parse_markdown(file.name, file.data)
    if file_format == "csv":
        return parse_tabular(file.name, file.data)
    if file_format == "apkg":
        return parse_apkg(file.name, file.data)
    raise ImportFormatError(file.name, f"unknown import format {file_format!r}")


@dataclass
class _Entry:
    """One parsed item with where it came from."""

    document: str
    item: ParsedItem

    @property
    def label(self) -> str:
        prompt = self.item.prompt or "(needs a question)"
        return f"{self.document}:{self.item.line_start} {prompt[:100]}"


def _question_key(entry: _Entry) -> str:
    if entry.item.needs_question:
        basis = "draft\x00" + matching.normalize_text(entry.item.answer)
    else:
        basis = " ".join(matching.prompt_core(entry.item.prompt)) or matching.normalize_text(
            entry.item.prompt
        )
    return "imp-" + hashlib.sha256(basis.encode()).hexdigest()[:16]


def _short_answer(answer: str) -> str:
    """The answer's first paragraph of prose (not code), trimmed to a few sentences."""
    for block in answer.split("\n\n"):
        text = block.strip()
        if text and not text.startswith(("```", "#", "|")):
            return text[:600]
    return ""


class _ExistingIndex:
    """Live questions in the bank, findable by prompt core (for merging re-imports and rewordings)."""

    def __init__(self) -> None:
        self.by_key: dict[str, int] = {}
        self.labels: dict[int, str] = {}
        self.prompts: dict[int, str] = {}
        self.by_token: dict[str, list[tuple[tuple[str, ...], int]]] = defaultdict(list)
        self.by_core: dict[tuple[str, ...], int] = {}  # the first question with each core
        for pk, key, prompt in Question.objects.values_list("pk", "key", "prompt").iterator(chunk_size=2000):
            self.by_key[key] = pk
            self.add(pk, prompt, key=key)

    def add(self, pk: int, prompt: str, *, key: str) -> None:
        self.labels[pk] = f"bank:{key} {prompt[:100]}"
        self.prompts[pk] = matching.normalize_text(prompt)
        core = matching.prompt_core(prompt)
        self.by_core.setdefault(core, pk)
        for token in core:
            self.by_token[token].append((core, pk))

    def same_prompt(self, pk: int, prompt: str) -> bool:
        return self.prompts.get(pk) == matching.normalize_text(prompt)

    def find(self, prompt: str) -> int | None:
        core = matching.prompt_core(prompt)
        if not core:
            return None
        if core in self.by_core:
            return self.by_core[core]
        token = min(core, key=lambda candidate: len(self.by_token.get(candidate, ())))
        # The first questions with that token only (see matching.CANDIDATES_PER_TOKEN): a prompt made of
        # common words would otherwise be compared with most of the bank, and an import of many such
        # prompts would cost the square of its size.
        for other_core, pk in self.by_token.get(token, [])[: matching.CANDIDATES_PER_TOKEN]:
            if matching.is_near_duplicate(core, other_core):
                return pk
        return None


def _topic_for(item: ParsedItem, topics: dict[str, int]) -> str:
    """A section (or CSV topic cell) naming one of our topics wins; otherwise guess from the words."""
    if item.section in topics:
        return item.section
    return topic_rules.guess_topic(prompt=item.prompt, section=item.section)


def documents_import(
    *,
    files: Iterable[InputFile],
    file_format: ImportFormat = "auto",
    topic: str | None = None,
    dry_run: bool = False,
    author: User | None = None,
    progress: Progress | None = None,
    keep_status: bool = False,
) -> ImportReport:
    """Import documents into the bank (or, with ``dry_run``, report what importing would do).

    Nothing is written unless every file parses; the report then lists each error with file and line.
    Imported questions are drafts. Only ``keep_status`` (an editor importing our own JSON export on
    purpose: ``prepdeck import --keep-status``, the API's and the import page's "keep status") gives
    the questions of a JSON export the status the export names. Otherwise (and where the export names
    none) a new question is a draft and a question already in the bank keeps the status it has.
    """
    report = ImportReport(dry_run=dry_run)
    documents: list[ParsedDocument] = []
    exported: list[dict[str, Any]] = []  # entries of our own JSON export: applied losslessly by key
    exported_from: list[tuple[str, int]] = []  # (file, 1-based item) of every entry in ``exported``
    for file in files:
        report.files.append(file.name)
        chosen = detect_format(file.name, file.data) if file_format == "auto" else file_format
        try:
            if chosen == "json":
                file_entries = parse_export(file.name, file.data)
                exported.extend(file_entries)
                exported_from.extend((file.name, number) for number in range(1, len(file_entries) + 1))
            else:
                documents.append(parse_file(file, file_format=chosen))
        except ImportFormatError as error:
            report.errors.append(error.as_dict())
    if not report.errors:
        report.errors.extend(error.as_dict() for error in _document_limit_errors(documents))
    if report.errors:
        return report
    services.topics_sync()
    known_topics = set(Topic.objects.values_list("slug", flat=True))
    if topic and topic not in known_topics:
        report.errors.append({"file": None, "line": None, "message": f"unknown topic {topic!r}"})
        return report
    for entry, (name, number) in zip(exported, exported_from, strict=True):
        if entry["topic"] not in known_topics:
            report.errors.append(
                ImportFormatError(
                    name,
                    f"question {number} ({entry['key']!r}): unknown topic {entry['topic']!r}",
                    item=number,
                    key=entry["key"],
                    field="topic",
                ).as_dict()
            )
            return report

    entries = [_Entry(document.name, item) for document in documents for item in document.items]
    for document in documents:
        report.repairs.update(document.repairs)
    report.questions_found = len(entries) + len(exported)

    with transaction.atomic():
        if exported:
            upserted = services.questions_upsert(
                _with_import_status(exported, keep_status=keep_status),
                revision_summary="Imported from JSON",
                author=author,
            )
            # Our own export carries keys, so every entry is either new or an exact match by key.
            report.created += upserted.created
            report.merged_exact += upserted.updated + upserted.unchanged
        if entries:
            _write(entries, report=report, topic=topic, author=author, progress=progress)
        if dry_run:
            transaction.set_rollback(True)
    return report


def _document_limit_errors(documents: list[ParsedDocument]) -> list[ImportFormatError]:
    """Items of Markdown, CSV and Anki documents over the limits of one question or of one import."""
    errors = []
    found = sum(len(document.items) for document in documents)
    if found > limits.DOCUMENT_ITEMS_MAX:
        errors.append(
            ImportFormatError(
                documents[-1].name,
                f"the files hold {found:,} questions; one import takes at most {limits.DOCUMENT_ITEMS_MAX:,} "
                "(split them into several imports)",
            )
        )
    for document in documents:
        for item in document.items:
            if len(item.prompt) > limits.PROMPT_MAX:
                errors.append(
                    ImportFormatError(
                        document.name,
                        f"the question is {len(item.prompt):,} characters long; the limit is "
                        f"{limits.PROMPT_MAX:,}",
                        line=item.line_start,
                    )
                )
            elif any(len(tag.strip()) > limits.TAG_MAX for tag in item.tags):
                errors.append(
                    ImportFormatError(
                        document.name,
                        f"a tag is longer than {limits.TAG_MAX} characters",
                        line=item.line_start,
                    )
                )
            elif len(item.answer) > limits.EXPLANATION_MAX:
                errors.append(
                    ImportFormatError(
                        document.name,
                        f"the answer is {len(item.answer):,} characters long; the limit is "
                        f"{limits.EXPLANATION_MAX:,}",
                        line=item.line_start,
                    )
                )
            if len(errors) >= _LIMIT_ERRORS_SHOWN:
                return errors
    return errors


# Errors of items over the limits listed at most (a file of 5,000 oversized items needs no 5,000 lines).
_LIMIT_ERRORS_SHOWN = 20


def _with_import_status(entries: list[dict[str, Any]], *, keep_status: bool) -> list[dict[str, Any]]:
    """The export's entries with the status importing gives them (see ``documents_import``)."""
    stored: dict[str, str] = {}
    keys = [entry["key"] for entry in entries]
    for start in range(0, len(keys), 1000):
        stored.update(
            Question.all_objects.filter(key__in=keys[start : start + 1000]).values_list("key", "status")
        )
    result = []
    for entry in entries:
        default = stored.get(entry["key"], QuestionStatus.DRAFT)
        status = entry.get("status", default) if keep_status else default
        result.append({**entry, "status": status})
    return result


def _write(
    entries: list[_Entry],
    *,
    report: ImportReport,
    topic: str | None,
    author: User | None,
    progress: Progress | None,
) -> None:
    topics = dict(Topic.objects.values_list("slug", "pk"))

    with_prompt = [index for index, entry in enumerate(entries) if not entry.item.needs_question]
    groups = matching.group_duplicates(
        [entries[index].item.prompt for index in with_prompt],
        [entries[index].item.answer for index in with_prompt],
    )
    # representative (index into entries) of every entry that merges into another one
    merged_into: dict[int, int] = {}
    for group in groups.exact:
        for member in group[1:]:
            merged_into[with_prompt[member]] = with_prompt[group[0]]
            report.merged_exact += 1
    for group in groups.near:
        members = [with_prompt[member] for member in group]
        for member in members[1:]:
            merged_into[member] = members[0]
            report.merged_near += 1
        report.near_duplicate_groups.append([entries[member].label for member in members])

    existing = _ExistingIndex()
    known_sources = set(Source.objects.values_list("question_id", "document", "line_start"))
    question_for: dict[int, int] = {}  # entry index -> question pk (negative: one of new_rows)
    new_rows: list[dict[str, Any]] = []  # questions to create
    new_items: list[ParsedItem] = []  # the item of each of new_rows
    now = timezone.now()
    for position, (index, entry) in enumerate(enumerate(entries), start=1):
        if progress is not None:
            progress(position, len(entries))
        if index in merged_into:
            continue
        key = _question_key(entry)
        pk = existing.by_key.get(key)
        if pk is None and not entry.item.needs_question:
            pk = existing.find(entry.item.prompt)
        already_imported = pk is not None and (pk, entry.document, entry.item.line_start) in known_sources
        if pk is not None and not already_imported and not existing.same_prompt(pk, entry.item.prompt):
            # A rewording of a question already in the bank: merged, and listed so an editor can check it.
            report.merged_near += 1
            report.near_duplicate_groups.append([existing.labels[pk], entry.label])
        if pk is None:
            # A placeholder id until the new questions are inserted together below.
            pk = -(len(new_rows) + 1)
            new_rows.append(
                {
                    "key": key,
                    "topic_id": topics[topic or _topic_for(entry.item, topics)],
                    "prompt": entry.item.prompt,
                    "short_answer": _short_answer(entry.item.answer),
                    "explanation": entry.item.answer,
                    "key_points": entry.item.key_points[:6],
                    "difficulty": entry.item.difficulty,
                    "status": QuestionStatus.DRAFT.value,
                    "needs_question": entry.item.needs_question,
                    "lint_findings": [
                        finding.as_dict()
                        for finding in lint_markdown(
                            entry.document, entry.item.answer, first_line=entry.item.line_start
                        )
                    ],
                    "author_id": author.pk if author else None,
                    "created_at": now,
                    "updated_at": now,
                }
            )
            new_items.append(entry.item)
            existing.by_key[key] = pk
            if not entry.item.needs_question:
                existing.add(pk, entry.item.prompt, key=key)
            if entry.item.needs_question:
                report.drafts += 1
            else:
                report.created += 1
        question_for[index] = pk

    # Every new question, its code examples and its tags are written in a few bulk statements, so the
    # cost of an import grows with its number of questions, not with one round trip per question.
    created_ids = bulk_insert_rows(Question, new_rows)
    question_for = {index: created_ids[-pk - 1] if pk < 0 else pk for index, pk in question_for.items()}
    bulk_insert_rows(
        CodeExample,
        [
            {
                "question_id": question_id,
                "order": order,
                "language": code.language,
                "code": code.code,
                "caption": code.caption,
            }
            for question_id, item in zip(created_ids, new_items, strict=True)
            for order, code in enumerate(item.code_examples)
        ],
    )
    tags_of = {
        question_id: sorted({tag.strip().lower() for tag in item.tags if tag.strip()})
        for question_id, item in zip(created_ids, new_items, strict=True)
    }
    slugs = sorted({slug for wanted in tags_of.values() for slug in wanted})
    if slugs:
        Tag.objects.bulk_create([Tag(slug=slug) for slug in slugs], ignore_conflicts=True, batch_size=1000)
        tag_ids: dict[str, int] = {}
        for start in range(0, len(slugs), 1000):
            tag_ids.update(Tag.objects.filter(slug__in=slugs[start : start + 1000]).values_list("slug", "pk"))
        bulk_insert_rows(
            Question.tags.through,
            [
                {"question_id": question_id, "tag_id": tag_ids[slug]}
                for question_id, wanted in tags_of.items()
                for slug in wanted
            ],
        )

    sources = []
    for index, entry in enumerate(entries):
        root = index
        while root in merged_into:  # an exact copy of an item that itself merged into a near duplicate
            root = merged_into[root]
        pk = question_for[root]
        identity = (pk, entry.document, entry.item.line_start)
        if identity in known_sources:
            continue
        known_sources.add(identity)
        sources.append(
            Source(
                question_id=pk,
                document=entry.document,
                line_start=entry.item.line_start,
                line_end=entry.item.line_end,
                original_prompt=entry.item.prompt,
                original_answer=entry.item.answer,
                imported_at=now,
            )
        )
    Source.objects.bulk_create(sources)
    search_index_refresh(set(question_for.values()))
    catalog_changed_on_commit(question_for.values())


# --- background import jobs (the API's door) ----------------------------------------------------------

IMPORT_FORMATS = ("auto", "markdown", "csv", "json", "apkg")


# How long a worker's claim on a job lasts. Longer than the task's hard time limit, so a worker that is
# still running never loses its claim; once it has expired the worker is dead (or was killed at the limit)
# and the redelivered task, or the sweeper, may run the job again.
IMPORT_TASK_SOFT_TIME_LIMIT = 15 * 60  # seconds; a limited import takes well under a minute (README)
IMPORT_TASK_TIME_LIMIT = IMPORT_TASK_SOFT_TIME_LIMIT + 60
IMPORT_JOB_LEASE = timedelta(seconds=IMPORT_TASK_TIME_LIMIT + 4 * 60)
# Claims of one job whose worker died before it finished; the next expired claim fails the job.
IMPORT_JOB_MAX_ATTEMPTS = 3
# A job still queued this long after its upload (its task message was lost) is queued again by the sweeper.
IMPORT_JOB_REQUEUE_AFTER = timedelta(minutes=10)
# Errors after which a task is retried (by Celery, with backoff) rather than the job failed.
TRANSIENT_ERRORS: tuple[type[Exception], ...] = (OperationalError, InterfaceError)


def import_job_create(
    *,
    owner: User,
    files: list[InputFile],
    file_format: str = "auto",
    topic: str = "",
    dry_run: bool = False,
    keep_status: bool = False,
) -> ImportJob:
    """Store the uploaded files and queue a job that imports them once this transaction commits.

    ``ServiceUnavailable`` (503) when the task queue cannot take the job: checked before anything is
    written, and should the broker go away between that check and the commit, the job is marked failed
    with that reason rather than left queued for a task that was never sent.
    """
    import_upload_check(files=files, file_format=file_format, topic=topic)
    task_queue_check()
    with transaction.atomic():
        job = ImportJob.objects.create(
            owner=owner, file_format=file_format, topic=topic, dry_run=dry_run, keep_status=keep_status
        )
        ImportJobFile.objects.bulk_create(
            ImportJobFile(job=job, name=file.name[:255], data=file.data) for file in files
        )
        job_id = job.pk
        transaction.on_commit(lambda: _enqueue(job_id))
    return job


def _enqueue(job_id: int) -> None:
    from prepdeck.catalog.tasks import import_job_run_task

    try:
        task_send(import_job_run_task, job_id)
    except ServiceUnavailable:
        job = ImportJob.objects.filter(pk=job_id, status=ImportJobStatus.QUEUED).first()
        if job is not None:
            job.status, job.finished_at = ImportJobStatus.FAILED, timezone.now()
            job.report = {
                **ImportReport(files=list(job.files.values_list("name", flat=True))).as_dict(),
                "errors": [
                    {
                        "file": None,
                        "line": None,
                        "message": "The job could not be queued; upload the files again.",
                    }
                ],
            }
            with transaction.atomic():
                job.save(update_fields=["status", "finished_at", "report"])
                job.files.all().delete()
        raise


def import_job_claim(*, job_id: int, now: datetime | None = None) -> ImportJob | None:
    """Claim a job for this worker for ``IMPORT_JOB_LEASE``: a queued job, or a running one whose claim
    expired (its worker died). One conditional UPDATE, so two workers never both get the job.

    Returns the claimed job, or None when there is nothing to do (finished, or claimed by a live
    worker). A job whose expired claim was its last attempt is failed here instead.
    """
    now = now or timezone.now()
    claimable = Q(status=ImportJobStatus.QUEUED) | Q(status=ImportJobStatus.RUNNING, claimed_until__lt=now)
    claimed = (
        ImportJob.objects.filter(claimable, pk=job_id, attempts__lt=IMPORT_JOB_MAX_ATTEMPTS).update(
            status=ImportJobStatus.RUNNING,
            started_at=now,
            claimed_until=now + IMPORT_JOB_LEASE,
            attempts=F("attempts") + 1,
        )
        == 1
    )
    if not claimed:
        _fail_exhausted(ImportJob.objects.filter(pk=job_id), now=now)
        return None
    return ImportJob.objects.get(pk=job_id)


def _failure_report(job: ImportJob, message: str) -> dict[str, Any]:
    names = list(job.files.values_list("name", flat=True)) or list((job.report or {}).get("files", []))
    return {
        **ImportReport(files=names).as_dict(),
        "errors": [{"file": None, "line": None, "message": message}],
    }


def _fail_exhausted(jobs: QuerySet[ImportJob], *, now: datetime) -> int:
    """Fail the jobs of ``jobs`` whose expired claim was their last attempt; return how many."""
    failed = 0
    exhausted = jobs.filter(
        status=ImportJobStatus.RUNNING, claimed_until__lt=now, attempts__gte=IMPORT_JOB_MAX_ATTEMPTS
    )
    for job in exhausted:
        message = (
            f"The import was interrupted on our side {job.attempts} times (its worker stopped); "
            "nothing was imported. Upload the files again, or ask an administrator."
        )
        with transaction.atomic():
            if _finish(job, attempt=job.attempts, report=_failure_report(job, message), now=now):
                failed += 1
    return failed


def _finish(job: ImportJob, *, attempt: int, report: dict[str, Any], now: datetime | None = None) -> bool:
    """Record the job's report if this worker's claim (``attempt``) still holds; drop its files."""
    finished = ImportJob.objects.filter(pk=job.pk, status=ImportJobStatus.RUNNING, attempts=attempt).update(
        report=report,
        status=ImportJobStatus.FAILED if report["errors"] else ImportJobStatus.SUCCEEDED,
        finished_at=now or timezone.now(),
        claimed_until=None,
    )
    if finished:
        ImportJobFile.objects.filter(
            job_id=job.pk
        ).delete()  # the report names them; the bytes are not needed
    return finished == 1


def _release(job_id: int, *, attempt: int) -> None:
    """Give a claimed job back to the queue after a transient error, so the retried task can claim it."""
    try:
        ImportJob.objects.filter(pk=job_id, status=ImportJobStatus.RUNNING, attempts=attempt).update(
            status=ImportJobStatus.QUEUED, claimed_until=None, attempts=F("attempts") - 1
        )
    except DatabaseError:  # the database is still away: the claim expires and the job is taken over then
        logger.warning("Import job %s could not be released; its claim will expire", job_id)


def import_job_run(*, job_id: int) -> None:
    """Run a queued job (the task calls this). Safe to retry and to redeliver: the job is claimed with a
    lease first (``import_job_claim``), and the import and the job's report are committed together, so a
    worker that dies mid-import leaves nothing imported and the job to be taken over once its claim expires.

    A transient database error gives the job back and is raised again, for the task to retry it.
    """
    job = import_job_claim(job_id=job_id)
    if job is None:
        return
    attempt = job.attempts
    files = [InputFile(name=name, data=bytes(data)) for name, data in job.files.values_list("name", "data")]
    try:
        with transaction.atomic():
            report = documents_import(
                files=files,
                file_format=job.file_format,  # type: ignore[arg-type]
                topic=job.topic or None,
                dry_run=job.dry_run,
                author=job.owner,
                keep_status=job.keep_status,
            ).as_dict()
            if not _finish(job, attempt=attempt, report=report):
                # Another worker took the job over after this one's claim expired: its result stands.
                transaction.set_rollback(True)
    except TRANSIENT_ERRORS:
        _release(job_id, attempt=attempt)
        raise
    except Exception as error:
        logger.exception("Import job %s failed", job_id)
        message = "The import failed on our side; it was logged."
        if isinstance(error, SoftTimeLimitExceeded):
            message = (
                f"The import took longer than {IMPORT_TASK_SOFT_TIME_LIMIT // 60} minutes and was stopped; "
                "nothing was imported. Split the files into smaller imports."
            )
        with transaction.atomic():
            _finish(job, attempt=attempt, report=_failure_report(job, message))


@dataclass
class SweepReport:
    requeued: int = 0
    failed: int = 0
    queued_again: int = 0


def import_jobs_sweep(*, now: datetime | None = None) -> SweepReport:
    """Find jobs left behind and set them going again (the periodic ``import_jobs_sweep`` task calls this).

    A running job whose claim expired (its worker died) is queued again and its task sent, or failed once
    it has had ``IMPORT_JOB_MAX_ATTEMPTS`` claims; a job still queued ``IMPORT_JOB_REQUEUE_AFTER`` after
    its upload (its task message was lost) has its task sent again. Tasks are sent on commit.
    """
    now = now or timezone.now()
    sweep = SweepReport()
    with transaction.atomic():
        sweep.failed = _fail_exhausted(ImportJob.objects.all(), now=now)
        stale = list(
            ImportJob.objects.filter(
                status=ImportJobStatus.RUNNING, claimed_until__lt=now, attempts__lt=IMPORT_JOB_MAX_ATTEMPTS
            ).values_list("pk", "attempts")
        )
        requeue: list[int] = []
        for job_id, attempts in stale:
            if ImportJob.objects.filter(
                pk=job_id, status=ImportJobStatus.RUNNING, attempts=attempts, claimed_until__lt=now
            ).update(status=ImportJobStatus.QUEUED, claimed_until=None):
                requeue.append(job_id)
        sweep.requeued = len(requeue)
        # For a queued job, ``claimed_until`` is when the sweeper may send its task again.
        forgotten = ImportJob.objects.filter(
            Q(claimed_until__isnull=True) | Q(claimed_until__lt=now),
            status=ImportJobStatus.QUEUED,
            created_at__lt=now - IMPORT_JOB_REQUEUE_AFTER,
        ).exclude(pk__in=requeue)
        forgotten_ids = list(forgotten.values_list("pk", flat=True))
        sweep.queued_again = ImportJob.objects.filter(
            pk__in=forgotten_ids, status=ImportJobStatus.QUEUED
        ).update(claimed_until=now + IMPORT_JOB_REQUEUE_AFTER)
        for job_id in [*requeue, *forgotten_ids]:
            transaction.on_commit(partial(_enqueue, job_id))
    if sweep.requeued or sweep.failed or sweep.queued_again:
        logger.warning(
            "Import jobs swept: %s requeued after an expired claim, %s failed, %s queued again",
            sweep.requeued,
            sweep.failed,
            sweep.queued_again,
        )
    return sweep


# --- dry runs kept for confirmation (the web import page's door) -------------------------------------

# How long a dry run keeps its uploaded files for the "Confirm import" button.
DRY_RUN_FILES_KEPT = timedelta(days=1)


def import_upload_check(*, files: list[InputFile], file_format: str, topic: str) -> None:
    """Refuse an upload before anything is stored: no files, an unknown format or topic, a file too large."""
    if not files:
        raise InvalidInput("Upload at least one file.", code="no_files")
    if file_format not in IMPORT_FORMATS:
        raise InvalidInput(f"Unknown format {file_format!r}.", code="unknown_format")
    for file in files:
        limit = file_limit(file.name, file.data[:_FORMAT_HEAD_BYTES], file_format)
        if len(file.data) > limit:
            raise _too_large(file.name, limit)
    if topic and not Topic.objects.filter(slug=topic).exists():
        raise InvalidInput(f"Unknown topic {topic!r}.", code="unknown_topic")


def import_dry_run_create(
    *,
    owner: User,
    files: list[InputFile],
    file_format: str = "auto",
    topic: str = "",
    keep_status: bool = False,
) -> ImportJob:
    """Dry-run an upload now and keep it as a finished dry-run job whose files wait for confirmation.

    The report is what importing would do, plus ``lint_findings``: the outdated-advice findings the new
    questions would carry. Nothing of the import is written (topics included). A dry run that found no
    errors keeps its files so that ``import_dry_run_confirm`` can import them without a second upload;
    files of this owner's dry runs older than ``DRY_RUN_FILES_KEPT`` are dropped.
    """
    import_upload_check(files=files, file_format=file_format, topic=topic)
    started = timezone.now()
    with transaction.atomic():
        # The real import inside a transaction that is rolled back: the same counts as a dry run, and
        # the lint findings the created questions would be stored with can be read before the rollback.
        report = documents_import(
            files=files,
            file_format=file_format,  # type: ignore[arg-type]
            topic=topic or None,
            author=owner,
            keep_status=keep_status,
        )
        lint_findings = [
            finding
            for findings in Question.all_objects.filter(author=owner, created_at__gte=started)
            .exclude(lint_findings=[])
            .order_by("pk")
            .values_list("lint_findings", flat=True)
            for finding in findings
        ]
        transaction.set_rollback(True)
    finished = timezone.now()
    failed = bool(report.errors)
    with transaction.atomic():
        ImportJobFile.objects.filter(
            job__owner=owner,
            job__dry_run=True,
            job__status__in=(ImportJobStatus.SUCCEEDED, ImportJobStatus.FAILED),
            job__created_at__lt=finished - DRY_RUN_FILES_KEPT,
        ).delete()
        job = ImportJob.objects.create(
            owner=owner,
            file_format=file_format,
            topic=topic,
            dry_run=True,
            keep_status=keep_status,
            status=ImportJobStatus.FAILED if failed else ImportJobStatus.SUCCEEDED,
            report={**report.as_dict(), "lint_findings": lint_findings},
            created_at=started,
            started_at=started,
            finished_at=finished,
        )
        if not failed:
            ImportJobFile.objects.bulk_create(
                ImportJobFile(job=job, name=file.name[:255], data=file.data) for file in files
            )
    return job


@transaction.atomic
def import_dry_run_confirm(*, owner: User, job_id: int) -> ImportJob:
    """Import for real the files a successful dry run kept: queues a new job (``import_job_create``).

    A dry run is confirmed once: its report then names the new job (``confirmed_job``) and its files are
    dropped. ``NotFound`` for someone else's or a missing dry run; ``Conflict`` when it cannot be confirmed.
    """
    dry_run = ImportJob.objects.select_for_update().filter(pk=job_id, owner=owner, dry_run=True).first()
    if dry_run is None:
        raise NotFound("Import job not found.")
    report = dict(dry_run.report or {})
    if report.get("confirmed_job"):
        raise Conflict("This dry run was already imported.", code="already_confirmed")
    if dry_run.status != ImportJobStatus.SUCCEEDED:
        raise Conflict("A dry run with errors cannot be imported; fix the files and upload them again.")
    files = [
        InputFile(name=name, data=bytes(data)) for name, data in dry_run.files.values_list("name", "data")
    ]
    if not files:
        raise Conflict(
            "The files of this dry run are no longer kept; upload them again.", code="dry_run_expired"
        )
    job = import_job_create(
        owner=owner,
        files=files,
        file_format=dry_run.file_format,
        topic=dry_run.topic,
        keep_status=dry_run.keep_status,
    )
    dry_run.report = {**report, "confirmed_job": job.pk}
    dry_run.save(update_fields=["report"])
    dry_run.files.all().delete()
    return job
