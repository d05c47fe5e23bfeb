"""Searching posts: SQLite's FTS5 on the embedded setup, PostgreSQL's full-text search at scale.

Both index the title, the excerpt, the body and a reblog's quoted excerpt (migration 0006 creates the index: an FTS5 table
kept up to date by triggers on SQLite, a GIN index over the same expression as below on
PostgreSQL), and both rank a title's words above the body's. The reader's words are matched
as words, never as the engine's query syntax: anything typed is a valid search.
"""

from __future__ import annotations

import re

from django.db import connection
from django.db.models import F, FloatField, Q
from django.db.models.expressions import RawSQL

from salon.publishing.models import Post

SEARCH_MAX = 200  # characters of a search; longer is refused (400)
MAX_WORDS = 12

FTS_TABLE = "publishing_post_search"
# PostgreSQL: the document, exactly as the GIN index in migration 0006 spells it (a different
# expression would not use the index). The 'simple' configuration does not stem, so it works
# alike for every language; HTML tags are tokens of their own that it leaves out.
PG_DOCUMENT = (
    "(setweight(to_tsvector('simple'::regconfig, coalesce(publishing_post.title, '')), 'A')"
    " || setweight(to_tsvector('simple'::regconfig, coalesce(publishing_post.excerpt, '')), 'B')"
    " || setweight(to_tsvector('simple'::regconfig, coalesce(publishing_post.body, '')"
    " || ' ' || coalesce(publishing_post.reblog_excerpt, '')), 'C'))"
)


def search_words(query: str) -> list[str]:
    """The words of a search, lower-cased, at most twelve."""
    return re.findall(r"\w+", query.lower())[:MAX_WORDS]


def search_posts(query: str):
    """Live posts with every word of ``query`` (a word also matches as the start of a longer
    one: "moder" finds "moderation"), best match first."""
    words = search_words(query)
    posts = Post.objects.live().posts()
    if not words:
        return posts.none()
    if connection.vendor == "postgresql":
        tsquery = " & ".join(f"{w}:*" for w in words)
        matched = posts.extra(
            where=[f"{PG_DOCUMENT} @@ to_tsquery('simple'::regconfig, %s)"], params=[tsquery]
        )
        rank = RawSQL(
            f"ts_rank({PG_DOCUMENT}, to_tsquery('simple'::regconfig, %s))",
            [tsquery],
            output_field=FloatField(),
        )
        return matched.annotate(rank=rank).order_by(F("rank").desc(), "-published_at", "-id")
    if connection.vendor == "sqlite":
        match = " ".join(f'"{w}"*' for w in words)  # each word quoted: never FTS5 syntax
        matched = posts.extra(
            where=[
                f"publishing_post.id IN (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s)"
            ],
            params=[match],
        )
        # bm25: lower is better; the title weighs ten times the body, the excerpt five.
        rank = RawSQL(
            f"(SELECT bm25({FTS_TABLE}, 10.0, 5.0, 1.0, 1.0) FROM {FTS_TABLE}"
            f" WHERE {FTS_TABLE} MATCH %s AND rowid = publishing_post.id)",
            [match],
            output_field=FloatField(),
        )
        return matched.annotate(rank=rank).order_by("rank", "-published_at", "-id")
    # Another database: every word somewhere in the title, excerpt or body, newest first.
    for word in words:
        posts = posts.filter(
            Q(title__icontains=word)
            | Q(excerpt__icontains=word)
            | Q(body__icontains=word)
            | Q(reblog_excerpt__icontains=word)
        )
    return posts
