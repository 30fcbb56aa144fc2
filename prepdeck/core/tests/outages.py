"""Helpers for tests that take a service away for real (never the shared servers)."""

from __future__ import annotations

import socket

import pytest


def free_port() -> int:
    """A local port nothing listens on (bound and released at once)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def take_the_broker_away(monkeypatch: pytest.MonkeyPatch) -> str:
    """Make Celery send tasks for real (not eagerly) to a Redis broker at a port nothing listens on.

    Returns the broker URL. ``monkeypatch`` puts everything back after the test.
    """
    from config.celery import app

    url = f"redis://127.0.0.1:{free_port()}/0"
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    monkeypatch.setitem(app.conf, "broker_url", url)
    # connections and producers are pooled per app; new ones are made for the new URL
    monkeypatch.setattr(app, "_pool", None)
    monkeypatch.setattr(app.amqp, "_producer_pool", None)
    return url
