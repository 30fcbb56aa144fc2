"""WebSocket consumers of the core app."""

from __future__ import annotations

from channels.generic.websocket import AsyncWebsocketConsumer


class PingConsumer(AsyncWebsocketConsumer):
    """``/ws/ping/``: answers ``pong`` to every text message.

    It touches nothing but the socket, so it shows that WebSockets reach the app through whatever proxies sit
    in front (the compose smoke test uses it through nginx) without needing an account.
    """

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        await self.send(text_data="pong")
