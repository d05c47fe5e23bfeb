"""Moving in from Isso: its SQLite database (``dbpath`` in ``isso.cfg``) read as it is.

Isso keeps ``threads`` (``uri``: the page's path on the site, ``title``) and ``comments``
(``tid``, ``parent``, ``created`` as a Unix time, ``mode`` 1 accepted, 2 waiting for
moderation, 4 deleted, ``text`` in Markdown, ``author``, ``email``, ``website``,
``remote_addr`` anonymised to its /24, ``likes``). The file is opened read-only and read a
row at a time; see :mod:`salon.interchange.elsewhere` for what becomes of each comment.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

from salon.discussion.models import Comment
from salon.interchange.elsewhere import ForeignComment, parse_time
from salon.interchange.reading import ImportProblem

MODE_STATUS = {
    1: Comment.Status.APPROVED,
    2: Comment.Status.PENDING,
    4: Comment.Status.TRASH,
}
COLUMNS = {
    "threads": {"id", "uri", "title"},
    "comments": {"id", "tid", "parent", "created", "mode", "remote_addr", "text", "author"},
}
QUERY = """
    SELECT c.id, c.parent, c.created, c.mode, c.remote_addr, c.text, c.author, {email},
           {website}, {likes}, t.uri, t.title
    FROM comments c JOIN threads t ON t.id = c.tid
    ORDER BY c.id
"""


def open_database(path: str | Path) -> sqlite3.Connection:
    """The Isso database at ``path``, read-only; refused with a message if it is none."""
    path = Path(path)
    if not path.is_file():
        raise ImportProblem(f"{path}: no such file.")
    connection = sqlite3.connect(f"file:{quote(str(path.resolve()))}?mode=ro", uri=True)
    try:
        tables = {
            name: {row[1] for row in connection.execute(f"PRAGMA table_info({name})")}
            for name in COLUMNS
        }
    except sqlite3.DatabaseError as error:
        connection.close()
        raise ImportProblem(
            f"{path.name} is not an SQLite database ({error}); give Isso's comments.db "
            "(its dbpath). Nothing was imported."
        ) from None
    for table, needed in COLUMNS.items():
        missing = needed - tables[table]
        if missing:
            connection.close()
            what = (
                "has no table"
                if not tables[table]
                else "lacks the columns " + ", ".join(sorted(missing)) + " in"
            )
            raise ImportProblem(
                f"{path.name} is not an Isso database: it {what} {table!r}. Nothing was imported."
            )
    return connection


def read_isso(path: str | Path) -> Iterator[ForeignComment]:
    """Every comment of the Isso database at ``path``, oldest id first."""
    connection = open_database(path)
    columns = {row[1] for row in connection.execute("PRAGMA table_info(comments)")}

    def column(name: str, default: str) -> str:
        return f"c.{name}" if name in columns else default

    query = QUERY.format(
        email=column("email", "''"), website=column("website", "''"), likes=column("likes", "0")
    )
    try:
        for row in connection.execute(query):
            (pk, parent, created, mode, ip, text, author, email, website, likes, uri, title) = row
            yield ForeignComment(
                source_id=str(pk),
                parent_id=str(parent) if parent else "",
                page=uri or "/",
                page_title=title or "",
                author_name=author or "",
                author_email=email or "",
                author_url=website or "",
                author_ip=ip or "",
                text=text or "",
                is_html=False,
                status=MODE_STATUS.get(mode, Comment.Status.PENDING),
                created_at=parse_time(created if isinstance(created, int | float) else None),
                likes=likes if isinstance(likes, int) else 0,
                where=f"comment {pk}",
            )
    except sqlite3.DatabaseError as error:
        raise ImportProblem(f"{Path(path).name} cannot be read: {error}.") from None
    finally:
        connection.close()
