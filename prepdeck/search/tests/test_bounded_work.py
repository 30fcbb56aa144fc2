"""What keeps a search's work bounded at 100,000 questions, asserted on the plans and the results (not on
timings): the last tier of candidates is read only when the better tiers found too few, and snippets are cut
in Python from the page's rows, not parsed again by the database."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import connection

from prepdeck.catalog.models import Question
from prepdeck.search.backends import Filters
from prepdeck.search.backends import postgresql as postgresql_backend
from prepdeck.search.backends import sqlite as sqlite_backend
from prepdeck.search.query import parse_query
from prepdeck.search.selectors import search_questions

pytestmark = pytest.mark.django_db

Questions = Callable[..., dict[str, Question]]


@pytest.fixture
def two_per_tier(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tiers of two candidates, two of them enough to leave the last tier unread: a handful of questions
    fills one."""
    for module in (postgresql_backend, sqlite_backend):
        monkeypatch.setattr(module, "RANKED_PER_TIER", 2)
        monkeypatch.setattr(module, "ENOUGH_BETTER_CANDIDATES", 2)


@pytest.fixture
def celery_beat(questions: Questions, two_per_tier: None) -> None:
    questions(
        first={"prompt": "What is a Celery beat schedule?"},
        second={"prompt": "How does Celery beat store its schedule?"},
        body={"prompt": "What runs periodic tasks?", "explanation": "Celery beat does, on a schedule."},
    )


@contextmanager
def _statements() -> Iterator[list[tuple[str, Any]]]:
    seen: list[tuple[str, Any]] = []

    def record(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        seen.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield seen


def _page_statement(seen: list[tuple[str, Any]]) -> tuple[str, Any]:
    pages = [(sql, params) for sql, params in seen if "page AS" in sql]
    assert len(pages) == 1
    return pages[0]


def test_a_question_matching_outside_its_prompt_is_found_when_prompts_fill_no_tier(celery_beat: None) -> None:
    # two prompts hold the query: they fill a tier of two, and the page of two is theirs
    assert sorted(hit.key for hit in search_questions("celery beat", limit=2).results) == ["first", "second"]
    # a page that ends further than the prompts go reads the last tier too
    result = search_questions("celery beat", limit=1, offset=2)

    assert [hit.key for hit in result.results] == ["body"]
    assert result.count == 3


@pytest.mark.postgresql
def test_the_last_tier_is_not_read_when_the_better_tiers_are_full_on_postgresql(celery_beat: None) -> None:
    with _statements() as seen:
        search_questions("celery beat", limit=2)
    sql, params = _page_statement(seen)

    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    gated = []

    def walk(node: dict[str, Any]) -> None:
        if "One-Time Filter" in node:
            gated.append(node)
        for child in node.get("Plans", []):
            walk(child)

    walk(plan[0]["Plan"])

    # the last tier (any match) sits under a one-time filter, and its scan never ran
    assert len(gated) == 1
    assert [child["Actual Loops"] for child in gated[0]["Plans"]] == [0]


def test_snippets_are_cut_in_python_from_the_page_rows_not_parsed_again_by_the_database(
    celery_beat: None,
) -> None:
    # ts_headline cost 0.3-0.4 ms a row on PostgreSQL; FTS5's snippet() re-read each row through the index
    with _statements() as seen:
        result = search_questions("celery beat", limit=3)
    sql, _ = _page_statement(seen)

    assert "ts_headline" not in sql
    assert "snippet(" not in sql
    assert {hit.key: hit.snippet for hit in result.results} == {
        "first": "",
        "second": "",
        "body": "<mark>Celery</mark> <mark>beat</mark> does, on a schedule.",
    }


def test_the_first_tiers_prompt_bonuses_are_not_looked_up_and_score_as_if_they_were(
    questions: Questions, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SQLite: a question whose prompt holds the whole query gets its prompt bonuses without a MATCH each
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite backend's page statement")
    questions(
        words={"prompt": "How do select related joins work?", "explanation": "Joins in one query."},
        identifier={"prompt": "When is select_related slower than joins?"},
        elsewhere={"prompt": "Why are list pages slow?", "explanation": "Use select_related for joins."},
        partly={"prompt": "What does select_related do?", "short_answer": "It joins, with an index."},
        other={"prompt": "Are joins slow?", "short_answer": "Not with an index."},
    )
    cases = [
        ("select_related joins", False, ()),
        ("select_related joins", True, ()),
        ("select_related joins index", True, (0.2, 0.5, 0.3)),
        ("joins -index", False, ()),
        ("select related", True, ()),
        ("joins index", False, ()),  # the first tier finds one: the last tier is read
        ("slow", False, ()),
    ]

    def pages() -> list[list[tuple[str, float]]]:
        return [
            [
                (hit.key, hit.score)
                for hit in sqlite_backend.SqliteBackend().page(
                    parse_query(text), Filters(), any_term=any_term, weights=weights, limit=10, offset=0
                )
            ]
            for text, any_term, weights in cases
        ]

    without_lookups = pages()
    # every bonus looked up
    monkeypatch.setattr(sqlite_backend, "_unless_first", lambda lookup: lookup)
    monkeypatch.setattr(
        sqlite_backend,
        "_whole_prompt_bonus",
        lambda query, any_term: (
            f"{sqlite_backend.PROMPT_BONUS} * {sqlite_backend._PROMPT_MATCHES_AMONG_CANDIDATES}",
            [sqlite_backend.prompt_text(query)],
        ),
    )

    assert pages() == without_lookups
    assert all(without_lookups)
