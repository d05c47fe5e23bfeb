"""A comment as the spam engine and Akismet-compatible endpoints see it: the one mapping.

Whether it is judged by Salon's own engine (:mod:`.filtering`) or by a remote endpoint
(:mod:`.remote`), and whether it is arriving or being taught as a moderator's lesson, a
comment is described by :func:`for_engine`; :func:`akismet_fields` writes that description
as Akismet's request parameters.
"""

from __future__ import annotations

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


def akismet_fields(submission: engine.Submission) -> dict[str, str]:
    """Akismet's request parameters for a submission (besides ``api_key`` and ``blog``)."""
    fields = {
        "user_ip": submission.user_ip,
        "user_agent": submission.user_agent,
        "referrer": submission.referrer,
        "permalink": submission.permalink,
        "comment_type": submission.comment_type,
        "comment_author": submission.author,
        "comment_author_email": submission.author_email,
        "comment_author_url": submission.author_url,
        "comment_content": submission.content,
        "blog_lang": submission.blog_lang or settings.LANGUAGE_CODE,
        "blog_charset": "UTF-8",
    }
    if submission.honeypot_field_name:
        fields["honeypot_field_name"] = submission.honeypot_field_name
        fields[submission.honeypot_field_name] = submission.honeypot_value
    if submission.user_role:
        fields["user_role"] = submission.user_role
    return fields
