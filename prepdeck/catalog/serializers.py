"""The question bank API's serializers: the shapes its requests take and its responses show.

They validate and present data only; every write goes through ``catalog.services``.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from prepdeck.catalog import choice as multiple_choice
from prepdeck.catalog import importing
from prepdeck.catalog import probes as probing
from prepdeck.catalog.models import Difficulty, ImportJob, Question, QuestionRevision, Tag, Topic


class TopicSerializer(serializers.ModelSerializer[Topic]):
    parent = serializers.SlugRelatedField[Topic](slug_field="slug", read_only=True, allow_null=True)  # type: ignore[assignment]
    published_questions = serializers.IntegerField(read_only=True)

    class Meta:
        model = Topic
        fields = ("slug", "title", "description", "parent", "order", "published_questions")


class TagSerializer(serializers.ModelSerializer[Tag]):
    published_questions = serializers.IntegerField(read_only=True)

    class Meta:
        model = Tag
        fields = ("slug", "published_questions")


class CodeExampleSerializer(serializers.Serializer[Any]):
    language = serializers.CharField(max_length=30, default="python")
    caption = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    code = serializers.CharField(trim_whitespace=False)
    runnable = serializers.BooleanField(read_only=True)


class QuestionListSerializer(serializers.ModelSerializer[Question]):
    topic: serializers.Field[Any, Any, Any, Any] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    tags: serializers.Field[Any, Any, Any, Any] = serializers.SlugRelatedField(
        slug_field="slug", many=True, read_only=True
    )

    class Meta:
        model = Question
        fields = (
            "id",
            "key",
            "topic",
            "prompt",
            "short_answer",
            "difficulty",
            "status",
            "tags",
            "needs_question",
            "version",
            "updated_at",
        )


_LIST_TIMESTAMP = serializers.DateTimeField()


def question_list_representation(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``QuestionListSerializer(questions, many=True).data`` for the same questions, from the plain rows of
    ``selectors.question_rows_with_tags``: the same keys, order and values (times in the active time zone,
    as DRF writes them), without building a model instance or a serializer field per row. The list endpoint
    answers with this; ``QuestionListSerializer`` stays its documented schema (a test checks both agree)."""
    timestamp = _LIST_TIMESTAMP.to_representation
    return [
        {
            "id": row["id"],
            "key": row["key"],
            "topic": row["topic_slug"],
            "prompt": row["prompt"],
            "short_answer": row["short_answer"],
            "difficulty": row["difficulty"],
            "status": row["status"],
            "tags": row["tag_slugs"],
            "needs_question": row["needs_question"],
            "version": row["version"],
            "updated_at": timestamp(row["updated_at"]) if row["updated_at"] is not None else None,
        }
        for row in rows
    ]


class SourceSerializer(serializers.Serializer[Any]):
    document = serializers.CharField()
    line_start = serializers.IntegerField(allow_null=True)
    line_end = serializers.IntegerField(allow_null=True)
    original_prompt = serializers.CharField()
    original_answer = serializers.CharField(help_text="The source's own answer, kept as an alternative.")


class FollowUpSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    key = serializers.CharField()
    prompt = serializers.CharField()


class DistractorSerializer(serializers.Serializer[Any]):
    text = serializers.CharField(max_length=multiple_choice.MAX_OPTION_CHARS)
    why_wrong = serializers.CharField(
        max_length=multiple_choice.MAX_WHY_WRONG_CHARS,
        required=False,
        allow_blank=True,
        default="",
        help_text="One line on why this option is wrong (shown after answering).",
    )


class ChoiceSerializer(serializers.Serializer[Any]):
    """Multiple-choice content; a question without it (or with fewer than 3 distractors) is not asked as
    multiple choice."""

    correct = serializers.CharField(
        max_length=multiple_choice.MAX_OPTION_CHARS,
        allow_blank=True,
        help_text="The correct option, written for the quiz.",
    )
    distractors = DistractorSerializer(many=True, max_length=multiple_choice.MAX_DISTRACTORS)  # type: ignore[call-arg]


class ProbeSerializer(serializers.Serializer[Any]):
    """A probing follow-up: what an interviewer asks next, and a short model answer (Markdown)."""

    ask = serializers.CharField(max_length=probing.MAX_ASK_CHARS)
    answer = serializers.CharField(max_length=probing.MAX_ANSWER_CHARS, trim_whitespace=False)


class QuestionDetailSerializer(QuestionListSerializer):
    choice = serializers.SerializerMethodField()
    code_examples = CodeExampleSerializer(many=True, read_only=True)
    follow_ups = FollowUpSerializer(many=True, read_only=True)
    probes = ProbeSerializer(many=True, read_only=True)
    sources = SourceSerializer(many=True, read_only=True)

    class Meta(QuestionListSerializer.Meta):
        fields: tuple[str, ...] = (  # type: ignore[assignment]
            *QuestionListSerializer.Meta.fields,
            "explanation",
            "key_points",
            "common_mistakes",
            "choice",
            "code_examples",
            "follow_ups",
            "probes",
            "sources",
            "lint_findings",
            "created_at",
            "published_at",
        )

    @extend_schema_field(ChoiceSerializer(allow_null=True))
    def get_choice(self, question: Question) -> dict[str, Any] | None:
        """The multiple-choice content, or null when the question has none."""
        return question.choice or None


class QuestionWriteSerializer(serializers.Serializer[Any]):
    """Fields an author or editor writes (``version`` is required when editing)."""

    topic = serializers.SlugField(max_length=80)
    prompt = serializers.CharField(max_length=2000)
    short_answer = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    explanation = serializers.CharField(
        max_length=50000, required=False, allow_blank=True, trim_whitespace=False
    )
    key_points = serializers.ListField(
        child=serializers.CharField(max_length=300), max_length=10, required=False
    )
    common_mistakes = serializers.ListField(
        child=serializers.CharField(max_length=500), max_length=20, required=False
    )
    choice = ChoiceSerializer(required=False)
    probes = ProbeSerializer(many=True, required=False, max_length=probing.MAX_PROBES)  # type: ignore[call-arg]
    difficulty = serializers.ChoiceField(choices=Difficulty.choices, required=False)
    tags = serializers.ListField(child=serializers.SlugField(max_length=60), max_length=20, required=False)
    code_examples = CodeExampleSerializer(many=True, required=False)


class QuestionEditSerializer(QuestionWriteSerializer):
    version = serializers.IntegerField(min_value=1, help_text="The version your edit is based on.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name != "version":
                field.required = False


class VersionSerializer(serializers.Serializer[Any]):
    version = serializers.IntegerField(min_value=1, help_text="The version the action is based on.")


class OptionalVersionSerializer(serializers.Serializer[Any]):
    version = serializers.IntegerField(min_value=1, required=False)


class DeletedQuestionSerializer(QuestionListSerializer):
    class Meta(QuestionListSerializer.Meta):
        fields: tuple[str, ...] = (*QuestionListSerializer.Meta.fields, "deleted_at")  # type: ignore[assignment]


class RevisionSerializer(serializers.ModelSerializer[QuestionRevision]):
    author = serializers.SerializerMethodField(
        help_text="The author's display name (never an email address); null for imports and the bundled bank."
    )

    class Meta:
        model = QuestionRevision
        fields = ("version", "summary", "author", "created_at", "snapshot")

    def get_author(self, revision: QuestionRevision) -> str | None:
        return revision.author.public_name if revision.author else None


class ImportJobSerializer(serializers.ModelSerializer[ImportJob]):
    files = serializers.SerializerMethodField()

    class Meta:
        model = ImportJob
        fields = (
            "id",
            "status",
            "file_format",
            "topic",
            "dry_run",
            "keep_status",
            "files",
            "report",
            "created_at",
            "started_at",
            "finished_at",
        )

    def get_files(self, job: ImportJob) -> list[str]:
        names = [file.name for file in job.files.all()]
        return names or list((job.report or {}).get("files", []))


class ImportUploadSerializer(serializers.Serializer[Any]):
    files = serializers.ListField(child=serializers.FileField(), min_length=1, max_length=20)
    format = serializers.ChoiceField(choices=importing.IMPORT_FORMATS, default="auto")
    topic = serializers.SlugField(required=False, allow_blank=True, default="")
    dry_run = serializers.BooleanField(default=False)
    keep_status = serializers.BooleanField(
        default=False,
        help_text="For our own JSON export: give questions the status the export names (e.g. published) "
        "instead of importing them as drafts, to restore a backup on purpose.",
    )
