"""Keeping the comment and like counts stored on posts and comments true.

Every count is recounted, never incremented, in the transaction that changed what it counts,
and under a lock on the row that stores it (``SELECT … FOR NO KEY UPDATE``). On PostgreSQL the
lock matters: two comments committed at once would otherwise each recount from a snapshot
that misses the other's row, and the count would stay one short until the next change. The
lock makes the second recount wait for the first transaction, then see both rows. (SQLite
takes its write lock when the transaction begins; ``select_for_update`` is a no-op there.)
A crash leaves either the comment and its count, or neither.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Count, F, OuterRef, Subquery, Value, sql
from django.db.models.functions import Coalesce

from salon.discussion.models import Comment, Like
from salon.publishing.models import Post


def refresh_comment_counts(post_ids: Iterable[int]) -> None:
    """Recount the approved comments of these posts, in one UPDATE; their threads changed."""
    ids = sorted({pk for pk in post_ids if pk})
    if not ids:
        return
    with transaction.atomic():
        _lock(Post.objects.filter(pk__in=ids))
        if len(ids) == 1:  # every new comment: the statement compiled once, run with its post
            statement, params = _one_post_update()
            with connection.cursor() as cursor:
                cursor.execute(statement, [ids[0] if p == _MARK else p for p in params])
        else:
            _recount(Post.objects.filter(pk__in=ids))


def _lock(rows) -> None:
    # NO KEY UPDATE does not conflict with the KEY SHARE lock that inserting a comment takes
    # on its post (the foreign key), so two comment transactions cannot deadlock on it. In
    # primary-key order, so that transactions locking several posts take them in one order.
    list(rows.select_for_update(no_key=True).order_by("pk").values_list("pk", flat=True))


_MARK = -7_070_707  # no post's id: stands for the post in the compiled statement
_one_post_updates: dict[str, tuple[str, tuple]] = {}


def _one_post_update() -> tuple[str, tuple]:
    """The UPDATE :func:`_recount` runs for one post, compiled by the ORM once per process
    (compiling it cost several times more than running it)."""
    if connection.vendor not in _one_post_updates:
        query = Post.objects.filter(pk=_MARK).query.chain(sql.UpdateQuery)
        query.add_update_values(_recount_values())
        statement, params = query.get_compiler(connection=connection).as_sql()
        if list(params).count(_MARK) != 1:  # pragma: no cover (the ORM changed its mind)
            raise RuntimeError("the recount's statement does not name its post once")
        _one_post_updates[connection.vendor] = (statement, tuple(params))
    return _one_post_updates[connection.vendor]


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
