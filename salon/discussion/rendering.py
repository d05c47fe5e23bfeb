"""Comment text: a safe subset of Markdown, rendered to HTML and sanitised with nh3.

Commenters may write Markdown (emphasis, links, code, quotes, lists) or the handful of HTML
tags WordPress allows in comments. Raw HTML passes through Markdown and is then cleaned, so
what survives is exactly the allow-list below, whatever was typed.
"""

from __future__ import annotations

import re

import nh3
from markdown_it import MarkdownIt

# WordPress's $allowedtags for comments, plus the block tags Markdown itself produces.
COMMENT_TAGS = {
    "a",
    "abbr",
    "acronym",
    "b",
    "blockquote",
    "br",
    "cite",
    "code",
    "del",
    "em",
    "i",
    "li",
    "ol",
    "p",
    "pre",
    "q",
    "s",
    "strike",
    "strong",
    "ul",
}
COMMENT_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "acronym": {"title"},
    "blockquote": {"cite"},
    "q": {"cite"},
    "del": {"datetime"},
}

_markdown = (
    MarkdownIt("commonmark", {"html": True, "linkify": True, "breaks": True, "typographer": False})
    .enable("linkify")
    .enable("strikethrough")
    # Headings, images and tables make no sense in a comment and "#1 fan" is not a heading.
    .disable(["heading", "lheading", "image", "table"])
)

_LINK = re.compile(r"<a\s", re.IGNORECASE)


def render_comment(text: str) -> str:
    """Render a comment's text to sanitised HTML; every link gets rel="nofollow ugc"."""
    return clean_comment_html(_markdown.render(text or ""))


def clean_comment_html(html: str) -> str:
    """A comment's HTML (written by another comment system) sanitised to the same allow-list
    as a rendered comment; every link gets rel="nofollow ugc"."""
    return nh3.clean(
        html or "",
        tags=COMMENT_TAGS,
        attributes=COMMENT_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow ugc",
    ).strip()


def count_links(html: str) -> int:
    """How many links a rendered comment holds (for the "N or more links" moderation rule)."""
    return len(_LINK.findall(html))
