"""One comment's journey: validate, guard against floods and duplicates, check for spam,
decide its status, store it in one transaction, and notify after commit.

Views and importers call :func:`submit_comment`; they never decide a comment's status
themselves.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from salon.discussion.models import Comment, DiscussionSettings
from salon.discussion.rendering import count_links, render_comment
from salon.discussion.threads import depth_of
from salon.publishing.models import Post

log = logging.getLogger(__name__)


@dataclass
class CommentSubmission:
    """Everything known about a comment when it arrives, before anything is stored."""

    post: Post
    content: str
    author_name: str = ""
    author_email: str = ""
    author_url: str = ""
    parent: Comment | None = None
    user: AbstractBaseUser | AnonymousUser | None = None
    ip: str | None = None
    user_agent: str = ""
    referrer: str = ""
    visitor_key: str = ""
    honeypot_value: str = ""
    seconds_to_submit: float | None = None
    kind: str = Comment.Kind.COMMENT
    # What the commenter asked for under the form (acted on by after-comment hooks).
    notify_replies: bool = False
    notify_posts: bool = False

    @property
    def account(self) -> AbstractBaseUser | None:
        user = self.user
        return user if user is not None and user.is_authenticated else None


@dataclass
class Verdict:
    """What the spam filter says of a submission, and why."""

    spam: bool = False
    score: float = 0.0
    discard: bool = False
    hold: bool = False
    reasons: list[dict[str, Any]] = field(default_factory=list)


class CommentRejected(Exception):
    """A submission that must not be stored; ``status`` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def check_spam(submission: CommentSubmission) -> Verdict:
    """Ask the spam filter for a verdict on the submission.

    This is the one place the pipeline consults a spam filter: the function named by
    ``SALON["SPAM_FILTER"]`` (Salon's own engine by default; empty for none). Should the
    filter fail, the comment is held for a moderator: never lost, never published unchecked.
    """
    path = settings.SALON.get("SPAM_FILTER")
    if not path:
        return Verdict()
    try:
        return import_string(path)(submission)
    except Exception:
        log.exception("The spam filter failed; holding the comment for moderation")
        return Verdict(
            hold=True,
            reasons=[
                {
                    "signal": "filter_unavailable",
                    "weight": 0.0,
                    "message": "the spam filter could not be reached; held for a person to decide",
                }
            ],
        )


def _rejects_duplicate(submission: CommentSubmission) -> None:
    same_author = Q(author_name=submission.author_name)
    if submission.author_email:
        same_author |= Q(author_email__iexact=submission.author_email)
    if submission.account:
        same_author |= Q(user=submission.account)
    duplicate = (
        Comment.objects.filter(
            post=submission.post,
            parent=submission.parent,
            content=submission.content,
        )
        .exclude(status=Comment.Status.TRASH)
        .filter(same_author)
        .exists()
    )
    if duplicate:
        raise CommentRejected(
            _("Duplicate comment detected; it looks as though you’ve already said that!"), 409
        )


def _rejects_flood(submission: CommentSubmission) -> None:
    account = submission.account
    # Pingbacks and Webmentions come from servers; their endpoint has its own rate limit.
    if (account is not None and account.is_staff) or submission.kind != Comment.Kind.COMMENT:
        return
    since = timezone.now() - timedelta(seconds=settings.SALON["FLOOD_SECONDS"])
    same_source = Q()
    if submission.ip:
        same_source |= Q(author_ip=submission.ip)
    if submission.author_email:
        same_source |= Q(author_email__iexact=submission.author_email)
    if account is not None:
        same_source |= Q(user=account)
    if same_source and Comment.objects.filter(same_source, created_at__gte=since).exists():
        raise CommentRejected(_("You are posting comments too quickly. Slow down."), 429)


def _matches(words: list[str], submission: CommentSubmission) -> bool:
    haystack = "\n".join(
        [
            submission.content,
            submission.author_name,
            submission.author_email,
            submission.author_url,
            submission.ip or "",
            submission.user_agent,
        ]
    ).lower()
    return any(word in haystack for word in words)


def _previously_approved(submission: CommentSubmission) -> bool:
    if submission.account is not None:
        mine = Q(user=submission.account)
    elif submission.author_email:
        mine = Q(author_name=submission.author_name, author_email__iexact=submission.author_email)
    else:
        return False
    return Comment.objects.approved().filter(mine).exists()


def decide_status(
    submission: CommentSubmission, verdict: Verdict, options: DiscussionSettings, html: str
) -> str:
    """Apply WordPress's moderation rules, then the spam verdict, to pick a comment's status."""
    account = submission.account
    trusted = account is not None and (account.is_staff or account.pk == submission.post.author_id)
    if trusted:
        status = Comment.Status.APPROVED
    elif options.hold_all:
        status = Comment.Status.PENDING
    elif count_links(html) >= options.max_links > 0:
        status = Comment.Status.PENDING
    elif _matches(options.word_list(options.moderation_words), submission):
        status = Comment.Status.PENDING
    elif _previously_approved(submission):
        status = Comment.Status.APPROVED
    elif options.require_previous_approval:
        status = Comment.Status.PENDING
    else:
        status = Comment.Status.APPROVED

    if _matches(options.word_list(options.disallowed_words), submission):
        return Comment.Status.TRASH
    if trusted:
        # Staff and the post's author were vetted by the owner; the filter's word is
        # recorded for them but does not overrule that.
        return status
    if verdict.spam:
        return Comment.Status.SPAM
    if verdict.hold and status == Comment.Status.APPROVED:
        return Comment.Status.PENDING
    return status


def attach_point(parent: Comment | None, options: DiscussionSettings) -> Comment | None:
    """The comment a reply really hangs from: replies never nest deeper than the thread depth."""
    if parent is None:
        return None
    depth = depth_of(parent)
    while parent is not None and depth >= options.thread_depth:
        parent = parent.parent
        depth -= 1
    return parent


# Functions called with each stored comment and its submission after the transaction commits
# (notifications, subscriptions). A failing hook is logged; it never loses the comment.
after_comment: list[Callable[[Comment, CommentSubmission], None]] = []


def _run_after_commit(hook: Callable[[Comment, CommentSubmission], None], comment, submission):
    try:
        hook(comment, submission)
    except Exception:
        log.exception("After-comment hook %r failed for comment %s", hook, comment.pk)


def submit_comment(submission: CommentSubmission) -> Comment | None:
    """Run a submission through the whole pipeline and store it.

    Returns the stored comment, or None when the spam filter says to discard it unseen.
    Raises :class:`CommentRejected` for closed comments, duplicates and floods.
    """
    post = submission.post
    if not post.comments_open:
        raise CommentRejected(_("Comments are closed on this post."), 403)
    if submission.parent is not None and submission.parent.post_id != post.pk:
        raise CommentRejected(_("The comment you are replying to is not on this post."), 400)

    options = DiscussionSettings.current()
    _rejects_duplicate(submission)
    _rejects_flood(submission)

    html = render_comment(submission.content)
    verdict = check_spam(submission)
    if verdict.discard:
        log.info("Discarded blatant spam on post %s", post.pk)
        return None
    status = decide_status(submission, verdict, options, html)

    with transaction.atomic():
        comment = Comment.objects.create(
            post=post,
            parent=attach_point(submission.parent, options),
            user=submission.account,
            author_name=submission.author_name,
            author_email=submission.author_email,
            author_url=submission.author_url,
            author_ip=submission.ip or None,
            user_agent=submission.user_agent[:255],
            visitor_key=submission.visitor_key,
            content=submission.content,
            content_html=html,
            status=status,
            kind=submission.kind,
            spam_score=verdict.score,
            spam_reasons=verdict.reasons,
        )
        for hook in after_comment:
            transaction.on_commit(lambda hook=hook: _run_after_commit(hook, comment, submission))
    return comment
