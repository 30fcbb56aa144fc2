"""``search_prompt`` (SQLite): the prompts alone in a contentless FTS5 table, with the tokenizer of
``search_document``, filled from it here and kept in step by ``refresh``. The ranking's prompt bonuses (one
``MATCH`` per query term) and the first tier of candidates (prompts matching the whole query) read its
short doclists instead of ``search_document``'s, whose entries carry the positions of every column: at
100,000 questions a word like "index" is in 3,147 prompts but in tens of thousands of questions. PostgreSQL
has ``prompt_vector`` for the same purpose and needs nothing new."""

from django.db import migrations

CREATE = [
    """
    CREATE VIRTUAL TABLE search_prompt USING fts5(
        prompt, content = '', tokenize = 'porter unicode61 remove_diacritics 2'
    )
    """,
    # As search_document: merge segments only when 16 have piled up (see search.0001_initial).
    "INSERT INTO search_prompt (search_prompt, rank) VALUES ('automerge', 0)",
    "INSERT INTO search_prompt (rowid, prompt) SELECT rowid, prompt FROM search_document",
    "INSERT INTO search_prompt (search_prompt) VALUES ('optimize')",
]
DROP = ["DROP TABLE IF EXISTS search_prompt"]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0003_search_term_word_trigram_gin")]

    operations = [migrations.RunPython(_run(CREATE), _run(DROP))]
