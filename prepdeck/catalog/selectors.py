"""Read queries for the question bank. Each carries its own joins and prefetches."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from prepdeck.catalog.models import CodeExample, Question, Source, Topic


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


def topics_in_tree_order() -> QuerySet[Topic]:
    """Every topic with its parent, in display order (one query)."""
    return Topic.objects.select_related("parent").order_by("order", "slug")
