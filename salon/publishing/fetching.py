"""Fetching other sites' pages safely: for reblogs, and for Webmentions and pingbacks.

Anyone can make a Salon site fetch an address (an author pastes one to reblog, a stranger
sends a Webmention naming a "source"), so every fetch is guarded against being turned on the
server's own network:

- only ``http`` and ``https``;
- the host name is resolved here, *every* address it resolves to must be public (no loopback,
  private, link-local, shared or reserved ranges) unless the owner sets
  ``SALON_REBLOG_ALLOW_PRIVATE=1``, and the connection goes to an address that was checked, so
  a second DNS answer cannot swap in another (DNS rebinding);
- redirects are followed by hand, a few at most, and each hop is checked the same way;
- one deadline covers the whole fetch, and bodies larger than the limit are refused.

Standard library only (``http.client``): no proxy settings from the environment are honoured,
on purpose, since a proxy would make the address checks meaningless.
"""

from __future__ import annotations

import http.client
import ipaddress
import re
import socket
import ssl
import time
import zlib
from dataclasses import dataclass, field
from email.message import Message
from urllib.parse import urljoin, urlsplit

from django.conf import settings

MAX_REDIRECTS = 5
CHUNK = 64 * 1024
HTML_TYPES = ("text/html", "application/xhtml+xml")


class FetchError(Exception):
    """A page could not be fetched; ``message`` says why in words an author understands."""

    def __init__(self, message: str, status: int | None = None, transient: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.transient = transient or (status is not None and (status >= 500 or status == 429))
        """Whether trying again later may succeed (the other site is down or slow)."""


@dataclass
class Fetched:
    """A fetched response: the final URL (after redirects), status, headers and body."""

    url: str
    status: int
    headers: Message
    body: bytes
    redirects: list[str] = field(default_factory=list)

    @property
    def content_type(self) -> str:
        return (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()

    @property
    def is_html(self) -> bool:
        return self.content_type in HTML_TYPES

    def header_values(self, name: str) -> list[str]:
        """Every value of a header that may be repeated (``Link``)."""
        return list(self.headers.get_all(name) or [])

    def text(self) -> str:
        """The body decoded: the charset from the header, else from a <meta> tag, else UTF-8."""
        charset = self.headers.get_content_charset()
        if not charset:
            sniffed = _META_CHARSET.search(self.body[:4096])
            charset = sniffed.group(1).decode("ascii") if sniffed else "utf-8"
        try:
            return self.body.decode(charset, errors="replace")
        except LookupError:
            return self.body.decode("utf-8", errors="replace")


_META_CHARSET = re.compile(rb"""<meta[^>]+charset=["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


def _options() -> tuple[bool, int, float]:
    salon = settings.SALON
    return (
        bool(salon.get("REBLOG_ALLOW_PRIVATE", False)),
        int(salon.get("REBLOG_MAX_BYTES", 5 * 1024 * 1024)),
        float(salon.get("REBLOG_TIMEOUT", 10)),
    )


def user_agent() -> str:
    """How Salon introduces itself to other sites."""
    return f"Salon (+{settings.SITE_URL}/)"


_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def carried_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address leads to, for the forms that embed one.

    ``::ffff:a.b.c.d`` (IPv4-mapped), ``::a.b.c.d`` (IPv4-compatible), ``64:ff9b::a.b.c.d``
    (NAT64), ``2002:aabb:ccdd::/48`` (6to4) and Teredo (``2001:0::/32``, whose server and
    client are both IPv4 addresses). Each is a way to reach the IPv4 host, so it is judged
    as that host: ``[::127.0.0.1]`` is loopback, however it is written.
    """
    if ip.ipv4_mapped is not None:
        return [ip.ipv4_mapped]
    if ip.sixtofour is not None:
        return [ip.sixtofour]
    if ip.teredo is not None:
        return list(ip.teredo)
    if ip in _NAT64 or (ip in _IPV4_COMPATIBLE and int(ip) > 1):  # not :: or ::1
        return [ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)]
    return []


def address_allowed(address: str, allow_private: bool) -> bool:
    """Whether Salon may connect to this IP address."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        carried = carried_ipv4(ip)
        if carried:
            return all(address_allowed(str(v4), allow_private) for v4 in carried)
    if ip.is_unspecified or ip.is_multicast:
        return False
    return allow_private or ip.is_global


def _resolve(host: str, port: int, allow_private: bool) -> str:
    """Resolve ``host`` and return an address to connect to, if every address is allowed."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise FetchError(
            f"The address {host} could not be found ({error}).", transient=True
        ) from None
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not addresses:
        raise FetchError(f"The address {host} could not be found.")
    for address in addresses:
        if not address_allowed(address, allow_private):
            raise FetchError(
                f"{host} is on a private, loopback or reserved network address ({address}); "
                "Salon does not fetch those (the site owner can allow it with "
                "SALON_REBLOG_ALLOW_PRIVATE=1)."
            )
    return addresses[0]


def check_url(url: str) -> tuple[str, str, int]:
    """Split an address into (scheme, host, port), refusing anything but http(s) with a host."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise FetchError(f"“{url}” is not a valid web address.") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise FetchError(f"Only http:// and https:// addresses can be fetched, not “{url}”.")
    if not parts.hostname:
        raise FetchError(f"“{url}” has no host name.")
    return scheme, parts.hostname, port or (443 if scheme == "https" else 80)


def _request_target(url: str) -> str:
    parts = urlsplit(url)
    path = parts.path or "/"
    return f"{path}?{parts.query}" if parts.query else path


def _open(
    method: str, url: str, body: bytes | None, headers: dict[str, str], deadline: float
) -> tuple[http.client.HTTPConnection, http.client.HTTPResponse]:
    allow_private, _max_bytes, timeout = _options()
    scheme, host, port = check_url(url)
    address = _resolve(host, port, allow_private)
    remaining = max(0.1, min(timeout, deadline - time.monotonic()))
    if scheme == "https":
        connection: http.client.HTTPConnection = http.client.HTTPSConnection(
            host, port, timeout=remaining, context=ssl.create_default_context()
        )
    else:
        connection = http.client.HTTPConnection(host, port, timeout=remaining)

    # http.client would resolve the host name again when connecting; connect to the address
    # checked above instead. The Host header and TLS server name still use the host name.
    def connect_checked(_address, timeout=remaining, source_address=None):
        return socket.create_connection((address, port), timeout, source_address)

    connection._create_connection = connect_checked  # type: ignore[attr-defined]
    try:
        connection.request(method, _request_target(url), body=body, headers=headers)
        return connection, connection.getresponse()
    except TimeoutError:
        connection.close()
        raise FetchError(f"{host} did not answer in time.", transient=True) from None
    except ssl.SSLError as error:
        connection.close()
        raise FetchError(
            f"A secure connection to {host} failed ({error.reason}).", transient=True
        ) from None
    except (OSError, http.client.HTTPException) as error:
        connection.close()
        raise FetchError(f"{host} could not be reached ({error}).", transient=True) from None


def _read_body(response: http.client.HTTPResponse, max_bytes: int, deadline: float) -> bytes:
    declared = response.getheader("Content-Length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise FetchError(f"The page is larger than {_size(max_bytes)}; Salon does not fetch it.")
    encoding = (response.getheader("Content-Encoding") or "").strip().lower()
    inflate = zlib.decompressobj(16 + zlib.MAX_WBITS) if encoding in ("gzip", "x-gzip") else None
    chunks: list[bytes] = []
    size = 0
    while True:
        if time.monotonic() > deadline:
            raise FetchError("The page took too long to arrive.", transient=True)
        try:
            chunk = response.read1(CHUNK) if hasattr(response, "read1") else response.read(CHUNK)
        except TimeoutError:
            raise FetchError("The page took too long to arrive.", transient=True) from None
        except (OSError, http.client.HTTPException) as error:
            raise FetchError(f"The page could not be read ({error}).", transient=True) from None
        if not chunk:
            break
        if inflate is not None:
            # Decompress at most what is still allowed: a small gzip bomb stays small.
            chunk = inflate.decompress(chunk, max_bytes + 1 - size)
        size += len(chunk)
        if size > max_bytes:
            raise FetchError(
                f"The page is larger than {_size(max_bytes)}; Salon does not fetch it."
            )
        chunks.append(chunk)
    return b"".join(chunks)


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:g} MB" if n >= 1024 * 1024 else f"{n:,} bytes"


def fetch(
    url: str,
    method: str = "GET",
    data: bytes | None = None,
    headers: dict[str, str] | None = None,
    follow_redirects: bool = True,
) -> Fetched:
    """Fetch ``url`` with every safety check; any HTTP status is returned, not raised.

    Raises :class:`FetchError` when the address is refused, cannot be reached, answers too
    slowly or sends more than ``SALON_REBLOG_MAX_BYTES``.
    """
    _allow, max_bytes, timeout = _options()
    # One deadline for the whole fetch (all redirects and the body), so a server trickling a
    # byte at a time cannot hold a worker for longer than a slow but honest one.
    deadline = time.monotonic() + timeout
    request_headers = {
        "User-Agent": user_agent(),
        "Accept-Encoding": "gzip",
        "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5",
        **(headers or {}),
    }
    redirects: list[str] = []
    current = url.strip()
    while True:
        connection, response = _open(method, current, data, request_headers, deadline)
        try:
            location = response.getheader("Location")
            if follow_redirects and response.status in (301, 302, 303, 307, 308) and location:
                if len(redirects) >= MAX_REDIRECTS:
                    raise FetchError(f"{url} redirects too many times.")
                redirects.append(current)
                current = urljoin(current, location.strip())
                if response.status == 303 or (response.status in (301, 302) and method == "POST"):
                    method, data = "GET", None
                continue
            body = _read_body(response, max_bytes, deadline)
            return Fetched(current, response.status, response.headers, body, redirects)
        finally:
            response.close()
            connection.close()


def fetch_page(url: str) -> Fetched:
    """GET an HTML page, raising :class:`FetchError` for an error status or another type."""
    page = fetch(url)
    if page.status >= 400:
        reason = http.client.responses.get(page.status, "")
        raise FetchError(
            f"{page.url} answered {page.status} {reason}: there is no page to use there.".replace(
                "  ", " "
            ),
            status=page.status,
        )
    if page.status >= 300:
        raise FetchError(f"{page.url} answered {page.status} without a usable redirect.")
    if not page.is_html:
        kind = page.content_type or "an unknown type"
        raise FetchError(f"{page.url} is not a web page (it is {kind}).")
    return page
