"""Read queries for the question bank. Each carries its own joins and prefetches."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, F, IntegerField, Prefetch, Q, QuerySet

from prepdeck.accounts import roles
from prepdeck.catalog.models import (
    CodeExample,
    ImportJob,
    ImportJobFile,
    Question,
    QuestionRevision,
    QuestionStatus,
    Source,
    Tag,
    Topic,
    published_condition,
)
from prepdeck.core import caching
from prepdeck.core.exceptions import NotFound
from prepdeck.core.statements import CompiledQuery, Param, limit_bucket


def topic_descendant_slugs(*, slug: str) -> list[str]:
    """The topic and every topic below it (the tree is small; one query)."""
    children: dict[str | None, list[str]] = {}
    for topic_slug, parent_slug in Topic.objects.values_list("slug", "parent__slug"):
        children.setdefault(parent_slug, []).append(topic_slug)
    found, frontier = [], [slug]
    while frontier:
        current = frontier.pop()
        found.append(current)
        frontier.extend(children.get(current, []))
    return found


def questions_for_export(*, topic: str | None = None, status: str | None = None) -> QuerySet[Question]:
    """Live questions with everything an exporter writes, in a stable order (five queries in all)."""
    queryset = (
        Question.objects.select_related("topic")
        .prefetch_related(
            "tags",
            Prefetch("code_examples", queryset=CodeExample.objects.order_by("order")),
            Prefetch("follow_ups", queryset=Question.all_objects.only("id", "key")),
            Prefetch("sources", queryset=Source.objects.order_by("document", "line_start", "id")),
        )
        .order_by("topic__order", "topic__slug", "key")
    )
    if topic:
        queryset = queryset.filter(topic__slug__in=topic_descendant_slugs(slug=topic))
    if status:
        queryset = queryset.filter(status=status)
    return queryset


def topic_exists(*, slug: str) -> bool:
    return Topic.objects.filter(slug=slug).exists()


def topic_by_slug(*, slug: str) -> Topic | None:
    return Topic.objects.filter(slug=slug).first()


def topics_in_tree_order() -> QuerySet[Topic]:
    """Every topic with its parent, in display order (one query)."""
    return Topic.objects.select_related("parent").order_by("order", "slug")


def questions_visible_to(*, user: Any) -> QuerySet[Question]:
    """Live questions ``user`` may read (see ``accounts.roles``), with topic and tags loaded."""
    queryset = Question.objects.get_queryset().select_related("topic").prefetch_related("tags")
    if roles.is_editor(user):
        return queryset
    if getattr(user, "is_authenticated", False):
        return queryset.filter(published_condition() | Q(author=user))
    return queryset.published()


# What a row of the questions list holds (``serializers.QuestionListSerializer``'s fields), as plain values.
QUESTION_LIST_VALUES = (
    "id",
    "key",
    "topic_slug",
    "prompt",
    "short_answer",
    "difficulty",
    "status",
    "needs_question",
    "version",
    "updated_at",
)


def question_list_rows(*, questions: QuerySet[Question]) -> QuerySet[Any]:
    """``questions`` (filtered and ordered as the caller wants) as plain rows of the list's columns, the
    topic's slug joined in: one query for a page, no model instances (50 questions with their topics and
    tags were ~300 of them per request). Add the tags with :func:`question_rows_with_tags`."""
    return (
        questions.select_related(None)
        .prefetch_related(None)
        .annotate(topic_slug=F("topic__slug"))
        .values(*QUESTION_LIST_VALUES)
    )


def _tags_of_questions(count: int) -> QuerySet[Any]:
    # equalities, not __in: a related __in prepares each value itself, so it cannot hold a Param
    any_of = Q()
    for index in range(count):
        any_of |= Q(question_id=Param(f"id{index}", IntegerField()))
    return (
        Question.tags.through.objects.filter(any_of)
        .order_by("tag__slug")
        .values_list("question_id", "tag__slug")
    )


# The tags of a page of the questions list, compiled once per page-size bucket (``core.statements``).
_TAGS_OF_QUESTIONS = CompiledQuery(_tags_of_questions)
_MOST_COMPILED_IDS = 128


def question_rows_with_tags(*, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows of :func:`question_list_rows` (a page), each with ``tag_slugs`` in slug order (one query)."""
    tags: dict[int, list[str]] = {row["id"]: [] for row in rows}
    ids = list(tags)
    if len(ids) > _MOST_COMPILED_IDS:
        pairs = list(
            Question.tags.through.objects.filter(question_id__in=ids)
            .order_by("tag__slug")
            .values_list("question_id", "tag__slug")
        )
    elif ids:
        size = limit_bucket(len(ids))
        padded = ids + [ids[-1]] * (size - len(ids))  # the same id twice matches its rows once
        pairs = _TAGS_OF_QUESTIONS.rows(size, **{f"id{index}": value for index, value in enumerate(padded)})
    else:
        pairs = []
    for question_id, slug in pairs:
        tags[question_id].append(slug)
    return [{**row, "tag_slugs": tags[row["id"]]} for row in rows]


def question_get_visible(*, user: Any, question_id: int) -> Question:
    """One question with everything its detail shows; ``NotFound`` when missing or not visible."""
    question = (
        questions_visible_to(user=user)
        .prefetch_related(
            Prefetch("code_examples", queryset=CodeExample.objects.order_by("order")),
            Prefetch(
                "follow_ups",
                queryset=Question.objects.published().only("id", "key", "prompt"),
            ),
            Prefetch("sources", queryset=Source.objects.order_by("document", "line_start", "id")),
        )
        .filter(pk=question_id)
        .first()
    )
    if question is None:
        raise NotFound("Question not found.")
    return question


def questions_deleted(*, user: Any) -> QuerySet[Question]:
    """Soft-deleted questions, most recently deleted first, with topic and tags (editors; ``NotFound``
    for anyone else, as for any question they may not see)."""
    if not roles.is_editor(user):
        raise NotFound("Question not found.")
    return (
        Question.all_objects.deleted()
        .select_related("topic")
        .prefetch_related("tags")
        .order_by("-deleted_at", "-id")
    )


def question_get_deleted(*, user: Any, question_id: int) -> Question:
    """One soft-deleted question (editors); ``NotFound`` when missing, live or not the user's to see."""
    question = questions_deleted(user=user).filter(pk=question_id).first()
    if question is None:
        raise NotFound("Question not found.")
    return question


def questions_browse(
    *,
    user: Any,
    topic: str | None = None,
    tag: str | None = None,
    difficulty: str | None = None,
    status: str | None = None,
) -> QuerySet[Question]:
    """The questions ``user`` may read, narrowed by topic (with the topics below it), tag, difficulty and
    status, in the bank's order (topic, then easiest first). Topic and tags are loaded with them."""
    queryset = questions_visible_to(user=user)
    if topic:
        queryset = queryset.filter(topic__slug__in=topic_descendant_slugs(slug=topic))
    if tag:
        queryset = queryset.filter(tags__slug=tag)  # one row per question: a tag appears once on each
    if difficulty:
        queryset = queryset.filter(difficulty=difficulty)
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("topic__order", "topic__slug", "id")


def question_revisions(*, question: Question) -> QuerySet[QuestionRevision]:
    return question.revisions.select_related("author").order_by("-version")


def question_revision_with_previous(
    *, question: Question, version: int
) -> tuple[QuestionRevision | None, QuestionRevision | None]:
    """The revision at ``version`` and the one recorded before it (for a diff); ``None`` where missing.

    One query. A question imported from documents has no revision until it is first edited, so the
    previous one may be missing even when ``version`` is above 1.
    """
    found = list(question_revisions(question=question).filter(version__lte=version)[:2])
    if not found or found[0].version != version:
        return None, None
    return found[0], found[1] if len(found) > 1 else None


def question_revisions_since(*, question: Question, version: int) -> list[QuestionRevision]:
    """Revisions from ``version`` on, oldest first, with their authors (what an edit conflict shows)."""
    return list(question_revisions(question=question).filter(version__gte=version).order_by("version"))


def topics_with_counts(*, status: str | None = QuestionStatus.PUBLISHED) -> QuerySet[Topic]:
    """Every topic with its parent, its number of published questions (``published_questions``) and of live
    questions in ``status``, any status for None (``listed_questions``), in one query. Browse passes the
    status its list shows, so that the tree's counts agree with the list."""
    live = Q(questions__deleted_at__isnull=True)
    listed = live & Q(questions__status=status) if status is not None else live
    return (
        Topic.objects.select_related("parent")
        .annotate(
            published_questions=Count("questions", filter=published_condition("questions__")),
            listed_questions=Count("questions", filter=listed),
        )
        .order_by("order", "slug")
    )


TOPIC_TREE_CACHE_SECONDS = 600


def topics_with_counts_cached(*, status: str | None = QuestionStatus.PUBLISHED) -> list[Topic]:
    """``topics_with_counts`` from the cache, recomputed after any change to the bank (what the browse page,
    the quiz form and the topics API show to everyone; one aggregate over every question when computed)."""
    return caching.cached(
        "topic-tree",
        lambda: list(topics_with_counts(status=status)),
        key=(status,),
        namespaces=(caching.CATALOG,),
        timeout=TOPIC_TREE_CACHE_SECONDS,
    )


def tags_with_counts() -> QuerySet[Tag]:
    return Tag.objects.annotate(
        published_questions=Count(
            "questions",
            filter=published_condition("questions__"),
        )
    ).order_by("slug")


def tags_in_use() -> list[Tag]:
    """Tags that at least one published question has, with their counts (for filter menus)."""
    return [tag for tag in tags_with_counts() if getattr(tag, "published_questions", 0)]


def import_jobs_of(*, user: Any) -> QuerySet[ImportJob]:
    return ImportJob.objects.filter(owner=user).prefetch_related(
        Prefetch("files", queryset=ImportJobFile.objects.only("id", "job_id", "name"))
    )


def import_job_get(*, user: Any, job_id: int) -> ImportJob:
    job = import_jobs_of(user=user).filter(pk=job_id).first()
    if job is None:
        raise NotFound("Import job not found.")
    return job


def authored_data_of(*, user: Any) -> dict[str, Any]:
    """What the bank keeps about the user: the questions they wrote and their import jobs."""
    return {
        "questions_written": list(
            Question.all_objects.filter(author=user)
            .order_by("id")
            .values("key", "prompt", "status", "created_at")
        ),
        "import_jobs": list(
            ImportJob.objects.filter(owner=user)
            .order_by("id")
            .values("status", "file_format", "report", "created_at")
        ),
    }
