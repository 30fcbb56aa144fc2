"""Practice API (``/api/v1/practice/`` and ``/api/v1/grade``): the queue, reviews, undo, suspend and
bury, statistics, and grading a written answer. Everything here is the signed-in user's own."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from prepdeck.catalog.apis import QuestionListSerializer
from prepdeck.catalog.models import Difficulty
from prepdeck.core.api import signed_in_user
from prepdeck.core.api.pagination import FeedPagination
from prepdeck.core.api.schema import errors
from prepdeck.practice import scheduling, selectors, services
from prepdeck.practice.models import Card, Review


class CardSerializer(serializers.ModelSerializer[Card]):
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


class QueueItemSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=["due", "new"])
    question = QuestionListSerializer()
    retrievability = serializers.FloatField()
    intervals = serializers.DictField(
        child=serializers.IntegerField(), help_text="Seconds until the card is due again for each rating 1-4."
    )


class QueueSerializer(serializers.Serializer[Any]):
    due = serializers.IntegerField()
    new = serializers.IntegerField()
    learning_later_today = serializers.IntegerField()
    new_introduced_today = serializers.IntegerField()
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


class ReviewSerializer(serializers.ModelSerializer[Review]):
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


class ReviewLogPagination(FeedPagination):
    ordering = ("-reviewed_at", "-id")


class QueueApi(APIView):
    @extend_schema(
        tags=["practice"],
        summary="What to study now: due cards, then new questions up to your daily limit",
        parameters=[
            OpenApiParameter("limit", int, description="Items to return (1-100, default 20)."),
            OpenApiParameter("topic", str, description="Only this topic (and the topics below it)."),
            OpenApiParameter("tag", str),
            OpenApiParameter("difficulty", str, enum=Difficulty.values),
        ],
        responses={200: QueueSerializer, **errors(400)},
    )
    def get(self, request: Request) -> Response:
        user = signed_in_user(request)
        try:
            limit = min(100, max(1, int(request.query_params.get("limit", 20))))
        except ValueError:
            raise serializers.ValidationError({"limit": ["A whole number."]}) from None
        difficulty = request.query_params.get("difficulty") or None
        if difficulty and difficulty not in Difficulty.values:
            raise serializers.ValidationError({"difficulty": [f"One of {', '.join(Difficulty.values)}."]})
        now = timezone.now()
        settings = services.scheduler_settings_for(user)
        queue = selectors.review_queue(
            user=user,
            now=now,
            settings=settings,
            limit=limit,
            topic=request.query_params.get("topic") or None,
            tag=request.query_params.get("tag") or None,
            difficulty=difficulty,
        )
        items = []
        for item in queue.items:
            state = services.card_state(item.card) if item.card else scheduling.new_card_state(now)
            intervals = scheduling.preview(state, now=now, settings=settings)
            items.append(
                {
                    "kind": item.kind,
                    "question": item.question,
                    "retrievability": round(item.retrievability, 4),
                    "intervals": {
                        str(rating): int(interval / timedelta(seconds=1))
                        for rating, interval in intervals.items()
                    },
                }
            )
        return Response(QueueSerializer({**queue.__dict__, "items": items}).data)


class ReviewListApi(generics.ListAPIView[Review]):
    serializer_class = ReviewLogSerializer
    pagination_class = ReviewLogPagination
    filter_backends = ()

    def get_queryset(self) -> Any:
        return selectors.reviews_of(user=signed_in_user(self.request))

    @extend_schema(
        tags=["practice"],
        summary="Your review log, newest first",
        responses={200: ReviewLogSerializer(many=True), **errors()},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=["practice"],
        summary="Rate a question (idempotent by key); returns the review and the card's new schedule",
        request=ReviewInputSerializer,
        responses={201: ReviewSerializer, 200: ReviewSerializer, **errors(400, 404, 409)},
    )
    def post(self, request: Request) -> Response:
        payload = ReviewInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        values = payload.validated_data
        result = services.review_submit(
            user=signed_in_user(request),
            question_id=values["question"],
            rating=values["rating"],
            idempotency_key=values["idempotency_key"],
            duration_ms=values["duration_ms"],
        )
        return Response(
            ReviewSerializer(result.review).data,
            status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK,
        )


class ReviewUndoApi(APIView):
    @extend_schema(
        tags=["practice"],
        summary="Take back your last review",
        request=None,
        responses={200: CardSerializer, **errors(409)},
    )
    def post(self, request: Request) -> Response:
        return Response(CardSerializer(services.review_undo(user=signed_in_user(request))).data)


class CardSuspendApi(APIView):
    suspend = True

    @extend_schema(
        tags=["practice"],
        summary="Leave a question out of your queue (or bring it back)",
        request=None,
        responses={200: CardSerializer, **errors(404)},
    )
    def post(self, request: Request, question_id: int) -> Response:
        card = services.card_suspend(
            user=signed_in_user(request), question_id=question_id, suspended=self.suspend
        )
        return Response(CardSerializer(card).data)


class CardUnsuspendApi(CardSuspendApi):
    suspend = False


class CardBuryApi(APIView):
    @extend_schema(
        tags=["practice"],
        summary="Leave a question out of your queue until your next study day",
        request=None,
        responses={200: CardSerializer, **errors(404)},
    )
    def post(self, request: Request, question_id: int) -> Response:
        user = signed_in_user(request)
        _, day_end = selectors.study_day_bounds(user=user, now=timezone.now())
        card = services.card_bury(user=user, question_id=question_id, until=day_end)
        return Response(CardSerializer(card).data)


StatisticsSerializer = inline_serializer(
    name="Statistics",
    fields={
        "reviews_today": serializers.IntegerField(),
        "streak_days": serializers.IntegerField(),
        "due_forecast": serializers.ListField(child=serializers.DictField()),
        "heatmap": serializers.ListField(child=serializers.DictField()),
        "retention_by_week": serializers.ListField(child=serializers.DictField()),
        "mastery_by_topic": serializers.ListField(child=serializers.DictField()),
        "weakest_topics": serializers.ListField(child=serializers.CharField()),
        "totals": serializers.DictField(child=serializers.IntegerField()),
    },
)


class StatisticsApi(APIView):
    @extend_schema(
        tags=["practice"],
        summary="Your progress: today, streak, forecast, heatmap, retention, mastery",
        responses={200: StatisticsSerializer, **errors()},
    )
    def get(self, request: Request) -> Response:
        user = signed_in_user(request)
        stats = selectors.user_statistics(
            user=user, now=timezone.now(), settings=services.scheduler_settings_for(user)
        )
        return Response(stats.__dict__)
