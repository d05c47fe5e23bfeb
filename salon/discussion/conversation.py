"""The conversation under a post as one reader sees it: the thread, their likes, the form.

The post page's template asks for it through the ``discussion`` template tags
(``{% render_conversation post %}``); the post's view knows nothing of comments.

The thread's HTML is the same for every reader but for their own comments awaiting
moderation and the Like buttons they pressed. So each comment's HTML, as a reader who liked
nothing sees it, is cached under the post's conversation version (bumped in the same UPDATE
as every change to its comments or likes, so a cached thread is never stale). A reader with
likes gets the cached comments with only the ones they liked rendered again; a reader with a
comment awaiting moderation (held, or spam short of blatant: they see both alike) gets a
thread rendered for them alone.
"""

from __future__ import annotations

import hashlib
import pickle
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q
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
from salon.publishing import fragments
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
            set(Like.objects.filter(post=post, liker=liker).values_list("comment_id", flat=True))
            if liker
            else set()
        )
    return memo[post.pk]


def _own_awaiting(request: HttpRequest, post: Post) -> Q | None:
    """The reader's own comments awaiting moderation on this post, or None if they have none."""
    own = Q()
    key = visitors.visitor_key(request)
    if key:
        own |= Q(visitor_key=key)
    if request.user.is_authenticated:
        own |= Q(user=request.user)
    if not own:
        return None
    own &= Q(status__in=AWAITING)
    return own if post.comments.filter(own).exists() else None


def _entries(post: Post, options: DiscussionSettings, own: Q | None) -> list[ThreadEntry]:
    """The comments this reader may see, arranged, with what the template shows of each."""
    visible = Q(status=Comment.Status.APPROVED)
    if own is not None:
        visible |= own
    rows = post.comments.filter(visible).order_by().values(*SHOWN_COLUMNS)
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


def _render(
    entries: list[ThreadEntry],
    post_url: str,
    pressed: set[int | None],
    shared: dict[int, tuple[tuple, str]] | None = None,
) -> list[str]:
    """Each entry's HTML; from ``shared`` (id → layout and HTML, as every reader sees it)
    when the entry is the same there: in the same place, not pressed, not awaiting."""
    comment = _template().module.comment
    shared = shared or {}
    html = []
    for e in entries:
        known = shared.get(e.id)
        if known is not None and not e.awaiting and e.id not in pressed:
            if known[0] == _layout(e):
                html.append(known[1])
                continue
        html.append(str(comment(e, post_url, e.id in pressed)))
    return html


def _thread_key(post: Post, options: DiscussionSettings, post_url: str) -> str:
    # The post's address is in every Reply link: a new slug or date makes a new thread.
    address = hashlib.blake2b(post_url.encode(), digest_size=6).hexdigest()
    return (
        f"salon:thread:3:{post.pk}:{post.conversation_version}:{options.thread_depth}:"
        f"{get_language()}:{int(settings.SALON['EXTERNAL_AVATARS'])}:{address}"
    )


def _own_entries(
    post: Post, options: DiscussionSettings, own: Q, every: bytes | None
) -> list[ThreadEntry]:
    """The thread with the reader's own comments awaiting moderation: every reader's entries
    from the cache (``every``: all of them in one pickle, read in a third of the time 500
    separate ones take) with only the reader's own read and arranged in (or all read
    again)."""
    if every is None:
        return _entries(post, options, own)
    mine = [
        ThreadEntry(**row) for row in post.comments.filter(own).order_by().values(*SHOWN_COLUMNS)
    ]
    _decorate(mine)
    return arrange([*pickle.loads(every), *mine], options.thread_depth)


def _shared_thread(
    post: Post, options: DiscussionSettings, post_url: str, key: str
) -> tuple[tuple[list[int], list[str], list[tuple]], list[bytes] | None, bytes | None]:
    """Every reader's thread: the comments' ids, HTML and layouts, from the cache or rendered
    once in the whole server (:func:`salon.render_once.render_once`); with the entries
    pickled when rendered here (else None: read from the cache when needed)."""

    def read():
        cached = cache.get(key)
        return None if cached is None else (cached, None, None)

    def render():
        entries = _entries(post, options, None)
        stored = [pickle.dumps(e) for e in entries]
        cached = (
            [e.id for e in entries],
            _render(entries, post_url, set()),
            [_layout(e) for e in entries],
        )
        every = pickle.dumps(entries, pickle.HIGHEST_PROTOCOL)
        # The entries pickled one by one: a reader with likes needs only those they liked;
        # and all together: a reader with their own comment awaiting needs them all. Those
        # first, then the HTML, for which readers waiting on this render look.
        cache.set_many(
            {f"{key}:entries": stored, f"{key}:every": every, key: cached}, THREAD_CACHE_SECONDS
        )
        return cached, stored, every

    return render_once(key, read, render)


def thread_html(request: HttpRequest, post: Post, options: DiscussionSettings) -> str:
    """The thread's HTML for this reader ("" when there is nothing to show)."""
    # Absolute, because the page is also shown at /comments/post/ with form errors.
    post_url = post.get_absolute_url()
    liked = reader_likes(request, post)
    own = _own_awaiting(request, post)
    key = _thread_key(post, options, post_url)
    (ids, comments, layouts), stored, every = _shared_thread(post, options, post_url, key)
    if own is not None:
        if every is None:
            every = cache.get(f"{key}:every")
        shared = dict(zip(ids, zip(layouts, comments, strict=True), strict=True))
        comments = _render(_own_entries(post, options, own, every), post_url, liked, shared)
    else:
        pressed = [i for i, comment_id in enumerate(ids) if comment_id in liked]
        if pressed:
            if stored is None:
                stored = cache.get(f"{key}:entries")
            entries = (
                [pickle.loads(stored[i]) for i in pressed]
                if stored is not None
                else [e for e in _entries(post, options, None) if e.id in liked]
            )
            comments = list(comments)
            for i, html in zip(pressed, _render(entries, post_url, liked), strict=True):
                comments[i] = html
    return _template().render(comments=comments) if comments else ""


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
