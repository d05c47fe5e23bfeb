"""The search index of posts (see salon/publishing/search.py): an FTS5 table kept in step by
triggers on SQLite, a generated tsvector column with a GIN index on PostgreSQL."""

from django.db import migrations

FTS = "publishing_post_search"

SQLITE_FORWARD = [
    f"""CREATE VIRTUAL TABLE {FTS} USING fts5(
        title, excerpt, body, reblog_excerpt, content='publishing_post', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2')""",
    f"""CREATE TRIGGER {FTS}_insert AFTER INSERT ON publishing_post BEGIN
        INSERT INTO {FTS}(rowid, title, excerpt, body, reblog_excerpt)
        VALUES (new.id, new.title, new.excerpt, new.body, new.reblog_excerpt);
    END""",
    f"""CREATE TRIGGER {FTS}_delete AFTER DELETE ON publishing_post BEGIN
        INSERT INTO {FTS}({FTS}, rowid, title, excerpt, body, reblog_excerpt)
        VALUES ('delete', old.id, old.title, old.excerpt, old.body, old.reblog_excerpt);
    END""",
    # Only when the searched text changes: counts and versions are updated on every like.
    f"""CREATE TRIGGER {FTS}_update
        AFTER UPDATE OF title, excerpt, body, reblog_excerpt ON publishing_post BEGIN
        INSERT INTO {FTS}({FTS}, rowid, title, excerpt, body, reblog_excerpt)
        VALUES ('delete', old.id, old.title, old.excerpt, old.body, old.reblog_excerpt);
        INSERT INTO {FTS}(rowid, title, excerpt, body, reblog_excerpt)
        VALUES (new.id, new.title, new.excerpt, new.body, new.reblog_excerpt);
    END""",
    f"INSERT INTO {FTS}({FTS}) VALUES ('rebuild')",
]
SQLITE_BACKWARD = [
    f"DROP TRIGGER IF EXISTS {FTS}_insert",
    f"DROP TRIGGER IF EXISTS {FTS}_delete",
    f"DROP TRIGGER IF EXISTS {FTS}_update",
    f"DROP TABLE IF EXISTS {FTS}",
]
# A stored generated column (salon.publishing.search.PG_COLUMN): PostgreSQL computes it on
# every write, whoever writes, and neither matching nor ranking parses a body again.
PG_FORWARD = [
    """ALTER TABLE publishing_post ADD COLUMN search_document tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple'::regconfig, coalesce(title, '')), 'A')
        || setweight(to_tsvector('simple'::regconfig, coalesce(excerpt, '')), 'B')
        || setweight(to_tsvector('simple'::regconfig,
                                 coalesce(body, '') || ' ' || coalesce(reblog_excerpt, '')), 'C')
    ) STORED""",
    "CREATE INDEX publishing_post_search_gin ON publishing_post USING gin (search_document)",
]
PG_BACKWARD = [
    "DROP INDEX IF EXISTS publishing_post_search_gin",
    "ALTER TABLE publishing_post DROP COLUMN IF EXISTS search_document",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("publishing", "0005_post_markdown_images_autosave")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": PG_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": PG_BACKWARD}),
        )
    ]
