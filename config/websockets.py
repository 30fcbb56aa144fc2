"""WebSocket routes, collected from the apps that have consumers."""

from typing import Any

from django.urls import path

from prepdeck.core.consumers import PingConsumer
from prepdeck.interviews.consumers import InterviewConsumer

websocket_urlpatterns: list[Any] = [
    path("ws/ping/", PingConsumer.as_asgi()),
    path("ws/interviews/<int:session_id>/", InterviewConsumer.as_asgi()),
]
