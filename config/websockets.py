"""WebSocket routes, collected from the apps that have consumers (live interview sessions, later)."""

from typing import Any

from django.urls import path

from prepdeck.core.consumers import PingConsumer

websocket_urlpatterns: list[Any] = [
    path("ws/ping/", PingConsumer.as_asgi()),
]
