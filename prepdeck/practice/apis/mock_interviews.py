"""Practice API: timed mock interviews and their reports."""

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
from prepdeck.practice.models import MockInterview
from prepdeck.practice.serializers import MockAnswerSerializer, MockCreateSerializer, MockSerializer


class MockPagination(FeedPagination):
    ordering = ("-started_at", "-id")


class MockListApi(generics.ListAPIView[MockInterview]):
    serializer_class = MockSerializer
    pagination_class = MockPagination
    filter_backends = ()

    def get_queryset(self) -> Any:
        return selectors.mock_interviews_of(user=signed_in_user(self.request))

    @extend_schema(
        tags=["practice"],
        summary="Your mock interviews, newest first",
        responses={200: MockSerializer(many=True), **errors(404)},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=["practice"],
        summary="Start a timed mock interview",
        request=MockCreateSerializer,
        responses={201: MockSerializer, **errors(400)},
    )
    def post(self, request: Request) -> Response:
        payload = MockCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        user = signed_in_user(request)
        interview = sessions.mock_start(user=user, **payload.validated_data)
        return Response(
            MockSerializer(selectors.mock_interview_get(user=user, interview_id=interview.pk)).data,
            status=status.HTTP_201_CREATED,
        )


class MockDetailApi(APIView):
    @extend_schema(
        tags=["practice"],
        summary="One of your mock interviews (with its report once finished)",
        responses={200: MockSerializer, **errors(404)},
    )
    def get(self, request: Request, interview_id: int) -> Response:
        return Response(
            MockSerializer(
                selectors.mock_interview_get(user=signed_in_user(request), interview_id=interview_id)
            ).data
        )


class MockAnswerApi(APIView):
    throttle_scope = "grading"

    @extend_schema(
        tags=["practice"],
        summary="Answer the current question (the time since it was asked is recorded)",
        request=MockAnswerSerializer,
        responses={200: MockSerializer, **errors(400, 404, 409)},
    )
    def post(self, request: Request, interview_id: int) -> Response:
        payload = MockAnswerSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        user = signed_in_user(request)
        sessions.mock_answer(user=user, interview_id=interview_id, answer=payload.validated_data["answer"])
        return Response(
            MockSerializer(selectors.mock_interview_get(user=user, interview_id=interview_id)).data
        )


class MockFinishApi(APIView):
    @extend_schema(
        tags=["practice"],
        summary="End the interview now and get its report",
        request=None,
        responses={200: MockSerializer, **errors(404)},
    )
    def post(self, request: Request, interview_id: int) -> Response:
        user = signed_in_user(request)
        sessions.mock_finish(user=user, interview_id=interview_id)
        return Response(
            MockSerializer(selectors.mock_interview_get(user=user, interview_id=interview_id)).data
        )
