"""``search_questions`` on the database in use (SQLite, or PostgreSQL with DATABASE_URL): the same
behaviour and result shape on both."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from prepdeck.catalog import services as catalog_services
from prepdeck.catalog.models import Question
from prepdeck.core.exceptions import InvalidInput
from prepdeck.search.backends import postgresql as postgresql_backend
from prepdeck.search.query import clean_query_text, edit_variants
from prepdeck.search.selectors import SearchResult, search_questions
from prepdeck.search.services import search_index_ensure, search_index_refresh

pytestmark = pytest.mark.django_db

Questions = Callable[..., dict[str, Question]]


def _keys(result: SearchResult) -> list[str]:
    return [hit.key for hit in result.results]


def _code(text: str) -> list[dict[str, Any]]:
    return [{"language": "python", "caption": "", "code": text, "runnable": False}]


def test_code_identifiers_are_found_as_written(questions: Questions) -> None:
    questions(
        identifier={"prompt": "Joins?", "code_examples": _code("Book.objects.select_related('author')")},
        prose={"prompt": "Prose?", "explanation": "We select related rows with a join."},
        decorator={"prompt": "Extra routes?", "explanation": "Use the @action decorator on a viewset."},
        plain={"prompt": "Actions?", "explanation": "Every action of a viewset has a name."},
        lookup={"prompt": "A 404?", "explanation": "get_object_or_404(Book, pk=1) raises Http404."},
        n_plus_one={"prompt": "Slow lists?", "short_answer": "The N+1 problem: one query per row."},
    )

    assert _keys(search_questions("select_related")) == ["identifier"]
    assert sorted(_keys(search_questions("select related"))) == ["identifier", "prose"]
    assert _keys(search_questions("@action")) == ["decorator"]
    assert sorted(_keys(search_questions("action"))) == ["decorator", "plain"]
    assert _keys(search_questions("get_object_or_404")) == ["lookup"]
    assert _keys(search_questions("n+1")) == ["n_plus_one"]


def test_every_word_must_match_phrases_exclusions_and_or(questions: Questions) -> None:
    # (keys are indexed too, so these say nothing)
    questions(
        alpha={"prompt": "Celery with Redis as the broker?"},
        beta={"prompt": "Celery with RabbitMQ as the broker?"},
        gamma={"prompt": "Redis as the cache?"},
        delta={"prompt": "A cache in front of Redis broker queues?"},
    )

    assert _keys(search_questions("celery redis")) == ["alpha"]
    assert _keys(search_questions("celery -redis")) == ["beta"]
    assert sorted(_keys(search_questions("rabbitmq or cache"))) == ["beta", "delta", "gamma"]
    assert _keys(search_questions('"redis broker"')) == ["delta"]
    assert _keys(search_questions('"redis as the cache"')) == ["gamma"]


def test_results_have_the_documented_shape_with_counts_and_facets(questions: Questions) -> None:
    questions(
        one={"prompt": "What is a GIN index?", "difficulty": "advanced", "topic": "postgresql-indexes"},
        two={
            "prompt": "When does a GIN index help jsonb?",
            "difficulty": "basic",
            "topic": "postgresql-indexes",
        },
        three={
            "prompt": "GIN or GiST for full-text search?",
            "difficulty": "advanced",
            "topic": "postgresql-data-types",
        },
        other={"prompt": "What is a B-tree?", "difficulty": "basic"},
    )

    result = search_questions("gin", limit=2)

    assert result.count == 3
    assert result.facets.topic == {"postgresql-indexes": 2, "postgresql-data-types": 1}
    assert result.facets.difficulty == {"advanced": 2, "basic": 1}
    assert result.suggestion is None
    assert len(result.results) == 2
    assert set(result.as_dict()) == {"count", "count_exact", "results", "facets", "suggestion"}
    assert result.count_exact is True
    hit = result.results[0].as_dict()
    assert set(hit) == {"id", "key", "prompt", "topic", "difficulty", "snippet", "score"}
    assert isinstance(hit["score"], float)
    assert [h.key for h in search_questions("gin", limit=2, offset=2).results] == [
        key for key in ("one", "two", "three") if key not in _keys(result)
    ]


def test_filters_by_topic_tree_difficulty_and_tags(questions: Questions) -> None:
    questions(
        orm={"prompt": "Index hints in the ORM?", "topic": "django-orm", "tags": ["indexes", "orm"]},
        pg={
            "prompt": "Index types?",
            "topic": "postgresql-indexes",
            "difficulty": "advanced",
            "tags": ["indexes"],
        },
        models={"prompt": "Index on a model?", "topic": "django-models", "tags": ["orm"]},
    )

    assert sorted(_keys(search_questions("index", topic="django"))) == ["models", "orm"]
    assert _keys(search_questions("index", topic="postgresql")) == ["pg"]
    assert _keys(search_questions("index", difficulty="advanced")) == ["pg"]
    assert sorted(_keys(search_questions("index", tags=["indexes"]))) == ["orm", "pg"]
    assert _keys(search_questions("index", tags=["indexes", "orm"])) == ["orm"]
    assert search_questions("index", topic="no-such-topic").count == 0


def test_drafts_are_found_only_when_asked_and_deleted_questions_never(questions: Questions) -> None:
    written = questions(
        published={"prompt": "Savepoints in published?"},
        draft={"prompt": "Savepoints in draft?", "status": "draft"},
        deleted={"prompt": "Savepoints in deleted?"},
    )
    Question.all_objects.filter(pk=written["deleted"].pk).update(deleted_at=timezone.now())

    # Searches join the live question, so a soft delete hides it at once; the refresh drops its row.
    assert _keys(search_questions("savepoints")) == ["published"]
    search_index_refresh([written["deleted"].pk])

    assert _keys(search_questions("savepoints")) == ["published"]
    assert sorted(_keys(search_questions("savepoints", status=None))) == ["draft", "published"]
    assert _keys(search_questions("savepoints", status="draft")) == ["draft"]


def test_the_index_follows_edits(questions: Questions) -> None:
    written = questions(edited={"prompt": "What is a tablespace?", "tags": ["storage"]})
    question = written["edited"]

    catalog_services.question_update(
        question=question,
        expected_version=question.version,
        changes={
            "prompt": "What is a sequence?",
            "tags": ["identity"],
            "code_examples": _code("nextval('s')"),
        },
    )
    # question_update refreshes the question's index rows in its own transaction

    assert _keys(search_questions("tablespace")) == []
    assert _keys(search_questions("sequence identity nextval")) == ["edited"]
    assert search_questions("storage").count == 0


def test_a_full_refresh_rebuilds_the_index_and_removes_what_is_gone(questions: Questions) -> None:
    written = questions(kept={"prompt": "What is vacuum?"}, gone={"prompt": "What is vacuum full?"})
    Question.all_objects.filter(pk=written["gone"].pk).delete()

    search_index_refresh()

    assert _keys(search_questions("vacuum")) == ["kept"]
    assert search_questions("vacuum").facets.topic == {"django-orm": 1}


def test_the_prompt_bonus_and_tier_follow_edited_prompts(questions: Questions) -> None:
    written = questions(
        first={"prompt": "What is Celery beat?", "explanation": "Celery beat sends periodic tasks."},
        second={"prompt": "What runs periodic tasks?", "explanation": "Celery beat does, on a schedule."},
    )
    assert _keys(search_questions("celery beat")) == ["first", "second"]
    ids = [written["first"].pk, written["second"].pk]

    for first, second, expected in [
        ("What do workers do?", "What is Celery beat for?", ["second", "first"]),
        ("Is Celery beat a worker?", "What runs periodic tasks?", ["first", "second"]),
    ]:
        Question.all_objects.filter(pk=ids[0]).update(prompt=first)
        Question.all_objects.filter(pk=ids[1]).update(prompt=second)
        search_index_refresh(ids)  # twice: each refresh forgets the prompts the one before indexed

        assert _keys(search_questions("celery beat")) == expected
        assert _keys(search_questions("celery beat workers -schedule")) == ["first"]
    Question.all_objects.filter(pk=ids[0]).delete()
    search_index_refresh(ids)

    assert _keys(search_questions("celery beat")) == ["second"]
    if connection.vendor == "sqlite":
        # search_prompt holds exactly the indexed prompts, after partial and full refreshes alike
        for refresh in (lambda: None, search_index_refresh):
            refresh()
            with connection.cursor() as cursor:
                cursor.execute("SELECT rowid FROM search_prompt WHERE search_prompt MATCH 'periodic'")
                assert cursor.fetchall() == [(ids[1],)]
                cursor.execute("SELECT rowid FROM search_prompt WHERE search_prompt MATCH 'beat OR workers'")
                assert cursor.fetchall() == []


def test_the_first_run_hook_builds_a_missing_index(questions: Questions) -> None:
    written = questions(one={"prompt": "What is a deadlock?"})
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM search_document")
    messages: list[str] = []

    class Out:
        def write(self, message: str = "", *args: Any, **kwargs: Any) -> None:
            messages.append(message)

    search_index_ensure(Out())
    search_index_ensure(Out())  # already complete: nothing to do

    assert _keys(search_questions("deadlock")) == ["one"]
    assert messages == ["Search index: 1 questions indexed."]
    assert written["one"].pk == search_questions("deadlock").results[0].id


def test_a_misspelled_query_is_corrected_and_searched(questions: Questions) -> None:
    questions(
        beat={"prompt": "What is Celery beat?", "explanation": "Celery beat schedules periodic tasks."},
        worker={"prompt": "How do Celery workers run tasks?"},
    )

    result = search_questions("celry beat")

    assert result.suggestion == "celery beat"
    assert _keys(result) == ["beat"]
    # Found as typed: the suggestion is offered, the results are the query's own.
    typed = search_questions("celery bet")
    assert typed.suggestion is None or typed.suggestion == "celery beat"
    assert search_questions("celery beat").suggestion is None


def test_a_two_edit_typo_far_from_its_word_by_trigrams_is_still_corrected(questions: Questions) -> None:
    # "lamdab" shares 3 of 11 trigrams with "lambda" (0.27): under pg_trgm's default threshold of 0.3,
    # which alone found no candidate for it (found in review)
    questions(
        lam={"prompt": "When is a lambda enough instead of a function?"},
        other={"prompt": "What does a dock worker load?"},
    )

    result = search_questions("lamdab")

    assert result.suggestion == "lambda"
    assert _keys(result) == ["lam"]


def test_a_natural_phrasing_finds_the_question_that_matches_most_words(questions: Questions) -> None:
    questions(
        target={"prompt": "How do you detect and fix N+1 query problems?"},
        other={"prompt": "How do you count queries in a test?"},
        unrelated={"prompt": "What is a migration?"},
    )

    result = search_questions("how can I stop my views from running n+1 queries")

    assert _keys(result)[0] == "target"
    assert "unrelated" not in _keys(result)


def test_abbreviations_the_bank_does_not_use_match_their_expansion(questions: Questions) -> None:
    questions(
        fts={"prompt": "How does full-text search work in PostgreSQL?"},
        drf={"prompt": "What is DRF?"},
        spelled={"prompt": "What is Django REST framework?"},
    )

    assert _keys(search_questions("fts")) == ["fts"]
    assert _keys(search_questions("FTS postgres")) == ["fts"]
    assert _keys(search_questions("drf")) == ["drf"]  # the bank uses DRF, so only DRF matches


def test_snippets_mark_matches_and_escape_everything_else(questions: Questions) -> None:
    questions(
        xss={
            "prompt": "Escaping?",
            "short_answer": 'Templates escape <script>alert("x")</script> & friends by default.',
        }
    )

    snippet = search_questions("templates escape").results[0].snippet

    assert "<mark>" in snippet
    assert "<script>" not in snippet
    assert snippet.replace("<mark>", "").replace("</mark>", "").count("<") == 0


@pytest.mark.parametrize("limit", [5, 50])
def test_a_search_runs_the_same_three_queries_for_any_limit(
    bank: None, limit: int, django_assert_num_queries: Any
) -> None:
    # vocabulary lookup, counts and facets, the ranked page with snippets
    with django_assert_num_queries(3):
        result = search_questions("django queryset", limit=limit)

    assert result.count > 50
    assert len(result.results) == limit


@pytest.mark.parametrize(
    "query",
    [
        "!!!",
        "&|!:*",
        "foo & bar | !baz <-> qux",
        "select:* 'quoted' \\ back\\slash",
        '"unterminated',
        '-"',
        "a:*",
        "'; DROP TABLE catalog_question; --",
        "NEAR(a b) prompt: {prompt}: x ^celery celery*",
        "naïve café 日本語 テスト 🚀",
        "\ud800 \x00 \u200b",
        "%s %(name)s %%",
        "x" * 499,
        "ü" * 300,
        "or OR -",
    ],
)
def test_odd_queries_give_results_or_nothing_never_an_error(bank: None, query: str) -> None:
    result = search_questions(query)

    assert result.count >= 0
    assert len(result.results) <= 20


@pytest.mark.parametrize(
    ("query", "code"), [("", "empty_query"), ("  \t ", "empty_query"), ("x" * 10_000, "query_too_long")]
)
def test_empty_and_overlong_queries_are_refused(db: None, query: str, code: str) -> None:
    with pytest.raises(InvalidInput) as error:
        search_questions(query)

    assert error.value.code == code


@pytest.mark.parametrize(("limit", "offset"), [(0, 0), (101, 0), (10, -1), (10, 10_001)])
def test_a_page_window_out_of_range_is_refused(db: None, limit: int, offset: int) -> None:
    with pytest.raises(InvalidInput):
        search_questions("celery", limit=limit, offset=offset)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=st.text(min_size=1, max_size=120))
def test_any_text_is_searched_without_a_database_error(questions: Questions, query: str) -> None:
    if not Question.objects.exists():
        questions(
            one={"prompt": "Use select_related() for N+1 queries", "explanation": "The @action decorator."}
        )
    if clean_query_text(query):
        search_questions(query)
    else:
        with pytest.raises(InvalidInput, match="Type what you are looking for"):
            search_questions(query)


@pytest.mark.postgresql
def test_prompts_similar_by_trigrams_are_the_last_resort_on_postgresql(questions: Questions) -> None:
    questions(
        beat={"prompt": "What is Celery Beat?"},
        flower={"prompt": "What does Flower show about Celery?"},
    )

    result = search_questions("celerybeat")

    assert _keys(result) == ["beat"]
    assert result.count == 1


@pytest.mark.postgresql
@pytest.mark.parametrize("word", ["djnago", "celry", "ab", "lamdab", "idempotnet", "x" * 40, "über"])
def test_postgresql_makes_the_same_one_edit_spellings_as_python(word: str) -> None:
    # the candidates statement makes the variants of unknown words in SQL (sending them cost 2-3 ms)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT spelling FROM ({postgresql_backend.EDIT_VARIANTS.format(word='%s::text')}) AS made",  # noqa: S608 - a constant
            [word] * postgresql_backend.EDIT_VARIANTS.count("{word}"),
        )
        made = sorted(row[0] for row in cursor.fetchall())

    assert made == sorted(edit_variants(word))


@pytest.mark.postgresql
def test_a_misspelled_word_is_corrected_one_edit_away_on_postgresql(questions: Questions) -> None:
    questions(beat={"prompt": "What is Celery beat?"}, other={"prompt": "What is Django?"})

    result = search_questions("celry djnago")
    swapped = search_questions("djnago")

    assert result.suggestion == "celery django"
    assert swapped.suggestion == "django"
    assert _keys(swapped) == ["other"]
