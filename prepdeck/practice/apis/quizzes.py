"""Practice API: quizzes: multiple choice and written answers."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from prepdeck.core.api import signed_in_user
from prepdeck.core.api.pagination import FeedPagination
from prepdeck.core.api.schema import errors
from prepdeck.practice import selectors, sessions
from prepdeck.practice.models import Quiz
from prepdeck.practice.serializers import (
    QuizAnswerSerializer,
    QuizCreateSerializer,
    QuizItemSerializer,
    QuizSerializer,
    ScoreOverrideSerializer,
)


class QuizListApi(generics.ListAPIView[Quiz]):
    serializer_class = QuizSerializer
    pagination_class = FeedPagination
    filter_backends = ()

    def get_queryset(self) -> Any:
        return selectors.quizzes_of(user=signed_in_user(self.request))

    @extend_schema(
        tags=["practice"],
        summary="Your quizzes, newest first",
        responses={200: QuizSerializer(many=True), **errors(404)},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=["practice"],
        summary="Start a quiz (multiple choice or written answers)",
        request=QuizCreateSerializer,
        responses={201: QuizSerializer, **errors(400)},
    )
    def post(self, request: Request) -> Response:
        payload = QuizCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        user = signed_in_user(request)
        quiz = sessions.quiz_create(user=user, **payload.validated_data)
        return Response(
            QuizSerializer(selectors.quiz_get(user=user, quiz_id=quiz.pk)).data,
            status=status.HTTP_201_CREATED,
        )


class QuizDetailApi(APIView):
    @extend_schema(
        tags=["practice"], summary="One of your quizzes", responses={200: QuizSerializer, **errors(404)}
    )
    def get(self, request: Request, quiz_id: int) -> Response:
        return Response(
            QuizSerializer(selectors.quiz_get(user=signed_in_user(request), quiz_id=quiz_id)).data
        )


class QuizAnswerApi(APIView):
    throttle_scope = "grading"

    @extend_schema(
        tags=["practice"],
        summary="Answer one question of a quiz (once); the answer is graded and feeds your reviews",
        request=QuizAnswerSerializer,
        responses={200: QuizItemSerializer, **errors(400, 404, 409)},
    )
    def post(self, request: Request, quiz_id: int, position: int) -> Response:
        payload = QuizAnswerSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        item = sessions.quiz_answer(
            user=signed_in_user(request), quiz_id=quiz_id, position=position, **payload.validated_data
        )
        return Response(QuizItemSerializer(item).data)


class QuizOverrideApi(APIView):
    @extend_schema(
        tags=["practice"],
        summary="Correct the grade of one of your written answers",
        request=ScoreOverrideSerializer,
        responses={200: QuizItemSerializer, **errors(400, 404, 409)},
    )
    def post(self, request: Request, quiz_id: int, position: int) -> Response:
        payload = ScoreOverrideSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        item = sessions.quiz_grade_override(
            user=signed_in_user(request),
            quiz_id=quiz_id,
            position=position,
            score=payload.validated_data["score"],
        )
        return Response(QuizItemSerializer(item).data)
