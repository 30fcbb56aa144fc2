"""The two search backends behind one interface, chosen by the database in use.

``postgresql``: a stored ``tsvector`` per question with a GIN index, ``websearch_to_tsquery``,
``ts_rank_cd`` and ``pg_trgm``. ``sqlite``: an FTS5 table with ``bm25``, and a trigram FTS5 table over the
vocabulary for spelling. Both cut snippets in Python from the page's texts (``search.query.snippet_marked``). Both read the catalog's tables directly: the
index is a read model of the question bank, written only by ``search.services.search_index_refresh``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from prepdeck.catalog.models import Question, Tag, Topic
from prepdeck.search.query import ParsedQuery


@dataclass(frozen=True)
class Filters:
    """Which questions a search may return (besides matching the query)."""

    status: str | None = "published"  # None: any status
    topic: str | None = None  # a topic slug; the topics below it are included
    difficulty: str | None = None
    tags: tuple[str, ...] = ()  # every one of these tags
    exclude_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class Hit:
    """One ranked question. ``snippet`` is HTML: matches in ``<mark>``, everything else escaped."""

    id: int
    key: str
    prompt: str
    topic: str
    difficulty: str
    snippet: str
    score: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "key": self.key,
            "prompt": self.prompt,
            "topic": self.topic,
            "difficulty": self.difficulty,
            "snippet": self.snippet,
            "score": self.score,
        }


FacetRows = list[tuple[str, str, int]]
"""(topic slug, difficulty, number of matching questions) rows."""

COUNTED_MATCHES = 1000
"""Matches are counted (and faceted) up to this many: beyond it a search says "1,000+" and its facets are
those of the first 1,000 matches, as counting every match of a common word costs time in proportion to
the bank (85,697 rows for "django" in a bank of 100,000)."""

RANKED_PER_TIER = 200
"""Ranking reads each candidate's whole vector, so it is bounded: at most this many candidates from each
tier (questions whose prompt matches the whole query, then any match; see ``Backend.page``), or the
page's end when that is further."""


ENOUGH_BETTER_CANDIDATES = 100
"""The last tier of candidates (any match) is read only when the better tiers together found fewer than
this many (or than the page's end, when that is further): a question outside them lacks the prompt bonus
and could hardly reach the page, and that tier is the costliest to serve (whole vectors read row by row)."""


@dataclass(frozen=True)
class Counted:
    """Facet rows over at most ``COUNTED_MATCHES`` matches; ``more`` when further questions match."""

    rows: FacetRows
    more: bool


class Backend(Protocol):
    """What the selectors and services need from a database's full-text search (one statement each)."""

    def refresh(self, question_ids: Sequence[int] | None) -> None:
        """Recompute the index rows of these questions (all when ``None``), in a constant number of
        statements; questions that are gone or soft-deleted leave the index."""

    def indexed_count(self) -> int:
        """How many questions the index holds."""

    def candidates(
        self, words: Sequence[str], *, exact: Sequence[str] = ()
    ) -> dict[str, list[tuple[str, int]]]:
        """For each word, the vocabulary words closest to it as (word, questions using it); for each word
        of ``exact`` (abbreviations: is the bank using them?), only itself when the vocabulary has it."""

    def facets(self, query: ParsedQuery, filters: Filters, *, any_term: bool = False) -> Counted:
        """Counts of the questions matching ``query`` by topic and difficulty, over the first
        ``COUNTED_MATCHES`` of them. With ``any_term`` one of the query's terms is enough to match."""

    def page(
        self,
        query: ParsedQuery,
        filters: Filters,
        *,
        any_term: bool = False,
        weights: Sequence[float] = (),
        limit: int,
        offset: int,
    ) -> list[Hit]:
        """The matching questions ranked best first, with snippets.

        Candidates come in tiers, each bounded (``RANKED_PER_TIER``) and served by an index: questions
        whose prompt matches the whole query, (with ``any_term``, questions matching every term, then
        prompts matching any term,) then any match. Questions whose prompt matches the whole query get a
        bonus, and so do those whose prompt matches more of the terms, each term by its ``weights`` (rarer
        words weigh more; equal weights when empty); with ``any_term``, so do questions that match more
        of the terms anywhere."""

    def similar_prompt_facets(self, query: ParsedQuery, filters: Filters) -> Counted | None:
        """Counts for the last-resort fallback (prompts similar by trigrams), or ``None`` without one."""

    def similar_prompt_page(
        self, query: ParsedQuery, filters: Filters, *, limit: int, offset: int
    ) -> list[Hit]:
        """The questions whose prompts are most similar to ``query``'s words by trigrams."""


def backend() -> Backend:
    """The backend of the default database."""
    if connection.vendor == "postgresql":
        from prepdeck.search.backends.postgresql import PostgresBackend

        return PostgresBackend()
    if connection.vendor == "sqlite":
        from prepdeck.search.backends.sqlite import SqliteBackend

        return SqliteBackend()
    raise ImproperlyConfigured(f"Search supports PostgreSQL and SQLite, not {connection.vendor}.")


# --- SQL both backends share ------------------------------------------------------------------------------

QUESTION = Question._meta.db_table
TOPIC = Topic._meta.db_table
TAG = Tag._meta.db_table
QUESTION_TAGS = Question.tags.through._meta.db_table


def filter_sql(filters: Filters) -> tuple[str, list[Any]]:
    """``AND``-ed conditions on the question aliased ``q`` (live, status, topic tree, difficulty, tags)."""
    clauses = ["q.deleted_at IS NULL"]
    params: list[Any] = []
    if filters.status is not None:
        clauses.append("q.status = %s")
        params.append(filters.status)
    if filters.difficulty is not None:
        clauses.append("q.difficulty = %s")
        params.append(filters.difficulty)
    if filters.topic is not None:
        clauses.append(
            f"q.topic_id IN (WITH RECURSIVE tree(id) AS (SELECT id FROM {TOPIC} WHERE slug = %s "  # noqa: S608 - constants and placeholders only
            f"UNION ALL SELECT child.id FROM {TOPIC} child JOIN tree ON child.parent_id = tree.id) "
            "SELECT id FROM tree)"
        )
        params.append(filters.topic)
    for slug in filters.tags:
        clauses.append(
            f"EXISTS (SELECT 1 FROM {QUESTION_TAGS} qt JOIN {TAG} tg ON tg.id = qt.tag_id "  # noqa: S608 - constants and placeholders only
            "WHERE qt.question_id = q.id AND tg.slug = %s)"
        )
        params.append(slug)
    if filters.exclude_ids:
        clauses.append(f"q.id NOT IN ({', '.join(['%s'] * len(filters.exclude_ids))})")
        params.extend(filters.exclude_ids)
    return " AND ".join(clauses), params
