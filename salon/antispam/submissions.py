"""A comment as the spam engine and Akismet-compatible endpoints see it: the one mapping.

Whether it is judged by Salon's own engine (:mod:`.filtering`) or by a remote endpoint
(:mod:`.remote`), and whether it is arriving or being taught as a moderator's lesson, a
comment is described by :func:`for_engine`; :func:`akismet_fields` writes that description
as Akismet's request parameters, and :func:`from_akismet_fields` reads them back (the
Akismet-compatible API, :mod:`.api`), both from one table, :data:`AKISMET_FIELDS`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings

from salon.antispam import engine
from salon.discussion.models import Comment
from salon.discussion.pipeline import CommentSubmission

HONEYPOT_FIELD = "nickname"
"""The comment form's hidden field that only bots fill in."""


def user_role(user) -> str:
    """The commenter's role as WordPress names it: "" for a guest."""
    if user is None or not user.is_authenticated:
        return ""
    if user.is_superuser:
        return "administrator"
    return "editor" if user.is_staff else "subscriber"


def comment_type(submission: CommentSubmission) -> str:
    """Akismet's ``comment_type``: ``reply`` for an answer to a comment."""
    if submission.kind == Comment.Kind.COMMENT and submission.parent is not None:
        return "reply"
    return submission.kind


def for_engine(
    submission: CommentSubmission, history: engine.History | None = None
) -> engine.Submission:
    """What the spam engine is told about a comment (``history``: the site's earlier
    judgements of the same author, when it is known)."""
    post = submission.post
    return engine.Submission(
        content=submission.content,
        author=submission.author_name,
        author_email=submission.author_email,
        author_url=submission.author_url,
        user_ip=submission.ip or "",
        user_agent=submission.user_agent,
        referrer=submission.referrer,
        permalink=post.public_url(),
        comment_type=comment_type(submission),
        honeypot_field_name=HONEYPOT_FIELD,
        honeypot_value=submission.honeypot_value,
        seconds_to_submit=submission.seconds_to_submit,
        post_title=post.title,
        user_role=user_role(submission.user),
        history=history or engine.History(),
    )


AKISMET_FIELDS = {
    "content": "comment_content",
    "author": "comment_author",
    "author_email": "comment_author_email",
    "author_url": "comment_author_url",
    "user_ip": "user_ip",
    "user_agent": "user_agent",
    "referrer": "referrer",
    "permalink": "permalink",
    "comment_type": "comment_type",
    "blog_lang": "blog_lang",
    "user_role": "user_role",
}
"""Each field of an engine submission and the Akismet parameter that carries it."""


def akismet_fields(submission: engine.Submission) -> dict[str, str]:
    """Akismet's request parameters for a submission (besides ``api_key`` and ``blog``)."""
    fields = {param: getattr(submission, name) for name, param in AKISMET_FIELDS.items()}
    fields["blog_lang"] = fields["blog_lang"] or settings.LANGUAGE_CODE
    fields["blog_charset"] = "UTF-8"
    if submission.honeypot_field_name:
        fields["honeypot_field_name"] = submission.honeypot_field_name
        fields[submission.honeypot_field_name] = submission.honeypot_value
    if not submission.user_role:
        del fields["user_role"]
    return fields


def from_akismet_fields(get: Callable[[str], str], **signals: Any) -> engine.Submission:
    """An engine submission from an Akismet request's parameters (``get(name)`` reads one);
    ``signals`` are what the request carries in other ways (the honeypot, typing time)."""
    fields = {name: get(param) for name, param in AKISMET_FIELDS.items()}
    fields["comment_type"] = fields["comment_type"] or "comment"
    return engine.Submission(**fields, **signals)
