"""The question bank: a topic tree, tags, questions with their code examples, sources and revisions."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from prepdeck.catalog.choice import choice_problems
from prepdeck.catalog.probes import probes_problems


class Difficulty(models.TextChoices):
    BASIC = "basic", "Basic"
    INTERMEDIATE = "intermediate", "Intermediate"
    ADVANCED = "advanced", "Advanced"
    UNKNOWN = "unknown", "Unknown"


class QuestionStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    PUBLISHED = "published", "Published"
    ARCHIVED = "archived", "Archived"


class Topic(models.Model):
    """A node of the topic tree (Django > ORM and QuerySets)."""

    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "title"]

    def __str__(self) -> str:
        return self.title


class Tag(models.Model):
    slug = models.SlugField(max_length=60, unique=True)

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.slug


def validate_choice(value: Any) -> None:
    """Refuse a ``choice`` of the wrong shape (the admin and model forms run this)."""
    problems = choice_problems(value)
    if problems:
        raise ValidationError("Expected " + "; ".join(problems) + ".")


def validate_probes(value: Any) -> None:
    """Refuse ``probes`` of the wrong shape (the admin and model forms run this)."""
    problems = probes_problems(value)
    if problems:
        raise ValidationError("Expected " + "; ".join(problems) + ".")


def published_condition(prefix: str = "") -> models.Q:
    """The one definition of "published and not deleted", as a condition on a question reached through
    ``prefix`` (``"question__"`` from a card, ``"questions__"`` from a topic or tag), for filters and
    filtered aggregates that cannot start from ``Question.objects``."""
    return models.Q(**{f"{prefix}status": QuestionStatus.PUBLISHED, f"{prefix}deleted_at__isnull": True})


class QuestionQuerySet(models.QuerySet["Question"]):
    def published(self) -> QuestionQuerySet:
        """Questions learners see: published and not soft-deleted (see ``published_condition``)."""
        return self.filter(published_condition())

    def deleted(self) -> QuestionQuerySet:
        """Soft-deleted questions (only reachable through ``Question.all_objects``)."""
        return self.filter(deleted_at__isnull=False)


class LiveQuestionManager(models.Manager["Question"]):
    """Questions that are not soft-deleted (the default everywhere)."""

    def get_queryset(self) -> QuestionQuerySet:
        return QuestionQuerySet(self.model, using=self._db).filter(deleted_at__isnull=True)

    def published(self) -> QuestionQuerySet:
        return self.get_queryset().published()


class AllQuestionManager(models.Manager["Question"]):
    """Every question, soft-deleted ones included (the admin, the restore flow, exports of history)."""

    def get_queryset(self) -> QuestionQuerySet:
        return QuestionQuerySet(self.model, using=self._db)

    def published(self) -> QuestionQuerySet:
        return self.get_queryset().published()

    def deleted(self) -> QuestionQuerySet:
        return self.get_queryset().deleted()


class Question(models.Model):
    key = models.SlugField(
        max_length=120, unique=True, help_text="Stable identifier; the bundled bank matches questions by it."
    )
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="questions")
    prompt = models.TextField()
    short_answer = models.TextField(blank=True, help_text="What you would say aloud in the interview.")
    explanation = models.TextField(blank=True, help_text="Markdown.")
    key_points = models.JSONField(default=list, blank=True, help_text="3-6 statements a good answer covers.")
    common_mistakes = models.JSONField(default=list, blank=True)
    choice = models.JSONField(
        default=dict,
        blank=True,
        validators=[validate_choice],
        help_text=(
            'Multiple choice: {"correct": "...", "distractors": [{"text": "...", "why_wrong": "..."}]} '
            "(at least 3 distractors; see the bank's FORMAT.md)."
        ),
    )
    probes = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_probes],
        help_text=(
            'Probing follow-ups: [{"ask": "Now the table has 100M rows: what changes?", "answer": "..."}] '
            "(what an interviewer asks next; see the bank's FORMAT.md)."
        ),
    )
    difficulty = models.CharField(max_length=12, choices=Difficulty.choices, default=Difficulty.UNKNOWN)
    tags = models.ManyToManyField(Tag, blank=True, related_name="questions")
    follow_ups = models.ManyToManyField("self", symmetrical=False, blank=True, related_name="followed_from")
    status = models.CharField(max_length=10, choices=QuestionStatus.choices, default=QuestionStatus.DRAFT)
    needs_question = models.BooleanField(
        default=False, help_text="Imported answer text that had no question: an editor must write one."
    )
    lint_findings = models.JSONField(
        default=list, blank=True, help_text="Outdated-advice findings to review."
    )
    version = models.PositiveIntegerField(default=1, help_text="Optimistic lock: every edit increments it.")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[LiveQuestionManager] = LiveQuestionManager()
    all_objects: ClassVar[AllQuestionManager] = AllQuestionManager()

    class Meta:
        ordering = ["topic__order", "id"]
        base_manager_name = "all_objects"
        indexes = [models.Index(fields=["status", "topic"], name="catalog_question_status_topic")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(version__gte=1), name="catalog_question_version_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.prompt[:80]

    @property
    def is_published(self) -> bool:
        return self.status == QuestionStatus.PUBLISHED and self.deleted_at is None


class CodeExample(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="code_examples")
    order = models.PositiveSmallIntegerField(default=0)
    language = models.CharField(max_length=30, default="python")
    caption = models.CharField(max_length=300, blank=True)
    code = models.TextField()
    runnable = models.BooleanField(default=False, help_text="Executed by the test suite against our Django.")
    not_runnable_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["question", "order"]

    def __str__(self) -> str:
        return self.caption or f"{self.language} example"


class Source(models.Model):
    """Where a question came from; the source's own answer is kept as an alternative answer."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="sources")
    document = models.CharField(max_length=255)
    line_start = models.PositiveIntegerField(null=True, blank=True)
    line_end = models.PositiveIntegerField(null=True, blank=True)
    original_prompt = models.TextField(blank=True)
    original_answer = models.TextField(blank=True)
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["question", "document", "line_start"]

    def __str__(self) -> str:
        lines = f":{self.line_start}" if self.line_start else ""
        return f"{self.document}{lines}"


class QuestionRevision(models.Model):
    """A snapshot of a question as it was at ``version``; earlier versions can be viewed and restored."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField()
    snapshot = models.JSONField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    summary = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["question", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["question", "version"], name="catalog_revision_unique_version"),
        ]

    def __str__(self) -> str:
        return f"{self.question_id} v{self.version}"

    def field(self, name: str) -> Any:
        return self.snapshot.get(name)


class ImportJobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class ImportJob(models.Model):
    """An import requested through the API, run by a background task; its report is kept."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="import_jobs")
    status = models.CharField(max_length=10, choices=ImportJobStatus.choices, default=ImportJobStatus.QUEUED)
    file_format = models.CharField(max_length=10, default="auto")
    topic = models.SlugField(max_length=80, blank=True)
    dry_run = models.BooleanField(default=False)
    keep_status = models.BooleanField(
        default=False,
        help_text="Give the questions of our own JSON export the status it names instead of importing drafts.",
    )
    report = models.JSONField(null=True, blank=True, help_text="The import report once the job has run.")
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The lease of the worker running the job: another worker may take the job over once it has expired
    # (the first one died), and the sweeper requeues or fails jobs whose lease ran out.
    claimed_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(
        default=0, help_text="How many times a worker claimed the job."
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["owner", "-created_at"], name="catalog_importjob_owner"),
            models.Index(fields=["status", "claimed_until"], name="catalog_importjob_lease"),
        ]

    def __str__(self) -> str:
        return f"import {self.pk} ({self.status})"


class ImportJobFile(models.Model):
    """An uploaded file waiting for (or kept with) its job; stored in the database so that the web
    process and the worker need no shared disk."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="files")
    name = models.CharField(max_length=255)
    data = models.BinaryField()

    class Meta:
        ordering = ["job", "id"]

    def __str__(self) -> str:
        return self.name
