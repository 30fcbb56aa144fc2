"""Practice API: the queue, reviews and their undo, suspending and burying cards."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from prepdeck.catalog.models import Difficulty
from prepdeck.core.api import signed_in_user
from prepdeck.core.api.pagination import FeedPagination
from prepdeck.core.api.schema import errors
from prepdeck.practice import selectors, services
from prepdeck.practice.models import Review
from prepdeck.practice.serializers import (
    CardSerializer,
    QueueSerializer,
    ReviewInputSerializer,
    ReviewLogSerializer,
    ReviewSerializer,
    queue_representation,
    review_representation,
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
            OpenApiParameter(
                "more",
                int,
                description="Learn more: up to this many new questions beyond today's limit (0-100; only "
                "with topic, tag or difficulty).",
            ),
            OpenApiParameter(
                "learn_ahead",
                bool,
                description=f"Also offer learning steps due in the next {selectors.LEARN_AHEAD_MINUTES} minutes.",
            ),
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
        narrowing = {name: request.query_params.get(name) or None for name in ("topic", "tag", "difficulty")}
        try:
            more = min(100, max(0, int(request.query_params.get("more", 0))))
        except ValueError:
            raise serializers.ValidationError({"more": ["A whole number."]}) from None
        if more and not any(narrowing.values()):
            raise serializers.ValidationError(
                {"more": ["Learning more beyond the daily limit needs a topic, tag or difficulty."]}
            )
        now = timezone.now()
        settings = services.scheduler_settings_for(user)
        ahead = request.query_params.get("learn_ahead", "").lower() in {"1", "true", "yes"}
        queue = selectors.review_queue(
            user=user,
            now=now,
            settings=settings,
            limit=limit,
            topic=narrowing["topic"],
            tag=narrowing["tag"],
            difficulty=difficulty,
            new_limit_bonus=more,
            learn_ahead_until=now + timedelta(minutes=selectors.LEARN_AHEAD_MINUTES) if ahead else None,
        )
        return Response(queue_representation(queue))  # what QueueSerializer (the schema) writes


class ReviewListApi(generics.ListAPIView[Review]):
    serializer_class = ReviewLogSerializer
    pagination_class = ReviewLogPagination
    filter_backends = ()

    def get_queryset(self) -> Any:
        return selectors.reviews_of(user=signed_in_user(self.request))

    @extend_schema(
        tags=["practice"],
        summary="Your review log, newest first",
        responses={200: ReviewLogSerializer(many=True), **errors(404)},
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
            review_representation(result.review),  # what ReviewSerializer (the schema) writes
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
