"""Searching the question bank, on PostgreSQL or SQLite with the same results shape.

How a search runs (each step one statement, so a search costs the same number of queries for any page
size; three when the query's words all match):

1. the typed words are checked against the vocabulary in one lookup: misspelled words get a correction
   ("did you mean"), abbreviations the bank never uses (``FTS``) also match their expansion;
2. the query as typed, every term required (``websearch_to_tsquery`` semantics): counts by topic and
   difficulty, then the ranked page;
3. when that finds nothing and a word was misspelled, the corrected query, the same way;
4. when that finds nothing either, or a query of three or more terms finds fewer than three questions (a
   natural phrasing such as "how do I stop n+1 queries"), any one of the terms is enough and ranking
   favours questions that match more of them;
5. on PostgreSQL, last, prompts similar to the words by trigrams.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from prepdeck.catalog import selectors as catalog_selectors
from prepdeck.core import caching
from prepdeck.core.exceptions import InvalidInput, NotFound
from prepdeck.search.backends import COUNTED_MATCHES as COUNTED_MATCHES
from prepdeck.search.backends import Backend, Counted, Filters, Hit, backend
from prepdeck.search.query import (
    MAX_QUERY_LENGTH,
    Facets,
    ParsedQuery,
    clean_query_text,
    corrections_from,
    parse_query,
    term_weights,
)

MAX_LIMIT = 100
MAX_OFFSET = 10_000
MAX_TAGS = 10
SIMILAR_WORDS = 16
NATURAL_PHRASING_TERMS = 3
MIN_STRICT_HITS = 3
FACETS_CACHE_SECONDS = 600


@dataclass
class SearchResult:
    """A page of ranked questions with the total, facet counts and a spelling suggestion.

    When more than ``COUNTED_MATCHES`` questions match, ``count`` is that number, ``count_exact`` is false
    (say "1,000+") and the facets are those of the first ``COUNTED_MATCHES`` matches."""

    count: int = 0
    results: list[Hit] = field(default_factory=list)
    facets: Facets = field(default_factory=Facets)
    suggestion: str | None = None
    count_exact: bool = True

    @classmethod
    def from_counted(cls, counted: Counted, results: list[Hit], suggestion: str | None) -> SearchResult:
        facets = Facets.from_rows(counted.rows)
        return cls(
            count=facets.total,
            results=results,
            facets=facets,
            suggestion=suggestion,
            count_exact=not counted.more,
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "count": self.count,
            "count_exact": self.count_exact,
            "results": [hit.as_dict() for hit in self.results],
            "facets": {"topic": self.facets.topic, "difficulty": self.facets.difficulty},
            "suggestion": self.suggestion,
        }


def _validated_query(query: str) -> str:
    text = clean_query_text(query)
    if not text:
        raise InvalidInput("Type what you are looking for.", code="empty_query")
    if len(query) > MAX_QUERY_LENGTH:
        raise InvalidInput(
            f"A search can be at most {MAX_QUERY_LENGTH} characters long.",
            code="query_too_long",
            details={"max_length": MAX_QUERY_LENGTH, "length": len(query)},
        )
    return text


def _validate_window(limit: int, offset: int) -> None:
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"limit must be between 1 and {MAX_LIMIT}.", code="invalid")
    if not 0 <= offset <= MAX_OFFSET:
        raise InvalidInput(f"offset must be between 0 and {MAX_OFFSET}.", code="invalid")


def _facets_cached(
    engine: Backend, query: ParsedQuery, filters: Filters, *, any_term: bool = False
) -> Counted:
    """The facet counts of a query from the cache: the costliest statement of a search (it counts up to
    ``COUNTED_MATCHES`` matches), the same for everyone who types the same words with the same filters,
    and recomputed after any change to the bank."""
    return caching.cached(
        "search-facets",
        lambda: engine.facets(query, filters, any_term=any_term),
        key=(type(engine).__name__, query, filters, any_term),
        namespaces=(caching.CATALOG,),
        timeout=FACETS_CACHE_SECONDS,
    )


def search_questions(
    query: str,
    *,
    topic: str | None = None,
    difficulty: str | None = None,
    tags: Iterable[str] = (),
    status: str | None = "published",
    limit: int = 20,
    offset: int = 0,
) -> SearchResult:
    """Questions matching ``query``, best first, with counts by topic and difficulty and, when a word looks
    misspelled, a suggestion (the corrected query, searched instead when the query as typed finds nothing).

    ``status=None`` searches every status (callers decide who may: the API allows it to editors only);
    soft-deleted questions are never found. ``InvalidInput`` for an empty query, one longer than
    ``MAX_QUERY_LENGTH`` characters or a page window out of range; a query without searchable words
    (only punctuation or stop words) finds nothing.
    """
    text = _validated_query(query)
    _validate_window(limit, offset)
    tag_list = tuple(dict.fromkeys(tags))
    if len(tag_list) > MAX_TAGS:
        raise InvalidInput(f"At most {MAX_TAGS} tags.", code="invalid")
    parsed = parse_query(text)
    if parsed.is_empty:
        return SearchResult()
    filters = Filters(status=status, topic=topic, difficulty=difficulty, tags=tag_list)
    engine = backend()

    # One vocabulary lookup: which words are misspelled, which abbreviations the bank never uses.
    words = parsed.spellable_words()
    abbreviations = parsed.abbreviations()
    # Abbreviations are only looked up (is the bank using them?), never corrected: no near words for them.
    exact = [word for word in abbreviations if word not in words]
    candidates = engine.candidates(words, exact=exact) if words or exact else {}
    unused = {word for word in abbreviations if word not in dict(candidates.get(word, []))}
    corrections = corrections_from(words, candidates)
    parsed = parsed.expanded(unused)
    corrected = parsed.corrected(corrections) if corrections else None
    if corrected is not None and corrected.is_empty:
        corrected = None
    suggestion = corrected.text if corrected is not None else None

    # How many questions use each word: rarer words weigh more when ranking by how many terms match.
    documents = {word: count for found in candidates.values() for word, count in found}

    best = corrected or parsed
    for attempt in [parsed] if corrected is None else [parsed, corrected]:
        counted = _facets_cached(engine, attempt, filters)
        total = sum(count for *_, count in counted.rows)
        # A longer query whose words together find almost nothing reads as a natural phrasing: any term
        # is then enough, and questions matching all of them still come first.
        if total >= (MIN_STRICT_HITS if len(attempt.groups) >= NATURAL_PHRASING_TERMS else 1):
            weights = term_weights(attempt, documents)
            hits = engine.page(attempt, filters, weights=weights, limit=limit, offset=offset)
            return SearchResult.from_counted(counted, hits, suggestion)
    if len(best.groups) > 1:
        counted = _facets_cached(engine, best, filters, any_term=True)
        if counted.rows:
            weights = term_weights(best, documents)
            hits = engine.page(best, filters, any_term=True, weights=weights, limit=limit, offset=offset)
            return SearchResult.from_counted(counted, hits, suggestion)

    # Last, and only when the words found nothing at all: prompts similar by trigrams.
    similar = engine.similar_prompt_facets(best, filters)
    if similar is not None and similar.rows:
        hits = engine.similar_prompt_page(best, filters, limit=limit, offset=offset)
        return SearchResult.from_counted(similar, hits, suggestion)
    return SearchResult(suggestion=suggestion)


def similar_questions(*, user: Any, question_id: int, limit: int = 5) -> list[Hit]:
    """Published questions most like this one (by its prompt's words and its tags), best first.

    ``NotFound`` when the question is missing or not visible to ``user``.
    """
    _validate_window(limit, 0)
    question = catalog_selectors.questions_visible_to(user=user).filter(pk=question_id).first()
    if question is None:
        raise NotFound("Question not found.")
    words = " ".join([question.prompt, *(tag.slug for tag in question.tags.all())])
    parsed = parse_query(words[:MAX_QUERY_LENGTH])
    terms = list(dict.fromkeys(parsed.terms()))[:SIMILAR_WORDS]
    if not terms:
        return []
    like_this = ParsedQuery(groups=tuple((term,) for term in terms))
    filters = Filters(exclude_ids=(question.pk,))
    return backend().page(like_this, filters, any_term=True, limit=limit, offset=0)
