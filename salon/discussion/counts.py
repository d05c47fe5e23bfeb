"""Keeping the comment and like counts stored on posts and comments true."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, F, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from salon.discussion.models import Comment, Like
from salon.publishing.models import Post


def refresh_comment_counts(post_ids: Iterable[int]) -> None:
    """Recount the approved comments of these posts, in one UPDATE; their threads changed."""
    ids = {pk for pk in post_ids if pk}
    if not ids:
        return
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
    count = Like.objects.filter(post_id=post_id, comment_id=comment_id).count()
    if comment_id is None:
        Post.objects.filter(pk=post_id).update(like_count=count)
    else:
        Comment.objects.filter(pk=comment_id).update(like_count=count)
        Post.objects.filter(pk=post_id).update(conversation_version=F("conversation_version") + 1)
    return count
