"""What the catalog announces to the apps above it (search today), which it must not import.

Subscribe in your ``AppConfig.ready()``::

    from prepdeck.catalog.events import questions_changed
    questions_changed.subscribe(my_hook, when="in_transaction")  # or "on_commit"

See ``prepdeck.core.announcements`` for when each kind of hook runs, and docs/architecture.md.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from prepdeck.core.announcements import Announcement


@dataclass(frozen=True, slots=True)
class QuestionsChanged:
    """These questions were created, edited, moved through the workflow, soft-deleted or restored, or had
    their tags, code examples or sources rewritten. It says only *which*: a subscriber reads the rows as
    they are now, and treats an id that is soft-deleted (``deleted_at`` set) or missing as gone."""

    question_ids: frozenset[int]


questions_changed: Announcement[QuestionsChanged] = Announcement("catalog.questions_changed")


def questions_changed_announce(question_ids: Iterable[int]) -> None:
    """Announce that these questions changed: once per write, with every question it touched (a bulk
    import announces all of its questions together, so a subscriber can do set-based work). Call it
    inside the write's transaction, after the write; no ids, no announcement."""
    ids = frozenset(int(pk) for pk in question_ids)
    if ids:
        questions_changed.announce(QuestionsChanged(question_ids=ids))
