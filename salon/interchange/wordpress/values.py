"""How WordPress's values read in Salon: states, kinds, logins, slugs, dates and addresses."""

from __future__ import annotations

import re
from datetime import datetime
from email.utils import parsedate_to_datetime
from urllib.parse import unquote, urlsplit

from django.urls import Resolver404, resolve
from django.utils.text import slugify

from salon.discussion.models import Comment
from salon.interchange.models import ImportedItem
from salon.publishing.models import Post

Kind = ImportedItem.Kind

POST_STATUS = {
    "publish": Post.Status.PUBLISHED,
    "draft": Post.Status.DRAFT,
    "pending": Post.Status.DRAFT,
    "future": Post.Status.SCHEDULED,
    "private": Post.Status.PRIVATE,
}
# Posts in these states are not content: WordPress's own importer skips them too.
SKIPPED_POST_STATUS = {"auto-draft", "trash", "inherit"}
COMMENT_STATUS = {
    "1": Comment.Status.APPROVED,
    "approve": Comment.Status.APPROVED,
    "0": Comment.Status.PENDING,
    "hold": Comment.Status.PENDING,
    "spam": Comment.Status.SPAM,
    "trash": Comment.Status.TRASH,
    "post-trashed": Comment.Status.TRASH,
}
COMMENT_KIND = {
    "": Comment.Kind.COMMENT,
    "comment": Comment.Kind.COMMENT,
    "pingback": Comment.Kind.PINGBACK,
    "trackback": Comment.Kind.TRACKBACK,
    # Salon's export writes these types; WordPress plugins that receive Webmentions store
    # theirs as "webmention" too.
    "webmention": Comment.Kind.WEBMENTION,
    "fediverse": Comment.Kind.FEDIVERSE,
}
POST_KINDS = (Kind.POST, Kind.PAGE)
_NOT_IN_LOGIN = re.compile(r"[^A-Za-z0-9 _.\-@]")


def source_of(url: str) -> str:
    """The name a site's items are recorded under: its address without scheme or final slash,
    so a blog that moved from http:// to https:// is still the same source."""
    parts = urlsplit((url or "").strip())
    name = (parts.netloc.lower() + parts.path.rstrip("/")) or (url or "").strip()
    return name[:200] or "wordpress"


def old_path(link: str) -> str:
    """The path of an item's old address, as Django will see it in ``request.path``."""
    path = unquote(urlsplit(link or "").path)
    return "" if path in ("", "/") else path[:500]


def wordpress_login(text: str) -> str:
    """A login as WordPress's importer cleans it (``sanitize_user`` in strict mode), so a
    stray "themereviewteam>" in a dc:creator is the author "themereviewteam"."""
    return _NOT_IN_LOGIN.sub("", (text or "").strip())[:150]


def slug_from(nicename: str, fallback: str) -> str:
    """A Salon slug from a WordPress nicename (which may be percent-encoded Unicode)."""
    return (slugify(unquote(nicename or ""), allow_unicode=True) or slugify(fallback))[:200]


# WordPress shows a comment with wpautop: the spaces and tabs that begin a line are
# nothing to it, but Markdown (how Salon reads comments) makes such lines a code block.
_PRE = re.compile(r"<pre\b", re.IGNORECASE)
_PRE_END = re.compile(r"</pre>", re.IGNORECASE)
_INDENT = re.compile(r"^[ \t]+", re.MULTILINE)


def comment_text(text: str) -> str:
    """A WordPress comment's text as Salon's Markdown shows it the way WordPress did: no
    indentation outside ``<pre>``, and each ``<pre>`` a block of its own, kept as written."""
    text = text or ""
    parts, pos = [], 0
    # One pass (a regular expression for "<pre … </pre>" would try every "<pre" of a
    # hostile comment against the rest of it).
    while (start := _PRE.search(text, pos)) and (end := _PRE_END.search(text, start.end())):
        parts.append(_INDENT.sub("", text[pos : start.start()]))
        parts.append(f"\n\n{text[start.start() : end.end()]}\n\n")
        pos = end.end()
    parts.append(_INDENT.sub("", text[pos:]))
    return "".join(parts).strip("\n") if len(parts) > 1 else parts[0]


def rss_date(text: str) -> datetime | None:
    """An RSS ``pubDate``, or None."""
    try:
        return parsedate_to_datetime(text) if text else None
    except (TypeError, ValueError):
        return None


def is_page_address(slug: str) -> bool:
    """Whether /slug/ reaches the page view, not another of the site's routes (/feed/ …)."""
    try:
        return resolve(f"/{slug}/").url_name == "page"
    except Resolver404:
        return False
