"""The search index's tables, different per database (no Django models: only raw SQL reads and writes them).

PostgreSQL: the pg_trgm extension; ``search_document`` (question id, prompt, the prompt's ``tsvector``
and the question's weighted ``tsvector``) with a GIN index on the vector and a trigram GIN index on the
prompt; ``search_term`` (the vocabulary) with a trigram index and the ``search_words`` configuration that
reads its words; ``search_document_text(text)``, which prepares a field for ``to_tsvector`` (dots between
names become spaces; the joined forms of identifiers are appended, as ``prepdeck.search.query`` does).

SQLite: ``search_document`` as an FTS5 table, ``search_term`` and its FTS5 trigram index.

There is no foreign key to the question: ``flush`` truncates the catalog's tables without knowing this
one, and a row whose question is gone is never returned (searches join the question) and is removed by
the next refresh. The index is filled by ``search_index_refresh`` (the first-run hook does it once).
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

POSTGRESQL = [
    r"""
    CREATE FUNCTION search_document_text(body text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
        SELECT regexp_replace(body, '(?<=[[:alnum:]_])\.(?=[[:alpha:]_])', ' ', 'g')
            || ' ' || coalesce((
                SELECT string_agg('at' || replace(lower(m[1]), '_', ''), ' ')
                FROM regexp_matches(body, '@([A-Za-z][A-Za-z0-9_]*)', 'g') AS m), '')
            || ' ' || coalesce((
                SELECT string_agg(replace(replace(lower(m[1]), '_', ''), '+', 'plus'), ' ')
                FROM regexp_matches(body, '([A-Za-z0-9]+(?:(?:_+|\+)[A-Za-z0-9]+)+)', 'g') AS m), '')
    $$
    """,
    """
    CREATE TABLE search_document (
        question_id bigint PRIMARY KEY,
        prompt text NOT NULL,
        prompt_vector tsvector NOT NULL,
        vector tsvector NOT NULL
    )
    """,
    "CREATE INDEX search_document_vector ON search_document USING gin (vector)",
    "CREATE INDEX search_document_prompt_trigram ON search_document USING gin (prompt gin_trgm_ops)",
    "CREATE TABLE search_term (word text PRIMARY KEY, documents integer NOT NULL)",
    # GiST: "the nearest words" (ORDER BY word <-> 'celry' LIMIT 10) is an index walk.
    "CREATE INDEX search_term_word_trigram ON search_term USING gist (word gist_trgm_ops)",
    # The vocabulary's words: runs of letters (the parser's word tokens), lower case.
    "CREATE TEXT SEARCH CONFIGURATION search_words (PARSER = pg_catalog.default)",
    "ALTER TEXT SEARCH CONFIGURATION search_words "
    "ADD MAPPING FOR asciiword, word, hword_asciipart, hword_part WITH simple",
]
POSTGRESQL_REVERSE = [
    "DROP TABLE IF EXISTS search_term",
    "DROP TABLE IF EXISTS search_document",
    "DROP FUNCTION IF EXISTS search_document_text(text)",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS search_words",
]

SQLITE = [
    """
    CREATE VIRTUAL TABLE search_document USING fts5(
        prompt, answer, explanation, code, identifiers, keywords,
        tokenize = 'porter unicode61 remove_diacritics 2'
    )
    """,
    "CREATE TABLE search_term (word TEXT NOT NULL PRIMARY KEY, documents INTEGER NOT NULL)",
    """
    CREATE VIRTUAL TABLE search_term_trigram USING fts5(
        word, content = 'search_term', content_rowid = 'rowid', tokenize = 'trigram'
    )
    """,
    # Each write adds a small segment, and a merge of small segments reads pages of the whole index
    # (about half a second at 100,000 questions with SQLite's default page cache). Merging only when 16
    # have piled up ("crisismerge") instead of every 4 ("automerge") does that work a quarter as often;
    # a full refresh leaves one merged segment.
    "INSERT INTO search_document (search_document, rank) VALUES ('automerge', 0)",
    "INSERT INTO search_term_trigram (search_term_trigram, rank) VALUES ('automerge', 0)",
]
SQLITE_REVERSE = [
    "DROP TABLE IF EXISTS search_term_trigram",
    "DROP TABLE IF EXISTS search_term",
    "DROP TABLE IF EXISTS search_document",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    initial = True

    dependencies = [("catalog", "0002_import_jobs")]

    operations = [
        TrigramExtension(),
        migrations.RunPython(
            _run({"postgresql": POSTGRESQL, "sqlite": SQLITE}),
            _run({"postgresql": POSTGRESQL_REVERSE, "sqlite": SQLITE_REVERSE}),
        ),
    ]
