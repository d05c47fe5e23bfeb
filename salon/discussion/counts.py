"""Keeping the comment and like counts stored on posts and comments true.

Every count is recounted, never incremented, in the transaction that changed what it counts,
and under a lock on the row that stores it (``SELECT … FOR NO KEY UPDATE``). On PostgreSQL the
lock matters: two comments committed at once would otherwise each recount from a snapshot
that misses the other's row, and the count would stay one short until the next change. The
lock makes the second recount wait for the first transaction, then see both rows. (SQLite
takes its write lock when the transaction begins, so no lock is asked for there.)
A crash leaves either the comment and its count, or neither.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import connection, transaction
from django.db.models import Count, F, OuterRef, Subquery, Value, sql
from django.db.models.functions import Coalesce

from salon.discussion.models import Comment, Like
from salon.publishing.models import Post

_deferred: ContextVar[set[int] | None] = ContextVar("deferred_recounts", default=None)


@contextmanager
def recounted_once() -> Iterator[None]:
    """Within, the recounts asked for (one per deleted row, by its ``post_delete`` signal)
    are gathered and made once at the end, for each post, still inside the caller's
    transaction. Nothing is recounted if the block fails: its transaction is rolled back."""
    if _deferred.get() is not None:  # already gathering
        yield
        return
    gathered: set[int] = set()
    token = _deferred.set(gathered)
    try:
        yield
    finally:
        _deferred.reset(token)
    refresh_comment_counts(gathered)


def refresh_comment_counts(post_ids: Iterable[int]) -> None:
    """Recount the approved comments of these posts, in one UPDATE; their threads changed."""
    ids = sorted({pk for pk in post_ids if pk})
    if not ids:
        return
    gathering = _deferred.get()
    if gathering is not None:
        gathering.update(ids)
        return
    # In the caller's transaction when there is one (a new comment's): no savepoint of its
    # own, since a comment is never kept without its count.
    with transaction.atomic(savepoint=False):
        if len(ids) == 1:  # every new comment: statements compiled once, run with its post
            if not _row_locks():
                _run_for_post([_one_post_update], ids[0])
            elif _several_statements_at_once():  # the lock, then the recount: one round trip
                _run_for_post([_one_post_lock, _one_post_update], ids[0])
            else:
                _run_for_post([_one_post_lock], ids[0])
                _run_for_post([_one_post_update], ids[0])
        else:
            _lock(Post.objects.filter(pk__in=ids))
            _recount(Post.objects.filter(pk__in=ids))


def _lock(rows) -> None:
    # NO KEY UPDATE does not conflict with the KEY SHARE lock that inserting a comment takes
    # on its post (the foreign key), so two comment transactions cannot deadlock on it. In
    # primary-key order, so that transactions locking several posts take them in one order.
    if _row_locks():
        list(_locking(rows))


def _row_locks() -> bool:
    return connection.features.has_select_for_update


def _several_statements_at_once() -> bool:
    """Whether one execute() may carry several statements, run one after the other (each
    with its own snapshot): PostgreSQL with the values bound by the client, as Django binds
    them unless told to let the server do it (psycopg then sends the text as a simple query)."""
    return connection.vendor == "postgresql" and not connection.settings_dict["OPTIONS"].get(
        "server_side_binding"
    )


def _locking(rows):
    return rows.select_for_update(no_key=True).order_by("pk").values_list("pk", flat=True)


_MARK = -7_070_707  # no post's id: stands for the post in the compiled statements
_compiled: dict[tuple[str, str], tuple[str, tuple]] = {}


def _run_for_post(compile_statements: list, post_id: int) -> None:
    """Run the one-post statements below, in order and sent together, with ``post_id``: each
    compiled by the ORM once per process and database (compiling cost several times more
    than running them)."""
    texts, values = [], []
    for compile_statement in compile_statements:
        key = (compile_statement.__name__, connection.vendor)
        if key not in _compiled:
            statement, params = compile_statement()
            if list(params).count(_MARK) != 1:  # pragma: no cover (the ORM changed its mind)
                raise RuntimeError("a one-post statement does not name its post once")
            _compiled[key] = (statement, tuple(params))
        statement, params = _compiled[key]
        texts.append(statement)
        values.extend(post_id if p == _MARK else p for p in params)
    with connection.cursor() as cursor:
        cursor.execute("; ".join(texts), values)


def _one_post_lock() -> tuple[str, tuple]:
    query = _locking(Post.objects.filter(pk=_MARK)).query
    return query.get_compiler(connection=connection).as_sql()


def _one_post_update() -> tuple[str, tuple]:
    query = Post.objects.filter(pk=_MARK).query.chain(sql.UpdateQuery)
    query.add_update_values(_recount_values())
    return query.get_compiler(connection=connection).as_sql()


def _recount_values() -> dict:
    approved = (
        Comment.objects.filter(post=OuterRef("pk"), status=Comment.Status.APPROVED)
        .order_by()
        .values("post")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return {
        "comment_count": Coalesce(Subquery(approved), Value(0)),
        "conversation_version": F("conversation_version") + 1,
    }


def _recount(posts) -> None:
    posts.update(**_recount_values())


def refresh_like_count(post_id: int, comment_id: int | None) -> int:
    """Recount the likes of a post (comment_id None) or of one comment; return the count."""
    with transaction.atomic():
        if comment_id is None:
            _lock(Post.objects.filter(pk=post_id))
            count = Like.objects.filter(post_id=post_id, comment_id=None).count()
            Post.objects.filter(pk=post_id).update(like_count=count)
        else:
            _lock(Comment.objects.filter(pk=comment_id))
            count = Like.objects.filter(post_id=post_id, comment_id=comment_id).count()
            Comment.objects.filter(pk=comment_id).update(like_count=count)
            Post.objects.filter(pk=post_id).update(
                conversation_version=F("conversation_version") + 1
            )
    return count
