"""WordPress eXtended RSS (WXR): reading it as a stream of records, and writing it.

WXR is RSS 2.0 with WordPress's own elements in the ``wp:`` and ``excerpt:`` namespaces. Their
address names the version (``http://wordpress.org/export/1.0/`` … ``1.2/``) and WordPress.com
writes them with ``https://``; all six are read alike, by mapping each namespace to its usual
prefix. Elements are then named as in the file: ``"wp:post_id"``, ``"content:encoded"``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import IO
from xml.etree.ElementTree import Element

from salon.discussion.models import CONTENT_MAX
from salon.interchange.reading import ImportProblem, local_name, stream_elements, text_of

WP_NAMESPACE = re.compile(r"^https?://wordpress\.org/export/1\.[0-2]/$")
EXCERPT_NAMESPACE = re.compile(r"^https?://wordpress\.org/export/1\.[0-2]/excerpt/$")
KNOWN_NAMESPACES = {
    "http://purl.org/rss/1.0/modules/content/": "content",
    "http://purl.org/dc/elements/1.1/": "dc",
    "http://wellformedweb.org/CommentAPI/": "wfw",
}

# Salon's one addition to WXR: the postmeta of a private page that stands for the
# conversation under a page of another site (``Post.Kind.ELSEWHERE``), holding its address.
EXTERNAL_URL_META = "_salon_external_url"

_names: dict[str, str] = {}
# A comment's text may be as long as WordPress allows (wp_check_comment_data_max_lengths).
FIELD_LIMITS = {"comment_content": CONTENT_MAX}


def prefixed(tag: str) -> str:
    """``{https://wordpress.org/export/1.2/}post_id`` → ``wp:post_id`` (any WXR version)."""
    known = _names.get(tag)
    if known is not None:
        return known
    uri, name = local_name(tag)
    if not uri:
        prefix = ""
    elif WP_NAMESPACE.match(uri):
        prefix = "wp"
    elif EXCERPT_NAMESPACE.match(uri):
        prefix = "excerpt"
    else:
        prefix = KNOWN_NAMESPACES.get(uri, uri)
    result = f"{prefix}:{name}" if prefix else name
    if len(_names) < 1000:  # the names of real exports; a hostile file's many others pass by
        _names[tag] = result
    return result


def _fields(element: Element) -> dict[str, str]:
    """The simple child elements of ``element`` as ``{"wp:post_id": "12", …}``."""
    return {prefixed(child.tag): text_of(child) for child in element if len(child) == 0}


def _meta(element: Element) -> tuple[str, str]:
    values = _fields(element)
    return values.get("wp:meta_key", ""), values.get("wp:meta_value", "")


@dataclass
class Term:
    """A ``<category domain=… nicename=…>Name</category>`` on an item."""

    domain: str
    nicename: str
    name: str


@dataclass
class WxrComment:
    """A ``wp:comment`` of an item: its fields and its commentmeta."""

    fields: dict[str, str]
    meta: list[tuple[str, str]] = field(default_factory=list)

    def get(self, name: str, default: str = "") -> str:
        """The text of ``wp:<name>``."""
        return self.fields.get(f"wp:{name}", default)


@dataclass
class WxrItem:
    """One ``<item>``: a post, page, attachment or anything else WordPress exported."""

    fields: dict[str, str]
    terms: list[Term] = field(default_factory=list)
    meta: list[tuple[str, str]] = field(default_factory=list)
    comments: list[WxrComment] = field(default_factory=list)

    def get(self, name: str, default: str = "") -> str:
        """The text of a child element, by its prefixed name (``"wp:post_type"``, ``"title"``)."""
        return self.fields.get(name, default)


def _item(element: Element) -> WxrItem:
    item = WxrItem(fields={})
    for child in element:
        name = prefixed(child.tag)
        if name == "category":
            item.terms.append(
                Term(child.get("domain", ""), child.get("nicename", ""), text_of(child))
            )
        elif name == "wp:postmeta":
            item.meta.append(_meta(child))
        elif name == "wp:comment":
            comment = WxrComment(fields={})
            for part in child:
                part_name = prefixed(part.tag)
                if part_name == "wp:commentmeta":
                    comment.meta.append(_meta(part))
                else:
                    comment.fields[part_name] = text_of(part)
            item.comments.append(comment)
        else:
            item.fields[name] = text_of(child)
    return item


@dataclass
class Header:
    """What a WXR channel says before its items: the site, its authors, categories and tags."""

    fields: dict[str, str] = field(default_factory=dict)
    authors: list[dict[str, str]] = field(default_factory=list)
    categories: list[dict[str, str]] = field(default_factory=list)
    tags: list[dict[str, str]] = field(default_factory=list)
    terms: list[dict[str, str]] = field(default_factory=list)
    wordpress: bool = False

    @property
    def version(self) -> str:
        return self.fields.get("wp:wxr_version", "")


def read_wxr(handle: IO[bytes], label: str) -> Iterator[Header | WxrItem]:
    """Yield the channel's :class:`Header` (once, before the first item) and then each item.

    Only one item is held in memory at a time. Raises :class:`ImportProblem` for malformed or
    unsafe XML, or for a file that is not a WordPress export.
    """
    header = Header()
    header_sent = False
    for event, element in stream_elements(handle, depth=2, label=label, field_limits=FIELD_LIMITS):
        if event == "start":
            if local_name(element.tag)[1] != "rss":
                raise ImportProblem(
                    f"{label} is not a WordPress export: its root element is "
                    f"<{local_name(element.tag)[1]}>, not <rss>."
                )
            continue
        name = prefixed(element.tag)
        if name == "item":
            item = _item(element)
            if not header_sent:
                # Older or hand-made files (no wp:wxr_version, no authors or terms in the
                # channel) are WordPress's all the same when their items carry wp: elements.
                header.wordpress = header.wordpress or any(
                    key.startswith("wp:") for key in item.fields
                )
                _check_header(header, label)
                header_sent = True
                yield header
            yield item
        elif name == "wp:author":
            header.authors.append(_fields(element))
        elif name == "wp:category":
            header.categories.append(_fields(element))
        elif name == "wp:tag":
            header.tags.append(_fields(element))
        elif name == "wp:term":
            header.terms.append(_fields(element))
        elif len(element) == 0:
            header.fields[name] = text_of(element)
        if name.startswith("wp:"):
            header.wordpress = True
    if not header_sent:
        _check_header(header, label)
        yield header


def _check_header(header: Header, label: str) -> None:
    if not header.wordpress:
        raise ImportProblem(
            f"{label} is an RSS feed without WordPress's export elements (wp:…); export it "
            "from WordPress with Tools → Export."
        )


# --------------------------------------------------------------------------------------------
# Dates


def wordpress_date(text: str) -> datetime | None:
    """``"2010-01-07 12:00:00"`` (WordPress's GMT columns) as an aware UTC datetime; None for
    WordPress's "no date" (``0000-00-00 00:00:00``) or anything unreadable."""
    text = (text or "").strip()
    if not text or text.startswith("0000"):
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# --------------------------------------------------------------------------------------------
# Writing

# Characters XML 1.0 cannot carry at all; WordPress's exporter drops them too.
_NOT_XML = re.compile("[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def cdata(text: str | None) -> str:
    """Text as a CDATA section, as WordPress's ``wxr_cdata`` writes it (``]]>`` split)."""
    text = _NOT_XML.sub("", text or "")
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def escape(text: str | None) -> str:
    """Text escaped for an element or attribute."""
    text = _NOT_XML.sub("", text or "")
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def element(name: str, value: str | int | None, *, as_cdata: bool = False) -> str:
    """``<name>value</name>``, the value escaped or in CDATA."""
    text = "" if value is None else str(value)
    return f"<{name}>{cdata(text) if as_cdata else escape(text)}</{name}>"


WXR_HEAD = """<?xml version="1.0" encoding="UTF-8" ?>
<!-- This is a WordPress eXtended RSS file generated by Salon as an export of your site. -->
<!-- It can be imported into WordPress (Tools → Import → WordPress) or into Salon. -->
<rss version="2.0"
\txmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
\txmlns:content="http://purl.org/rss/1.0/modules/content/"
\txmlns:wfw="http://wellformedweb.org/CommentAPI/"
\txmlns:dc="http://purl.org/dc/elements/1.1/"
\txmlns:wp="http://wordpress.org/export/1.2/"
>
<channel>
"""
WXR_TAIL = "</channel>\n</rss>\n"
