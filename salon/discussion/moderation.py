"""Changing a comment's status: one function for the admin, moderation links and the API.

Whoever moderates, the post's counts stay true and every receiver of
``signals.comment_status_changed`` hears of the decision (the spam filter learns from
"spam" / "not spam").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from salon.discussion import signals
from salon.discussion.counts import refresh_comment_counts
from salon.discussion.deletion import delete_comments
from salon.discussion.models import Comment
from salon.discussion.rendering import render_comment


@dataclass(frozen=True)
class Decision:
    """A moderator's decision on one comment: what it was, what it is now, and who said so."""

    comment: Comment
    previous_status: str
    status: str
    moderator: AbstractBaseUser | None


def moderate(
    comments: Iterable[Comment], status: str, moderator: AbstractBaseUser | None = None
) -> int:
    """Give ``comments`` the new ``status``; returns how many changed.

    Comments already in that status are left alone, so repeating a decision teaches nothing
    twice.
    """
    if status not in Comment.Status.values:
        raise ValueError(f"Unknown comment status {status!r}")
    changed = 0
    post_ids: set[int] = set()
    now = timezone.now()
    with transaction.atomic():
        for comment in comments:
            if comment.status == status:
                continue
            previous = comment.status
            Comment.objects.filter(pk=comment.pk).update(status=status, status_since=now)
            comment.status, comment.status_since = status, now
            post_ids.add(comment.post_id)
            changed += 1
            signals.send(
                signals.comment_status_changed,
                decision=Decision(comment, previous, status, moderator),
            )
        refresh_comment_counts(post_ids)
    return changed


def edit(
    comment: Comment,
    *,
    content: str,
    author_name: str,
    author_email: str,
    author_url: str,
) -> Comment:
    """A moderator's correction of a comment's words or its author's details (WordPress's
    Quick Edit). The text is rendered as every comment's is; the status stays the moderator's
    to change, so nothing is judged again. Saving recounts the post and renews its thread."""
    comment.content = content
    comment.content_html = render_comment(content)
    comment.author_name = author_name
    comment.author_email = author_email
    comment.author_url = author_url
    comment.save(
        update_fields=["content", "content_html", "author_name", "author_email", "author_url"]
    )
    return comment


DELETABLE = (Comment.Status.SPAM, Comment.Status.TRASH)


def delete_permanently(comments: Iterable[Comment]) -> list[Comment]:
    """Delete the spam and trashed ones among ``comments`` for good (WordPress's "Delete
    Permanently"); returns those deleted. A comment in any other status is left alone: what
    readers can see, or what awaits a moderator, goes to the Trash first. Replies under a
    deleted comment stay in their thread (:func:`deletion.delete_comments`)."""
    doomed = {c.pk: c for c in comments if c.status in DELETABLE}
    if not doomed:
        return []
    with transaction.atomic():
        # The statuses as they are now, not as the moderator's page showed them.
        now_deletable = Comment.objects.filter(pk__in=doomed, status__in=DELETABLE)
        ids = list(now_deletable.values_list("pk", flat=True))
        delete_comments(Comment.objects.filter(pk__in=ids))
    return [doomed[pk] for pk in ids]
