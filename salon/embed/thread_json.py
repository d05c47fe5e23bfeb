"""A conversation as the API gives it: nested comments in JSON, cached as the post page is.

The comments are arranged by :func:`salon.discussion.threads.arrange` (one query, replies
nested up to the thread depth), numbered in reading order, and written as JSON one comment
at a time. Each comment's JSON is a *fragment*: the comment's object up to its ``replies``
array, then as many ``]}`` as the arrangement closes after it, so that the fragments joined
in order are the nested document, as the post page's template closes its lists.

What every reader sees is cached under the post's ``conversation_version`` (bumped by every
change to its comments or likes), with the depth, language, avatar setting and this site's
address in the key. Only the first fields of a fragment depend on the reader (``liked``,
``editable_until``): the few comments a reader liked or may still edit have those fields
written again. A reader with a comment awaiting moderation gets a thread made for them
alone, as on the post page.

A page holds ``limit`` top-level comments with all their replies, from ``offset``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from salon.discussion import signals
from salon.discussion.avatars import avatar_url
from salon.discussion.conversation import AWAITING
from salon.discussion.display import date_formatter
from salon.discussion.likes import liked_by_label
from salon.discussion.models import Comment, DiscussionSettings, Like
from salon.discussion.threads import SHOWN_COLUMNS, ThreadEntry, arrange
from salon.embed.readers import Reader
from salon.identity.ownership import edit_window
from salon.publishing.models import Post
from salon.web_addresses import web_address

PAGE_DEFAULT = 50
PAGE_MAX = 200
CACHE_SECONDS = 24 * 3600
_CHANGEABLE = (Comment.Status.APPROVED, Comment.Status.PENDING, Comment.Status.SPAM)


# One encoder for every value: json.dumps() with options builds a new one per call.
_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _reader_prefix(
    comment_id: int, liked: bool = False, editable: tuple[str, str] | None = None
) -> str:
    """The start of a comment's object: its id, then the fields that depend on the reader
    (``editable``: until when they may change it, and its text as they wrote it)."""
    if not liked and editable is None:
        return f'{{"id":{comment_id}{_NOBODY}'
    until, text = editable or (None, None)
    return (
        f'{{"id":{comment_id},"liked":{"true" if liked else "false"},'
        f'"editable_until":{_dumps(until)},"text":{_dumps(text)},'
    )


_NOBODY = ',"liked":false,"editable_until":null,"text":null,'


class _Writer:
    """Writes comments as JSON for one site address, language and setting."""

    def __init__(self, base: str) -> None:
        self.base = base
        prefix = reverse("discussion:avatar", args=["0" * 24])[: -len("0" * 24 + ".svg")]
        self.avatar_prefix = base + prefix
        self.format_date = date_formatter()
        self.anonymous = _("Anonymous")
        # Many comments share an author and a number of likes: each is worked out once.
        self.avatars: dict[tuple[str, str], str] = {}
        self.labels: dict[int, str] = {}

    def avatar(self, email: str, name: str) -> str:
        found = self.avatars.get((email, name))
        if found is None:
            found = avatar_url(email, name, prefix=self.avatar_prefix)
            self.avatars[email, name] = found
        return found

    def absolute(self, address: str) -> str:
        """An avatar's address as another site's page must write it."""
        return self.base + address if address.startswith("/") else address

    def likes_label(self, count: int) -> str:
        found = self.labels.get(count)
        if found is None:
            found = self.labels[count] = liked_by_label(count)
        return found

    def fields(self, e: ThreadEntry) -> dict[str, Any]:
        """A comment's fields after the reader's (``id``, ``liked``, ``editable_until``)."""
        name = e.author_name or self.anonymous
        return {
            "parent": e.parent_id if e.depth != 1 else None,
            "number": e.number or None,
            "depth": e.depth or None,
            "kind": e.kind,
            "author": {
                "name": name,
                # Only a web address is a link (imports bring whatever the old site held).
                "website": web_address(e.author_url),
                "avatar": self.absolute(e.avatar) or self.avatar(e.author_email, e.author_name),
                "handle": e.handle,
            },
            "original_url": web_address(e.original_url),
            "created": e.created_at.isoformat(),
            "date": self.format_date(e.created_at),
            "html": e.content_html,
            "likes": e.like_count,
            "likes_label": self.likes_label(e.like_count),
            "awaiting": e.status in AWAITING,
        }

    def fragment(self, e: ThreadEntry) -> str:
        body = _dumps(self.fields(e))[1:-1]
        opening = "" if e.depth == 1 or e.opens else ","
        return f'{opening}{_reader_prefix(e.id)}{body},"replies":[' + "]}" * e.closes

    def one(self, comment: Comment, liked: bool, editable: tuple[str, str] | None) -> str:
        """One comment on its own (the answer to a write), without number or replies."""
        e = ThreadEntry.of(comment)
        e.number = e.depth = 0
        body = _dumps(self.fields(e))[1:-1]
        return f'{_reader_prefix(e.id, liked, editable)}{body},"replies":[]}}'


@dataclass
class Rendered:
    """A thread written out: each comment's fragment, its id, and where each top-level
    comment (each page's unit) starts."""

    ids: list[int]
    fragments: list[str]
    starts: list[int]


def _render(post: Post, depth: int, base: str, own_awaiting: Q | None) -> Rendered:
    visible = Q(status=Comment.Status.APPROVED)
    if own_awaiting is not None:
        visible |= own_awaiting
    rows = post.comments.filter(visible).order_by().values(*SHOWN_COLUMNS)
    entries = arrange((ThreadEntry(**row) for row in rows), depth)
    # The apps comments came through say what they know of them (a fediverse reply's
    # handle, avatar and original), as for the post page.
    signals.send(signals.thread_arranged, entries=entries)
    writer = _Writer(base)
    return Rendered(
        ids=[e.id for e in entries],
        fragments=[writer.fragment(e) for e in entries],
        starts=[i for i, e in enumerate(entries) if e.depth == 1],
    )


def _cache_key(post: Post, depth: int, base: str) -> str:
    return (
        f"salon:embed:thread:{post.pk}:{post.conversation_version}:{depth}:{get_language()}:"
        f"{int(settings.SALON['EXTERNAL_AVATARS'])}:{base}"
    )


@dataclass
class ReaderView:
    """What one reader has done in a conversation: likes, and comments still theirs to
    change (with when that ends), and whether one of theirs awaits moderation."""

    liked: set[int]
    editable: dict[int, tuple[str, str]]  # until when, and the text as its author wrote it
    awaiting: bool


def reader_view(post: Post, reader: Reader) -> ReaderView:
    """At most two queries, and none for a reader without a token."""
    own = reader.own()
    if own is None:
        return ReaderView(set(), {}, False)
    liked = set(
        Like.objects.filter(post=post, liker=reader.liker, comment__isnull=False).values_list(
            "comment_id", flat=True
        )
    )
    window = edit_window()
    since = timezone.now() - window
    mine = post.comments.filter(own).filter(
        Q(status__in=AWAITING) | Q(created_at__gte=since, status__in=_CHANGEABLE)
    )
    editable: dict[int, tuple[str, str]] = {}
    awaiting = False
    for comment_id, status, created, text in mine.values_list(
        "id", "status", "created_at", "content"
    ):
        awaiting = awaiting or status in AWAITING
        if status in _CHANGEABLE and created >= since:
            editable[comment_id] = ((created + window).isoformat(), text)
    return ReaderView(liked, editable, awaiting)


def rendered(post: Post, options: DiscussionSettings, base: str, view: ReaderView, reader: Reader):
    """The thread's fragments for this reader (cached unless they have a comment awaiting)."""
    depth = options.thread_depth
    if view.awaiting:
        own = reader.own()
        return _render(post, depth, base, own & Q(status__in=AWAITING) if own else None)
    key = _cache_key(post, depth, base)
    found = cache.get(key)
    if found is None:
        found = _render(post, depth, base, None)
        cache.set(key, found, CACHE_SECONDS)
    return found


def comments_json(thread: Rendered, view: ReaderView, offset: int, limit: int) -> str:
    """The JSON array of one page of top-level comments (with their replies)."""
    starts = thread.starts
    chosen = starts[offset : offset + limit]
    if not chosen:
        return "[]"
    first = chosen[0]
    end = starts[offset + limit] if offset + limit < len(starts) else len(thread.fragments)
    fragments = thread.fragments[first:end]
    special = view.liked | view.editable.keys()
    if special:
        fragments = list(fragments)
        for i, comment_id in enumerate(thread.ids[first:end]):
            if comment_id in special:
                text = fragments[i]
                opening = "," if text.startswith(",") else ""
                plain = _reader_prefix(comment_id)
                fragments[i] = (
                    opening
                    + _reader_prefix(
                        comment_id, comment_id in view.liked, view.editable.get(comment_id)
                    )
                    + text[len(opening) + len(plain) :]
                )
    pieces = []
    bounds = [*chosen, end]
    for a, b in zip(bounds, bounds[1:], strict=False):
        pieces.append("".join(fragments[a - first : b - first]))
    return "[" + ",".join(pieces) + "]"


def one_comment(comment: Comment, base: str, liked: bool, editable_until: datetime | None) -> str:
    """One comment as JSON (the answer to a write)."""
    editable = (editable_until.isoformat(), comment.content) if editable_until else None
    return _Writer(base).one(comment, liked, editable)


def page_bounds(thread: Rendered, offset: int, limit: int) -> tuple[int, int | None]:
    """How many top-level comments the thread has, and the offset of the next page."""
    total = len(thread.starts)
    return total, (offset + limit if offset + limit < total else None)
