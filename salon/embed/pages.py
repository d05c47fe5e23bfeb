"""The conversations under other sites' pages: found by the page's address, opened on the
first comment.

Such a conversation is a :class:`~salon.publishing.models.Post` of kind ``elsewhere`` whose
``external_url`` is the page's address, so comments, likes, counts, moderation, mail and
personal data work for it exactly as for a post (see ``docs/architecture.md``). The blog's
lists, feeds and pages never show it.

Its title comes from the request that opens it, checked against the page itself when the
guarded fetcher can reach it: the page's own title wins over what a request claims, and a
page that answers 404 or 410 gets no conversation. A page that cannot be reached (a site on
a private network, a site that is down) gets the title the request gave.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

import lxml.etree
import lxml.html
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from salon.publishing.fetching import FetchError, fetch_page
from salon.publishing.models import Post

log = logging.getLogger(__name__)

TITLE_MAX = 300  # Post.title
# Names that never resolve on the Internet (RFC 2606, RFC 6761): not worth a DNS query.
RESERVED_SUFFIXES = (".example", ".invalid", ".test", ".localhost", ".local")


class PageMissing(Exception):
    """The page answered that it does not exist: no conversation is opened for it."""


class NoOwner(Exception):
    """The site has no administrator yet to own a new conversation."""


def find(address: str) -> Post | None:
    """The conversation under the page at ``address`` (normalised), if it has one."""
    return next(iter(Post.objects.elsewhere().filter(external_url=address).order_by()[:1]), None)


def _clean_title(text: str) -> str:
    return " ".join((text or "").split())[:TITLE_MAX]


def page_title(html: str) -> str:
    """A page's title as it states it: ``og:title``, else ``<title>``; "" when it has none."""
    try:
        doc = lxml.html.fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return ""
    for meta in doc.iterfind(".//meta[@property='og:title']"):
        if meta.get("content", "").strip():
            return _clean_title(meta.get("content"))
    title = doc.find(".//title")
    return _clean_title(title.text_content()) if title is not None else ""


def checked_title(address: str, claimed: str) -> str:
    """The title of a new conversation: the page's own when it can be fetched, else the one
    the request gave, else the address. Raises :class:`PageMissing` for a 404 or 410."""
    claimed = _clean_title(claimed)
    host = (urlsplit(address).hostname or "").rstrip(".")
    if host.endswith(RESERVED_SUFFIXES) or host in ("example", "localhost"):
        return claimed or address[:TITLE_MAX]
    try:
        page = fetch_page(address)
    except FetchError as error:
        if error.status in (404, 410):
            raise PageMissing(error.message) from None
        log.info("Could not check the title of %s (%s); using the one given", address, error)
        return claimed or address[:TITLE_MAX]
    found = page_title(page.text())
    if found and claimed and found.casefold() != claimed.casefold():
        log.info("%s is titled %r, not %r as the request said", address, found, claimed)
    return found or claimed or address[:TITLE_MAX]


def owner():
    """Who a new conversation belongs to (the post author the pipeline and mail know): the
    first administrator."""
    users = get_user_model().objects.filter(is_active=True)
    found = (
        users.filter(is_superuser=True).order_by("pk").first()
        or users.filter(is_staff=True).order_by("pk").first()
    )
    if found is None:
        raise NoOwner("This site has no administrator yet (salon createsuperuser).")
    return found


def _slug(address: str) -> str:
    # Not from the title: a page elsewhere must never take a slug a post of the blog wants.
    return "elsewhere-" + salted_hmac("salon.embed.slug", address).hexdigest()[:20]


def open_conversation(address: str, claimed_title: str) -> Post:
    """The conversation under ``address``, opened now if it has none (the page's site must
    already have been checked against the allowed ones)."""
    existing = find(address)
    if existing is not None:
        return existing
    title = checked_title(address, claimed_title)
    try:
        with transaction.atomic():
            return Post.objects.create(
                kind=Post.Kind.ELSEWHERE,
                external_url=address,
                title=title,
                slug=_slug(address),
                author=owner(),
                status=Post.Status.PUBLISHED,
                published_at=timezone.now(),
            )
    except IntegrityError:
        # Another request opened it at the same moment.
        found = find(address)
        if found is None:
            raise
        return found


def imported_conversation(address: str, title: str, opened_at, author=None) -> tuple[Post, bool]:
    """The conversation under ``address`` for comments moved in from another comment system
    (Isso, Remark42, Commento): found, else opened with the title the export gave, or the
    address. An import reads no pages: it runs offline and inside one transaction. Returns
    the conversation and whether it was opened now. It belongs to ``author`` if given (an
    export names who owned it), else to the first administrator."""
    existing = find(address)
    if existing is not None:
        return existing, False
    post = Post.objects.create(
        kind=Post.Kind.ELSEWHERE,
        external_url=address,
        title=_clean_title(title) or address[:TITLE_MAX],
        slug=_slug(address),
        author=author or owner(),
        status=Post.Status.PUBLISHED,
        published_at=opened_at or timezone.now(),
    )
    return post, True
