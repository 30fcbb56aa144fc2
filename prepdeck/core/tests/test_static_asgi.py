"""Static files through the real ASGI application, as uvicorn serves them."""

from __future__ import annotations

import asyncio
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.asgi import get_asgi_application


def _get(path: str) -> list[dict[str, Any]]:
    """Send one GET through Django's ASGI handler; return the messages it sent back."""
    application = get_asgi_application()
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"localhost")],
        "client": ("127.0.0.1", 50000),
        "server": ("localhost", 8000),
    }
    sent: list[dict[str, Any]] = []
    requests = [{"type": "http.request", "body": b"", "more_body": False}]

    async def receive() -> dict[str, Any]:
        if requests:
            return requests.pop()
        await asyncio.Event().wait()  # the client stays connected until the handler is done
        raise AssertionError("unreachable")

    async def send(message: Mapping[str, Any]) -> None:
        sent.append(dict(message))

    asyncio.run(application(scope, receive, send))
    return sent


def test_a_static_file_streams_under_asgi_without_the_synchronous_iterator_warning() -> None:
    expected = (Path(settings.BASE_DIR) / "prepdeck" / "static" / "prepdeck" / "app.css").read_bytes()

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sent = _get("/static/prepdeck/app.css")

    assert [
        str(warning.message) for warning in caught if "synchronous iterators" in str(warning.message)
    ] == []
    assert sent[0]["type"] == "http.response.start"
    assert sent[0]["status"] == 200
    bodies = [message for message in sent if message["type"] == "http.response.body"]
    assert b"".join(message.get("body", b"") for message in bodies) == expected
    assert bodies[-1].get("more_body", False) is False
