"""The conversation under a post as one reader sees it: the thread, their likes, the form.

The post page's template asks for it through the ``discussion`` template tags
(``{% render_conversation post %}``); the post's view knows nothing of comments.

The thread's HTML is the same for every reader but for their own comments awaiting
moderation and the Like buttons they pressed. So each comment's HTML, as a reader who liked
nothing sees it, is cached under the post's conversation version (bumped in the same UPDATE
as every change to its comments or likes, so a cached thread is never stale), rendered once
in the whole server after each change (:mod:`salon.render_once`). A reader with likes gets
the cached comments with only the ones they liked rendered again. A reader with comments
awaiting moderation (held, or spam short of blatant: they see both alike) gets them rendered
after the cached comments when they are the newest and answer none of them (the usual case);
else arranged in among the cached comments' places, with only the comments whose place moved
rendered again.
"""

from __future__ import annotations

import hashlib
import pickle
from functools import cached_property
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.template import engines
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from salon.discussion import signals, visitors
from salon.discussion.avatars import avatar_url
from salon.discussion.display import date_formatter
from salon.discussion.forms import CommentForm
from salon.discussion.likes import liked_by_label
from salon.discussion.models import Comment, DiscussionSettings, Like
from salon.discussion.threads import SHOWN_COLUMNS, ThreadEntry, arrange
from salon.prepared import Prepared, Stand, prepared
from salon.publishing import fragments, page_cache
from salon.publishing.models import Post
from salon.render_once import render_once

THREAD_TEMPLATE = "discussion/comment_list.html"

THREAD_CACHE_SECONDS = 24 * 3600

AWAITING = (Comment.Status.PENDING, Comment.Status.SPAM)
"""What a comment's own author sees as "awaiting moderation": held comments, and spam the
filter did not call blatant (telling a spammer which is which would teach them)."""


def thoughts_heading(count: int, title: str) -> str:
    """ "One thought on “title”" / "N thoughts on “title”"."""
    return ngettext("One thought on “%(title)s”", "%(count)s thoughts on “%(title)s”", count) % {
        "count": f"{count:,}",
        "title": title,
    }


def reader_likes(request: HttpRequest, post: Post) -> set[int | None]:
    """The ids of the comments the reader liked on this post (None: the post itself).

    One query per request at most, whichever parts of the page ask.
    """
    memo = request.__dict__.setdefault("_salon_likes", {})
    if post.pk not in memo:
        liker = visitors.liker_id(request)
        memo[post.pk] = (
            {comment_id for (comment_id,) in _likes_query().all_rows(post=post.pk, liker=liker)}
            if liker
            else set()
        )
    return memo[post.pk]


def _likes_query() -> Prepared:
    """The comments (None: the post) one liker liked on a post."""
    return prepared(
        "reader's likes",
        lambda v: Like.objects.filter(
            post_id=v("post", -7_070_707), liker=v("liker", "\x00liker\x00")
        ).values_list("comment_id"),
    )


def _own_awaiting(request: HttpRequest, post: Post) -> list[ThreadEntry]:
    """The reader's own comments awaiting moderation on this post (one query, if the reader
    is known at all), as entries to arrange into the thread."""
    key = visitors.visitor_key(request)
    user_id = request.user.pk if request.user.is_authenticated else None
    if not (key or user_id):
        return []

    def build(v: Stand) -> QuerySet:
        own = Q()
        if key:
            own |= Q(visitor_key=v("key", "\x00visitor key\x00"))
        if user_id:
            own |= Q(user_id=v("user", -7_070_708))
        return (
            Comment.objects.filter(own, post_id=v("post", -7_070_707), status__in=AWAITING)
            .order_by()
            .values_list(*SHOWN_COLUMNS)
        )

    query = prepared(("reader's own awaiting", bool(key), bool(user_id)), build)
    rows = query.all_rows(post=post.pk, key=key, user=user_id)
    mine = [ThreadEntry(**dict(zip(SHOWN_COLUMNS, row, strict=True))) for row in rows]
    if mine:
        _decorate(mine)
    return mine


def _entries(post: Post, options: DiscussionSettings) -> list[ThreadEntry]:
    """The approved comments, arranged, with what the template shows of each."""
    rows = post.comments.filter(status=Comment.Status.APPROVED).order_by().values(*SHOWN_COLUMNS)
    entries = arrange((ThreadEntry(**row) for row in rows), options.thread_depth)
    _decorate(entries)
    return entries


def _decorate(entries: list[ThreadEntry]) -> None:
    """Fill in what the template shows of each entry (and what other apps add)."""
    avatar_prefix = reverse("discussion:avatar", args=["0" * 24])[: -len("0" * 24 + ".svg")]
    format_date = date_formatter()
    anonymous = _("Anonymous")
    for e in entries:
        e.name = e.author_name or anonymous
        e.avatar = avatar_url(e.author_email, e.author_name, prefix=avatar_prefix)
        e.likes_label = liked_by_label(e.like_count)
        e.awaiting = e.status in AWAITING
        e.iso_date = e.created_at.isoformat()
        e.date_text = format_date(e.created_at)
    signals.send(signals.thread_arranged, entries=entries)


def _template():
    return engines["jinja2"].env.get_template(THREAD_TEMPLATE)


def _layout(e: ThreadEntry) -> tuple[int, int, bool, int]:
    """What of an entry's HTML depends on its neighbours: its place in the thread."""
    return (e.depth, e.number, e.opens, e.closes)


def _render(entries: list[ThreadEntry], post_url: str, pressed: set[int | None]) -> list[str]:
    """Each entry's HTML, with the Like buttons in ``pressed`` pressed."""
    comment = _template().module.comment
    return [str(comment(e, post_url, e.id in pressed)) for e in entries]


def _thread_key(post: Post, options: DiscussionSettings, post_url: str) -> str:
    # The post's address is in every Reply link: a new slug or date makes a new thread. The
    # code and settings (the time zone of its dates, avatars from Gravatar or not) too.
    address = hashlib.blake2b(post_url.encode(), digest_size=6).hexdigest()
    return (
        f"salon:thread:4:{post.pk}:{post.conversation_version}:{options.thread_depth}:"
        f"{get_language()}:{address}:{page_cache.fingerprint()}"
    )


Shared = tuple[list[int], list[str], list[tuple], tuple | None]
"""Every reader's thread as cached: the comments' ids, HTML and layouts in display order,
and the (date, id) of the newest comment (None without comments)."""


class _Thread:
    """Every reader's thread, and what a known reader's own thread is made from."""

    def __init__(self, post: Post, options: DiscussionSettings, post_url: str) -> None:
        self.post, self.options, self.post_url = post, options, post_url
        self.key = _thread_key(post, options, post_url)
        self.stored: list[bytes] | None = None  # each entry pickled, in display order
        self.ids, self.comments, self.layouts, self.newest = render_once(
            self.key, lambda: cache.get(self.key), self._render_shared
        )

    def _render_shared(self) -> Shared:
        """Render every reader's thread and cache it (in :func:`render_once`: once in the whole
        server). Beside it, for known readers: the entries pickled one by one (a reader with
        likes or with their own comment needs only some of them) and each one's place
        (id, parent, date: enough to arrange a reader's own comments in). Those first, then
        the HTML, for which readers waiting on this render look."""
        entries = _entries(self.post, self.options)
        self.stored = [pickle.dumps(e, pickle.HIGHEST_PROTOCOL) for e in entries]
        shared = (
            [e.id for e in entries],
            _render(entries, self.post_url, set()),
            [_layout(e) for e in entries],
            max(((e.created_at, e.id) for e in entries), default=None),
        )
        places = [(e.id, e.parent_id, e.created_at) for e in entries]
        cache.set_many(
            {f"{self.key}:entries": self.stored, f"{self.key}:places": places, self.key: shared},
            THREAD_CACHE_SECONDS,
        )
        return shared

    def _entries(self) -> list[bytes] | None:
        """Each entry pickled, in display order (None if the cache lost them since)."""
        if self.stored is None:
            self.stored = cache.get(f"{self.key}:entries")
        return self.stored

    def _entry(self, index: int) -> ThreadEntry:
        return pickle.loads(self.stored[index])

    def for_reader(self, mine: list[ThreadEntry], liked: set[int | None]) -> list[str]:
        """Each comment's HTML as this reader sees it: every reader's, with the comments they
        liked rendered again and their own comments awaiting moderation (``mine``) arranged
        in."""
        pressed = [i for i, comment_id in enumerate(self.ids) if comment_id in liked]
        if not (pressed or mine):
            return self.comments
        if self._entries() is None:
            return self._from_scratch(mine, liked)
        comments = list(self.comments)
        entries = [self._entry(i) for i in pressed]
        for i, html in zip(pressed, _render(entries, self.post_url, liked), strict=True):
            comments[i] = html
        if not mine:
            return comments
        if self.newest is None or all(
            (e.created_at, e.id) > self.newest and e.parent_id not in self.index for e in mine
        ):
            # Newer than every comment shown and replying to none of them (the usual case:
            # a new comment held): after them all, arranged among themselves.
            arranged = arrange(mine, self.options.thread_depth)
            for e in arranged:
                e.number += len(self.ids)
            return comments + _render(arranged, self.post_url, liked)
        return self._arranged_in(mine, liked, comments)

    @cached_property
    def index(self) -> dict[int, int]:
        """Each comment's place in display order, by id."""
        return {comment_id: i for i, comment_id in enumerate(self.ids)}

    def _arranged_in(
        self, mine: list[ThreadEntry], liked: set[int | None], comments: list[str]
    ) -> list[str]:
        """The thread arranged again with the reader's own comments, from every reader's
        comments' places: the HTML of those whose place did not move is kept (``comments``);
        their own are rendered, and the comments they moved (renumbered after theirs, or
        above theirs when they open a list of replies)."""
        places = cache.get(f"{self.key}:places")
        if places is None:
            return self._from_scratch(mine, liked)
        arranged = arrange(
            [*(ThreadEntry(*place) for place in places), *mine], self.options.thread_depth
        )
        html = []
        for e in arranged:
            i = self.index.get(e.id)
            if i is not None:  # not their own
                if self.layouts[i] == _layout(e):
                    html.append(comments[i])
                    continue
                full = self._entry(i)
                full.depth, full.number, full.opens, full.closes = _layout(e)
                e = full
            html.append(str(_template().module.comment(e, self.post_url, e.id in liked)))
        return html

    def _from_scratch(self, mine: list[ThreadEntry], liked: set[int | None]) -> list[str]:
        """The reader's thread read and rendered whole (one query more: the cache lost what
        every reader's thread is kept with)."""
        entries = arrange([*_entries(self.post, self.options), *mine], self.options.thread_depth)
        return _render(entries, self.post_url, liked)


def thread_html(request: HttpRequest, post: Post, options: DiscussionSettings) -> str:
    """The thread's HTML for this reader ("" when there is nothing to show)."""
    # Absolute, because the page is also shown at /comments/post/ with form errors.
    thread = _Thread(post, options, post.get_absolute_url())
    liked = reader_likes(request, post)
    mine = _own_awaiting(request, post)
    comments = thread.for_reader(mine, liked)
    if not comments:
        return ""
    # The template's list around the comments, joined to them once: not copied by each of
    # the template's steps (half a megabyte at 500 comments).
    before, after = _template().render(comments=[mark_safe(_GAP)]).split(_GAP)
    return "".join([before, *comments, after])


_GAP = "\x00comments\x00"  # where the comments go, in a render of the list alone


def conversation(
    request: HttpRequest, post: Post, form: CommentForm | None = None, error: str = ""
) -> dict[str, Any]:
    """Everything the conversation template shows: the heading, the thread and the form.

    ``form`` and ``error`` are the comment form as submitted and what was wrong with it,
    when the comment view shows the page again.
    """
    options = DiscussionSettings.current()
    logged_in = request.user.is_authenticated
    raw_reply = (
        str(form.data.get("parent", "")) if form is not None else request.GET.get("replytocom", "")
    )
    reply_to = None
    if raw_reply.isdigit():
        reply_to = (
            post.comments.approved().filter(pk=int(raw_reply)).only("id", "author_name").first()
        )
    if form is None:
        initial = {"post": post.pk, "parent": reply_to.pk if reply_to else None}
        saved = visitors.saved_identity(request)
        if saved and not logged_in:
            initial.update(saved, save_identity=True)
        initial["shown"] = visitors.render_time_token()
        form = CommentForm(
            initial=initial, require_name_email=options.require_name_email, logged_in=logged_in
        )
    return {
        "post": post,
        "request": request,
        "user": request.user,
        # Rendered by Jinja2 with autoescaping.
        # Put into the page once it is rendered, not copied through its templates.
        "thread_html": mark_safe(fragments.late(request, thread_html(request, post, options))),
        "thoughts": thoughts_heading(post.comment_count, post.title) if post.comment_count else "",
        "comment_form": form,
        "comment_error": error,
        "reply_to": reply_to,
        "require_name_email": options.require_name_email,
        # Where comments go to be judged, when not on this server (SALON_AKISMET_URL).
        "spam_service": urlsplit(settings.SALON.get("AKISMET_URL", "")).hostname or "",
    }


def post_likes(request: HttpRequest, post: Post) -> dict[str, Any]:
    """The post's own Like button and "Liked by N people", for this reader."""
    return {
        "post": post,
        "post_liked": None in reader_likes(request, post),
        "post_likes_label": liked_by_label(post.like_count),
    }
