"""Reading PostgreSQL ``timestamptz`` values with Python's C parser instead of a regular expression.

Django's PostgreSQL backend registers its own ``timestamptz`` loader (to attach its time zone), and it
subclasses psycopg's pure-Python loader, whose regular expression parse showed as 12-21% of the CPU of
the queue and dashboard (issue 18) and 44% of the old queue's time for 20,000 due cards: every datetime
column of every row passes through it, even with psycopg's C extension installed (its C loader cannot be
subclassed). :class:`IsoTimestamptzLoader` parses PostgreSQL's ISO output with ``datetime.fromisoformat``
(C) and attaches the time zone exactly as Django's loader does; anything ``fromisoformat`` refuses
(another ``DateStyle``, BC dates, ``infinity``) goes to psycopg's parser, which answers as before.

``register`` is connected to ``connection_created`` (see ``CoreConfig.ready``): a signal, because the
backend offers no other hook and the loader is a per-connection setting, decoupled from any app.
"""

from __future__ import annotations

import functools
from datetime import datetime, tzinfo
from typing import Any

from psycopg.types.datetime import TimestamptzLoader


class IsoTimestamptzLoader(TimestamptzLoader):
    """A ``timestamptz`` loader with ``timezone`` semantics of Django's ``BaseTzLoader``."""

    timezone: tzinfo | None = None

    def load(self, data: Any) -> datetime:
        try:
            value = datetime.fromisoformat(bytes(data).decode())
        except ValueError:
            value = super().load(data)
        # As Django's loader: the wall-clock time in the connection's time zone, with Django's tzinfo
        # (fromisoformat already gives datetime.UTC for the "+00" of a UTC connection).
        if value.tzinfo is self.timezone:
            return value
        return value.replace(tzinfo=self.timezone)


@functools.cache
def loader_for(timezone: tzinfo | None) -> type[IsoTimestamptzLoader]:
    """One loader class per time zone (Django compares the registered loader's ``timezone``)."""
    return type("IsoTimestamptzLoader", (IsoTimestamptzLoader,), {"timezone": timezone})


def register(sender: Any, connection: Any, **kwargs: Any) -> None:
    """Use :class:`IsoTimestamptzLoader` on a new PostgreSQL (psycopg 3) connection."""
    if connection.vendor != "postgresql" or not hasattr(connection.connection, "adapters"):
        return
    connection.connection.adapters.register_loader("timestamptz", loader_for(connection.timezone))
