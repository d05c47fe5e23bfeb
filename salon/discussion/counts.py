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

from django.db import transaction
from django.db.models import Count, F, OuterRef, Subquery, Value
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
        _recount_comments(ids)


def _lock(rows) -> None:
    # NO KEY UPDATE does not conflict with the KEY SHARE lock that inserting a comment takes
    # on its post (the foreign key), so two comment transactions cannot deadlock on it. In
    # primary-key order, so that transactions locking several posts take them in one order.
    list(rows.select_for_update(no_key=True).order_by("pk").values_list("pk", flat=True))


def _recount_comments(ids: list[int]) -> None:
    approved = (
        Comment.objects.filter(post=OuterRef("pk"), status=Comment.Status.APPROVED)
        .order_by()
        .values("post")
        .annotate(n=Count("pk"))
        .values("n")
    )
    Post.objects.filter(pk__in=ids).update(
        comment_count=Coalesce(Subquery(approved), Value(0)),
        conversation_version=F("conversation_version") + 1,
    )


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
