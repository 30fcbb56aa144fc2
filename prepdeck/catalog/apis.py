"""The question bank's API (``/api/v1/``): topics, tags, questions and their workflow, imports, exports.

Views are thin: they parse input with a serializer, call a selector or service and serialize the result.
Who may do what is decided in ``accounts.roles`` (used by the selectors and services called here).
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.http import HttpResponse
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import generics, permissions, serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from prepdeck.accounts import roles
from prepdeck.catalog import choice as multiple_choice
from prepdeck.catalog import importing, selectors, services
from prepdeck.catalog.exporters import formats
from prepdeck.catalog.models import (
    Difficulty,
    ImportJob,
    Question,
    QuestionRevision,
    QuestionStatus,
    Tag,
    Topic,
)
from prepdeck.core.api import signed_in_user
from prepdeck.core.api.pagination import FeedPagination
from prepdeck.core.api.schema import errors
from prepdeck.core.api.throttling import ScopedThrottle
from prepdeck.core.exceptions import InvalidInput, PermissionDenied, RequestTooLarge
from prepdeck.core.uploads import refused_upload

# --- serializers ----------------------------------------------------------------------------------------


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


class QuestionDetailSerializer(QuestionListSerializer):
    choice = serializers.SerializerMethodField()
    code_examples = CodeExampleSerializer(many=True, read_only=True)
    follow_ups = FollowUpSerializer(many=True, read_only=True)
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


# --- permissions ----------------------------------------------------------------------------------------


# Reading is open; writing needs a signed-in user (what the object allows is decided by the services).
ReadOnlyOrSignedIn = permissions.IsAuthenticatedOrReadOnly


class EditorsOnly(permissions.BasePermission):
    message = "Only editors can do this."

    def has_permission(self, request: Request, view: Any) -> bool:
        if not request.user or not request.user.is_authenticated:
            return False
        return roles.is_editor(request.user)


# --- views ----------------------------------------------------------------------------------------------


@extend_schema(
    tags=["bank"], summary="The topic tree", responses={200: TopicSerializer(many=True), **errors()}
)
class TopicListApi(generics.ListAPIView[Topic]):
    permission_classes = (permissions.AllowAny,)
    serializer_class = TopicSerializer
    pagination_class = None
    filter_backends = ()

    def get_queryset(self) -> Any:
        return selectors.topics_with_counts_cached()


@extend_schema(
    tags=["bank"],
    summary="Tags with their number of published questions",
    responses={200: TagSerializer(many=True), **errors(404)},
)
class TagListApi(generics.ListAPIView[Tag]):
    permission_classes = (permissions.AllowAny,)
    serializer_class = TagSerializer
    filter_backends = ()

    def get_queryset(self) -> Any:
        return selectors.tags_with_counts()


class QuestionFilter(filters.FilterSet):
    topic = filters.CharFilter(method="filter_topic", help_text="A topic slug; includes the topics below it.")
    tag = filters.CharFilter(field_name="tags__slug", help_text="A tag slug.")
    difficulty = filters.ChoiceFilter(choices=Difficulty.choices)
    status = filters.ChoiceFilter(choices=QuestionStatus.choices)
    needs_question = filters.BooleanFilter()

    class Meta:
        model = Question
        fields = ("topic", "tag", "difficulty", "status", "needs_question")

    def filter_topic(self, queryset: Any, name: str, value: str) -> Any:
        return queryset.filter(topic__slug__in=selectors.topic_descendant_slugs(slug=value))


class QuestionListApi(generics.ListCreateAPIView[Question]):
    permission_classes = (ReadOnlyOrSignedIn,)
    serializer_class = QuestionListSerializer
    filterset_class = QuestionFilter
    ordering_fields = ("id", "updated_at", "created_at", "difficulty")
    ordering = ("id",)

    def get_queryset(self) -> Any:
        return selectors.questions_visible_to(user=self.request.user)

    @extend_schema(
        tags=["bank"],
        summary="List questions you can see (published ones; drafts too for their author and editors)",
        responses={200: QuestionListSerializer(many=True), **errors(400, 404)},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=["bank"],
        summary="Propose a question (created as your draft)",
        request=QuestionWriteSerializer,
        responses={201: QuestionDetailSerializer, **errors(400)},
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = QuestionWriteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        question = services.question_create(author=signed_in_user(request), **payload.validated_data)
        detail = selectors.question_get_visible(user=request.user, question_id=question.pk)
        return Response(QuestionDetailSerializer(detail).data, status=status.HTTP_201_CREATED)


def _etag(question: Question) -> str:
    return (
        '"'
        + hashlib.sha256(
            f"{question.pk}:{question.version}:{question.updated_at.isoformat()}".encode()
        ).hexdigest()[:32]
        + '"'
    )


class QuestionDetailApi(APIView):
    permission_classes = (ReadOnlyOrSignedIn,)

    @extend_schema(
        tags=["bank"],
        summary="One question with its answer, key points, code, follow-ups and sources",
        parameters=[OpenApiParameter("If-None-Match", str, OpenApiParameter.HEADER, required=False)],
        responses={
            200: QuestionDetailSerializer,
            304: OpenApiResponse(description="Not modified."),
            **errors(404),
        },
    )
    def get(self, request: Request, question_id: int) -> Response:
        question = selectors.question_get_visible(user=request.user, question_id=question_id)
        etag = _etag(question)
        if etag in [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]:
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag})
        return Response(QuestionDetailSerializer(question).data, headers={"ETag": etag})

    @extend_schema(
        tags=["bank"],
        summary="Edit a question (editors; authors while it is their draft). Send the version you edited.",
        request=QuestionEditSerializer,
        responses={200: QuestionDetailSerializer, **errors(400, 403, 404, 409)},
    )
    def patch(self, request: Request, question_id: int) -> Response:
        question = selectors.question_get_visible(user=request.user, question_id=question_id)
        payload = QuestionEditSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        changes = dict(payload.validated_data)
        version = changes.pop("version")
        services.question_edit(
            question=question, user=signed_in_user(request), expected_version=version, changes=changes
        )
        fresh = selectors.question_get_visible(user=request.user, question_id=question_id)
        return Response(QuestionDetailSerializer(fresh).data, headers={"ETag": _etag(fresh)})

    @extend_schema(
        tags=["bank"],
        summary="Delete a question (editors). A soft delete: it leaves the bank, search and every queue, "
        "and POST /questions/{id}/restore/ brings it back. Pass ?version= to delete only that version.",
        parameters=[OpenApiParameter("version", int, OpenApiParameter.QUERY, required=False)],
        responses={204: None, **errors(400, 403, 404, 409)},
    )
    def delete(self, request: Request, question_id: int) -> Response:
        question = selectors.question_get_visible(user=request.user, question_id=question_id)
        payload = OptionalVersionSerializer(data=request.query_params)
        payload.is_valid(raise_exception=True)
        services.question_delete(
            question=question,
            user=signed_in_user(request),
            expected_version=payload.validated_data.get("version"),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(
    tags=["bank"],
    summary="Deleted questions, most recently deleted first (editors)",
    responses={200: DeletedQuestionSerializer(many=True), **errors(403, 404)},
)
class QuestionDeletedListApi(generics.ListAPIView[Question]):
    permission_classes = (EditorsOnly,)
    serializer_class = DeletedQuestionSerializer
    filter_backends = ()

    def get_queryset(self) -> Any:
        return selectors.questions_deleted(user=self.request.user)


class QuestionUndeleteApi(APIView):
    permission_classes = (EditorsOnly,)

    @extend_schema(
        tags=["bank"],
        summary="Restore a deleted question as it was, as a new version (editors)",
        request=VersionSerializer,
        responses={200: QuestionDetailSerializer, **errors(400, 403, 404, 409)},
    )
    def post(self, request: Request, question_id: int) -> Response:
        question = selectors.question_get_deleted(user=request.user, question_id=question_id)
        payload = VersionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.question_restore(
            question=question,
            user=signed_in_user(request),
            expected_version=payload.validated_data["version"],
        )
        fresh = selectors.question_get_visible(user=request.user, question_id=question_id)
        return Response(QuestionDetailSerializer(fresh).data)


class QuestionTransitionApi(APIView):
    permission_classes = (permissions.IsAuthenticated,)
    action_name = ""

    def post(self, request: Request, question_id: int) -> Response:
        question = selectors.question_get_visible(user=request.user, question_id=question_id)
        payload = VersionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.question_transition(
            question=question,
            user=signed_in_user(request),
            action=self.action_name,
            expected_version=payload.validated_data["version"],
        )
        fresh = selectors.question_get_visible(user=request.user, question_id=question_id)
        return Response(QuestionDetailSerializer(fresh).data)


def _transition_view(action: str, summary: str) -> Any:
    view = type(
        f"Question{action.capitalize()}Api",
        (QuestionTransitionApi,),
        {"action_name": action},
    )
    return extend_schema(
        tags=["bank"],
        summary=summary,
        request=VersionSerializer,
        responses={200: QuestionDetailSerializer, **errors(400, 403, 404, 409)},
    )(view)


QuestionSubmitApi = _transition_view("submit", "Submit a draft for review (its author or an editor)")
QuestionPublishApi = _transition_view("publish", "Publish a question (editors)")
QuestionArchiveApi = _transition_view("archive", "Archive a question (editors)")
QuestionReopenApi = _transition_view(
    "reopen", "Move an archived or in-review question back to draft (editors)"
)


@extend_schema(
    tags=["bank"],
    summary="A question's revision history, newest first (editors, as the web history page)",
    responses={200: RevisionSerializer(many=True), **errors(403, 404)},
)
class QuestionRevisionListApi(generics.ListAPIView[QuestionRevision]):
    permission_classes = (EditorsOnly,)
    serializer_class = RevisionSerializer
    filter_backends = ()

    def get_queryset(self) -> Any:
        question = selectors.question_get_visible(
            user=self.request.user, question_id=self.kwargs["question_id"]
        )
        return selectors.question_revisions(question=question)


class QuestionRestoreApi(APIView):
    permission_classes = (EditorsOnly,)

    @extend_schema(
        tags=["bank"],
        summary="Make an earlier revision current again, as a new version (editors)",
        request=VersionSerializer,
        responses={200: QuestionDetailSerializer, **errors(400, 403, 404, 409)},
    )
    def post(self, request: Request, question_id: int, version: int) -> Response:
        question = selectors.question_get_visible(user=request.user, question_id=question_id)
        payload = VersionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.question_revision_restore(
            question=question,
            version=version,
            expected_version=payload.validated_data["version"],
            author=signed_in_user(request),
        )
        fresh = selectors.question_get_visible(user=request.user, question_id=question_id)
        return Response(QuestionDetailSerializer(fresh).data)


class ImportJobListApi(generics.ListAPIView[ImportJob]):
    """Upload documents to import (editors); the import runs as a background job."""

    permission_classes = (EditorsOnly,)
    serializer_class = ImportJobSerializer
    pagination_class = FeedPagination
    filter_backends = ()
    parser_classes = (MultiPartParser,)
    throttle_scope = "imports"

    def get_throttles(self) -> list[Any]:
        # Listing your jobs is cheap; only uploads count against the imports rate.
        throttles = super().get_throttles()
        if self.request.method == "POST":
            return throttles
        return [throttle for throttle in throttles if not isinstance(throttle, ScopedThrottle)]

    def get_queryset(self) -> Any:
        return selectors.import_jobs_of(user=self.request.user)

    @extend_schema(
        tags=["imports"],
        summary="Your import jobs, newest first",
        responses={200: ImportJobSerializer(many=True), **errors(403, 404)},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=["imports"],
        summary="Upload files to import (Markdown, CSV/TSV, PrepDeck JSON, Anki .apkg); returns the queued job",
        request={"multipart/form-data": ImportUploadSerializer},
        responses={202: ImportJobSerializer, **errors(400, 403, 413)},
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = ImportUploadSerializer(data=request.data)
        refused = refused_upload(request._request)
        if refused is not None:
            raise RequestTooLarge(refused)
        payload.is_valid(raise_exception=True)
        values = payload.validated_data
        job = importing.import_job_create(
            owner=signed_in_user(request),
            files=importing.input_files_from_uploads(values["files"], file_format=values["format"]),
            file_format=values["format"],
            topic=values["topic"],
            dry_run=values["dry_run"],
            keep_status=values["keep_status"],
        )
        # With an eager broker the job has already run by now; either way, report what is known.
        return Response(
            ImportJobSerializer(selectors.import_job_get(user=request.user, job_id=job.pk)).data,
            status=status.HTTP_202_ACCEPTED,
            headers={"Location": f"/api/v1/imports/{job.pk}/"},
        )


@extend_schema(
    tags=["imports"],
    summary="One import job and, once it ran, its report",
    responses={200: ImportJobSerializer, **errors(403, 404)},
)
class ImportJobDetailApi(APIView):
    permission_classes = (EditorsOnly,)

    def get(self, request: Request, job_id: int) -> Response:
        return Response(ImportJobSerializer(selectors.import_job_get(user=request.user, job_id=job_id)).data)


_EXPORTS = formats.FORMATS


class ExportApi(APIView):
    permission_classes = (permissions.AllowAny,)

    @extend_schema(
        tags=["bank"],
        summary="Download questions as JSON (lossless), Markdown, CSV or an Anki package",
        parameters=[
            OpenApiParameter("format", str, enum=list(_EXPORTS), default="json"),
            OpenApiParameter("topic", str, description="A topic slug (includes the topics below it)."),
            OpenApiParameter(
                "status", str, enum=QuestionStatus.values, description="Editors only; default published."
            ),
        ],
        responses={
            (200, "application/octet-stream"): OpenApiResponse(description="The file, as an attachment."),
            **errors(400, 403),
        },
    )
    def get(self, request: Request) -> HttpResponse:
        file_format = request.query_params.get("format", "json")
        if file_format not in _EXPORTS:
            raise InvalidInput(
                f"Unknown format {file_format!r}; use one of {', '.join(_EXPORTS)}.", code="unknown_format"
            )
        topic = request.query_params.get("topic") or None
        if topic and not selectors.topic_exists(slug=topic):
            raise InvalidInput(f"Unknown topic {topic!r}.", code="unknown_topic")
        wanted_status = request.query_params.get("status") or QuestionStatus.PUBLISHED
        if wanted_status not in QuestionStatus.values:
            raise InvalidInput(f"Unknown status {wanted_status!r}.", code="invalid")
        if wanted_status != QuestionStatus.PUBLISHED and not roles.is_editor(request.user):
            raise PermissionDenied("Only editors can export questions that are not published.")
        questions = list(selectors.questions_for_export(topic=topic, status=wanted_status))
        export = _EXPORTS[file_format]
        response = HttpResponse(export.write(questions), content_type=export.content_type)
        response["Content-Disposition"] = (
            f'attachment; filename="prepdeck-{topic or "all"}.{export.extension}"'
        )
        return response
