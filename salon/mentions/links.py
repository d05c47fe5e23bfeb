"""Links in HTML: comparing addresses, finding a link to a page, the words around it."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit, urlunsplit

import lxml.etree
import lxml.html

_DEFAULT_PORTS = {"http": 80, "https": 443}
# Elements whose address counts as "linking to" a page (Webmention §3.2.2: "a" and media).
_LINKING = {"a": "href", "img": "src", "video": "src", "audio": "src", "source": "src"}
_BLOCKS = {"p", "li", "blockquote", "dd", "td", "figcaption", "h2", "h3", "h4", "div"}
EXCERPT_CHARS = 300


def normalise(url: str) -> str:
    """An address in one spelling: lower-case scheme and host, no default port or fragment."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return url.strip()
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    netloc = host if port in (None, _DEFAULT_PORTS.get(scheme)) else f"{host}:{port}"
    return urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))


def parse(html: str) -> lxml.html.HtmlElement | None:
    """Parse HTML leniently; None for a page with nothing in it."""
    html = re.sub(r"^\s*<\?xml[^>]*\?>", "", html or "")
    if not html.strip():
        return None
    try:
        return lxml.html.document_fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return None


def base_url(doc: lxml.html.HtmlElement, page_url: str) -> str:
    base = doc.find(".//base[@href]")
    return urljoin(page_url, base.get("href").strip()) if base is not None else page_url


def links(doc: lxml.html.HtmlElement, page_url: str, tags: dict[str, str] | None = None):
    """(element, absolute address) for every linking element, in document order."""
    base = base_url(doc, page_url)
    tags = tags or _LINKING
    for element in doc.iter(*tags):
        value = element.get(tags[element.tag])
        if value is None or not value.strip():
            continue
        yield element, urljoin(base, value.strip())


def find_link(doc: lxml.html.HtmlElement, page_url: str, target: str):
    """The first element of the page that links to ``target``, or None."""
    wanted = normalise(target)
    for element, address in links(doc, page_url):
        if normalise(address) == wanted:
            return element
    return None


def _words(text: str) -> str:
    return " ".join((text or "").split())


def context_of(element) -> str:
    """The words around a link, as "[…] text […]", at most about 300 characters."""
    block = element
    while block is not None and block.tag not in _BLOCKS:
        block = block.getparent()
    text = _words((block if block is not None else element).text_content())
    anchor = _words(element.text_content()) or _words(element.get("alt", ""))
    if len(text) > EXCERPT_CHARS:
        at = max(0, text.find(anchor)) if anchor else 0
        start = max(0, at - (EXCERPT_CHARS - len(anchor)) // 2)
        end = min(len(text), start + EXCERPT_CHARS)
        start = max(0, end - EXCERPT_CHARS)
        snippet = text[start:end]
        # Whole words only at the cut ends.
        if start > 0 and " " in snippet:
            snippet = snippet.split(" ", 1)[1]
        if end < len(text) and " " in snippet:
            snippet = snippet.rsplit(" ", 1)[0]
        text = snippet
    return f"[…] {text} […]" if text else ""
