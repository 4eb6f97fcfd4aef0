"""
Full-text search on PostgreSQL: a trigger fills each item's search_vector on
every write, whatever writes it (the admin, an import, COPY, update()), and a
GIN index serves the searches. The title weighs most (A), then the lead (B),
then the text (C); each item is read with its own language's dictionary.
Other databases have neither: archive/search.py searches them more simply.
"""

from django.db import migrations

TABLES = {
    # table: (weighted parts as SQL over NEW)
    "archive_newsitem": [("A", "NEW.title"), ("B", "NEW.lead"), ("C", "NEW.body")],
    "archive_statement": [("A", "NEW.title"), ("C", "NEW.text")],
}


def vector_sql(parts):
    # Tags out of the HTML (the text between them is what people read).
    return " || ".join(
        f"setweight(to_tsvector(config, regexp_replace(coalesce({column}, ''), '<[^>]*>', ' ', 'g')), '{weight}')"
        for weight, column in parts
    )


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, parts in TABLES.items():
        columns = ", ".join(column.removeprefix("NEW.") for _, column in parts)
        schema_editor.execute(
            f"""
            CREATE OR REPLACE FUNCTION {table}_search_vector() RETURNS trigger AS $$
            DECLARE
                config regconfig := CASE WHEN NEW.language = 'ru'
                    THEN 'russian'::regconfig ELSE 'english'::regconfig END;
            BEGIN
                NEW.search_vector := {vector_sql(parts)};
                RETURN NEW;
            END
            $$ LANGUAGE plpgsql;

            CREATE TRIGGER {table}_search_vector
                BEFORE INSERT OR UPDATE OF {columns}, language ON {table}
                FOR EACH ROW EXECUTE FUNCTION {table}_search_vector();

            CREATE INDEX {table}_search_idx ON {table} USING gin (search_vector);

            UPDATE {table} SET language = language;
            """
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(
            f"""
            DROP INDEX IF EXISTS {table}_search_idx;
            DROP TRIGGER IF EXISTS {table}_search_vector ON {table};
            DROP FUNCTION IF EXISTS {table}_search_vector();
            """
        )


class Migration(migrations.Migration):
    dependencies = [("archive", "0007_search_vector")]

    operations = [migrations.RunPython(create, drop)]
