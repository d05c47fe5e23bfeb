"""Reblogging: turn another site's article into a draft post that quotes and credits it.

An author gives an address; Salon fetches the page (safely, see :mod:`fetching`), reads its
metadata (OpenGraph and JSON-LD first, as the publisher states them, then trafilatura's
guesses) and its main text (trafilatura), and creates a *draft*: the author's own note on top,
the first words of the article as the reblog excerpt (``Post.save`` closes it with "[…]"), and
the title and site name for the "via <title> — © <site>" line that links back.

The lead image is copied into the site's media (reader's browsers never fetch from the other
site, so their addresses do not leak to it); if it cannot be copied the reblog goes on without
it.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from urllib.parse import urljoin, urlsplit

import lxml.html
import trafilatura
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.base import ContentFile
from django.utils.html import escape
from django.utils.text import slugify

from salon.publishing.fetching import FetchError, fetch, fetch_page
from salon.publishing.models import Media, Post

DEFAULT_WORDS = 55  # WordPress's excerpt length


class ReblogError(Exception):
    """The article could not be reblogged; ``message`` tells the author why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class Article:
    """What Salon read from another site's page."""

    url: str
    title: str = ""
    site_name: str = ""
    author: str = ""
    published: str = ""
    image_url: str = ""
    description: str = ""
    paragraphs: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)


# --- reading a page -------------------------------------------------------------------------


def _parse(html: str) -> lxml.html.HtmlElement | None:
    # lxml refuses str input that carries an XML encoding declaration (XHTML pages).
    html = re.sub(r"^\s*<\?xml[^>]*\?>", "", html)
    try:
        return lxml.html.document_fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return None


def _meta(doc: lxml.html.HtmlElement) -> dict[str, str]:
    """<meta property|name=… content=…> values, the first of each name winning."""
    found: dict[str, str] = {}
    for element in doc.iter("meta"):
        key = (element.get("property") or element.get("name") or "").strip().lower()
        value = (element.get("content") or "").strip()
        if key and value and key not in found:
            found[key] = value
    return found


def _json_ld(doc: lxml.html.HtmlElement) -> list[dict]:
    """Every JSON-LD object on the page, flattening lists and ``@graph``."""
    objects: list[dict] = []

    def walk(node) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            objects.append(node)
            if "@graph" in node:
                walk(node["@graph"])

    for script in doc.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        try:
            walk(json.loads(script.text or ""))
        except ValueError:
            continue  # a broken block on someone else's page is not our error
    return objects


def _types(obj: dict) -> set[str]:
    kind = obj.get("@type", [])
    return {str(k) for k in (kind if isinstance(kind, list) else [kind])}


def _name(value) -> str:
    """A name from a JSON-LD value: a string, an object with "name", or a list of them."""
    if isinstance(value, list):
        return ", ".join(n for n in (_name(v) for v in value) if n)
    if isinstance(value, dict):
        return str(value.get("name") or "").strip()
    return str(value or "").strip()


def _image(value) -> str:
    if isinstance(value, list):
        return _image(value[0]) if value else ""
    if isinstance(value, dict):
        return str(value.get("url") or "")
    return str(value or "")


ARTICLE_TYPES = {"Article", "NewsArticle", "BlogPosting", "Report", "ScholarlyArticle"}


def _site_from_title(page_title: str, title: str) -> str:
    """ "Title – Site" or "Site | Title": the part of the <title> that is not the headline."""
    for separator in (" | ", " – ", " — ", " - ", " :: ", " » ", " · "):
        if separator in page_title:
            first, _sep, last = page_title.rpartition(separator)
            if title and first.strip() == title:
                return last.strip()
            head, _sep, tail = page_title.partition(separator)
            if title and tail.strip() == title:
                return head.strip()
    return ""


def _paragraphs(text: str, title: str) -> list[str]:
    lines = [" ".join(line.split()) for line in (text or "").splitlines()]
    lines = [line for line in lines if line]
    if lines and title and lines[0] == title:
        lines = lines[1:]  # trafilatura sometimes keeps the headline as the first line
    return lines


def read_article(html: str, url: str) -> Article:
    """Read an article's metadata and main text from its HTML (no network)."""
    article = Article(url=url)
    doc = _parse(html)
    if doc is None:
        return article
    meta = _meta(doc)
    ld = _json_ld(doc)
    posting = next((o for o in ld if _types(o) & ARTICLE_TYPES), {})
    website = next((o for o in ld if "WebSite" in _types(o)), {})
    page_title = " ".join((doc.findtext(".//title") or "").split())

    try:
        guessed = trafilatura.bare_extraction(
            html, url=url, with_metadata=True, include_comments=False, include_tables=False
        )
    except Exception:  # someone else's page must never crash the reblog: treat as no text
        guessed = None

    article.title = (
        meta.get("og:title")
        or str(posting.get("headline") or "").strip()
        or (guessed.title if guessed and guessed.title else "")
        or page_title
    )
    article.site_name = (
        meta.get("og:site_name")
        or _name(posting.get("publisher"))
        or _name(website)
        or meta.get("application-name", "")
        or _site_from_title(page_title, article.title)
        or (urlsplit(url).hostname or "")
    )
    article.author = (
        _name(posting.get("author"))
        or meta.get("author", "")
        or meta.get("article:author", "")
        or (guessed.author if guessed and guessed.author else "")
    )
    article.published = (
        str(posting.get("datePublished") or "").strip()
        or meta.get("article:published_time", "")
        or (guessed.date if guessed and guessed.date else "")
    )
    image = (
        meta.get("og:image")
        or _image(posting.get("image"))
        or (guessed.image if guessed and guessed.image else "")
    )
    article.image_url = urljoin(url, image) if image else ""
    article.description = meta.get("og:description") or meta.get("description", "")
    article.paragraphs = _paragraphs(guessed.text if guessed else "", article.title)
    return article


def excerpt_html(paragraphs: list[str], words: int) -> str:
    """The first ``words`` words of the article as HTML paragraphs (not yet closed with […])."""
    out: list[str] = []
    left = words
    for paragraph in paragraphs:
        if left <= 0:
            break
        tokens = paragraph.split()
        out.append(f"<p>{escape(' '.join(tokens[:left]))}</p>")
        left -= len(tokens)
    return "\n".join(out)


def published_date(article: Article) -> date | None:
    """The article's publication date, if it gave one Salon can read."""
    try:
        return datetime.fromisoformat(article.published.replace("Z", "+00:00")).date()
    except ValueError:
        return None


# --- making the draft -----------------------------------------------------------------------


def fetch_article(url: str) -> Article:
    """Fetch ``url`` and read the article on it; :class:`ReblogError` if that is impossible."""
    try:
        page = fetch_page(url)
    except FetchError as error:
        raise ReblogError(error.message) from None
    article = read_article(page.text(), page.url)
    if not article.paragraphs:
        raise ReblogError(f"No article text could be found on {page.url}.")
    if not article.title:
        raise ReblogError(f"The page at {page.url} has no title.")
    return article


def _copy_image(article: Article, author: AbstractBaseUser) -> Media | None:
    """Copy the lead image into the site's media; None if it cannot be fetched or is no image."""
    if not article.image_url:
        return None
    from PIL import Image, UnidentifiedImageError

    try:
        response = fetch(article.image_url, headers={"Accept": "image/*"})
    except FetchError:
        return None
    if response.status != 200 or not response.content_type.startswith("image/"):
        return None
    try:
        with Image.open(io.BytesIO(response.body)) as picture:
            picture.verify()  # a decodable image, not HTML or a script with an image name
            kind = (picture.format or "").lower()
    except (UnidentifiedImageError, OSError, ValueError):
        return None
    if kind not in {"png", "jpeg", "gif", "webp"}:
        return None
    name = slugify(urlsplit(response.url).path.rsplit("/", 1)[-1].rsplit(".", 1)[0]) or "image"
    media = Media(alt_text=article.title[:300], uploaded_by=author)
    media.file.save(f"{name}.{'jpg' if kind == 'jpeg' else kind}", ContentFile(response.body))
    return media


def reblog(
    url: str,
    author: AbstractBaseUser,
    note: str = "",
    words: int | None = None,
) -> tuple[Post, Article]:
    """Fetch the article at ``url`` and create a draft reblog of it by ``author``.

    ``note`` is the author's own text shown above the excerpt (plain text; blank lines make
    paragraphs). Returns the draft and what was read; raises :class:`ReblogError` with a clear
    message, and creates nothing, when the page cannot be fetched or has no article.
    """
    words = words or int(settings.SALON.get("REBLOG_WORDS", DEFAULT_WORDS))
    if words < 1:
        raise ReblogError("The excerpt must have at least one word.")
    article = fetch_article(url)

    excerpt = excerpt_html(article.paragraphs, words)
    media = _copy_image(article, author)
    if media is not None:
        figure = f'<figure><img src="{escape(media.url)}" alt="{escape(media.alt_text)}"></figure>'
        # After the first paragraph, as the reblogged articles place their lead picture.
        first, sep, rest = excerpt.partition("</p>\n")
        excerpt = f"{first}{sep}{figure}\n{rest}" if sep else f"{excerpt}\n{figure}"

    note_html = "\n".join(
        f"<p>{escape(' '.join(block.split()))}</p>"
        for block in re.split(r"\n\s*\n", note or "")
        if block.strip()
    )
    post = Post.objects.create(
        title=article.title[:300],
        author=author,
        body=note_html,
        status=Post.Status.DRAFT,
        reblog_url=article.url[:500],
        reblog_title=article.title[:300],
        reblog_site=article.site_name[:200],
        reblog_excerpt=excerpt,
    )
    return post, article
