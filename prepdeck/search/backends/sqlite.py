"""Full-text search on SQLite: an FTS5 table with ``bm25`` ranking; snippets are cut in Python
(``search.query.snippet_marked``).

Tables (migration ``search.0001_initial``): ``search_document``, FTS5 with the columns ``prompt``,
``answer`` (short answer, key points), ``explanation`` (with the common mistakes), ``code``, ``identifiers``
(the joined forms of the identifiers in all of them, see ``search.query``) and ``keywords`` (tags and the
words of the key; not shown in snippets), rowid = question id, tokenizer
``porter unicode61 remove_diacritics 2``; ``search_prompt`` (``search.0004_search_prompt``), the prompts
alone in a contentless FTS5 table with the same tokenizer, for the prompt tiers and bonuses;
``search_term (word, documents)``, the vocabulary, and ``search_term_trigram``, an FTS5 trigram index over
it for spelling suggestions.

The rows are written by the service layer (``refresh``): the question texts are read in one statement and
streamed into FTS5, so Python prepares the identifier column exactly as the query side expects it.
Queries are rendered from the parsed query with every term quoted, so user text never reaches ``MATCH``
as syntax.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from django.db import connection

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
    MAX_COVERAGE_GROUPS,
    ONE_EDIT_LETTERS,
    SNIPPET_SOURCE_CHARS,
    ParsedQuery,
    Term,
    as_sentence,
    edit_variants,
    highlight_terms,
    identifier_words,
    snippet_html,
    snippet_marked,
    snippet_source,
    vocabulary_words,
)

CODE = CodeExample._meta.db_table
# bm25 column weights: prompt, answer, explanation, code, identifiers, keywords.
BM25 = "bm25(search_document, 10.0, 4.0, 1.5, 0.5, 1.0, 4.0)"
PROMPT_BONUS = 5.0
PROMPT_COVERAGE_BONUS = 5.0
COVERAGE_BONUS = 10.0
CANDIDATES_PER_WORD = 20

_SOURCE = f"""
    SELECT q.id, q.key, q.prompt, q.short_answer, q.key_points, q.explanation, q.common_mistakes,
        (SELECT group_concat(tg.slug, ' ') FROM {QUESTION_TAGS} qt JOIN {TAG} tg ON tg.id = qt.tag_id
         WHERE qt.question_id = q.id),
        (SELECT group_concat(text, char(10)) FROM (
            SELECT c.caption || char(10) || c.code AS text FROM {CODE} c WHERE c.question_id = q.id
            ORDER BY c."order", c.id))
    FROM {QUESTION} q
    WHERE q.deleted_at IS NULL
"""  # noqa: S608 - constants and placeholders only


def _quoted(words: Sequence[str]) -> str:
    """An FTS5 string (a phrase when it holds several words); quotes are doubled, so it is always one."""
    text = " ".join(words).replace('"', '""')
    return f'"{text}"'


def _fts(term: Term) -> str:
    if term.identifier:
        # The joined form selects exactly the identifier; the phrase of its words ranks where it occurs.
        return f"(identifiers : {_quoted([term.joined])} AND {_quoted(term.words)})"
    return _quoted(term.words)


def _group(terms: Sequence[Term], render: Callable[[Term], str] = _fts) -> str:
    return "(" + " OR ".join(render(term) for term in terms) + ")"


def match_text(query: ParsedQuery, *, any_term: bool = False) -> str:
    """The query in FTS5 syntax: groups ANDed (ORed when ``any_term``), a group's terms ORed, excluded
    terms NOT-ed."""
    groups = [query.terms()] if any_term else query.groups
    positive = " AND ".join(_group(group) for group in groups)
    if query.excluded:
        return f"({positive}) NOT {_group(query.excluded)}"
    return positive


def _phrase(term: Term) -> str:
    return _quoted(term.words)


def prompt_text(query: ParsedQuery, *, any_term: bool = False) -> str:
    """The whole query (any of its terms with ``any_term``) as a query of the prompt alone (identifiers as
    their words): for ``search_prompt``, or ``search_document``'s prompt column."""
    groups = [query.terms()] if any_term else query.groups
    return "(" + (" OR " if any_term else " AND ").join(_group(group, _phrase) for group in groups) + ")"


def prompt_match_text(query: ParsedQuery, *, any_term: bool = False, excluding: bool = False) -> str:
    """The whole query (any of its terms with ``any_term``), in the prompt column only (identifiers as
    their words); with ``excluding``, no excluded term anywhere."""
    text = "prompt : " + prompt_text(query, any_term=any_term)
    if excluding and query.excluded:
        return f"({text}) NOT {_group(query.excluded)}"
    return text


# Whether a question matches an FTS5 query (the parameter), looked up for the page's candidates only.
# "+rowid" keeps the candidate list out of FTS5's planning: given "rowid IN (...)" it runs the whole
# MATCH once per candidate (1.3 s instead of 50 ms for "get_object_or_404" at 100,000 questions).
# The range of the candidates' rowids, which FTS5 does take as a constraint, bounds the part of each doclist
# that is read: the candidates are the first matches of their tiers in rowid order, so for a common word a
# few hundred rows instead of all 85,697 of "django" at 100,000 questions.
_AMONG_CANDIDATES = (
    "BETWEEN (SELECT min(id) FROM candidates) AND (SELECT max(id) FROM candidates) "
    "AND +{table}.rowid IN (SELECT id FROM candidates)"
)
_MATCHES_AMONG_CANDIDATES = (
    "(search_document.rowid IN (SELECT rowid FROM search_document AS other "
    "WHERE other.search_document MATCH %s AND other.rowid BETWEEN (SELECT min(id) FROM candidates) AND "
    "(SELECT max(id) FROM candidates) AND +other.rowid IN (SELECT id FROM candidates)))"
)
# The same for a query of the prompt alone, read from search_prompt: its doclists hold the prompts'
# positions only (a prompt bonus over search_document read every column's positions of every question
# holding the word, about 1 ms a term at 100,000 questions; keeping only the candidates' rows also keeps the
# list the IN builds small).
_PROMPT_MATCHES_AMONG_CANDIDATES = (
    "(search_document.rowid IN (SELECT rowid FROM search_prompt "
    "WHERE search_prompt MATCH %s AND rowid BETWEEN (SELECT min(id) FROM candidates) AND "
    "(SELECT max(id) FROM candidates) AND +rowid IN (SELECT id FROM candidates)))"
)


def _unless_first(lookup: str) -> str:
    """``lookup`` (a question's match, 0 or 1) for questions outside the first tier, 1 for those in it
    (CASE evaluates, and so builds, the lookup's list only when a question needs it)."""
    return f"(CASE WHEN search_document.rowid IN (SELECT id FROM first) THEN 1 ELSE {lookup} END)"  # noqa: S608 - constants only


def _whole_prompt_bonus(query: ParsedQuery, *, any_term: bool) -> tuple[str, list[Any]]:
    """The bonus of a candidate whose prompt holds the whole query, and its parameters. Without
    ``any_term`` the first tier holds every candidate whose prompt does: the last tier is read only when the
    first one ended before its LIMIT (it found fewer than ENOUGH_BETTER_CANDIDATES, at most
    RANKED_PER_TIER), so the bonus is membership of it, with no lookup."""
    if any_term:
        return f"{PROMPT_BONUS} * {_unless_first(_PROMPT_MATCHES_AMONG_CANDIDATES)}", [prompt_text(query)]
    return f"{PROMPT_BONUS} * (search_document.rowid IN (SELECT id FROM first))", []  # noqa: S608 - constants only


def _trigrams(word: str) -> str:
    grams = sorted({word[index : index + 3] for index in range(len(word) - 2)})
    return " OR ".join(_quoted([gram]) for gram in grams)


def _json_lines(raw: Any, *, sentences: bool = False) -> str:
    """The strings of a JSON list column, one a line (anything but a list gives nothing); with
    ``sentences``, each ending with punctuation (see ``as_sentence``)."""
    try:
        points = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        return ""
    if not isinstance(points, list):
        return ""
    lines = (point if isinstance(point, str) else json.dumps(point) for point in points)
    return "\n".join(as_sentence(line) if sentences else line for line in lines)


# "AS MATERIALIZED" (evaluate the better tiers once) is SQLite 3.35+; older ones (3.34's FTS5 trigram
# tokenizer is the floor) get the same result from a plain CTE.
_MATERIALIZED = "MATERIALIZED " if sqlite3.sqlite_version_info >= (3, 35) else ""


class SqliteBackend:
    def refresh(self, question_ids: Sequence[int] | None) -> None:
        ids = None if question_ids is None else json.dumps(list(question_ids))
        vocabulary: Counter[str] = Counter()

        def rows(source: Any) -> Iterator[tuple[Any, ...]]:
            for pk, key, prompt, short_answer, key_points, explanation, mistakes, tags, code in source:
                answer = "\n".join(
                    part
                    for part in (as_sentence(short_answer), _json_lines(key_points, sentences=True))
                    if part
                )
                explanation = "\n".join(part for part in (explanation, _json_lines(mistakes)) if part)
                code = code or ""
                keywords = f"{tags or ''} {key.replace('-', ' ')}"
                vocabulary.update(vocabulary_words(f"{prompt}\n{answer}\n{keywords}"))
                identifiers = identifier_words(f"{prompt}\n{answer}\n{explanation}\n{code}")
                yield pk, prompt, answer, explanation, code, identifiers, keywords

        with connection.cursor() as reader, connection.cursor() as writer:
            if ids is None:
                writer.execute("INSERT INTO search_prompt (search_prompt) VALUES ('delete-all')")
                writer.execute("DELETE FROM search_document")
                reader.execute(_SOURCE)
            else:
                # A contentless table forgets a row given the values it indexed: search_document's prompt.
                writer.execute(
                    "INSERT INTO search_prompt (search_prompt, rowid, prompt) SELECT 'delete', rowid, prompt "
                    "FROM search_document WHERE rowid IN (SELECT value FROM json_each(%s))",
                    [ids],
                )
                writer.execute(
                    "DELETE FROM search_document WHERE rowid IN (SELECT value FROM json_each(%s))", [ids]
                )
                reader.execute(_SOURCE + " AND q.id IN (SELECT value FROM json_each(%s))", [ids])  # noqa: S608 - constants and placeholders only
            # Streamed from the reading cursor (memory stays flat at any size), through the driver's cursor:
            # Django's debug wrapper would take len() of the generator.
            raw: Any = writer.cursor
            raw.executemany(
                "INSERT INTO search_document (rowid, prompt, answer, explanation, code, identifiers, keywords) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s)",
                rows(reader),
            )
            if ids is None:
                writer.execute(
                    "INSERT INTO search_prompt (rowid, prompt) SELECT rowid, prompt FROM search_document"
                )
            else:
                writer.execute(
                    "INSERT INTO search_prompt (rowid, prompt) SELECT rowid, prompt FROM search_document "
                    "WHERE rowid IN (SELECT value FROM json_each(%s))",
                    [ids],
                )
            terms = sorted(vocabulary.items())
            if ids is None:
                # One merged b-tree instead of the segments a bulk insert leaves: faster searches, and the
                # next small writes do not set off a large merge.
                writer.execute("INSERT INTO search_document (search_document) VALUES ('optimize')")
                writer.execute("INSERT INTO search_prompt (search_prompt) VALUES ('optimize')")
                # The trigram index reads the vocabulary table: empty it first, rebuild it after.
                writer.execute("INSERT INTO search_term_trigram (search_term_trigram) VALUES ('delete-all')")
                writer.execute("DELETE FROM search_term")
                writer.executemany("INSERT INTO search_term (word, documents) VALUES (%s, %s)", terms)
                writer.execute("INSERT INTO search_term_trigram (search_term_trigram) VALUES ('rebuild')")
                writer.execute("INSERT INTO search_term_trigram (search_term_trigram) VALUES ('optimize')")
                return
            # New words join the vocabulary; counts are exact after a full refresh, approximate between.
            writer.execute("SELECT coalesce(max(rowid), 0) FROM search_term")
            last = writer.fetchone()[0]
            writer.executemany("INSERT OR IGNORE INTO search_term (word, documents) VALUES (%s, %s)", terms)
            if writer.rowcount <= 0:
                return  # no new word: the trigram index is not even opened for writing
            writer.execute(
                "INSERT INTO search_term_trigram (rowid, word) SELECT rowid, word FROM search_term WHERE rowid > %s",
                [last],
            )

    def indexed_count(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM search_document")
            row = cursor.fetchone()
        return int(row[0]) if row else 0

    def candidates(
        self, words: Sequence[str], *, exact: Sequence[str] = ()
    ) -> dict[str, list[tuple[str, int]]]:
        looked_up = [*words, *exact]
        found: dict[str, list[tuple[str, int]]] = {word: [] for word in looked_up}
        with connection.cursor() as cursor:
            # A known word is its own candidate, and nothing else is read for it: the common case is this
            # one statement (SQLite runs in this process, so a second statement costs no round trip,
            # and evaluating the variants and the trigram search for every word cost 60 ms a query).
            cursor.execute(
                f"SELECT word, documents FROM search_term WHERE word IN ({', '.join(['%s'] * len(looked_up))})",  # noqa: S608 - constants and placeholders only
                looked_up,
            )
            for word, documents in cursor.fetchall():
                found[word].append((word, documents))
            unknown = [word for word in words if not found[word]]
            if not unknown:
                return found
            # For an unknown word, the vocabulary's words one edit away (primary-key probes); only when
            # there are none and the word may be corrected by two edits (longer than ONE_EDIT_LETTERS), the
            # words sharing the most trigrams (a search of the trigram index).
            parts, params = [], []
            variants = {word: json.dumps(edit_variants(word)) for word in unknown}
            for word in unknown:
                parts.append(
                    "SELECT %s, search_term.word, search_term.documents FROM json_each(%s) AS variant "
                    "JOIN search_term ON search_term.word = variant.value"
                )
                params.extend([word, variants[word]])
            for word in (word for word in unknown if len(word) > ONE_EDIT_LETTERS):
                parts.append(
                    "SELECT * FROM (SELECT %s, search_term.word, search_term.documents FROM search_term_trigram "  # noqa: S608 - constants and placeholders only
                    "JOIN search_term ON search_term.rowid = search_term_trigram.rowid "
                    "WHERE search_term_trigram MATCH %s AND NOT EXISTS (SELECT 1 FROM json_each(%s) "
                    "AS variant JOIN search_term AS near ON near.word = variant.value) "
                    f"ORDER BY search_term_trigram.rank LIMIT {CANDIDATES_PER_WORD})"
                )
                params.extend([word, _trigrams(word), variants[word]])
            cursor.execute(" UNION ALL ".join(parts), params)
            for word, candidate, documents in cursor.fetchall():
                if (candidate, documents) not in found[word]:
                    found[word].append((candidate, documents))
        return found

    def facets(self, query: ParsedQuery, filters: Filters, *, any_term: bool = False) -> Counted:
        conditions, params = filter_sql(filters)
        with connection.cursor() as cursor:
            # One row past the counted ones tells whether more match; the rest are never read.
            cursor.execute(
                f"""
                SELECT t.slug, counted.difficulty, sum(counted.number <= %s), max(counted.number > %s)
                FROM (
                    SELECT matched.topic_id, matched.difficulty, row_number() OVER () AS number
                    FROM (
                        SELECT q.topic_id, q.difficulty
                        FROM search_document JOIN {QUESTION} q ON q.id = search_document.rowid
                        WHERE search_document MATCH %s AND {conditions}
                        LIMIT %s
                    ) matched
                ) counted
                JOIN {TOPIC} t ON t.id = counted.topic_id
                GROUP BY t.slug, counted.difficulty
                """,  # noqa: S608 - constants and placeholders only
                [
                    COUNTED_MATCHES,
                    COUNTED_MATCHES,
                    match_text(query, any_term=any_term),
                    *params,
                    COUNTED_MATCHES + 1,
                ],
            )
            found = cursor.fetchall()
        return Counted(
            rows=[(slug, difficulty, int(count)) for slug, difficulty, count, _ in found if count],
            more=any(more for *_, more in found),
        )

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
        conditions, params = filter_sql(filters)
        match = match_text(query, any_term=any_term)
        # Candidates: bounded tiers, best first (see Backend.page); only they are ranked. A tier of prompt
        # matches reads search_prompt (the prompts alone: short doclists) unless the query excludes a
        # term, which must then match nowhere in the question.
        prompt_table = not query.excluded
        tiers = [
            (prompt_table, prompt_text(query) if prompt_table else prompt_match_text(query, excluding=True))
        ]
        if any_term:
            tiers.append((False, match_text(query)))
            tiers.append(
                (
                    prompt_table,
                    prompt_text(query, any_term=True)
                    if prompt_table
                    else prompt_match_text(query, any_term=True, excluding=True),
                )
            )
        tiers.append((False, match))
        per_tier = max(RANKED_PER_TIER, offset + limit)
        enough = max(ENOUGH_BETTER_CANDIDATES, offset + limit)

        def tier_select(table: str, gate: str = "") -> str:
            return (
                f"SELECT id FROM (SELECT {table}.rowid AS id FROM {table} "  # noqa: S608 - constants and placeholders only
                f"JOIN {QUESTION} q ON q.id = {table}.rowid "
                f"WHERE {gate}{table} MATCH %s AND {conditions} LIMIT %s)"
            )

        # The last tier (any match) only when the better ones found fewer than ENOUGH_BETTER_CANDIDATES
        # (as on PostgreSQL): a constant condition, tested before FTS5 is asked anything.
        # "first" is the first tier (prompts matching the whole query), kept apart for the bonuses.
        first = tier_select("search_prompt" if tiers[0][0] else "search_document")
        better = " UNION ".join(
            ["SELECT id FROM first"]
            + [
                tier_select("search_prompt" if in_prompts else "search_document")
                for in_prompts, _ in tiers[1:-1]
            ]
        )
        last = tier_select("search_document", gate="(SELECT count(*) FROM better) < %s AND ")
        candidates = (
            f"first AS {_MATERIALIZED}({first}), better AS {_MATERIALIZED}({better}), "  # noqa: S608 - constants and placeholders only
            f"candidates AS (SELECT id FROM better UNION {last})"
        )
        candidate_params = [value for _, tier in tiers[:-1] for value in (tier, *params, per_tier)]
        candidate_params.extend([enough, tiers[-1][1], *params, per_tier])

        # bm25() is lower for better matches; the bonuses are subtracted. Which prompts match is read from
        # search_prompt, and only for candidates outside the first tier: a question of the first tier has
        # the whole query in its prompt, so every group in its prompt, and anywhere unless the group holds
        # an identifier (1, as the lookup would say). When the first tier leaves the last one unread, no
        # prompt lookup runs at all.
        bonus, bonus_params = _whole_prompt_bonus(query, any_term=any_term)
        groups = query.groups[:MAX_COVERAGE_GROUPS]
        if len(groups) > 1:
            group_weights = (
                list(weights)[: len(groups)] if len(weights) >= len(groups) else [1.0] * len(groups)
            )
            matched = " + ".join(
                f"{weight!r} * {_unless_first(_PROMPT_MATCHES_AMONG_CANDIDATES)}" for weight in group_weights
            )
            bonus += f" + {PROMPT_COVERAGE_BONUS} * ({matched}) / {sum(group_weights)!r}"
            bonus_params.extend(_group(group, _phrase) for group in groups)
            if any_term:
                # (an identifier in the prompt is its words there, not necessarily the identifier)
                matched = " + ".join(
                    _MATCHES_AMONG_CANDIDATES
                    if any(term.identifier for term in group)
                    else _unless_first(_MATCHES_AMONG_CANDIDATES)
                    for group in groups
                )
                bonus += f" + {COVERAGE_BONUS} * ({matched}) / {len(groups)}.0"
                bonus_params.extend(_group(group) for group in groups)
        with connection.cursor() as cursor:
            # Rank the candidates and cut the page first; snippets are cut in Python from the page's
            # rows only (FTS5's snippet() re-read each row's answer and explanation through the index).
            cursor.execute(
                f"""
                WITH {candidates},
                page AS (
                    SELECT search_document.rowid AS id, {BM25} - ({bonus}) AS rank_value
                    FROM search_document
                    WHERE search_document MATCH %s
                        AND search_document.rowid {_AMONG_CANDIDATES.format(table="search_document")}
                    ORDER BY rank_value, search_document.rowid
                    LIMIT %s OFFSET %s
                )
                SELECT page.id, q.key, q.prompt, t.slug, q.difficulty, -page.rank_value, q.short_answer,
                    q.key_points, substr(q.explanation, 1, {SNIPPET_SOURCE_CHARS})
                FROM page
                JOIN {QUESTION} q ON q.id = page.id
                JOIN {TOPIC} t ON t.id = q.topic_id
                ORDER BY page.rank_value, page.id
                """,  # noqa: S608 - constants and placeholders only
                [
                    *candidate_params,
                    *bonus_params,
                    match,
                    limit,
                    offset,
                ],
            )
            marked = highlight_terms(query)
            hits = []
            for pk, key, prompt, topic, difficulty, score, answer, points, explanation in cursor.fetchall():
                hits.append(
                    Hit(
                        id=pk,
                        key=key,
                        prompt=prompt,
                        topic=topic,
                        difficulty=difficulty,
                        score=round(float(score), 4),
                        snippet=snippet_html(
                            snippet_marked(snippet_source(answer, points, explanation), marked)
                        ),
                    )
                )
            return hits

    def similar_prompt_facets(self, query: ParsedQuery, filters: Filters) -> Counted | None:
        return None

    def similar_prompt_page(
        self, query: ParsedQuery, filters: Filters, *, limit: int, offset: int
    ) -> list[Hit]:
        return []
