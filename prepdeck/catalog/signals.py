"""What the catalog announces when its content changes, for the layers above it (caches, search, ...).

``catalog_changed_on_commit(question_ids)`` is the one call a catalog write makes after changing questions,
topics or tags, whichever door it came through. It gives the ``catalog`` cache namespace a new generation
when the transaction commits (every cached view of the bank, in every process, is then recomputed; see
``prepdeck.core.caching``) and sends ``question_changed`` on commit with the ids it was given, so a layer
above can react without the catalog importing it.

Writes that go through ``Model.save``/``delete`` (factories, the admin's topic and tag pages, ``topics_sync``)
are covered by the model-signal receivers below; the set-based writes (``questions_upsert``, imports, the
optimistic-lock ``UPDATE`` in ``question_update``) send no model signals and call it explicitly.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import Signal, receiver

from prepdeck.catalog.models import CodeExample, Question, Tag, Topic
from prepdeck.core import caching

# Sent on commit with ``question_ids`` (a sorted list; empty when only topics or tags changed).
question_changed = Signal()


def catalog_changed_on_commit(question_ids: Iterable[int] = ()) -> None:
    """Announce that the bank changed (see the module docstring); call it inside the writing transaction."""
    ids = sorted({int(pk) for pk in question_ids})
    caching.bump_on_commit(
        caching.CATALOG, then=lambda: question_changed.send(sender=Question, question_ids=ids)
    )


@receiver(post_save, sender=Question)
@receiver(post_delete, sender=Question)
def _question_saved(sender: Any, instance: Question, **kwargs: Any) -> None:
    catalog_changed_on_commit([instance.pk])


@receiver(post_save, sender=CodeExample)
@receiver(post_delete, sender=CodeExample)
def _code_example_saved(sender: Any, instance: CodeExample, **kwargs: Any) -> None:
    catalog_changed_on_commit([instance.question_id])


@receiver(post_save, sender=Topic)
@receiver(post_delete, sender=Topic)
@receiver(post_save, sender=Tag)
@receiver(post_delete, sender=Tag)
def _topic_or_tag_saved(sender: Any, **kwargs: Any) -> None:
    catalog_changed_on_commit()


@receiver(m2m_changed, sender=Question.tags.through)
def _question_tags_changed(sender: Any, instance: Any, action: str, **kwargs: Any) -> None:
    if action in {"post_add", "post_remove", "post_clear"}:
        catalog_changed_on_commit([instance.pk] if isinstance(instance, Question) else [])
