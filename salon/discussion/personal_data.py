"""What the discussion holds about a person (comments and likes), and how long: registered
with privacy in ``DiscussionConfig.ready``."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.http import HttpRequest

from salon.discussion.counts import refresh_comment_counts, refresh_like_count
from salon.discussion.deletion import delete_comments
from salon.discussion.models import Comment, DiscussionSettings, Like, same_email
from salon.privacy.registry import PersonalDataSource, RetentionTask
from salon.publishing import protection


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def comments_of(email: str):
    """Comments written under this address, or by an account that has it."""
    return Comment.objects.filter(same_email(email) | Q(user__email__iexact=email))


def _export_comments(email: str) -> list[dict[str, Any]]:
    return [
        {
            "id": c.pk,
            "post": c.post.title,
            "post_url": c.post.public_url(),
            "in_reply_to": c.parent_id,
            "date": _iso(c.created_at),
            "status": c.status,
            "name": c.author_name,
            "email": c.author_email,
            "website": c.author_url,
            "ip_address": c.author_ip,
            "browser": c.user_agent,
            "text": c.content,
            "spam_score": c.spam_score,
            # What the privacy page says is stored: the spam filter's decision, and why.
            "spam_filter_said": c.spam_outcome,
            "spam_filter_reasons": [r.get("message", "") for r in c.spam_reasons or []],
        }
        for c in comments_of(email).select_related("post").order_by("created_at", "id")
    ]


def _erase_comments(email: str, mode: str) -> int:
    comments = comments_of(email)
    if mode == "delete":
        # Replies by other people stay in their thread, moved up; the posts are recounted.
        return delete_comments(comments)
    post_ids = set(comments.values_list("post_id", flat=True))
    count = comments.update(
        author_name="",  # shown as "Anonymous"
        author_email="",
        author_url="",
        author_ip=None,
        user_agent="",
        user=None,
        visitor_key="",
        identity_provider="",
    )
    # Recounting bumps each post's conversation version, so no cached thread shows the name.
    refresh_comment_counts(post_ids)
    return count


def _likes(email: str):
    """Likes of accounts with this address, and guest likes from the browsers its comments
    came from (a guest's likes and comments carry the same random cookie key)."""
    account_ids = list(
        get_user_model().objects.filter(email__iexact=email).values_list("pk", flat=True)
    )
    guest_keys = {
        k for k in comments_of(email).exclude(visitor_key="").values_list("visitor_key", flat=True)
    }
    likers = [f"u:{pk}" for pk in account_ids] + [f"g:{key}" for key in guest_keys]
    return Like.objects.filter(Q(user_id__in=account_ids) | Q(liker__in=likers))


def _export_likes(email: str) -> list[dict[str, Any]]:
    return [
        {
            "post": like.post.title,
            "post_url": like.post.public_url(),
            "comment": like.comment_id,
            "date": _iso(like.created_at),
            "as": "account" if like.liker.startswith("u:") else "guest (browser cookie)",
        }
        for like in _likes(email).select_related("post").order_by("created_at", "id")
    ]


def _erase_likes(email: str, mode: str) -> int:
    likes = _likes(email)
    targets = set(likes.values_list("post_id", "comment_id"))
    count, _ = likes.delete()
    for post_id, comment_id in targets:
        refresh_like_count(post_id, comment_id)
    return count


def _strip_addresses(now: datetime) -> int:
    """IP addresses and browser strings leave comments after SALON_IP_RETENTION_DAYS."""
    cutoff = now - timedelta(days=settings.SALON["IP_RETENTION_DAYS"])
    return (
        Comment.objects.filter(created_at__lt=cutoff)
        .exclude(author_ip__isnull=True, user_agent="")
        .update(author_ip=None, user_agent="")
    )


def _delete_old(status: str, days_setting: str):
    def delete(now: datetime) -> int:
        # Counted from when the comment took that status, not from when it was written.
        old = Comment.objects.filter(
            status=status, status_since__lt=now - timedelta(days=settings.SALON[days_setting])
        )
        return delete_comments(old)  # replies to them stay, moved up

    return delete


def page_facts(request: HttpRequest) -> dict[str, Any]:
    """What the privacy page says depends on: whether guests must give name and e-mail, and
    how long a post's password keeps it open (the cookie a reader gets for it)."""
    return {
        "require_name_email": DiscussionSettings.current().require_name_email,
        "post_password_days": protection.UNLOCK_DAYS,
    }


SOURCES = [
    PersonalDataSource(
        "comments",
        "Comments",
        _export_comments,
        _erase_comments,
        note="Comments written under this address, or by an account that has it.",
        erase_order=90,
    ),
    PersonalDataSource(
        "likes",
        "Likes",
        _export_likes,
        _erase_likes,
        note=(
            "Likes of accounts with this address. A guest's likes are kept under a random key "
            "in a browser cookie, not under an e-mail address: they are found only when they "
            "came from the same browser as one of these comments."
        ),
    ),
]

RETENTION = [
    RetentionTask("addresses", _strip_addresses, "addresses removed from %(count)d comments"),
    RetentionTask(
        "spam",
        _delete_old(Comment.Status.SPAM, "SPAM_RETENTION_DAYS"),
        "%(count)d spam comments deleted",
    ),
    RetentionTask(
        "trash",
        _delete_old(Comment.Status.TRASH, "TRASH_RETENTION_DAYS"),
        "%(count)d trashed comments deleted",
    ),
]
