"""The catalog's cached views (topic tree, rendered questions, facets; ``prepdeck.core.caching``) follow
its writes: every change gives the ``catalog`` cache namespace a new generation when the transaction
commits, so every process recomputes them.

Writes through the services announce ``catalog.events.questions_changed``, to which
``catalog_cache_invalidate`` is subscribed (in ``CatalogConfig.ready``). Writes that go through
``Model.save``/``delete`` (factories, the admin's topic and tag pages, ``topics_sync``) are caught by the
model-signal receivers below. A write seen by both bumps the generation once per path, which is harmless.
Versioned keys rather than deletes: a set-based import cannot list every key it made stale, and a new
generation reaches every process at once (docs/operations.md, "Caching").
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from prepdeck.catalog.events import QuestionsChanged
from prepdeck.catalog.models import CodeExample, Question, Tag, Topic
from prepdeck.core import caching


def catalog_changed_on_commit() -> None:
    """Give the catalog's cached views a new generation when the current transaction commits."""
    caching.bump_on_commit(caching.CATALOG)


def catalog_cache_invalidate(event: QuestionsChanged) -> None:
    """The ``questions_changed`` subscriber: runs inside the writing transaction."""
    catalog_changed_on_commit()


@receiver(post_save, sender=Question)
@receiver(post_delete, sender=Question)
def _question_saved(sender: Any, instance: Question, **kwargs: Any) -> None:
    catalog_changed_on_commit()


@receiver(post_save, sender=CodeExample)
@receiver(post_delete, sender=CodeExample)
def _code_example_saved(sender: Any, instance: CodeExample, **kwargs: Any) -> None:
    catalog_changed_on_commit()


@receiver(post_save, sender=Topic)
@receiver(post_delete, sender=Topic)
@receiver(post_save, sender=Tag)
@receiver(post_delete, sender=Tag)
def _topic_or_tag_saved(sender: Any, **kwargs: Any) -> None:
    catalog_changed_on_commit()


@receiver(m2m_changed, sender=Question.tags.through)
def _question_tags_changed(sender: Any, instance: Any, action: str, **kwargs: Any) -> None:
    if action in {"post_add", "post_remove", "post_clear"}:
        catalog_changed_on_commit()
