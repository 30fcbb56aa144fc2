"""Practice API: your progress: today, streak, forecast, heatmap, retention, mastery."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from prepdeck.core.api import signed_in_user
from prepdeck.core.api.schema import errors
from prepdeck.practice import selectors, services
from prepdeck.practice.serializers import StatisticsSerializer


class StatisticsApi(APIView):
    @extend_schema(
        tags=["practice"],
        summary="Your progress: today, streak, forecast, heatmap, retention, mastery",
        responses={200: StatisticsSerializer, **errors()},
    )
    def get(self, request: Request) -> Response:
        user = signed_in_user(request)
        stats = selectors.user_statistics_cached(
            user=user, now=timezone.now(), settings=services.scheduler_settings_for(user)
        )
        return Response(stats.__dict__)
