"""Likes: one per person, toggled."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils.translation import ngettext

from salon.discussion.counts import refresh_like_count
from salon.discussion.models import Comment, Like
from salon.publishing.models import Post


def toggle_like(
    post: Post, comment: Comment | None, liker: str, user: AbstractBaseUser | None = None
) -> tuple[bool, int]:
    """Like the post (or comment) for ``liker``, or take the like back if there is one.

    Returns whether it is now liked, and the new count.
    """
    comment_id = comment.pk if comment else None
    with transaction.atomic():
        removed, _ = Like.objects.filter(post=post, comment_id=comment_id, liker=liker).delete()
        liked = not removed
        if liked:
            try:
                with transaction.atomic():
                    Like.objects.create(post=post, comment_id=comment_id, liker=liker, user=user)
            except IntegrityError:
                # A concurrent request from the same person liked it first: still one like.
                pass
        count = refresh_like_count(post.pk, comment_id)
    return liked, count


def liked_by_label(count: int) -> str:
    """ "Liked by 1 person" / "Liked by N people", or "" for none."""
    if not count:
        return ""
    return ngettext("Liked by %(count)s person", "Liked by %(count)s people", count) % {
        "count": f"{count:,}"
    }
