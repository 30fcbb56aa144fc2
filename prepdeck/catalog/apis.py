"""The question bank's API (``/api/v1/``): topics, tags, questions and their workflow, imports, exports.

Views are thin: they parse input with a serializer (``catalog.serializers``), call a selector or service
and serialize the result. Questions are a viewset on a router (``config/api_urls.py``), their workflow its
actions, their revisions a viewset nested under them. Who may do what is decided in ``accounts.roles`` and
``catalog.services.question_action_refusal``, which the permission classes (``catalog.permissions``) and
the services called here both apply.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.http import HttpResponse
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from prepdeck.accounts import roles
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
from prepdeck.catalog.permissions import EditorsOnly, QuestionAccess
from prepdeck.catalog.serializers import (
    DeletedQuestionSerializer,
    ImportJobSerializer,
    ImportUploadSerializer,
    OptionalVersionSerializer,
    QuestionDetailSerializer,
    QuestionEditSerializer,
    QuestionListSerializer,
    QuestionWriteSerializer,
    RevisionSerializer,
    TagSerializer,
    TopicSerializer,
    VersionSerializer,
    question_list_representation,
)
from prepdeck.core.api import signed_in_user
from prepdeck.core.api.pagination import FeedPagination
from prepdeck.core.api.schema import errors
from prepdeck.core.api.throttling import ScopedThrottle
from prepdeck.core.exceptions import InvalidInput, PermissionDenied, RequestTooLarge
from prepdeck.core.uploads import refused_upload

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


def _etag(question: Question) -> str:
    return (
        '"'
        + hashlib.sha256(
            f"{question.pk}:{question.version}:{question.updated_at.isoformat()}".encode()
        ).hexdigest()[:32]
        + '"'
    )


def _workflow_schema(summary: str) -> Any:
    return extend_schema(
        tags=["bank"],
        summary=summary,
        request=VersionSerializer,
        responses={200: QuestionDetailSerializer, **errors(400, 403, 404, 409)},
    )


class QuestionViewSet(mixins.ListModelMixin, viewsets.GenericViewSet[Question]):
    # /questions/: the bank's questions, their editorial workflow and their soft delete. (Comments, not a
    # docstring: drf-spectacular would publish a docstring as every operation's description.)
    # Who may do what to one question is QuestionAccess (the services' own rule, checked once the question
    # is found, so a question you may not see is a 404 before it is a 403); every write goes through a
    # catalog.services function, which checks the rule again, bumps the version and records a revision.
    # There is no PUT: edits are partial (PATCH with the version they are based on).

    permission_classes = (permissions.IsAuthenticatedOrReadOnly, QuestionAccess)
    filterset_class = QuestionFilter
    ordering_fields = ("id", "updated_at", "created_at", "difficulty")
    ordering = ("id",)
    lookup_url_kwarg = "question_id"
    lookup_value_converter = "int"

    # view action -> the question action whose rule ``QuestionAccess`` checks on the object
    question_actions = {
        "partial_update": "edit",
        "destroy": "delete",
        "restore": "restore",
        **{action: action for action in services.TRANSITIONS},
    }

    @property
    def question_action(self) -> str | None:
        return self.question_actions.get(self.action or "")

    def get_queryset(self) -> Any:
        if self.action == "deleted":
            return selectors.questions_deleted(user=self.request.user)
        return selectors.questions_visible_to(user=self.request.user)

    def get_serializer_class(self) -> Any:
        return DeletedQuestionSerializer if self.action == "deleted" else QuestionListSerializer

    def get_object(self) -> Question:
        """The question of the URL with everything its detail shows, if the user may see it (else
        ``NotFound``; a deleted one only for ``restore``), then the object permissions."""
        question_id = self.kwargs[self.lookup_url_kwarg]
        if self.action == "restore":
            question = selectors.question_get_deleted(user=self.request.user, question_id=question_id)
        else:
            question = selectors.question_get_visible(user=self.request.user, question_id=question_id)
        self.check_object_permissions(self.request, question)
        return question

    def _detail(self, question: Question) -> Question:
        """The question as it is now (after a write), loaded as its detail shows it."""
        return selectors.question_get_visible(user=self.request.user, question_id=question.pk)

    @extend_schema(
        tags=["bank"],
        summary="List questions you can see (published ones; drafts too for their author and editors)",
        responses={200: QuestionListSerializer(many=True), **errors(400, 404)},
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # Plain rows instead of model instances and QuestionListSerializer (the same JSON, at about half
        # the CPU: see question_list_representation); filters, ordering and pages as before.
        rows = selectors.question_list_rows(questions=self.filter_queryset(self.get_queryset()))
        page = self.paginate_queryset(rows)
        data = question_list_representation(
            selectors.question_rows_with_tags(rows=list(rows) if page is None else page)
        )
        return Response(data) if page is None else self.get_paginated_response(data)

    @extend_schema(
        tags=["bank"],
        summary="Propose a question (created as your draft)",
        request=QuestionWriteSerializer,
        responses={201: QuestionDetailSerializer, **errors(400)},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = QuestionWriteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        question = services.question_create(author=signed_in_user(request), **payload.validated_data)
        return Response(QuestionDetailSerializer(self._detail(question)).data, status=status.HTTP_201_CREATED)

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
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        question = self.get_object()
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
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        question = self.get_object()
        payload = QuestionEditSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        changes = dict(payload.validated_data)
        version = changes.pop("version")
        services.question_edit(
            question=question, user=signed_in_user(request), expected_version=version, changes=changes
        )
        fresh = self._detail(question)
        return Response(QuestionDetailSerializer(fresh).data, headers={"ETag": _etag(fresh)})

    @extend_schema(
        tags=["bank"],
        summary="Delete a question (editors). A soft delete: it leaves the bank, search and every queue, "
        "and POST /questions/{id}/restore/ brings it back. Pass ?version= to delete only that version.",
        parameters=[OpenApiParameter("version", int, OpenApiParameter.QUERY, required=False)],
        responses={204: None, **errors(400, 403, 404, 409)},
    )
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        question = self.get_object()
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
    @action(
        detail=False,
        methods=["get"],
        url_name="deleted-list",
        permission_classes=[EditorsOnly],
        filter_backends=[],
    )
    def deleted(self, request: Request) -> Response:
        return super().list(request)  # the serializer's path: DeletedQuestionSerializer adds columns

    @extend_schema(
        tags=["bank"],
        summary="Restore a deleted question as it was, as a new version (editors)",
        request=VersionSerializer,
        responses={200: QuestionDetailSerializer, **errors(400, 403, 404, 409)},
    )
    @action(
        detail=True, methods=["post"], url_name="undelete", permission_classes=[EditorsOnly, QuestionAccess]
    )
    def restore(self, request: Request, question_id: int) -> Response:
        question = self.get_object()
        payload = VersionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.question_restore(
            question=question,
            user=signed_in_user(request),
            expected_version=payload.validated_data["version"],
        )
        return Response(QuestionDetailSerializer(self._detail(question)).data)

    def _transition(self, request: Request, action: str) -> Response:
        question = self.get_object()
        payload = VersionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.question_transition(
            question=question,
            user=signed_in_user(request),
            action=action,
            expected_version=payload.validated_data["version"],
        )
        return Response(QuestionDetailSerializer(self._detail(question)).data)

    @_workflow_schema("Submit a draft for review (its author or an editor)")
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, question_id: int) -> Response:
        return self._transition(request, "submit")

    @_workflow_schema("Publish a question (editors)")
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, question_id: int) -> Response:
        return self._transition(request, "publish")

    @_workflow_schema("Archive a question (editors)")
    @action(detail=True, methods=["post"])
    def archive(self, request: Request, question_id: int) -> Response:
        return self._transition(request, "archive")

    @_workflow_schema("Move an archived or in-review question back to draft (editors)")
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, question_id: int) -> Response:
        return self._transition(request, "reopen")


class QuestionRevisionViewSet(mixins.ListModelMixin, viewsets.GenericViewSet[QuestionRevision]):
    # /questions/{question_id}/revisions/: a question's history (editors, as the web history page), nested
    # under its question by hand in config/api_urls.py: the user must be an editor (else 403, checked
    # first) and the question one they may see (else 404).

    permission_classes = (EditorsOnly,)
    serializer_class = RevisionSerializer
    filter_backends = ()
    lookup_field = "version"

    def question(self) -> Question:
        """The question the revisions belong to, with the object permissions checked."""
        question = selectors.question_get_visible(
            user=self.request.user, question_id=self.kwargs["question_id"]
        )
        self.check_object_permissions(self.request, question)
        return question

    def get_queryset(self) -> Any:
        return selectors.question_revisions(question=self.question())

    @extend_schema(
        tags=["bank"],
        summary="A question's revision history, newest first (editors, as the web history page)",
        responses={200: RevisionSerializer(many=True), **errors(403, 404)},
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(
        tags=["bank"],
        summary="Make an earlier revision current again, as a new version (editors)",
        request=VersionSerializer,
        responses={200: QuestionDetailSerializer, **errors(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def restore(self, request: Request, question_id: int, version: int) -> Response:
        question = self.question()
        payload = VersionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.question_revision_restore(
            question=question,
            version=version,
            expected_version=payload.validated_data["version"],
            user=signed_in_user(request),
        )
        fresh = selectors.question_get_visible(user=request.user, question_id=question.pk)
        return Response(QuestionDetailSerializer(fresh).data)


_IMPORTS_DESCRIPTION = "Upload documents to import (editors); the import runs as a background job."


class ImportJobViewSet(mixins.ListModelMixin, viewsets.GenericViewSet[ImportJob]):
    # /imports/: your import jobs (editors). An upload is queued as a job; poll its detail for the report.
    # Another editor's job is not found (the selectors' rule), not forbidden.

    permission_classes = (EditorsOnly,)
    serializer_class = ImportJobSerializer
    pagination_class = FeedPagination
    filter_backends = ()
    parser_classes = (MultiPartParser,)
    throttle_scope = "imports"
    lookup_url_kwarg = "job_id"
    lookup_value_converter = "int"

    def get_throttles(self) -> list[Any]:
        # Listing your jobs is cheap; only uploads count against the imports rate.
        throttles = super().get_throttles()
        if self.request.method == "POST":
            return throttles
        return [throttle for throttle in throttles if not isinstance(throttle, ScopedThrottle)]

    def get_queryset(self) -> Any:
        return selectors.import_jobs_of(user=self.request.user)

    def get_object(self) -> ImportJob:
        job = selectors.import_job_get(user=self.request.user, job_id=self.kwargs[self.lookup_url_kwarg])
        self.check_object_permissions(self.request, job)
        return job

    @extend_schema(
        tags=["imports"],
        summary="Your import jobs, newest first",
        description=_IMPORTS_DESCRIPTION,
        responses={200: ImportJobSerializer(many=True), **errors(403, 404)},
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(
        tags=["imports"],
        summary="Upload files to import (Markdown, CSV/TSV, PrepDeck JSON, Anki .apkg); returns the queued job",
        description=_IMPORTS_DESCRIPTION,
        request={"multipart/form-data": ImportUploadSerializer},
        responses={202: ImportJobSerializer, **errors(400, 403, 413)},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
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
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(ImportJobSerializer(self.get_object()).data)


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
