"""The ``/ws/ping/`` WebSocket, through the project's ASGI router (origin check included)."""

from __future__ import annotations

import asyncio

import pytest
from asgiref.testing import ApplicationCommunicator

from config.asgi import application

# The ping itself never touches the database, but Channels' consumer dispatch checks the connections of
# asgiref's shared sync thread, which a consumer test that ran earlier (live interviews) may have opened.
pytestmark = pytest.mark.django_db


def test_ping_answers_pong_through_the_asgi_router() -> None:
    assert asyncio.run(_ping_exchange(origin=b"http://localhost")) == (True, "pong")


def test_ping_refuses_an_origin_the_site_does_not_serve() -> None:
    assert asyncio.run(_ping_exchange(origin=b"http://evil.example")) == (False, None)


async def _ping_exchange(*, origin: bytes) -> tuple[bool, str | None]:
    # channels.testing's communicator needs daphne; this is the same exchange on asgiref's communicator.
    scope = {
        "type": "websocket",
        "path": "/ws/ping/",
        "raw_path": b"/ws/ping/",
        "query_string": b"",
        "headers": [(b"host", b"localhost"), (b"origin", origin)],
        "subprotocols": [],
    }
    communicator = ApplicationCommunicator(application, scope)
    await communicator.send_input({"type": "websocket.connect"})
    reply = await communicator.receive_output(timeout=5)
    if reply["type"] != "websocket.accept":
        return False, None
    await communicator.send_input({"type": "websocket.receive", "text": "ping"})
    answer = await communicator.receive_output(timeout=5)
    await communicator.send_input({"type": "websocket.disconnect", "code": 1000})
    await communicator.wait(timeout=5)
    return True, answer["text"]
