"""Addresses of other sites' pages and of the sites themselves, written one way.

A conversation belongs to a page address; the same page must find the same conversation
however a widget or an importer spells it, so addresses are normalised: the scheme and host
in lower case, the default port dropped, no query string and no fragment (``#comments``).
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urlsplit, urlunsplit

MAX_ADDRESS = 500  # Post.external_url
DEFAULT_PORTS = {"http": 80, "https": 443}


class AddressError(ValueError):
    """An address that cannot name a page; the message says why, for the reader."""


def _host(hostname: str) -> str:
    try:
        return hostname.encode("idna").decode("ascii").lower()
    except UnicodeError:
        raise AddressError("The page address has a host name that cannot be used.") from None


def _netloc(scheme: str, hostname: str, port: int | None) -> str:
    host = f"[{hostname}]" if ":" in hostname else hostname
    return host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}"


_BLANK_OR_CONTROL = re.compile(r"[\x00-\x20\x7f]")


@lru_cache(maxsize=4096)
def page_address(raw: str) -> str:
    """The normalised address of a page, or :class:`AddressError` (a page of links asks
    for the same addresses again and again: they are remembered)."""
    text = (raw or "").strip()
    if not text:
        raise AddressError("Give the page's address.")
    if len(text) > 2 * MAX_ADDRESS or _BLANK_OR_CONTROL.search(text):
        raise AddressError("That is not a web page's address.")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise AddressError("That is not a web page's address.") from None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise AddressError("A page's address starts with https:// or http://.")
    if not parts.hostname or parts.username is not None or parts.password is not None:
        raise AddressError("A page's address needs a host name (and no user name).")
    address = urlunsplit(
        (scheme, _netloc(scheme, _host(parts.hostname), port), parts.path or "/", "", "")
    )
    if len(address) > MAX_ADDRESS:
        raise AddressError(f"A page's address can be at most {MAX_ADDRESS} characters long.")
    return address


def origin_of(address: str) -> str:
    """The site (scheme://host[:port]) of a normalised page address."""
    parts = urlsplit(address)
    return f"{parts.scheme}://{parts.netloc}"


def normalise_origin(raw: str) -> str | None:
    """A site written as ``scheme://host[:port]`` (lower case, no default port), or None
    when ``raw`` is not one (it has a path, a query, a user name, another scheme)."""
    text = (raw or "").strip().rstrip("/")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if (
        scheme not in DEFAULT_PORTS
        or not parts.hostname
        or parts.path
        or parts.query
        or parts.fragment
        or parts.username is not None
    ):
        return None
    try:
        return f"{scheme}://{_netloc(scheme, _host(parts.hostname), port)}"
    except AddressError:
        return None
