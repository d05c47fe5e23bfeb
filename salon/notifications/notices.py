"""What the blog tells people by mail about comments and posts, and when.

- A new approved comment: the post's author, and readers subscribed to follow-ups.
- A held comment: the moderators (staff allowed to change comments, with an e-mail address),
  with approve/spam/trash links.
- A post going live: readers subscribed to new posts, once per post.
- Spam and trashed comments: nobody, ever.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import QuerySet, Value
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from salon.discussion.models import Comment
from salon.discussion.moderation import Decision, moderate
from salon.discussion.pipeline import CommentSubmission
from salon.notifications.delivery import (
    absolute_url,
    deliver_due,
    enqueue,
    forget_old_mail,
    mail_configured,
    mail_summary,
)
from salon.notifications.links import moderation_url, new_nonce, unsubscribe_url
from salon.notifications.models import (
    CommentAnnouncement,
    ModerationLinkUse,
    PostAnnouncement,
    Subscription,
    Topic,
)
from salon.notifications.subscriptions import (
    normalise,
    opt_outs,
    opted_out,
    request_subscriptions,
)
from salon.prepared import insert, prepared
from salon.publishing import protection
from salon.publishing.models import Post

log = logging.getLogger(__name__)

# A post is announced only if it went live this recently: turning mail on (or a sender that
# was down for a while) never floods subscribers with old posts.
ANNOUNCE_WINDOW = timedelta(days=2)
_SILENT = (Comment.Status.SPAM, Comment.Status.TRASH)
MODERATE_PERMISSION = "discussion.change_comment"


def _footer(stop_url: str, why: str) -> str:
    return "\n-- \n" + why + "\n" + _("Unsubscribe with one click: %(url)s") % {"url": stop_url}


def _comment_text(comment: Comment) -> str:
    return Truncator(comment.content).chars(2000)


def comment_arrived(comment: Comment, submission: CommentSubmission, **signal) -> None:
    """Receives ``comment_submitted``: subscriptions asked for under the form, and the
    notices due.

    Runs in the transaction that stores the comment, so what it queues is stored with it
    (never a comment whose notice is lost, nor a notice of a comment rolled back); it only
    queues mail, so the commenter's reply never waits for an SMTP server.
    """
    if not mail_configured() or comment.status in _SILENT:
        return
    if comment.author_email and (submission.notify_replies or submission.notify_posts):
        request_subscriptions(
            comment.author_email, comment.post, submission.notify_replies, submission.notify_posts
        )
    if comment.status == Comment.Status.APPROVED:
        comment_published(comment)
    elif comment.status == Comment.Status.PENDING:
        comment_held(comment)


def _comment_notice(
    comment: Comment, email: str, topic: str, stop: str, intro: str, why: str, link: str
) -> None:
    """Queue one "new comment" message: ``intro`` (with the commenter, title, text and link),
    then the unsubscribe footer saying ``why`` this reader gets it."""
    post = comment.post
    body = intro % {
        "name": comment.display_name,
        "title": post.title,
        "text": _comment_text(comment),
        "link": link,
    } + _footer(stop, why)
    enqueue(
        email,
        _("New comment on “%(title)s”") % {"title": post.title},
        body,
        topic=topic,
        unsubscribe_url=stop,
        comment=comment,
    )


def comment_published(comment: Comment) -> int:
    """Tell the post's author and the post's follow-up subscribers; return messages queued."""
    if not mail_configured() or comment.status != Comment.Status.APPROVED:
        return 0
    post = comment.post
    commenter = normalise(comment.author_email)
    link = absolute_url(comment.get_absolute_url())
    queued = 0
    author = post.author
    author_email = normalise(author.email or "")
    if (
        author_email
        and author_email != commenter
        and comment.user_id != author.pk
        and not opted_out(author_email, Topic.AUTHOR)
    ):
        _comment_notice(
            comment,
            author_email,
            Topic.AUTHOR,
            unsubscribe_url(author_email, Topic.AUTHOR),
            _("%(name)s commented on your post “%(title)s”:\n\n%(text)s\n\nSee it: %(link)s\n"),
            _("You get this because you wrote the post."),
            link,
        )
        queued += 1
    for email in follow_up_subscribers(post.pk, {commenter, author_email} - {""}):
        _comment_notice(
            comment,
            email,
            Topic.REPLIES,
            unsubscribe_url(email, Topic.REPLIES, post.pk),
            _("%(name)s added a comment to “%(title)s”:\n\n%(text)s\n\nSee it: %(link)s\n"),
            _("You asked to be told of follow-up comments on this post."),
            link,
        )
        queued += 1
    return queued


def _left_public(comment: Comment) -> None:
    """Remember that ``comment`` was public (and so announced) as it leaves that status, so
    that approving it again announces nothing. Written then rather than for every new
    comment: few ever leave."""
    try:
        with transaction.atomic():
            insert(CommentAnnouncement(comment=comment))
    except IntegrityError:
        pass  # it had left before


def _announce_unless_public_before(comment: Comment) -> None:
    if not CommentAnnouncement.objects.filter(comment=comment).exists():
        comment_published(comment)


def follow_up_subscribers(post_id: int, besides: set[str]) -> list[str]:
    """The confirmed follow-up subscribers of a post, but for the addresses ``besides``
    (one query, compiled once for each number of them)."""
    left_out = sorted(besides)

    def build(v) -> QuerySet:
        return (
            Subscription.objects.filter(
                topic=Topic.REPLIES, post_id=v("post", -7_070_707), confirmed_at__isnull=False
            )
            .exclude(email__in=[v(f"email{n}", f"\x00email{n}\x00") for n in range(len(left_out))])
            .values_list("email")
        )

    query = prepared(("follow-up subscribers", len(left_out)), build)
    given = {f"email{n}": email for n, email in enumerate(left_out)}
    return [email for (email,) in query.all_rows(post=post_id, **given)]


def moderators() -> list[str]:
    """Addresses of staff who can act on held comments and have not opted out (one query,
    compiled once: the moderators' addresses and the moderation opt-outs together).

    As the desk: staff with the right to change comments (theirs or a group's), or
    superusers. Others on the staff (writers) must not see commenters' addresses, nor get
    links that moderate."""

    def build(v) -> QuerySet:
        staff = (
            get_user_model()
            .objects.with_perm(
                MODERATE_PERMISSION,
                is_active=True,
                include_superusers=True,
                backend="django.contrib.auth.backends.ModelBackend",
            )
            .filter(is_staff=True)
            .exclude(email="")
            .annotate(opted_out=Value(False))
            .values_list("email", "opted_out")
        )
        return staff.union(
            opt_outs(Topic.MODERATION)
            .annotate(opted_out=Value(True))
            .values_list("email", "opted_out"),
            all=True,
        )

    rows = prepared("moderators and their opt-outs", build).all_rows()
    stopped = {email for email, opted_out in rows if opted_out}
    emails = {normalise(email) for email, opted_out in rows if not opted_out}
    # As opted_out(email, Topic.MODERATION) tells, for each of them.
    return sorted(email for email in emails if email not in stopped)


def comment_held(comment: Comment) -> int:
    """Ask the moderators to approve, mark as spam, or trash a held comment."""
    if not mail_configured() or comment.status != Comment.Status.PENDING:
        return 0
    post = comment.post
    nonce = new_nonce()
    links = {
        action: moderation_url(comment.pk, action, nonce) for action in ("approve", "spam", "trash")
    }
    queued = 0
    for email in moderators():
        stop = unsubscribe_url(email, Topic.MODERATION)
        body = (
            _(
                "A comment on “%(title)s” is waiting for your approval.\n\n"
                "Author: %(name)s\nE-mail: %(email)s\nWebsite: %(url)s\n\n%(text)s\n\n"
                "Approve it: %(approve)s\nMark it as spam: %(spam)s\nMove it to the trash: %(trash)s\n\n"
                "Each link works once, for 7 days. All held comments: %(admin)s\n"
            )
            % {
                "title": post.title,
                "name": comment.display_name,
                "email": comment.author_email or "—",
                "url": comment.author_url or "—",
                "text": _comment_text(comment),
                "approve": links["approve"],
                "spam": links["spam"],
                "trash": links["trash"],
                "admin": absolute_url("/admin/discussion/comment/?status__exact=pending"),
            }
        ) + _footer(
            stop, _("You get this because you moderate %(site)s.") % {"site": settings.SITE_NAME}
        )
        enqueue(
            email,
            _("Please moderate: “%(title)s”") % {"title": post.title},
            body,
            topic=Topic.MODERATION,
            unsubscribe_url=stop,
            comment=comment,
        )
        queued += 1
    return queued


class LinkAlreadyUsed(Exception):
    """The moderation link (or one of its siblings) was followed before."""


_STATUS_OF_ACTION = {
    "approve": Comment.Status.APPROVED,
    "spam": Comment.Status.SPAM,
    "trash": Comment.Status.TRASH,
}


def link_used(nonce: str) -> ModerationLinkUse | None:
    """The record of an earlier use of a moderation link, if any."""
    return ModerationLinkUse.objects.filter(nonce=nonce).first()


def moderate_by_link(comment: Comment, action: str, nonce: str) -> None:
    """Apply a moderation link's action once; raise :class:`LinkAlreadyUsed` after that.

    The change goes through discussion's ``moderate`` like any other moderator's decision,
    so counts stay true and the spam filter learns from it.
    """
    try:
        with transaction.atomic():
            # The unique nonce is the once-only guard, even if two clicks race.
            ModerationLinkUse.objects.create(nonce=nonce, comment=comment, action=action)
            moderate([comment], _STATUS_OF_ACTION[action])
    except IntegrityError:
        raise LinkAlreadyUsed from None


def comment_edited(comment: Comment, previous_status: str, **signal) -> None:
    """Receives ``comment_edited``: an edit that put an approved comment on hold is news for
    the moderators, as a newly held comment is (and is not news again for the post's author
    and subscribers when it is approved)."""
    if previous_status == Comment.Status.APPROVED and comment.status != Comment.Status.APPROVED:
        _left_public(comment)
    if (
        mail_configured()
        and comment.status == Comment.Status.PENDING
        and previous_status == Comment.Status.APPROVED
    ):
        comment_held(comment)


def status_changed(decision: Decision, **signal) -> None:
    """Receives ``comment_status_changed``: a comment that comes out of moderation is
    announced as new, unless it was public before (unapproved, or held again by an edit).

    Runs inside the moderation's transaction, so the mail is queued only once it commits.
    """
    comment = decision.comment
    if decision.previous_status == Comment.Status.APPROVED:
        _left_public(comment)
    elif decision.status == Comment.Status.APPROVED and decision.previous_status in (
        Comment.Status.PENDING,
        Comment.Status.SPAM,
    ):
        transaction.on_commit(lambda: _announce_unless_public_before(comment))


def announce_new_posts(now: datetime | None = None) -> int:
    """Queue one mail per confirmed subscriber for each post that has gone live; return posts.

    Called by the sender loop, so a scheduled post is announced when its time comes, not when
    it was saved.
    """
    if not mail_configured():
        return 0
    now = now or timezone.now()
    fresh = (
        Post.objects.live()
        .posts()
        .filter(published_at__gte=now - ANNOUNCE_WINDOW, published_at__lte=now)
        .filter(announcement__isnull=True)
        .order_by("published_at")
    )
    announced = 0
    for post in fresh:
        try:
            with transaction.atomic():
                # The one-to-one row is the claim: a second sender loop loses here.
                announcement = PostAnnouncement.objects.create(post=post)
                announcement.recipients = _announce(post)
                announcement.save(update_fields=["recipients"])
        except IntegrityError:
            continue
        announced += 1
    return announced


def _announce(post: Post) -> int:
    if protection.is_locked_for(post, None):
        summary = str(protection.NO_EXCERPT)
    else:
        summary = Truncator(strip_tags(post.excerpt or post.body)).words(60)
    link = absolute_url(post.get_absolute_url())
    emails = Subscription.objects.filter(
        topic=Topic.POSTS, post__isnull=True, confirmed_at__isnull=False
    ).values_list("email", flat=True)
    count = 0
    for email in emails:
        stop = unsubscribe_url(email, Topic.POSTS)
        body = (
            f"{post.title}\n\n{summary}\n\n"
            + _("Read it: %(link)s\n") % {"link": link}
            + _footer(
                stop,
                _("You asked to be told of new posts on %(site)s.") % {"site": settings.SITE_NAME},
            )
        )
        enqueue(
            email,
            _("New post on %(site)s: %(title)s")
            % {"site": settings.SITE_NAME, "title": post.title},
            body,
            topic=Topic.POSTS,
            unsubscribe_url=stop,
        )
        count += 1
    return count


def mail_round() -> str:
    """Announce posts that went live, send what is due, forget old mail (a background job).

    Returns a summary, or "" when there was nothing to do.
    """
    posts = announce_new_posts()
    report = deliver_due()
    forget_old_mail()
    if report.sent or report.retrying or report.given_up or posts:
        return mail_summary(posts, report)
    return ""
