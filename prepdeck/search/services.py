"""Writes to the search index.

The index follows the catalog's own announcement, not Django's model signals: the catalog's bulk writes
(``COPY``, ``bulk_create``, ``bulk_update``) send none, and one set-based refresh at the end of a write is
cheaper than a trigger per row of questions, tags and code examples. Every catalog write announces the
questions it touched once (``catalog.events.questions_changed``, a bulk import all of them together);
``search_index_follow_catalog`` is subscribed to it in ``SearchConfig.ready()`` and refreshes those rows
in the write's transaction. ``search_index_ensure`` (a first-run hook) and ``prepdeck search --rebuild``
rebuild everything.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from prepdeck.catalog.events import QuestionsChanged
from prepdeck.catalog.models import Question
from prepdeck.core.bootstrap import Writer
from prepdeck.search.backends import backend


def search_index_refresh(question_ids: Iterable[int] | None = None) -> None:
    """Bring the index rows of these questions up to date with the catalog (every question when ``None``).

    Call it after writing questions, their tags or code examples, in the same transaction: the index then
    commits or rolls back with the write. The work is a constant number of statements whatever the number
    of ids. Soft-deleted and missing questions leave the index.
    """
    ids = None if question_ids is None else sorted({int(pk) for pk in question_ids})
    if ids == []:
        return
    with transaction.atomic():
        backend().refresh(ids)


def search_index_follow_catalog(change: QuestionsChanged) -> None:
    """Subscriber of ``catalog.events.questions_changed``: refresh the rows of the questions that changed."""
    search_index_refresh(change.question_ids)


def search_index_ensure(stdout: Writer) -> None:
    """First-run hook: rebuild the index when it does not hold exactly the live questions."""
    live = Question.objects.count()
    if backend().indexed_count() == live:
        return
    search_index_refresh()
    stdout.write(f"Search index: {live} questions indexed.")
