"""A GIN index on the prompt's ``tsvector`` (PostgreSQL): a page's first tier of candidates, the questions
whose prompt matches the whole query, is then an index scan bounded by a ``LIMIT`` instead of a pass over
every match (see ``search.backends.postgresql``). SQLite's FTS5 table needs nothing new."""

from django.db import migrations

CREATE = (
    "CREATE INDEX IF NOT EXISTS search_document_prompt_vector ON search_document USING gin (prompt_vector)"
)
DROP = "DROP INDEX IF EXISTS search_document_prompt_vector"


def _run(statement):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [migrations.RunPython(_run(CREATE), _run(DROP))]
