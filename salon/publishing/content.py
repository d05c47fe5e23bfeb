"""Sanitising the HTML of posts, and the excerpt of a reblog.

A post's body is HTML written by an author (or imported from WordPress). Authors are trusted
more than commenters but not with scripts: bodies are cleaned with nh3 when saved, so the page
can print them as they are.
"""

from __future__ import annotations

import re

import nh3

POST_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "caption",
    "cite",
    "code",
    "del",
    "dd",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "ins",
    "li",
    "mark",
    "ol",
    "p",
    "pre",
    "q",
    "s",
    "small",
    "span",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "u",
    "ul",
}
POST_ATTRIBUTES = {
    "a": {"href", "title", "hreflang"},
    "img": {"src", "alt", "title", "width", "height", "loading", "srcset", "sizes"},
    "blockquote": {"cite"},
    "q": {"cite"},
    "abbr": {"title"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "ol": {"start", "reversed"},
    "*": {"class", "id", "lang", "dir"},
}
URL_SCHEMES = {"http", "https", "mailto"}

ELLIPSIS = "[…]"


def clean_post_html(html: str) -> str:
    """Return the author's HTML with only safe tags, attributes and URL schemes left."""
    return nh3.clean(
        html or "",
        tags=POST_TAGS,
        attributes=POST_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener",
    )


_TRAILING_ELLIPSIS = re.compile(r"\s*(\[(…|\.\.\.)\]|…|\.\.\.)\s*$")
_LAST_CLOSING_TAG = re.compile(r"(</(p|blockquote|div|li)>\s*)$", re.IGNORECASE)


def close_excerpt(html: str) -> str:
    """End a reblog's excerpt with "[…]", inside its last paragraph as WordPress.com does.

    Any ellipsis the excerpt already ends with ("...", "…", "[...]") is replaced, so saving
    a post twice never doubles it.
    """
    html = (html or "").rstrip()
    if not html:
        return ""
    match = _LAST_CLOSING_TAG.search(html)
    if match:
        inner = _TRAILING_ELLIPSIS.sub("", html[: match.start()])
        return f"{inner} {ELLIPSIS}{match.group(1)}"
    return f"{_TRAILING_ELLIPSIS.sub('', html)} {ELLIPSIS}"


_LINK_ATTRIBUTE = re.compile(r'\b(src|href|poster|cite)="([^"]*)"')
_SRCSET = re.compile(r'\bsrcset="([^"]*)"')


def absolute_links(html: str, base: str) -> str:
    """``html`` (a cleaned post body, so attributes in double quotes) with every address in
    ``src``, ``href``, ``poster``, ``cite`` and ``srcset`` made absolute against ``base``: a
    feed reader shows a post away from the site, where "/media/…" leads nowhere."""
    from urllib.parse import urljoin

    def one(match: re.Match) -> str:
        return f'{match[1]}="{urljoin(base, match[2].strip())}"'

    def srcset(match: re.Match) -> str:
        candidates = []
        for candidate in match[1].split(","):
            parts = candidate.split()
            if parts:
                candidates.append(" ".join([urljoin(base, parts[0]), *parts[1:]]))
        return f'srcset="{", ".join(candidates)}"'

    return _SRCSET.sub(srcset, _LINK_ATTRIBUTE.sub(one, html))
