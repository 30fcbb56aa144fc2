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
prompt alone matches the whole query and, when any term is enough, a bonus for the share of terms matched.
Snippets are cut in Python from the page's texts (``search.query.snippet_marked``): ``ts_headline`` parsed
the whole text of each of the 20 rows again, 0.3-0.4 ms a row.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection, transaction

from prepdeck.catalog.models import CodeExample
from prepdeck.search.backends import (
    COUNTED_MATCHES,
    ENOUGH_BETTER_CANDIDATES,
    QUESTION,
    QUESTION_TAGS,
    RANKED_PER_TIER,
    TAG,
    TOPIC,
    Counted,
    Filters,
    Hit,
    filter_sql,
)
from prepdeck.search.query import (
    EDIT_LETTERS,
    MAX_COVERAGE_GROUPS,
    ONE_EDIT_LETTERS,
    SNIPPET_SOURCE_CHARS,
    ParsedQuery,
    Term,
    choose_correction,
    highlight_terms,
    snippet_html,
    snippet_marked,
    snippet_source,
)

CODE = CodeExample._meta.db_table
FIELD_LIMIT = 100_000  # characters of one field that are indexed (a tsvector must stay under 1 MB)
WEIGHTS = "'{0.05, 0.1, 0.4, 1.0}'::real[]"  # D (code), C (explanation), B (answer), A (prompt)
NORMALIZATION = 1  # divide by 1 + log(document length): long explanations do not win by size alone
PROMPT_BONUS = 1.0
PROMPT_COVERAGE_BONUS = 1.0
COVERAGE_BONUS = 2.0
CANDIDATES_PER_WORD = 10
# The trigram similarity a two-edit typo of a longer word keeps with its word in 19 cases of 20 (0.3,
# pg_trgm's default, kept about two in three; measured on the bank's words of six letters or more).
TWO_EDIT_SIMILARITY = 0.15
# A vocabulary word equal to {word}, by the primary key's b-tree. Written as a range because pg_trgm's
# indexes also serve "=", and the planner picked the GiST index for it: a millisecond a probe instead of
# microseconds (hundreds of probes for a misspelled word).
EXACT = "ON t.word >= {word} AND t.word <= {word}"
# Every spelling one edit away from {word} (at least three letters, not the word itself): the rows of
# ``search.query.edit_variants`` (swaps of neighbours, deletions, replacements, insertions), in SQL. The
# positions come from a constant series (words have at most MAX_WORD_LETTERS letters), so the planner
# estimates a few hundred rows: with "generate_series(0, length(word))" it guessed thousands a position,
# the statement's cost crossed jit_above_cost and JIT compiling took 450 ms.
MAX_WORD_LETTERS = 40
EDIT_VARIANTS = """
    SELECT spelling FROM (
        SELECT left({word}, i) || substr({word}, i + 2, 1) || substr({word}, i + 1, 1) || substr({word}, i + 3)
        FROM generate_series(0, MAX) AS i WHERE i <= length({word}) - 2
        UNION
        SELECT left({word}, i) || substr({word}, i + 2) FROM generate_series(0, MAX) AS i
        WHERE i <= length({word}) - 1
        UNION
        SELECT left({word}, i) || letter || substr({word}, i + 2)
        FROM generate_series(0, MAX) AS i, unnest(string_to_array('LETTERS', NULL)) AS letter
        WHERE i <= length({word}) - 1
        UNION
        SELECT left({word}, i) || letter || substr({word}, i + 1)
        FROM generate_series(0, MAX) AS i, unnest(string_to_array('LETTERS', NULL)) AS letter
        WHERE i <= length({word})
    ) AS variants(spelling)
    WHERE spelling <> {word} AND length(spelling) >= 3
""".replace("LETTERS", EDIT_LETTERS).replace("MAX", str(MAX_WORD_LETTERS))
# The secondary indexes, as the migration creates them (a full refresh drops and rebuilds them).
INDEXES = {
    "search_document_vector": "CREATE INDEX search_document_vector ON search_document USING gin (vector)",
    "search_document_prompt_vector": (
        "CREATE INDEX search_document_prompt_vector ON search_document USING gin (prompt_vector)"
    ),
    "search_document_prompt_trigram": (
        "CREATE INDEX search_document_prompt_trigram ON search_document USING gin (prompt gin_trgm_ops)"
    ),
    "search_term_word_trigram": (
        "CREATE INDEX search_term_word_trigram ON search_term USING gin (word gin_trgm_ops)"
    ),
}


def _json_text(column: str) -> str:
    """The strings of a JSON list column, one a line (anything but a list gives nothing)."""
    return (
        f"(SELECT string_agg(value, E'\\n') FROM jsonb_array_elements_text(CASE WHEN "  # noqa: S608 - constants and placeholders only
        f"jsonb_typeof({column}) = 'array' THEN {column} ELSE '[]'::jsonb END) AS value)"
    )


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


def _similar_words(query: ParsedQuery) -> str:
    return " ".join(word for term in query.terms() if not term.expansion for word in term.words)


def _groups(query: ParsedQuery) -> tuple[tuple[Term, ...], ...]:
    return query.groups[:MAX_COVERAGE_GROUPS]


def _query_cte(query: ParsedQuery, any_term: bool, weights: Sequence[float]) -> tuple[str, list[Any], str]:
    """A one-row ``query`` CTE holding the tsqueries a search uses (parsed once, not once a row), its
    parameters, and the score over it and ``d``."""
    match, params = tsquery_sql(query, any_term=any_term)
    strict, strict_params = tsquery_sql(query, excluding=False)
    groups = _groups(query)
    columns = [f"{match} AS match", f"{strict} AS strict"]
    columns.extend(f"{_WEBSEARCH} AS group{index}" for index in range(len(groups)))
    params = [*params, *strict_params, *(_any_of(group) for group in groups)]
    score = (
        f"ts_rank_cd({WEIGHTS}, d.vector, query.match, {NORMALIZATION}) "
        f"+ {PROMPT_BONUS} * (d.prompt_vector @@ query.strict)::int"
    )

    def share(column: str, group_weights: Sequence[float]) -> str:
        matched = " + ".join(
            f"{weight!r} * ({column} @@ query.group{index})::int"
            for index, weight in enumerate(group_weights)
        )
        return f"({matched}) / {sum(group_weights)!r}"

    if len(groups) > 1:
        group_weights = list(weights)[: len(groups)] if len(weights) >= len(groups) else [1.0] * len(groups)
        score += f" + {PROMPT_COVERAGE_BONUS} * {share('d.prompt_vector', group_weights)}"
        if any_term:
            score += f" + {COVERAGE_BONUS} * {share('d.vector', [1.0] * len(groups))}"
    return f"query AS MATERIALIZED (SELECT {', '.join(columns)})", params, score


Tier = tuple[str, list[Any]]


def _tiers(query: ParsedQuery, any_term: bool) -> list[Tier]:
    """Where a page's candidates come from, best first, each condition served by a GIN index (written
    out, not taken from the query CTE, so the planner sees an indexable condition)."""
    match, match_params = tsquery_sql(query, any_term=any_term)
    strict, strict_params = tsquery_sql(query, excluding=False)
    # Prompt conditions leave out the exclusions; the vector carries them (and holds the prompt too).
    also = f" AND d.vector @@ {match}" if query.excluded else ""
    also_params = match_params if query.excluded else []
    tiers = [(f"d.prompt_vector @@ {strict}{also}", [*strict_params, *also_params])]
    if any_term:
        any_prompt, any_params = tsquery_sql(query, any_term=True, excluding=False)
        tiers.append((f"d.vector @@ {strict}{also}", [*strict_params, *also_params]))
        tiers.append((f"d.prompt_vector @@ {any_prompt}{also}", [*any_params, *also_params]))
    tiers.append((f"d.vector @@ {match}", match_params))
    return tiers


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

    def candidates(
        self, words: Sequence[str], *, exact: Sequence[str] = ()
    ) -> dict[str, list[tuple[str, int]]]:
        found: dict[str, list[tuple[str, int]]] = {word: [] for word in [*words, *exact]}
        with connection.cursor() as cursor:
            # A known word is its own candidate (nothing else is read for it). For an unknown word, the
            # vocabulary's words one edit away (EDIT_VARIANTS: made here, for the unknown words only, where
            # sending every word's variants cost 2-3 ms a search; then primary-key probes); only when there are none and the
            # word may be corrected by two edits (longer than ONE_EDIT_LETTERS), the nearest of the words
            # similar to it by trigrams ("%": pg_trgm.similarity_threshold, 0.3 by default), served by the
            # GIN trigram index in under a millisecond (the GiST walk of "ORDER BY <->" alone took 6-40 ms
            # at 100,000 questions).
            cursor.execute(
                f"""
                WITH input AS MATERIALIZED (
                    SELECT DISTINCT word FROM unnest(string_to_array(%s, ' ')) AS input(word)
                ),
                known AS MATERIALIZED (
                    SELECT input.word, t.documents FROM input JOIN search_term t {EXACT.format(word="input.word")}
                ),
                unknown AS MATERIALIZED (
                    SELECT word FROM input WHERE word NOT IN (SELECT word FROM known)
                        AND word <> ALL(string_to_array(%s, ' '))
                ),
                near AS MATERIALIZED (
                    SELECT unknown.word, t.word AS candidate, t.documents
                    FROM unknown
                    CROSS JOIN LATERAL ({EDIT_VARIANTS.format(word="unknown.word")}) AS variant(spelling)
                    CROSS JOIN LATERAL (
                        SELECT t.word, t.documents FROM search_term t
                        WHERE t.word >= variant.spelling AND t.word <= variant.spelling LIMIT 1
                    ) t
                )
                SELECT word, word, documents FROM known
                UNION ALL
                SELECT word, candidate, documents FROM near
                UNION ALL
                SELECT unknown.word, candidate.word, candidate.documents
                FROM unknown
                CROSS JOIN LATERAL (
                    SELECT t.word, t.documents FROM search_term t
                    WHERE t.word %% unknown.word
                    ORDER BY t.word <-> unknown.word LIMIT {CANDIDATES_PER_WORD}
                ) candidate
                WHERE unknown.word NOT IN (SELECT word FROM near) AND length(unknown.word) > {ONE_EDIT_LETTERS}
                """,  # noqa: S608 - constants and placeholders only
                # Lists as space-separated text (words never hold a space): psycopg dumps a list item by
                # item in Python, a string at once.
                [" ".join([*words, *exact]), " ".join(exact)],
            )
            for word, candidate, documents in cursor.fetchall():
                if (candidate, documents) not in found[word]:
                    found[word].append((candidate, documents))
        # "%" at its default threshold (0.3) misses about a third of two-edit typos of longer words
        # ("lamdab" is 0.27 from "lambda", while "lam" is 0.375); only for an unknown word none of whose
        # candidates is close enough to correct it, ask again with a lower threshold, still served by the
        # GIN index (a scan by "<->" alone reads every word: ~95 ms at 100,000 questions).
        missing = [
            word
            for word in words
            if len(word) > ONE_EDIT_LETTERS
            and all(candidate != word for candidate, _ in found[word])
            and choose_correction(word, found[word]) is None
        ]
        if missing:
            with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
                cursor.execute(
                    "SELECT set_config('pg_trgm.similarity_threshold', %s, true)", [str(TWO_EDIT_SIMILARITY)]
                )
                cursor.execute(
                    f"""
                    SELECT unknown.word, candidate.word, candidate.documents
                    FROM unnest(%s::text[]) AS unknown(word)
                    CROSS JOIN LATERAL (
                        SELECT t.word, t.documents FROM search_term t
                        WHERE t.word %% unknown.word
                        ORDER BY t.word <-> unknown.word LIMIT {CANDIDATES_PER_WORD}
                    ) candidate
                    """,  # noqa: S608 - constants and placeholders only
                    [missing],
                )
                for word, candidate, documents in cursor.fetchall():
                    if (candidate, documents) not in found[word]:
                        found[word].append((candidate, documents))
        return found

    def facets(self, query: ParsedQuery, filters: Filters, *, any_term: bool = False) -> Counted:
        match, params = tsquery_sql(query, any_term=any_term)
        return self._facets(f"d.vector @@ {match}", params, filters)

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
        cte, cte_params, score = _query_cte(query, any_term, weights)
        return self._page(
            query,
            cte=cte,
            cte_params=cte_params,
            score=score,
            tiers=_tiers(query, any_term),
            filters=filters,
            limit=limit,
            offset=offset,
        )

    def similar_prompt_facets(self, query: ParsedQuery, filters: Filters) -> Counted | None:
        # "<%": word similarity above pg_trgm.word_similarity_threshold, served by the prompt's trigram
        # index; counted up to COUNTED_MATCHES like any search.
        return self._facets("%s <%% d.prompt", [_similar_words(query)], filters)

    def similar_prompt_page(
        self, query: ParsedQuery, filters: Filters, *, limit: int, offset: int
    ) -> list[Hit]:
        words = _similar_words(query)
        return self._page(
            query,
            cte="query AS MATERIALIZED (SELECT %s::text AS words)",
            cte_params=[words],
            score="word_similarity(query.words, d.prompt)",
            tiers=[("%s <%% d.prompt", [words])],
            filters=filters,
            limit=limit,
            offset=offset,
        )

    @staticmethod
    def _facets(condition: str, condition_params: list[Any], filters: Filters) -> Counted:
        conditions, params = filter_sql(filters)
        with connection.cursor() as cursor:
            # One row past the counted ones tells whether more match; the rest are never read.
            # "random() >= 0" (always true, parallel restricted) keeps the scan in this process: the
            # planner chose two parallel workers for the 1,001 rows, whose start cost more than they saved
            # (a common query's count 22-29 ms with them, 11-14 ms without, at 100,000 questions on 2 cores).
            cursor.execute(
                f"""
                SELECT t.slug, counted.difficulty, count(*) FILTER (WHERE counted.number <= %s),
                    bool_or(counted.number > %s)
                FROM (
                    SELECT q.topic_id, q.difficulty, row_number() OVER () AS number
                    FROM (
                        SELECT q.topic_id, q.difficulty
                        FROM search_document d JOIN {QUESTION} q ON q.id = d.question_id
                        WHERE {condition} AND {conditions} AND random() >= 0
                        LIMIT %s
                    ) q
                ) counted
                JOIN {TOPIC} t ON t.id = counted.topic_id
                GROUP BY t.slug, counted.difficulty
                """,  # noqa: S608 - constants and placeholders only
                [COUNTED_MATCHES, COUNTED_MATCHES, *condition_params, *params, COUNTED_MATCHES + 1],
            )
            found = cursor.fetchall()
        return Counted(
            rows=[(slug, difficulty, int(count)) for slug, difficulty, count, _ in found if count],
            more=any(more for *_, more in found),
        )

    @staticmethod
    def _page(
        query: ParsedQuery,
        *,
        cte: str,
        cte_params: list[Any],
        score: str,
        tiers: list[Tier],
        filters: Filters,
        limit: int,
        offset: int,
    ) -> list[Hit]:
        conditions, params = filter_sql(filters)
        per_tier = max(RANKED_PER_TIER, offset + limit)
        enough = max(ENOUGH_BETTER_CANDIDATES, offset + limit)
        selects, tier_params = [], []
        for condition, condition_params in tiers[:-1]:
            selects.append(
                f"(SELECT d.question_id AS id FROM search_document d JOIN {QUESTION} q ON q.id = d.question_id "  # noqa: S608 - constants and placeholders only
                f"WHERE {condition} AND {conditions} LIMIT %s)"
            )
            tier_params.extend([*condition_params, *params, per_tier])
        # The last tier (any match) is read only when the better tiers together found fewer than
        # ENOUGH_BETTER_CANDIDATES (see there). The condition on the "better" CTE is a one-time filter:
        # when it is false the scan never starts.
        last, last_params = tiers[-1]
        last_select = (
            f"SELECT d.question_id AS id FROM search_document d JOIN {QUESTION} q ON q.id = d.question_id "  # noqa: S608 - constants and placeholders only
            f"WHERE (SELECT count(*) FROM better) < %s AND {last} AND {conditions} LIMIT %s"
        )
        better = " UNION ".join(selects) or "SELECT question_id AS id FROM search_document WHERE false"
        with connection.cursor() as cursor:
            # Each tier is a bounded index scan; only their union is ranked by the full score (which
            # reads each whole vector), the page is cut, and snippets are cut from the page's rows only.
            cursor.execute(
                f"""
                WITH {cte},
                better AS MATERIALIZED ({better}),
                candidates AS (SELECT id FROM better UNION ({last_select})),
                page AS (
                    SELECT d.question_id AS id, {score} AS score
                    FROM query, candidates JOIN search_document d ON d.question_id = candidates.id
                    ORDER BY score DESC, d.question_id
                    LIMIT %s OFFSET %s
                )
                SELECT page.id, q.key, q.prompt, t.slug, q.difficulty, page.score, q.short_answer,
                    q.key_points, left(q.explanation, {SNIPPET_SOURCE_CHARS})
                FROM page
                JOIN {QUESTION} q ON q.id = page.id
                JOIN {TOPIC} t ON t.id = q.topic_id
                ORDER BY page.score DESC, page.id
                """,  # noqa: S608 - constants and placeholders only
                [
                    *cte_params,
                    *tier_params,
                    enough,
                    *last_params,
                    *params,
                    per_tier,
                    limit,
                    offset,
                ],
            )
            marked = highlight_terms(query)
            return [
                Hit(
                    id=row[0],
                    key=row[1],
                    prompt=row[2],
                    topic=row[3],
                    difficulty=row[4],
                    score=round(float(row[5]), 4),
                    snippet=snippet_html(snippet_marked(snippet_source(row[6], row[7], row[8]), marked)),
                )
                for row in cursor.fetchall()
            ]
