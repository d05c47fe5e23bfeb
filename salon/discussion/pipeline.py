"""One comment's journey: guard against floods and duplicates, judge it (the spam check,
then the site's rules, then its status), store it in one transaction with what the other
apps keep of it (the spam filter's count, the mail queued about it), and tell them of
changes after commit (:mod:`salon.discussion.signals`).

Who judges, and who does not:

- Every comment that *arrives* is judged by :func:`submit_comment`: the comment form,
  Webmentions and pingbacks (and any later way in: an API, the fediverse).
- Every comment whose text *changes* is judged again by :func:`resubmit_comment`: its
  author's edit, a Webmention or pingback whose source page changed.
- Both call :func:`judge`, the one place a status is decided (:func:`decide_status` holds
  the site's rules).
- Importers store history as it was (the status the old system gave), and do not judge.
- Moderators decide a status themselves: :func:`salon.discussion.moderation.moderate`.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.cache import cache
from django.db import transaction
from django.db.models import Exists, Q, QuerySet, Value
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from salon.discussion import signals
from salon.discussion.models import Comment, DiscussionSettings, same_email
from salon.discussion.rendering import count_links, render_comment
from salon.discussion.threads import depth_of
from salon.prepared import insert, prepared
from salon.publishing.models import Post
from salon.web_addresses import web_address

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
    # Why the way the comment came in holds it for moderation whatever the other rules say
    # (the owner's "hold every fediverse reply"); "" for none.
    hold_reason: str = ""
    # What the commenter asked for under the form (acted on by after-comment hooks).
    notify_replies: bool = False
    notify_posts: bool = False

    @classmethod
    def of(cls, comment: Comment) -> CommentSubmission:
        """A stored comment as the submission it came from (for judging or teaching it
        again); what the form alone knew (the honeypot, the typing time) is not stored."""
        return cls(
            post=comment.post,
            content=comment.content,
            author_name=comment.author_name,
            author_email=comment.author_email,
            author_url=comment.author_url,
            parent=comment.parent,
            user=comment.user,
            ip=comment.author_ip,
            user_agent=comment.user_agent,
            visitor_key=comment.visitor_key,
            kind=comment.kind,
        )

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
    checked: bool = True
    """False when no spam filter ran (none is configured)."""
    record: Callable[[], None] | None = field(default=None, repr=False, compare=False)
    """What the filter keeps of this check (its daily counts): the pipeline runs it in the
    transaction that stores the comment, so the two are written together or not at all."""

    def keep_record(self) -> None:
        if self.record is not None:
            self.record()

    @property
    def outcome(self) -> str:
        """What the filter said: ``"spam"``, ``"hold"``, ``"approve"``; "" if none ran."""
        if not self.checked:
            return ""
        return "spam" if self.spam else "hold" if self.hold else "approve"


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
        return Verdict(checked=False)
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


_NO_ID = -7_070_707  # no row's id: stands for one in the compiled queries below
_EPOCH = datetime(1901, 1, 1, tzinfo=UTC)  # before any comment: stands for a moment


def _flood_seconds(submission: CommentSubmission) -> int:
    """How long the flood guard holds the submission's sources (0: it does not apply).

    Pingbacks and Webmentions come from servers (their endpoint has its own rate limit);
    staff are never held back; ``FLOOD_SECONDS = 0`` turns the guard off.
    """
    account = submission.account
    if (account is not None and account.is_staff) or submission.kind != Comment.Kind.COMMENT:
        return 0
    return max(settings.SALON["FLOOD_SECONDS"], 0)


def _earlier_comments(submission: CommentSubmission, flood_seconds: int) -> tuple[bool, bool]:
    """Whether the submission repeats one of its author's comments under the same post and
    parent (not trashed), and whether one of its sources (its address, e-mail or account)
    sent a comment in the last ``flood_seconds`` (0: not asked). One query, compiled once."""
    email = bool(submission.author_email)
    account = submission.account
    ip = bool(submission.ip)
    parent = submission.parent is not None
    flood = flood_seconds > 0 and (ip or email or account is not None)
    fields = Comment._meta

    def build(v) -> QuerySet:
        same_author = Q(author_name=v("name", "\x00name\x00"))
        email_q = same_email(v("email", "\x00email\x00")) if email else Q()
        account_q = Q(user_id=v("user", _NO_ID - 1)) if account is not None else Q()
        same_author |= email_q | account_q
        duplicate = (
            Comment.objects.filter(
                post_id=v("post", _NO_ID),
                parent_id=v("parent", _NO_ID - 2) if parent else None,
                content=v("content", "\x00content\x00"),
            )
            .exclude(status=Comment.Status.TRASH)
            .filter(same_author)
        )
        flooding = Value(False)
        if flood:
            source = email_q | account_q
            if ip:
                address = v("ip", "192.0.2.255", fields.get_field("author_ip"))
                source |= Q(author_ip=address)
            since = v("since", _EPOCH, fields.get_field("created_at"))
            flooding = Exists(Comment.objects.filter(source, created_at__gte=since))
        return (
            Post.objects.filter(pk=v("post", _NO_ID))
            .annotate(duplicate=Exists(duplicate), flooding=flooding)
            .values_list("duplicate", "flooding")
        )

    row = prepared(("earlier comments", email, account is not None, ip, parent, flood), build)
    found = row.first_row(
        post=submission.post.pk,
        parent=submission.parent.pk if parent else None,
        content=submission.content,
        name=submission.author_name,
        email=submission.author_email,
        user=account.pk if account is not None else None,
        ip=submission.ip,
        since=timezone.now() - timedelta(seconds=flood_seconds),
    )
    if found is None:  # the post was deleted meanwhile: nothing earlier under it
        return False, False
    return bool(found[0]), bool(found[1])


def _rejects_duplicate_and_flood(submission: CommentSubmission) -> None:
    """Refuse a duplicate (409), then a comment from a source that sent one less than
    ``FLOOD_SECONDS`` ago (429).

    The flood guard's claim is atomic across every process (``cache.add`` on the cache they
    share), so of several comments sent at once from one source exactly one passes. A
    refused comment claims nothing. The stored comments are checked too, for a cache
    emptied since (a restart on Redis, an eviction).
    """
    seconds = _flood_seconds(submission)
    duplicate, flooded = _earlier_comments(submission, seconds)
    if duplicate:
        raise CommentRejected(
            _("Duplicate comment detected; it looks as though you’ve already said that!"), 409
        )
    if not seconds:
        return
    if flooded:
        raise CommentRejected(too_quickly(), 429)
    claimed: list[str] = []
    for key in _flood_claims(submission):
        if not cache.add(key, 1, timeout=seconds):
            cache.delete_many(claimed)
            raise CommentRejected(too_quickly(), 429)
        claimed.append(key)


def too_quickly() -> str:
    """What a reader is told whose comments come faster than the site takes them (the rate
    limit of every form and of the embed, and the flood guard): WordPress's words."""
    return _("You are posting comments too quickly. Slow down.")


def _flood_claims(submission: CommentSubmission) -> list[str]:
    """The cache keys a comment claims for the flood window: its address, its e-mail and
    its account, each the source of at most one comment per window."""
    claims = []
    if submission.ip:
        claims.append(f"flood:ip:{submission.ip}")
    if submission.author_email:
        email = submission.author_email.strip().lower().encode()
        claims.append(f"flood:email:{hashlib.sha256(email).hexdigest()}")
    if submission.account is not None:
        claims.append(f"flood:user:{submission.account.pk}")
    return claims


def _first_match(words: list[str], submission: CommentSubmission) -> str:
    """The first of the site's ``words`` found in the comment's text, name, e-mail, website,
    IP address or browser (WordPress's rule), or ""."""
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
    return next((word for word in words if word in haystack), "")


def _previously_approved(submission: CommentSubmission) -> bool:
    """Whether an approved comment of the same account, or under the same name and e-mail,
    is stored (one query, compiled once)."""
    account = submission.account
    if account is None and not submission.author_email:
        return False

    def build(v) -> QuerySet:
        if account is not None:
            mine = Q(user_id=v("user", _NO_ID))
        else:
            mine = Q(author_name=v("name", "\x00name\x00")) & same_email(
                v("email", "\x00email\x00")
            )
        return Comment.objects.approved().filter(mine).values_list("pk")[:1]

    found = prepared(("approved before", account is not None), build).first_row(
        user=account.pk if account is not None else None,
        name=submission.author_name,
        email=submission.author_email,
    )
    return found is not None


def _rule(signal: str, message: str) -> dict[str, Any]:
    """A site rule that decided a comment's status, as a reason beside the spam filter's."""
    return {"signal": signal, "weight": 0.0, "message": message}


def _quoted(word: str) -> str:
    return word if len(word) <= 40 else word[:39] + "…"


def decide_status(
    submission: CommentSubmission, verdict: Verdict, options: DiscussionSettings, html: str
) -> tuple[str, dict[str, Any] | None]:
    """The comment's status from the site's rules and the spam verdict, and the site rule
    that decided it (a reason for the moderator), if one did.

    This is the one place the Discussion settings are applied:

    - a disallowed word sends it to the trash, whoever wrote it;
    - staff and the post's author are approved (the filter's word is recorded, not obeyed);
    - a spam verdict sends it to spam;
    - a hold asked for by the way it came in (``submission.hold_reason``), "hold every
      comment", the link limit and the moderation words hold it, and so does an
      uncertain verdict;
    - an earlier approved comment under the same name and e-mail (or account) approves it;
      without one, "hold first comments" holds it; otherwise it is approved.
    """
    disallowed = _first_match(options.word_list(options.disallowed_words), submission)
    if disallowed:
        return Comment.Status.TRASH, _rule(
            "disallowed_words",
            _("contains “%(word)s”, on this site's disallowed words list")
            % {"word": _quoted(disallowed)},
        )
    account = submission.account
    if account is not None and (account.is_staff or account.pk == submission.post.author_id):
        return Comment.Status.APPROVED, None
    if verdict.spam:
        return Comment.Status.SPAM, None
    if submission.hold_reason:
        return Comment.Status.PENDING, _rule("hold_channel", submission.hold_reason)
    if options.hold_all:
        return Comment.Status.PENDING, _rule(
            "hold_all", _("this site holds every comment for moderation")
        )
    links = count_links(html)
    if links >= options.max_links > 0:
        return Comment.Status.PENDING, _rule(
            "max_links",
            _("%(count)d links; this site holds comments with %(limit)d or more")
            % {"count": links, "limit": options.max_links},
        )
    moderated = _first_match(options.word_list(options.moderation_words), submission)
    if moderated:
        return Comment.Status.PENDING, _rule(
            "moderation_words",
            _("contains “%(word)s”, on this site's moderation list") % {"word": _quoted(moderated)},
        )
    if verdict.hold:
        return Comment.Status.PENDING, None
    if _previously_approved(submission):
        return Comment.Status.APPROVED, None
    if options.require_previous_approval:
        return Comment.Status.PENDING, _rule(
            "first_comment", _("this site holds comments from people with no earlier approved one")
        )
    return Comment.Status.APPROVED, None


@dataclass(frozen=True)
class Judgement:
    """What the pipeline decided about a submission: its HTML, the spam filter's verdict,
    the status it gets, and the reasons stored with it (the filter's, then the site's rule)."""

    html: str
    verdict: Verdict
    status: str
    reasons: list[dict[str, Any]]

    @property
    def discard(self) -> bool:
        """Blatant spam that no rule kept: a new one is not stored at all."""
        return self.verdict.discard and self.status == Comment.Status.SPAM


def judge(submission: CommentSubmission, options: DiscussionSettings) -> Judgement:
    """Judge a new or changed comment: the spam check, then the site's rules, then the status."""
    html = render_comment(submission.content)
    verdict = check_spam(submission)
    status, rule = decide_status(submission, verdict, options, html)
    reasons = list(verdict.reasons) + ([rule] if rule else [])
    return Judgement(html, verdict, status, reasons)


def attach_point(parent: Comment | None, options: DiscussionSettings) -> Comment | None:
    """The comment a reply really hangs from: replies never nest deeper than the thread depth."""
    if parent is None:
        return None
    depth = depth_of(parent)
    while parent is not None and depth >= options.thread_depth:
        parent = parent.parent
        depth -= 1
    return parent


_STRICTNESS = [
    Comment.Status.APPROVED,
    Comment.Status.PENDING,
    Comment.Status.SPAM,
    Comment.Status.TRASH,
]


def _send_after_commit(signal, **arguments) -> None:
    transaction.on_commit(lambda: signals.send(signal, **arguments))


def submit_comment(
    submission: CommentSubmission, options: DiscussionSettings | None = None
) -> Comment | None:
    """Run a new submission through the whole pipeline and store it.

    ``options``: the discussion settings, when the caller has just read them (else read here).

    Returns the stored comment, or None when the spam filter calls it blatant spam (it is
    then discarded unseen). Raises :class:`CommentRejected` for closed comments, a reply to
    another post, duplicates and floods. Sends ``comment_submitted`` in the transaction
    that stores the comment.
    """
    post = submission.post
    if not post.comments_open:
        raise CommentRejected(_("Comments are closed on this post."), 403)
    if submission.parent is not None and submission.parent.post_id != post.pk:
        raise CommentRejected(_("The comment you are replying to is not on this post."), 400)

    if options is None:
        options = DiscussionSettings.current()
    _rejects_duplicate_and_flood(submission)

    judgement = judge(submission, options)
    if judgement.discard:
        log.info("Discarded blatant spam on post %s", post.pk)
        judgement.verdict.keep_record()
        return None

    with transaction.atomic():
        comment = Comment(
            post=post,
            parent=attach_point(submission.parent, options),
            user=submission.account,
            author_name=submission.author_name,
            author_email=submission.author_email,
            # Every way in checks it; the pipeline stores nothing else whoever calls it.
            author_url=web_address(submission.author_url),
            author_ip=submission.ip or None,
            user_agent=submission.user_agent[:255],
            visitor_key=submission.visitor_key,
            content=submission.content,
            content_html=judgement.html,
            status=judgement.status,
            kind=submission.kind,
            spam_score=judgement.verdict.score if judgement.verdict.checked else None,
            spam_reasons=judgement.reasons,
            spam_outcome=judgement.verdict.outcome,
        )
        insert(comment)  # as Comment.objects.create() stores it, compiled once
        # The mail about it is queued with it, so that neither is stored without the other.
        signals.send_within(signals.comment_submitted, comment=comment, submission=submission)
        # Last, so that every transaction takes the post's row before the filter's counts.
        judgement.verdict.keep_record()
    return comment


def resubmit_comment(comment: Comment, submission: CommentSubmission) -> Comment:
    """Judge a stored comment's changed text again and store the change.

    For its author's edit and for a Webmention or pingback whose source page changed: a
    change is a new chance to slip spam in after a comment was approved, so it is judged
    as if it had just arrived. A change never lifts a comment out of moderation, spam or the
    trash (that is a moderator's decision): it keeps the stricter of its old status and the
    new judgement. Blatant spam is kept, as spam, so that the moderator sees what the
    comment was turned into. Sends ``comment_edited`` after commit.
    """
    judgement = judge(submission, DiscussionSettings.current())
    previous_status = comment.status
    status = max(previous_status, judgement.status, key=_STRICTNESS.index)
    comment.content = submission.content
    comment.content_html = judgement.html
    comment.author_name = submission.author_name
    if status != previous_status:
        comment.status_since = timezone.now()
    comment.status = status
    comment.spam_score = judgement.verdict.score if judgement.verdict.checked else None
    comment.spam_reasons = judgement.reasons
    comment.spam_outcome = judgement.verdict.outcome
    with transaction.atomic():
        comment.save(
            update_fields=[
                "content",
                "content_html",
                "author_name",
                "status",
                "status_since",
                "spam_score",
                "spam_reasons",
                "spam_outcome",
            ]
        )
        judgement.verdict.keep_record()
        _send_after_commit(
            signals.comment_edited,
            comment=comment,
            submission=submission,
            previous_status=previous_status,
        )
    return comment
