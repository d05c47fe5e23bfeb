"""Owning one's words: who may edit or delete a comment, and until when.

A comment's author may change it for ``SALON_EDIT_WINDOW_MINUTES`` (15) after posting: a
logged-in author because the comment is theirs (``Comment.user``), a guest because their
signed visitor cookie holds the key the comment was stored with (``Comment.visitor_key``).

So that the post page can offer "Edit · Delete" without a query, the answer to a posted
comment also sets a small signed cookie listing the reader's recent comments; it only
decides which links to show. The edit and delete views check ownership themselves.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from salon.discussion import visitors
from salon.discussion.models import Comment
from salon.discussion.pipeline import CommentSubmission
from salon.identity.identities import provider_of

RECENT_COOKIE = "salon_recent"
_SALT = "salon.identity.recent"
_KEEP = 20  # more recent comments than anyone posts in one window


def edit_window() -> timedelta:
    """How long after posting a comment stays its author's to change."""
    return timedelta(minutes=settings.SALON["EDIT_WINDOW_MINUTES"])


def is_author(request: HttpRequest, comment: Comment) -> bool:
    """Whether the reader wrote ``comment`` (as this account, or as this browser's guest)."""
    user = request.user
    if comment.user_id is not None and user.is_authenticated and comment.user_id == user.pk:
        return True
    key = visitors.visitor_key(request)
    return bool(key) and comment.user_id is None and comment.visitor_key == key


def refusal(request: HttpRequest, comment: Comment) -> str:
    """Why the reader may not change ``comment`` now, or "" when they may."""
    if not is_author(request, comment):
        return _("Only the person who wrote this comment can edit or delete it.")
    return author_refusal(comment)


def author_refusal(comment: Comment) -> str:
    """Why the author of ``comment`` may not change it now (its status, or the edit window
    is over), or "" when they may. Who the author is, each way in decides (the cookie
    here, the embed's token)."""
    # Spam short of blatant is shown to its author as awaiting moderation, like a held
    # comment, and may be changed like one (the change is judged again, and stays spam).
    if comment.status not in (
        Comment.Status.APPROVED,
        Comment.Status.PENDING,
        Comment.Status.SPAM,
    ):
        return _("This comment can no longer be edited or deleted.")
    if timezone.now() > comment.created_at + edit_window():
        minutes = settings.SALON["EDIT_WINDOW_MINUTES"]
        return ngettext(
            "A comment can be edited or deleted only in the first minute after it is posted.",
            "A comment can be edited or deleted only in the first %(minutes)s minutes after "
            "it is posted; the time for this one is over.",
            minutes,
        ) % {"minutes": minutes}
    return ""


def edited_submission(comment: Comment, content: str, request: HttpRequest) -> CommentSubmission:
    """The edited comment as a submission: the new text, under the same name, e-mail and
    account, from the reader's request."""
    return CommentSubmission(
        post=comment.post,
        content=content,
        author_name=comment.author_name,
        author_email=comment.author_email,
        author_url=comment.author_url,
        parent=comment.parent,
        user=comment.user,
        ip=visitors.client_ip(request) or None,
        user_agent=request.META.get("HTTP_USER_AGENT", ""),
        referrer=request.META.get("HTTP_REFERER", ""),
        visitor_key=comment.visitor_key,
    )


def minutes_left(comment: Comment, now: datetime | None = None) -> int:
    """Whole minutes (rounded up) until the edit window of ``comment`` closes."""
    remaining = comment.created_at + edit_window() - (now or timezone.now())
    return max(0, -(-int(remaining.total_seconds()) // 60))


def _recent(request: HttpRequest) -> list[list[int]]:
    raw = request.get_signed_cookie(RECENT_COOKIE, default="", salt=_SALT)
    try:
        entries = json.loads(raw) if raw else []
    except ValueError:
        return []
    horizon = time.time() - edit_window().total_seconds()
    return [
        e
        for e in entries
        if isinstance(e, list) and len(e) == 3 and all(isinstance(v, int) for v in e)
        if e[2] >= horizon
    ]


def on_comment_posted(
    comment: Comment, request: HttpRequest, response: HttpResponse, **signal
) -> None:
    """Receives ``comment_answered``: record who wrote ``comment`` (the log-in provider),
    and remember in the reader's browser that it is theirs to change for a while."""
    provider = provider_of(request)
    if provider:
        Comment.objects.filter(pk=comment.pk).update(identity_provider=provider)
        comment.identity_provider = provider
    entries = _recent(request)[-(_KEEP - 1) :]
    entries.append([comment.pk, comment.post_id, int(comment.created_at.timestamp())])
    response.set_signed_cookie(
        RECENT_COOKIE,
        json.dumps(entries, separators=(",", ":")),
        salt=_SALT,
        max_age=int(edit_window().total_seconds()),
        httponly=True,
        samesite="Lax",
        secure=request.is_secure(),
    )


@dataclass(frozen=True)
class RecentComment:
    """A comment of the reader's on this page that they may still change."""

    id: int
    minutes_left: int
    edit_url: str
    delete_url: str
    opening: str  # its first words, so that two such lines never read the same


def recent_comments(request: HttpRequest, post_id: int) -> list[RecentComment]:
    """The reader's comments on this post whose edit window is still open (from the cookie),
    each with its opening words (one query, and none when there are none)."""
    now = time.time()
    window = edit_window().total_seconds()
    mine = [(c, posted) for c, on_post, posted in _recent(request) if on_post == post_id]
    if not mine:
        return []
    # Only those their author may still change (see author_refusal): a trashed comment is
    # neither offered nor quoted back.
    changeable = (Comment.Status.APPROVED, Comment.Status.PENDING, Comment.Status.SPAM)
    texts = dict(
        Comment.objects.filter(
            pk__in=[c for c, _ in mine], post_id=post_id, status__in=changeable
        ).values_list("pk", "content")
    )
    return [
        RecentComment(
            id=comment_id,
            minutes_left=max(1, -(-int(posted + window - now) // 60)),
            edit_url=reverse("identity:edit-comment", args=[comment_id]),
            delete_url=reverse("identity:delete-comment", args=[comment_id]),
            opening=Truncator(" ".join(texts[comment_id].split())).words(8, truncate="…"),
        )
        for comment_id, posted in mine
        if comment_id in texts
    ]
