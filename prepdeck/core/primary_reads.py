"""Whether reads must go to the primary database in the current context (``db_router`` reads it).

A request that wrote, or whose client wrote a moment ago, reads from the primary; so does code inside
``reads_from_primary()``. Kept apart from ``db_router`` (which holds a middleware) so that the cache, which
selectors import, can use it without importing a door.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar

_pinned: ContextVar[bool] = ContextVar("prepdeck_pinned_to_primary", default=False)
_wrote: ContextVar[bool] = ContextVar("prepdeck_wrote", default=False)


@contextlib.contextmanager
def reads_from_primary() -> Iterator[None]:
    """Within this block, reads go to the primary. For code whose result outlives the request: a value
    stored in the shared cache under the newest generation must not be computed from a replica that has not
    replayed the write that made that generation (it would be served stale to everyone until it expires)."""
    token = _pinned.set(True)
    try:
        yield
    finally:
        _pinned.reset(token)


def reading_from_primary() -> bool:
    """Whether reads are pinned to the primary here (a write, the sticky cookie, ``reads_from_primary``)."""
    return _pinned.get()
