"""Full-text search on PostgreSQL: a stored, GIN-indexed ``tsvector`` per question.

Tables (migration ``search.0001_initial``): ``search_document (question_id, prompt, prompt_vector,
vector)`` with a GIN index on ``vector`` and a trigram index on ``prompt``, and ``search_term (word,
documents)``, the vocabulary for "did you mean", with a trigram index. ``search_document_text(text)``
(SQL, same migration) prepares a field for ``to_tsvector``: dots between names become spaces (so
``request.user`` gives the words ``request`` and ``user`` instead of one "host name") and the joined forms
of identifiers are appended (see ``search.query``).

Weights: A the prompt, B the short answer, key points, tags and key, C the explanation and common
mistakes, D code examples. Queries go through ``websearch_to_tsquery('english', ...)`` with text rendered
from the parsed query, so they never fail to parse. The score is ``ts_rank_cd`` plus a bonus when the
prompt alone matches the whole query and, when any term is enough, a bonus for the share of terms matched;
snippets come from ``ts_headline``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection

from prepdeck.catalog.models import CodeExample
from prepdeck.search.backends import (
    MAX_COVERAGE_GROUPS,
    QUESTION,
    QUESTION_TAGS,
    TAG,
    TOPIC,
    FacetRows,
    Filters,
    Hit,
    filter_sql,
)
from prepdeck.search.query import MARK_START, MARK_STOP, ParsedQuery, Term, snippet_html

CODE = CodeExample._meta.db_table
FIELD_LIMIT = 100_000  # characters of one field that are indexed (a tsvector must stay under 1 MB)
WEIGHTS = "'{0.05, 0.1, 0.4, 1.0}'::real[]"  # D (code), C (explanation), B (answer), A (prompt)
NORMALIZATION = 1  # divide by 1 + log(document length): long explanations do not win by size alone
PROMPT_BONUS = 1.0
COVERAGE_BONUS = 2.0
CANDIDATES_PER_WORD = 10
RANKED_CANDIDATES = 1000
"""Questions ranked in full for a page: those best by the prompt alone when more match (a common word)."""
# The secondary indexes, as the migration creates them (a full refresh drops and rebuilds them).
INDEXES = {
    "search_document_vector": "CREATE INDEX search_document_vector ON search_document USING gin (vector)",
    "search_document_prompt_trigram": (
        "CREATE INDEX search_document_prompt_trigram ON search_document USING gin (prompt gin_trgm_ops)"
    ),
    "search_term_word_trigram": (
        "CREATE INDEX search_term_word_trigram ON search_term USING gist (word gist_trgm_ops)"
    ),
}
HEADLINE_OPTIONS = (
    f"StartSel={MARK_START}, StopSel={MARK_STOP}, MaxWords=30, MinWords=12, MaxFragments=2, "
    'FragmentDelimiter=" … "'
)


def _json_text(column: str) -> str:
    """The strings of a JSON list column, one a line (anything but a list gives nothing)."""
    return (
        f"(SELECT string_agg(value, E'\\n') FROM jsonb_array_elements_text(CASE WHEN "  # noqa: S608 - constants and placeholders only
        f"jsonb_typeof({column}) = 'array' THEN {column} ELSE '[]'::jsonb END) AS value)"
    )


# What snippets are cut from: the answer a candidate reads (the prompt is shown on its own).
SNIPPET_TEXT = f"concat_ws(E'\\n', q.short_answer, {_json_text('q.key_points')}, left(q.explanation, 20000))"


# The questions to index, with the text of each weight, and their vocabulary: one statement.
_REFRESH = f"""
    WITH source AS MATERIALIZED (
        SELECT q.id, q.prompt,
            concat_ws(E'\\n', q.short_answer, {_json_text("q.key_points")}, tags.text,
                replace(q.key, '-', ' ')) AS answer,
            concat_ws(E'\\n', q.explanation, {_json_text("q.common_mistakes")}) AS explanation,
            coalesce(code.text, '') AS code
        FROM {QUESTION} q
        LEFT JOIN LATERAL (
            SELECT string_agg(tg.slug, ' ') AS text
            FROM {QUESTION_TAGS} qt JOIN {TAG} tg ON tg.id = qt.tag_id WHERE qt.question_id = q.id
        ) tags ON true
        LEFT JOIN LATERAL (
            SELECT string_agg(concat_ws(E'\\n', c.caption, c.code), E'\\n' ORDER BY c."order", c.id) AS text
            FROM {CODE} c WHERE c.question_id = q.id
        ) code ON true
        WHERE q.deleted_at IS NULL /*only*/
    ),
    documents AS (
        INSERT INTO search_document (question_id, prompt, prompt_vector, vector)
        SELECT id, prompt, prompt_vector,
            setweight(prompt_vector, 'A')
            || setweight(to_tsvector('english', search_document_text(left(answer, {FIELD_LIMIT}))), 'B')
            || setweight(to_tsvector('english', search_document_text(left(explanation, {FIELD_LIMIT}))), 'C')
            || setweight(to_tsvector('english', search_document_text(left(code, {FIELD_LIMIT}))), 'D')
        FROM (
            SELECT source.*, to_tsvector('english', search_document_text(left(prompt, {FIELD_LIMIT})))
                AS prompt_vector
            FROM source
        ) prepared
    )
    INSERT INTO search_term (word, documents)
    SELECT word, count(*) FROM source,
        unnest(tsvector_to_array(to_tsvector('search_words', left(concat_ws(' ', prompt, answer), {FIELD_LIMIT}))))
            AS word
    WHERE length(word) BETWEEN 3 AND 40
    GROUP BY word
    ON CONFLICT (word) DO NOTHING
"""  # noqa: S608 - constants and placeholders only


def _identifier_phrase(term: Term) -> str:
    """An identifier as the phrase the parser reads in the text: ``"select related"``, ``"n+1"``."""
    words = term.identifier.lstrip("@").replace("_", " ")
    return f'"{words}"'


def _websearch(term: Term) -> str:
    """``term`` in ``websearch_to_tsquery`` syntax (its words hold only letters, digits and dots).

    An identifier is its joined form (which selects exactly it) and the phrase of its words (which ranks
    by where it occurs): ``websearch_to_tsquery`` reads the two as AND, inside an ``or`` too.
    """
    if term.identifier:
        return f"{term.joined} {_identifier_phrase(term)}"
    text = " ".join(term.words)
    return f'"{text}"' if term.is_phrase else text


def _any_of(terms: Sequence[Term]) -> str:
    return " or ".join(_websearch(term) for term in terms)


_WEBSEARCH = "websearch_to_tsquery('english', %s)"


def tsquery_sql(
    query: ParsedQuery, *, any_term: bool = False, excluding: bool = True
) -> tuple[str, list[str]]:
    """The query as a ``tsquery`` expression: one ``websearch_to_tsquery`` per group (its terms ORed),
    combined with ``&&`` (``||`` when ``any_term``); excluded terms with ``&& !!``.

    Groups are parsed one by one because ``websearch_to_tsquery`` gives ``or`` the lowest precedence
    (``a b or c`` is ``(a & b) | c``), where a typed ``or`` joins only its two neighbours here.
    """
    texts = [_any_of(query.terms())] if any_term else [_any_of(group) for group in query.groups]
    sql = " && ".join([_WEBSEARCH] * len(texts))
    if excluding and query.excluded:
        sql = f"({sql}) && !!{_WEBSEARCH}"
        texts.append(_any_of(query.excluded))
    return f"({sql})", texts


def highlight_text(query: ParsedQuery) -> str:
    """What ``ts_headline`` marks: any positive term, identifiers as the words the parser sees in them."""
    return " or ".join(
        _identifier_phrase(term) if term.identifier else _websearch(term) for term in query.terms()
    )


def _similar_words(query: ParsedQuery) -> str:
    return " ".join(word for term in query.terms() if not term.expansion for word in term.words)


def _query_cte(query: ParsedQuery, any_term: bool) -> tuple[str, list[Any], str, str]:
    """A one-row ``query`` CTE holding the tsqueries a search uses (parsed once, not once a row), its
    parameters, and two scores over it and ``d``: a cheap one from the prompt (small, stored inline), which
    picks the candidates, and the full one, which ranks them.
    """
    match, params = tsquery_sql(query, any_term=any_term)
    strict, strict_params = tsquery_sql(query, excluding=False)
    columns = [f"{match} AS match", f"{strict} AS strict", f"{_WEBSEARCH} AS highlight"]
    params = [*params, *strict_params, highlight_text(query)]
    prompt_match = f"{PROMPT_BONUS} * (d.prompt_vector @@ query.strict)::int"
    cheap = f"{prompt_match} + ts_rank(d.prompt_vector, query.match)"
    full = f"ts_rank_cd({WEIGHTS}, d.vector, query.match, {NORMALIZATION}) + {prompt_match}"
    if any_term:
        groups = query.groups[:MAX_COVERAGE_GROUPS]
        columns.extend(f"{_WEBSEARCH} AS group{index}" for index in range(len(groups)))
        params.extend(_any_of(group) for group in groups)

        def share(column: str) -> str:
            matched = " + ".join(f"({column} @@ query.group{index})::int" for index in range(len(groups)))
            return f" + {COVERAGE_BONUS} * ({matched}) / {len(groups)}.0"

        cheap += share("d.prompt_vector")
        full += share("d.vector")
    return f"query AS MATERIALIZED (SELECT {', '.join(columns)})", params, cheap, full


class PostgresBackend:
    def refresh(self, question_ids: Sequence[int] | None) -> None:
        with connection.cursor() as cursor:
            if question_ids is None:
                # Building the indexes once after the rows is several times faster than updating them
                # row by row. The tables are locked until commit: searches wait for a full rebuild (an
                # operator's action), never see it half done.
                cursor.execute("TRUNCATE search_document, search_term")
                for name in INDEXES:
                    cursor.execute(f"DROP INDEX {name}")
                cursor.execute(_REFRESH)
                for definition in INDEXES.values():
                    cursor.execute(definition)
                cursor.execute("ANALYZE search_document, search_term")
                return
            ids = list(question_ids)
            cursor.execute("DELETE FROM search_document WHERE question_id = ANY(%s)", [ids])
            # New words join the vocabulary; counts are exact after a full refresh, approximate between.
            cursor.execute(_REFRESH.replace("/*only*/", "AND q.id = ANY(%s)"), [ids])

    def indexed_count(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM search_document")
            row = cursor.fetchone()
        return int(row[0]) if row else 0

    def candidates(self, words: Sequence[str]) -> dict[str, list[tuple[str, int]]]:
        found: dict[str, list[tuple[str, int]]] = {word: [] for word in words}
        with connection.cursor() as cursor:
            # The nearest words by trigrams (a GiST index walk): the word itself first when it is known.
            cursor.execute(
                f"""
                SELECT input.word, candidate.word, candidate.documents
                FROM unnest(%s::text[]) AS input(word)
                CROSS JOIN LATERAL (
                    SELECT t.word, t.documents FROM search_term t
                    ORDER BY t.word <-> input.word LIMIT {CANDIDATES_PER_WORD}
                ) candidate
                """,  # noqa: S608 - constants and placeholders only
                [list(words)],
            )
            for word, candidate, documents in cursor.fetchall():
                found[word].append((candidate, documents))
        return found

    def facets(self, query: ParsedQuery, filters: Filters, *, any_term: bool = False) -> FacetRows:
        match, params = tsquery_sql(query, any_term=any_term)
        return self._facets(f"d.vector @@ {match}", params, filters)

    def page(
        self, query: ParsedQuery, filters: Filters, *, any_term: bool = False, limit: int, offset: int
    ) -> list[Hit]:
        cte, cte_params, cheap, score = _query_cte(query, any_term)
        match, params = tsquery_sql(query, any_term=any_term)
        return self._page(
            cte=cte,
            cte_params=cte_params,
            cheap=cheap,
            score=score,
            condition=f"d.vector @@ {match}",
            condition_params=params,
            filters=filters,
            limit=limit,
            offset=offset,
        )

    def similar_prompt_facets(self, query: ParsedQuery, filters: Filters) -> FacetRows | None:
        return self._facets("%s <%% d.prompt", [_similar_words(query)], filters)

    def similar_prompt_page(
        self, query: ParsedQuery, filters: Filters, *, limit: int, offset: int
    ) -> list[Hit]:
        words = _similar_words(query)
        return self._page(
            cte=f"query AS MATERIALIZED (SELECT %s::text AS words, {_WEBSEARCH} AS highlight)",
            cte_params=[words, highlight_text(query)],
            cheap="word_similarity(query.words, d.prompt)",
            score="word_similarity(query.words, d.prompt)",
            condition="%s <%% d.prompt",
            condition_params=[words],
            filters=filters,
            limit=limit,
            offset=offset,
        )

    @staticmethod
    def _facets(condition: str, condition_params: list[Any], filters: Filters) -> FacetRows:
        conditions, params = filter_sql(filters)
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                SELECT t.slug, q.difficulty, count(*)
                FROM search_document d
                JOIN {QUESTION} q ON q.id = d.question_id
                JOIN {TOPIC} t ON t.id = q.topic_id
                WHERE {condition} AND {conditions}
                GROUP BY t.slug, q.difficulty
                """,  # noqa: S608 - constants and placeholders only
                [*condition_params, *params],
            )
            return [(slug, difficulty, int(count)) for slug, difficulty, count in cursor.fetchall()]

    @staticmethod
    def _page(
        *,
        cte: str,
        cte_params: list[Any],
        cheap: str,
        score: str,
        condition: str,
        condition_params: list[Any],
        filters: Filters,
        limit: int,
        offset: int,
    ) -> list[Hit]:
        conditions, params = filter_sql(filters)
        with connection.cursor() as cursor:
            # The condition is written out (not taken from the query CTE) so the planner sees an
            # indexable one. The cheap score picks the candidates, the full score (which reads each whole
            # vector) ranks them and the page is cut; snippets are made for the page's rows only.
            cursor.execute(
                f"""
                WITH {cte},
                candidates AS (
                    SELECT d.question_id AS id
                    FROM query, search_document d JOIN {QUESTION} q ON q.id = d.question_id
                    WHERE {condition} AND {conditions}
                    ORDER BY {cheap} DESC, d.question_id
                    LIMIT %s
                ),
                page AS (
                    SELECT d.question_id AS id, {score} AS score
                    FROM query, candidates JOIN search_document d ON d.question_id = candidates.id
                    ORDER BY score DESC, d.question_id
                    LIMIT %s OFFSET %s
                )
                SELECT page.id, q.key, q.prompt, t.slug, q.difficulty, page.score,
                    ts_headline('english', {SNIPPET_TEXT}, query.highlight, %s)
                FROM query, page
                JOIN {QUESTION} q ON q.id = page.id
                JOIN {TOPIC} t ON t.id = q.topic_id
                ORDER BY page.score DESC, page.id
                """,  # noqa: S608 - constants and placeholders only
                [
                    *cte_params,
                    *condition_params,
                    *params,
                    max(RANKED_CANDIDATES, offset + limit),
                    limit,
                    offset,
                    HEADLINE_OPTIONS,
                ],
            )
            return [
                Hit(
                    id=row[0],
                    key=row[1],
                    prompt=row[2],
                    topic=row[3],
                    difficulty=row[4],
                    score=round(float(row[5]), 4),
                    snippet=snippet_html(row[6]),
                )
                for row in cursor.fetchall()
            ]
