"""Receiving a Webmention or a pingback: check it, verify the source, show it as a mention.

Verification is synchronous: the endpoint fetches the source page (with the same guarded
fetcher as reblogs) while the sender waits, and answers only once it knows whether the source
really links here. That keeps Salon free of a job queue and gives pingback's standard fault
codes their meaning; the guarded fetcher's deadline bounds how long a request can take, and
the endpoints are rate-limited per address.

A verified mention becomes a Comment (kind Webmention or Pingback) through
``discussion.pipeline.submit_comment``, so the spam filter and the moderation rules judge it
like any comment. The same source and target sent again updates that comment through
``resubmit_comment`` (judged again like an edit); a source that no longer links (or is gone)
removes it, as the Webmention Recommendation asks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.http.request import validate_host
from django.urls import Resolver404, resolve
from django.utils import timezone

from salon.discussion.models import AUTHOR_MAX, URL_MAX, Comment
from salon.discussion.pipeline import (
    CommentRejected,
    CommentSubmission,
    resubmit_comment,
    submit_comment,
)
from salon.mentions import links
from salon.mentions.models import ReceivedMention
from salon.publishing.fetching import FetchError, check_url, fetch
from salon.publishing.models import Post
from salon.publishing.reblog import read_article
from salon.web_addresses import web_address

# Pingback's fault codes (https://www.hixie.ch/specs/pingback/pingback#TOC3).
SOURCE_MISSING = 0x10
SOURCE_NO_LINK = 0x11
TARGET_MISSING = 0x20
TARGET_REFUSED = 0x21
ALREADY_REGISTERED = 0x30
ACCESS_DENIED = 0x31
UPSTREAM_ERROR = 0x32


class MentionRefused(Exception):
    """A mention Salon will not show: ``message`` for the sender, ``fault`` for pingback."""

    def __init__(self, message: str, fault: int, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.fault = fault
        self.status = status


@dataclass
class Received:
    """What became of a mention: ``created``, ``updated`` or ``removed``; its comment if any."""

    action: str
    mention: ReceivedMention | None
    comment: Comment | None

    @property
    def status_text(self) -> str:
        if self.comment is None:
            return "accepted"
        return self.comment.get_status_display().lower()


def post_for_target(target: str) -> Post:
    """The live post at ``target`` on this site, or :class:`MentionRefused`."""
    try:
        check_url(target)
    except FetchError:
        raise MentionRefused("The target is not an http(s) address.", TARGET_MISSING) from None
    parts = urlsplit(target)
    allowed = list(settings.ALLOWED_HOSTS) + [urlsplit(settings.SITE_URL).hostname or ""]
    if not validate_host(parts.hostname or "", allowed):
        raise MentionRefused("The target is not on this site.", TARGET_REFUSED)
    try:
        match = resolve(parts.path or "/")
    except Resolver404:
        raise MentionRefused("The target does not exist.", TARGET_MISSING) from None
    if match.namespace != "publishing" or match.url_name not in ("post", "page"):
        raise MentionRefused("The target is not a post that can be mentioned.", TARGET_REFUSED)
    post = Post.objects.live().filter(slug=match.kwargs.get("slug", "")).first()
    if post is None:
        raise MentionRefused("The target does not exist.", TARGET_MISSING)
    return post


def _author_name(title: str, site: str, source: str) -> str:
    title, site = " ".join(title.split()), " ".join(site.split())
    if title and site and site.lower() not in title.lower():
        name = f"{title} – {site}"
    else:
        name = title or site or (urlsplit(source).hostname or source)
    return name[:AUTHOR_MAX]


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>!#|~])")


def _as_comment_text(excerpt: str) -> str:
    # The excerpt is someone else's plain text; a comment's text is Markdown. Escape it so
    # "*" or "<b>" on their page shows as typed rather than formatting the mention.
    # The "[…]" that mark the cut ends are ours and need no escaping.
    return _MARKDOWN_SPECIAL.sub(r"\\\1", excerpt).replace("\\[…\\]", "[…]")


def _author_url(source: str) -> str:
    """The link on the mention's name: the source page, or its site when the address is too
    long for the column; "" unless it is an http(s) address (it is written into the page)."""
    source = web_address(source)
    if len(source) <= URL_MAX:
        return source
    parts = urlsplit(source)
    site = web_address(f"{parts.scheme}://{parts.netloc}/")
    return site if len(site) <= URL_MAX else ""


def _remove(existing: ReceivedMention | None) -> Received:
    if existing is None:
        return Received("removed", None, None)
    with transaction.atomic():
        if existing.comment_id:
            Comment.objects.filter(pk=existing.comment_id).delete()
        existing.delete()
    return Received("removed", None, None)


def receive(
    source: str,
    target: str,
    kind: str = Comment.Kind.WEBMENTION,
    ip: str | None = None,
    user_agent: str = "",
) -> Received:
    """Verify that ``source`` links to our post at ``target`` and show (or update) the mention.

    Raises :class:`MentionRefused` when the addresses are wrong, the target is no post here,
    the source cannot be fetched or does not link to the target, or the pipeline refuses it.
    """
    source, target = source.strip(), target.strip()
    try:
        check_url(source)
    except FetchError:
        raise MentionRefused("The source is not an http(s) address.", SOURCE_MISSING) from None
    if links.normalise(source) == links.normalise(target):
        raise MentionRefused("The source and the target are the same page.", SOURCE_NO_LINK)
    post = post_for_target(target)
    if not post.comments_open:
        raise MentionRefused("Mentions are closed on this post.", TARGET_REFUSED)

    existing = (
        ReceivedMention.objects.filter(source=source, target=target)
        .select_related("comment")
        .first()
    )
    try:
        page = fetch(source)
    except FetchError as error:
        raise MentionRefused(
            f"The source could not be fetched: {error.message}", SOURCE_MISSING
        ) from None
    if page.status == 410 or (existing is not None and page.status == 404):
        return _remove(existing)  # the source page was deleted: so is its mention
    if page.status >= 300:
        raise MentionRefused(f"The source answered {page.status}.", SOURCE_MISSING)

    text = page.text()
    doc = links.parse(text) if page.is_html else None
    if doc is not None:
        element = links.find_link(doc, page.url, target)
        excerpt = links.context_of(element) if element is not None else ""
        found = element is not None
    else:
        found = target in text  # plain text, JSON…: the address must appear as written
        excerpt = ""
    if not found:
        if existing is not None:
            return _remove(existing)  # an edit removed the link
        raise MentionRefused("The source does not link to the target.", SOURCE_NO_LINK)

    article = read_article(text, page.url) if page.is_html else None
    title = article.title if article else ""
    site = article.site_name if article else ""
    excerpt = excerpt or (
        f"[…] {article.description} […]" if article and article.description else ""
    )
    content = _as_comment_text(excerpt) or "[…]"
    submission = CommentSubmission(
        post=post,
        content=content,
        author_name=_author_name(title, site, source),
        author_url=_author_url(source),
        # The sender is a server: the pipeline's flood rule skips mentions (the endpoints
        # have their own per-address rate limit), and the spam filter sees the address.
        ip=ip,
        user_agent=user_agent,
        referrer=source,
        kind=kind,
    )

    if existing is not None and existing.comment is not None:
        comment = resubmit_comment(existing.comment, submission)  # a changed page is judged again
        existing.updated_at = timezone.now()
        existing.save(update_fields=["updated_at"])
        return Received("updated", existing, comment)

    try:
        comment = submit_comment(submission)
    except CommentRejected as rejected:
        fault = ALREADY_REGISTERED if rejected.status == 409 else TARGET_REFUSED
        raise MentionRefused(rejected.message, fault, rejected.status) from None
    mention, _created = ReceivedMention.objects.update_or_create(
        source=source,
        target=target,
        defaults={"post": post, "comment": comment, "kind": kind, "updated_at": timezone.now()},
    )
    return Received("created", mention, comment)
