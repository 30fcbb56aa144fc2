"""Announcements: how a lower app tells higher apps that something happened, without importing them.

The import graph between apps is a DAG (docs/architecture.md): the catalog may not import search, yet the
search index must follow every write to the catalog. So the lower app declares an ``Announcement`` beside
its services (``catalog/events.py``) and announces it after each write; a higher app subscribes in its
``AppConfig.ready()``. The lower app never learns who listens.

Why an explicit registry and not a ``django.dispatch.Signal``: the payload is typed (mypy checks every
subscriber against it, where a signal passes ``**kwargs``), a subscriber must say *when* it runs (below),
hooks are held strongly (a signal's weak references silently drop a hook defined in a function), and
"who listens to this?" is answered by one grep for the announcement's name.

When a subscriber runs is its own choice, made once when it subscribes:

``"in_transaction"``
    at once, inside the announcing write's transaction (the catalog's services are atomic). For derived
    data kept in the same database, such as the search index: it commits or rolls back with the write, so
    readers never see one without the other, and a failing hook fails the write instead of leaving the
    derived data stale with nothing to repair it.
``"on_commit"``
    after the outermost transaction commits (``transaction.on_commit``, robust: a failing hook is logged
    and the others still run), never if it rolls back. For effects outside the database: caches, Celery
    tasks, websocket pushes, mail.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, Literal, TypeVar

from django.db import transaction

PayloadT = TypeVar("PayloadT")
When = Literal["in_transaction", "on_commit"]
WHEN_CHOICES: tuple[When, ...] = ("in_transaction", "on_commit")


@dataclass(frozen=True, slots=True)
class Subscription(Generic[PayloadT]):
    hook: Callable[[PayloadT], None]
    when: When


class Announcement(Generic[PayloadT]):
    """Something a lower app announces with a payload of type ``PayloadT``; higher apps subscribe."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._subscriptions: list[Subscription[PayloadT]] = []

    def __repr__(self) -> str:
        return f"<Announcement {self.name}: {len(self._subscriptions)} subscriber(s)>"

    @property
    def subscriptions(self) -> tuple[Subscription[PayloadT], ...]:
        """Who listens, in the order they subscribed (for tests and ``repr``)."""
        return tuple(self._subscriptions)

    def subscribe(self, hook: Callable[[PayloadT], None], *, when: When) -> None:
        """Call ``hook(payload)`` on every announcement, ``when`` says at which moment (module docstring).

        Subscribe from ``AppConfig.ready()``. Subscribing the same hook again changes nothing, so a
        ``ready()`` that runs twice does not run a hook twice.
        """
        if when not in WHEN_CHOICES:
            raise ValueError(f"when must be one of {', '.join(WHEN_CHOICES)}, not {when!r}")
        if any(existing.hook == hook for existing in self._subscriptions):
            return
        self._subscriptions.append(Subscription(hook=hook, when=when))

    def unsubscribe(self, hook: Callable[[PayloadT], None]) -> None:
        """Stop calling ``hook`` (tests that subscribe a probe remove it again)."""
        self._subscriptions = [existing for existing in self._subscriptions if existing.hook != hook]

    def announce(self, payload: PayloadT) -> None:
        """Tell every subscriber; call it inside the write's transaction, after the write.

        ``"in_transaction"`` hooks run now, in subscription order, and their exceptions propagate (the
        write rolls back); ``"on_commit"`` hooks are queued for the commit.
        """
        for subscription in tuple(self._subscriptions):
            if subscription.when == "in_transaction":
                subscription.hook(payload)
            else:
                transaction.on_commit(_bound(subscription.hook, payload), robust=True)


def _bound(hook: Callable[[PayloadT], None], payload: PayloadT) -> Callable[[], None]:
    """``hook`` with its payload, named after it: Django logs a failing robust hook by its
    ``__qualname__``, which a ``functools.partial`` lacks (the log call itself would raise)."""

    def run() -> None:
        hook(payload)

    run.__qualname__ = getattr(hook, "__qualname__", repr(hook))
    return run
