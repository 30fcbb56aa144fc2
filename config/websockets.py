"""WebSocket routes, collected from the apps that have consumers (live interview sessions, later)."""

from typing import Any

websocket_urlpatterns: list[Any] = []
