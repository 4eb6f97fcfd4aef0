"""
The generation moves on with every write to a table the public pages show,
in the same transaction, whatever makes the write (the admin, update(), an
import, SQL by hand): triggers on PostgreSQL and SQLite. Its value takes the
clock's microseconds when they are ahead, so that it never goes back, not
even when the row is lost (a flushed database) and made again.

A table added later needs its triggers too: call create_triggers() for it in
its migration.
"""

import time

from django.db import migrations

# Tables no page shows: writing them leaves cached pages valid (archive/signals.py).
NOT_SHOWN = {"archive_transition", "archive_revision", "archive_generation"}

POSTGRESQL_NOW = "(extract(epoch from clock_timestamp()) * 1000000)::bigint"
SQLITE_NOW = "CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)"


def shown_tables(apps):
    models = apps.get_app_config("archive").get_models(include_auto_created=True)
    return sorted({model._meta.db_table for model in models} - NOT_SHOWN)


def create_triggers(schema_editor, tables):
    if schema_editor.connection.vendor == "postgresql":
        # Once per statement: an update() of a million rows moves it once.
        schema_editor.execute(
            f"""
            CREATE OR REPLACE FUNCTION archive_generation_bump() RETURNS trigger AS $$
            BEGIN
                UPDATE archive_generation SET value = GREATEST(value + 1, {POSTGRESQL_NOW})
                    WHERE id = 1;
                IF NOT FOUND THEN
                    INSERT INTO archive_generation (id, value) VALUES (1, {POSTGRESQL_NOW})
                        ON CONFLICT (id) DO NOTHING;
                END IF;
                RETURN NULL;
            END
            $$ LANGUAGE plpgsql;
            """
        )
        for table in tables:
            schema_editor.execute(
                f"""
                CREATE TRIGGER {table}_generation
                    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}
                    FOR EACH STATEMENT EXECUTE FUNCTION archive_generation_bump();
                """
            )
    elif schema_editor.connection.vendor == "sqlite":
        for table in tables:
            for event in ("INSERT", "UPDATE", "DELETE"):
                schema_editor.execute(
                    f"""
                    CREATE TRIGGER {table}_generation_{event.lower()} AFTER {event} ON {table}
                    BEGIN
                        INSERT OR IGNORE INTO archive_generation (id, value) VALUES (1, 0);
                        UPDATE archive_generation SET value = MAX(value + 1, {SQLITE_NOW})
                            WHERE id = 1;
                    END
                    """
                )


def drop_triggers(schema_editor, tables):
    if schema_editor.connection.vendor == "postgresql":
        for table in tables:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_generation ON {table}")
        schema_editor.execute("DROP FUNCTION IF EXISTS archive_generation_bump()")
    elif schema_editor.connection.vendor == "sqlite":
        for table in tables:
            for event in ("insert", "update", "delete"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_generation_{event}")


def renew_sqlite_triggers(*tables):
    """
    A RunPython function for a migration that adds a column to `tables`:
    SQLite remakes a table to add one, and its triggers go with the old one.
    """

    def renew(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            drop_triggers(schema_editor, tables)
            create_triggers(schema_editor, tables)

    return renew


def create(apps, schema_editor):
    create_triggers(schema_editor, shown_tables(apps))
    # From the clock, as the triggers count: above any generation a cache may still hold.
    apps.get_model("archive", "Generation").objects.using(schema_editor.connection.alias).create(
        pk=1, value=time.time_ns() // 1000
    )


def drop(apps, schema_editor):
    drop_triggers(schema_editor, shown_tables(apps))


class Migration(migrations.Migration):
    dependencies = [("archive", "0015_generation")]

    operations = [migrations.RunPython(create, drop)]
