"""WebSocket routes, collected from the apps that have consumers (config/asgi.py checks the origin first)."""

from typing import Any

from channels.auth import AuthMiddlewareStack
from django.urls import path

from prepdeck.core.consumers import PingConsumer
from prepdeck.interviews.consumers import InterviewConsumer

websocket_urlpatterns: list[Any] = [
    path("ws/ping/", PingConsumer.as_asgi()),
    # The session cookie gives the consumer the signed-in user and the HTTP session (a candidate's invite);
    # only routes that need it read the session (the ping stays free of the database).
    path("ws/interviews/<int:session_id>/", AuthMiddlewareStack(InterviewConsumer.as_asgi())),
]
