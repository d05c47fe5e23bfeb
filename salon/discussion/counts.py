"""Keeping the comment and like counts stored on posts and comments true."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection
from django.db.models import Count, F, OuterRef, Subquery, Value, sql
from django.db.models.functions import Coalesce

from salon.discussion.models import Comment, Like
from salon.publishing.models import Post


def refresh_comment_counts(post_ids: Iterable[int]) -> None:
    """Recount the approved comments of these posts, in one UPDATE; their threads changed."""
    ids = {pk for pk in post_ids if pk}
    if not ids:
        return
    if len(ids) == 1:  # every new comment: the statement compiled once, run with its post
        statement, params = _one_post_update()
        with connection.cursor() as cursor:
            cursor.execute(statement, [next(iter(ids)) if p == _MARK else p for p in params])
        return
    _recount(Post.objects.filter(pk__in=ids))


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
    count = Like.objects.filter(post_id=post_id, comment_id=comment_id).count()
    if comment_id is None:
        Post.objects.filter(pk=post_id).update(like_count=count)
    else:
        Comment.objects.filter(pk=comment_id).update(like_count=count)
        Post.objects.filter(pk=post_id).update(conversation_version=F("conversation_version") + 1)
    return count
