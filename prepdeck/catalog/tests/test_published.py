"""The one definition of "published and not deleted" (issue 16): ``Question.objects.published()`` and
``published_condition`` for queries that reach questions through a relation, and the source has no other."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.db.models import Count
from django.utils import timezone

from prepdeck.catalog import services
from prepdeck.catalog.models import Question, QuestionStatus, Topic, published_condition

pytestmark = pytest.mark.django_db


def _bank() -> dict[str, int]:
    services.topics_sync()
    entries = [
        {"key": key, "topic": "django-orm", "prompt": f"{key}?", "key_points": ["k"], "status": status}
        for key, status in (
            ("live", QuestionStatus.PUBLISHED),
            ("gone", QuestionStatus.PUBLISHED),
            ("draft", QuestionStatus.DRAFT),
            ("old", QuestionStatus.ARCHIVED),
        )
    ]
    services.questions_upsert(entries, revision_summary="t")
    Question.all_objects.filter(key="gone").update(deleted_at=timezone.now())
    return dict(Question.all_objects.values_list("key", "pk"))


def test_published_is_published_and_not_deleted() -> None:
    _bank()

    assert sorted(Question.objects.published().values_list("key", flat=True)) == ["live"]
    assert sorted(Question.all_objects.published().values_list("key", flat=True)) == ["live"]


def test_the_condition_through_a_relation_counts_the_same_questions() -> None:
    _bank()

    topic = Topic.objects.annotate(live=Count("questions", filter=published_condition("questions__"))).get(
        slug="django-orm"
    )

    assert topic.live == 1


def test_no_module_spells_the_rule_out_again() -> None:
    # The rule is written once, in catalog/models.py; anywhere else it would drift.
    spelled_out = re.compile(r"status\s*=\s*QuestionStatus\.PUBLISHED\s*,\s*\w*deleted_at__isnull\s*=\s*True")
    root = Path(__file__).resolve().parents[2]
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if "tests" not in path.parts and "migrations" not in path.parts and path.name != "models.py"
        if spelled_out.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
