"""The practice API's serializers: what its requests take and its responses show."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import inline_serializer
from rest_framework import serializers

from prepdeck.catalog.models import Difficulty, Question
from prepdeck.catalog.serializers import QuestionListSerializer, question_list_representation
from prepdeck.core.api import BuiltOnceFieldsMixin
from prepdeck.practice import scheduling, selectors, sessions
from prepdeck.practice.models import (
    Card,
    MockInterview,
    MockInterviewItem,
    MockStatus,
    Quiz,
    QuizItem,
    QuizKind,
    Review,
)


class CardSerializer(BuiltOnceFieldsMixin, serializers.ModelSerializer[Card]):
    state = serializers.CharField(source="get_state_display")

    class Meta:
        model = Card
        fields = (
            "state",
            "due",
            "last_review",
            "stability",
            "difficulty",
            "reps",
            "lapses",
            "suspended",
            "buried_until",
        )


QUEUE_ITEM_KINDS = [("due", "Due"), ("new", "New")]


class QueueItemSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=QUEUE_ITEM_KINDS)
    question = QuestionListSerializer()
    retrievability = serializers.FloatField()
    intervals = serializers.DictField(
        child=serializers.IntegerField(), help_text="Seconds until the card is due again for each rating 1-4."
    )


class QueueSerializer(serializers.Serializer[Any]):
    due = serializers.IntegerField()
    new = serializers.IntegerField()
    learning_later_today = serializers.IntegerField()
    new_introduced_today = serializers.IntegerField(
        help_text="New cards started in review today; only these count against the daily limit."
    )
    new_from_practice_today = serializers.IntegerField(
        help_text="Questions first met today in a quiz or mock interview (not counted against the limit)."
    )
    daily_new_limit = serializers.IntegerField()
    day_ends_at = serializers.DateTimeField()
    items = QueueItemSerializer(many=True)


class ReviewInputSerializer(serializers.Serializer[Any]):
    question = serializers.IntegerField(min_value=1)
    rating = serializers.IntegerField(help_text="1 again, 2 hard, 3 good, 4 easy.")
    idempotency_key = serializers.CharField(
        max_length=64, help_text="Any unique string; resending it records nothing new."
    )
    duration_ms = serializers.IntegerField(min_value=0, max_value=3_600_000, default=0)

    def validate_rating(self, value: int) -> int:
        if value not in scheduling.RATINGS:
            raise serializers.ValidationError("The rating must be 1 (again), 2 (hard), 3 (good) or 4 (easy).")
        return value


class ReviewSerializer(BuiltOnceFieldsMixin, serializers.ModelSerializer[Review]):
    question = serializers.IntegerField(source="card.question_id")
    card = CardSerializer()

    class Meta:
        model = Review
        fields = (
            "id",
            "question",
            "rating",
            "reviewed_at",
            "duration_ms",
            "source",
            "scheduled_days",
            "card",
        )


_TIMESTAMP = serializers.DateTimeField()


def _question_row(question: Question) -> dict[str, Any]:
    """A question (its topic selected, its tags prefetched) as ``question_list_representation`` reads it."""
    return {
        "id": question.pk,
        "key": question.key,
        "topic_slug": question.topic.slug,
        "prompt": question.prompt,
        "short_answer": question.short_answer,
        "difficulty": question.difficulty,
        "status": question.status,
        "tag_slugs": [tag.slug for tag in question.tags.all()],
        "needs_question": question.needs_question,
        "version": question.version,
        "updated_at": question.updated_at,
    }


def queue_representation(queue: selectors.Queue) -> dict[str, Any]:
    """What ``QueueSerializer`` writes for the queue (its items' questions as ``QuestionListSerializer``
    writes them): the same keys, order and values, without building a serializer per item. The queue API
    answers with this; ``QueueSerializer`` stays its documented schema, and a test checks both agree."""
    questions = question_list_representation([_question_row(item.question) for item in queue.items])
    return {
        "due": int(queue.due),
        "new": int(queue.new),
        "learning_later_today": int(queue.learning_later_today),
        "new_introduced_today": int(queue.new_introduced_today),
        "new_from_practice_today": int(queue.new_from_practice_today),
        "daily_new_limit": int(queue.daily_new_limit),
        "day_ends_at": _timestamp(queue.day_ends_at),
        "items": [
            {
                "kind": item.kind,
                "question": question,
                "retrievability": round(item.retrievability, 4),
                "intervals": {
                    str(rating): int(interval.total_seconds()) for rating, interval in item.intervals.items()
                },
            }
            for item, question in zip(queue.items, questions, strict=True)
        ],
    }


def _timestamp(value: Any) -> Any:
    return None if value is None else _TIMESTAMP.to_representation(value)


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def review_representation(review: Review) -> dict[str, Any]:
    """``ReviewSerializer(review).data``: the same keys, order and values (times in the active time zone, as
    DRF writes them), without copying the serializer's fields for every response (issue 18: the review
    submit's response cost about a tenth of its CPU). Review submit answers with this; ``ReviewSerializer``
    stays its documented schema, and a test checks both agree."""
    card = review.card
    return {
        "id": review.pk,
        "question": card.question_id,
        "rating": int(review.rating),
        "reviewed_at": _timestamp(review.reviewed_at),
        "duration_ms": int(review.duration_ms),
        "source": review.source,
        "scheduled_days": float(review.scheduled_days),
        "card": {
            "state": card.get_state_display(),
            "due": _timestamp(card.due),
            "last_review": _timestamp(card.last_review),
            "stability": _float(card.stability),
            "difficulty": _float(card.difficulty),
            "reps": int(card.reps),
            "lapses": int(card.lapses),
            "suspended": bool(card.suspended),
            "buried_until": _timestamp(card.buried_until),
        },
    }


class ReviewLogSerializer(serializers.ModelSerializer[Review]):
    question = serializers.IntegerField(source="card.question_id")
    prompt = serializers.CharField(source="card.question.prompt")

    class Meta:
        model = Review
        fields = (
            "id",
            "question",
            "prompt",
            "rating",
            "reviewed_at",
            "duration_ms",
            "source",
            "scheduled_days",
        )


StatisticsSerializer = inline_serializer(
    name="Statistics",
    fields={
        "reviews_today": serializers.IntegerField(),
        "streak_days": serializers.IntegerField(),
        "due_forecast": serializers.ListField(child=serializers.DictField()),
        "heatmap": serializers.ListField(child=serializers.DictField()),
        "retention_by_week": serializers.ListField(child=serializers.DictField()),
        "overall_retention": serializers.FloatField(
            allow_null=True, help_text="Recalled / mature reviews over all weeks; null before the first."
        ),
        "mastery_by_topic": serializers.ListField(child=serializers.DictField()),
        "weakest_topics": serializers.ListField(child=serializers.CharField()),
        "totals": serializers.DictField(child=serializers.IntegerField()),
    },
)


class GradeInputSerializer(serializers.Serializer[Any]):
    question = serializers.IntegerField(min_value=1)
    answer = serializers.CharField(max_length=20_000, trim_whitespace=False)


GradeSerializer = inline_serializer(
    name="Grade",
    fields={
        "score": serializers.FloatField(help_text="0 to 1."),
        "rating": serializers.IntegerField(help_text="The FSRS rating the score maps to (1-4)."),
        "stuffing": serializers.BooleanField(help_text="Penalised as a keyword list without sentences."),
        "needs_review": serializers.BooleanField(
            help_text="The evidence is too weak to tell a pass from a fail: let the learner grade the answer "
            "(the rating is only a suggestion)."
        ),
        "points": serializers.ListField(
            child=inline_serializer(
                name="GradedKeyPoint",
                fields={
                    "key_point": serializers.CharField(),
                    "covered": serializers.BooleanField(help_text='Same as verdict == "covered".'),
                    "matched": serializers.CharField(
                        help_text="The phrase of the answer that covered it (empty unless covered)."
                    ),
                    "similarity": serializers.FloatField(),
                    "verdict": serializers.ChoiceField(
                        choices=["covered", "missing", "contradicted"],
                        help_text="contradicted: the answer states the opposite; it counts against the score.",
                    ),
                    "evidence": serializers.CharField(
                        help_text="The phrase of the answer that decided the verdict (covered or contradicted)."
                    ),
                    "spans": serializers.ListField(
                        child=serializers.ListField(
                            child=serializers.IntegerField(), min_length=2, max_length=2
                        ),
                        help_text="[start, end) character offsets of the deciding phrases in the answer as sent.",
                    ),
                    "reason": serializers.ChoiceField(
                        choices=["", "negation", "antonym", "number", "swapped roles"],
                        help_text="How a contradicted point is contradicted; empty otherwise.",
                    ),
                    "uncertain": serializers.BooleanField(
                        help_text="Weak evidence either way for this point."
                    ),
                },
            )
        ),
    },
)


class QuizItemSerializer(serializers.ModelSerializer[QuizItem]):
    question = QuestionListSerializer()
    correct_option = serializers.SerializerMethodField()
    option_notes = serializers.SerializerMethodField(
        help_text="Multiple choice, once answered: per option, why it is wrong (empty for the right one)."
    )
    why_wrong = serializers.SerializerMethodField(
        help_text="Multiple choice, once answered wrongly: why the chosen option is wrong."
    )

    class Meta:
        model = QuizItem
        fields = (
            "position",
            "question",
            "options",
            "chosen_option",
            "correct_option",
            "option_notes",
            "why_wrong",
            "answer",
            "grade",
            "score",
            "score_overridden",
            "skipped",
            "answered_at",
        )

    def get_correct_option(self, item: QuizItem) -> int | None:
        return item.correct_option if item.answered_at else None  # revealed once answered

    def get_option_notes(self, item: QuizItem) -> list[str] | None:
        return list(item.option_notes) if item.answered_at and item.option_notes else None

    def get_why_wrong(self, item: QuizItem) -> str | None:
        return item.chosen_why_wrong


class QuizSerializer(serializers.ModelSerializer[Quiz]):
    items = QuizItemSerializer(many=True)
    score = serializers.SerializerMethodField()

    class Meta:
        model = Quiz
        fields = ("id", "kind", "created_at", "finished_at", "score", "items")

    def get_score(self, quiz: Quiz) -> float | None:
        return selectors.quiz_score(quiz)


class QuizCreateSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=QuizKind.choices)
    count = serializers.IntegerField(min_value=1, max_value=sessions.MAX_QUESTIONS, default=10)
    topics = serializers.ListField(child=serializers.SlugField(), required=False, default=list)
    difficulty = serializers.ChoiceField(
        choices=Difficulty.choices, required=False, allow_null=True, default=None
    )


class QuizAnswerSerializer(serializers.Serializer[Any]):
    chosen_option = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=0)
    answer = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=20_000, trim_whitespace=False
    )
    duration_ms = serializers.IntegerField(min_value=0, max_value=3_600_000, default=0)
    skip = serializers.BooleanField(
        default=False,
        help_text="Pass over the question: no score, and the card's schedule is left as it was.",
    )


class ScoreOverrideSerializer(serializers.Serializer[Any]):
    score = serializers.FloatField(min_value=0, max_value=1)


class MockItemSerializer(serializers.ModelSerializer[MockInterviewItem]):
    question = serializers.SerializerMethodField()

    class Meta:
        model = MockInterviewItem
        fields = (
            "position",
            "question",
            "asked_at",
            "answered_at",
            "answer",
            "time_spent_ms",
            "grade",
            "score",
        )

    def get_question(self, item: MockInterviewItem) -> dict[str, Any] | None:
        if item.asked_at is None:
            return None  # not asked yet: its prompt stays hidden
        return {"id": item.question_id, "prompt": item.question.prompt, "topic": item.question.topic.slug}


class MockSerializer(serializers.ModelSerializer[MockInterview]):
    items = MockItemSerializer(many=True)
    current = serializers.SerializerMethodField()

    class Meta:
        model = MockInterview
        fields = (
            "id",
            "status",
            "topics",
            "difficulty_mix",
            "seconds_per_question",
            "started_at",
            "finished_at",
            "current",
            "report",
            "items",
        )

    def get_current(self, interview: MockInterview) -> int | None:
        pending = [item.position for item in interview.items.all() if item.answered_at is None]
        return pending[0] if pending and interview.status == MockStatus.IN_PROGRESS else None


class MockCreateSerializer(serializers.Serializer[Any]):
    topics = serializers.ListField(child=serializers.SlugField(), required=False, default=list)
    difficulty_mix = serializers.DictField(
        child=serializers.IntegerField(min_value=0, max_value=sessions.MAX_QUESTIONS)
    )
    seconds_per_question = serializers.IntegerField(min_value=30, max_value=1800, default=180)


class MockAnswerSerializer(serializers.Serializer[Any]):
    answer = serializers.CharField(allow_blank=True, max_length=20_000, trim_whitespace=False)
