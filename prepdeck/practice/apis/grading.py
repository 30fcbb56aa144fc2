"""Practice API: grading a written answer without recording anything."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from prepdeck.catalog import selectors as catalog_selectors
from prepdeck.core.api.schema import errors
from prepdeck.practice import grading
from prepdeck.practice.serializers import GradeInputSerializer, GradeSerializer


class GradeApi(APIView):
    throttle_scope = "grading"

    @extend_schema(
        tags=["practice"],
        summary="Grade a written answer to one question against its key points (records nothing)",
        request=GradeInputSerializer,
        responses={200: GradeSerializer, **errors(400, 404)},
    )
    def post(self, request: Request) -> Response:
        payload = GradeInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        question = catalog_selectors.question_get_visible(
            user=request.user, question_id=payload.validated_data["question"]
        )
        grade = grading.grade_answer(
            answer=payload.validated_data["answer"], key_points=question.key_points, prompt=question.prompt
        )
        return Response(grade.as_dict())
