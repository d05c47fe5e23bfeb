"""Searching posts: SQLite's FTS5 on the embedded setup, PostgreSQL's full-text search at scale.

Both index the title, the excerpt, the body and a reblog's quoted excerpt (migration 0006
creates the index: an FTS5 table kept up to date by triggers on SQLite, a stored generated
tsvector column with a GIN index on PostgreSQL), and both rank a title's words above the
body's. The reader's words are matched as words, never as the engine's query syntax: anything
typed is a valid search.
"""

from __future__ import annotations

import re

from django.db import connection
from django.db.models import Q

from salon.publishing.models import Post
from salon.publishing.protection import without_protected

SEARCH_MAX = 200  # characters of a search; longer is refused (400)
MAX_WORDS = 12

FTS_TABLE = "publishing_post_search"
# PostgreSQL: a stored generated column (migration 0006) holds each post's document, so neither
# matching nor ranking parses a body again; a GIN index covers it. The 'simple' configuration
# does not stem, so it works alike for every language; HTML tags are tokens it leaves out.
PG_COLUMN = "publishing_post.search_document"


# The triggers that keep the FTS5 table in step with publishing_post (as migration 0006 made
# them). SQLite drops a table's triggers with it, and Django rebuilds a table to alter it on
# SQLite (a new column, say), so after every migrate :func:`restore_sqlite_triggers` puts back
# any that such a rebuild took away.
SQLITE_TRIGGERS = {
    f"{FTS_TABLE}_insert": f"""CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_insert
        AFTER INSERT ON publishing_post BEGIN
        INSERT INTO {FTS_TABLE}(rowid, title, excerpt, body, reblog_excerpt)
        VALUES (new.id, new.title, new.excerpt, new.body, new.reblog_excerpt);
    END""",
    f"{FTS_TABLE}_delete": f"""CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_delete
        AFTER DELETE ON publishing_post BEGIN
        INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, title, excerpt, body, reblog_excerpt)
        VALUES ('delete', old.id, old.title, old.excerpt, old.body, old.reblog_excerpt);
    END""",
    # Only when the searched text changes: counts and versions are updated on every like.
    f"{FTS_TABLE}_update": f"""CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_update
        AFTER UPDATE OF title, excerpt, body, reblog_excerpt ON publishing_post BEGIN
        INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, title, excerpt, body, reblog_excerpt)
        VALUES ('delete', old.id, old.title, old.excerpt, old.body, old.reblog_excerpt);
        INSERT INTO {FTS_TABLE}(rowid, title, excerpt, body, reblog_excerpt)
        VALUES (new.id, new.title, new.excerpt, new.body, new.reblog_excerpt);
    END""",
}


def restore_sqlite_triggers(using: str = "default", **signal) -> None:
    """Receives ``post_migrate``: on SQLite, put back the index's triggers a table rebuild
    dropped, and rebuild the index from the posts (it missed what changed meanwhile)."""
    from django.db import connections

    db = connections[using]
    if db.vendor != "sqlite":
        return
    with db.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger') AND name LIKE %s",
            [f"{FTS_TABLE}%"],
        )
        present = {name for (name,) in cursor.fetchall()}
        if FTS_TABLE not in present or set(SQLITE_TRIGGERS) <= present:
            return  # no index yet (before migration 0006), or nothing missing
        for statement in SQLITE_TRIGGERS.values():
            cursor.execute(statement)
        cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")


def search_words(query: str) -> list[str]:
    """The words of a search, lower-cased, at most twelve."""
    return re.findall(r"\w+", query.lower())[:MAX_WORDS]


def search_posts(query: str):
    """Live posts with every word of ``query`` (a word also matches as the start of a longer
    one: "moder" finds "moderation"), best match first. Password-protected posts are left
    out, as WordPress leaves them out: a match would tell what their words hold."""
    words = search_words(query)
    posts = without_protected(Post.objects.live().posts())
    if not words:
        return posts.none()
    if connection.vendor == "postgresql":
        tsquery = " & ".join(f"{w}:*" for w in words)
        return posts.extra(
            where=[f"{PG_COLUMN} @@ to_tsquery('simple'::regconfig, %s)"],
            params=[tsquery],
            select={"rank": f"ts_rank({PG_COLUMN}, to_tsquery('simple'::regconfig, %s))"},
            select_params=[tsquery],
        ).order_by("-rank", "-published_at", "-id")
    if connection.vendor == "sqlite":
        match = " ".join(f'"{w}"*' for w in words)  # each word quoted: never FTS5 syntax
        # One pass over the index, joined to the posts; bm25 (lower is better) weighs the
        # title ten times the body, the excerpt five.
        return posts.extra(
            tables=[FTS_TABLE],
            where=[f"{FTS_TABLE}.rowid = publishing_post.id", f"{FTS_TABLE} MATCH %s"],
            params=[match],
            select={"rank": f"bm25({FTS_TABLE}, 10.0, 5.0, 1.0, 1.0)"},
        ).order_by("rank", "-published_at", "-id")
    # Another database: every word somewhere in the title, excerpt or body, newest first.
    for word in words:
        posts = posts.filter(
            Q(title__icontains=word)
            | Q(excerpt__icontains=word)
            | Q(body__icontains=word)
            | Q(reblog_excerpt__icontains=word)
        )
    return posts
