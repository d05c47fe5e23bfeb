"""API keys for the Akismet-compatible API: issuing, finding, revoking, and which blogs they cover.

Keys are 12 characters, as WordPress's Akismet plugin requires: it refuses any other length
before sending a request, and its settings page strips every character but ``0-9 a-f A-F``.
So a key is 12 characters drawn from those 22 (case matters): 12 x log2(22), about 53.5
bits. Since that is few enough to try offline, the stored form is an HMAC keyed with the
site's ``SECRET_KEY`` (not a bare hash): a copy of the database alone does not give the keys
away. Only the first 4 characters are kept in clear, to tell keys apart in lists.

Keys issued before (24 lowercase hexadecimal characters, 96 bits, stored as SHA-256) keep
working, and ``long=True`` still issues them, for clients that send the key as the first
label of a host name (``<key>.rest.example``, which DNS and HTTP lowercase).
"""

from __future__ import annotations

import hashlib
import re
import secrets
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from django.utils.crypto import salted_hmac

from salon.antispam.models import ApiKey

# The characters WordPress's Akismet settings page lets through, and how many a key has.
KEY_ALPHABET = "0123456789abcdefABCDEF"
KEY_LENGTH = 12
SHORT_PREFIX = 4
LONG_PREFIX = 8
_SHORT_KEY = re.compile(r"^[0-9a-fA-F]{12}$")
_LONG_KEY = re.compile(r"^[0-9a-f]{13,64}$")
# A key as the first label of a host name: lowercased by DNS, so only long keys arrive whole.
KEY_PATTERN = re.compile(r"^[0-9a-f]{12,64}$")
_HMAC_SALT = "salon.antispam.keys.ApiKey"
# A host name (letters, digits, hyphens, dots; IDNs in their xn-- form) or an IP address.
# (Labels are separated by required dots, so matching never backtracks.)
_HOST = re.compile(r"^[a-z0-9_-]{1,63}(?:\.[a-z0-9_-]{1,63})*$|^[0-9a-f:.]{2,45}$")
# How long a process trusts its copy of a key before asking the database again: a revoked
# key stops working everywhere within this many seconds (at once in the revoking process).
KEY_CACHE_SECONDS = 10.0


@dataclass(frozen=True)
class IssuedKey:
    """A newly created key: the row, and the key itself (shown once, never stored)."""

    row: ApiKey
    key: str


@dataclass(frozen=True)
class KnownKey:
    """What a request needs to know of a valid key, cached per process."""

    id: int
    prefix: str
    hosts: tuple[str, ...]
    rate: str
    monthly_limit: int | None
    revoked: bool

    def allows(self, blog: str) -> bool:
        """Whether ``blog`` (a URL) is one of this key's blogs."""
        return host_allowed(blog_host(blog), self.hosts)


_cache: dict[str, tuple[float, KnownKey | None]] = {}
_cache_lock = threading.Lock()


def normalise(key: str) -> str | None:
    """The key as it is hashed, or None when it cannot be a key Salon issued.

    12-character keys are case-sensitive; longer ones were issued lowercase, so they are
    read in any case (a host name's label arrives lowercased).
    """
    key = (key or "").strip()
    if _SHORT_KEY.match(key):
        return key
    key = key.lower()
    return key if _LONG_KEY.match(key) else None


def key_hashes(key: str) -> list[str]:
    """The stored forms ``key`` may have: the current one first, then under older secrets.

    Short keys are HMACs under ``SECRET_KEY`` (and ``SECRET_KEY_FALLBACKS``, so a rotated
    secret keeps old keys working while it is listed there); long keys are SHA-256 digests.
    """
    normal = normalise(key)
    if normal is None:
        return []
    if len(normal) > KEY_LENGTH:
        return [hashlib.sha256(normal.encode("ascii")).hexdigest()]
    secrets_in_use = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return [
        salted_hmac(_HMAC_SALT, normal, secret=secret, algorithm="sha256").hexdigest()
        for secret in secrets_in_use
    ]


def hash_key(key: str) -> str:
    """The stored form of a key issued now."""
    hashes = key_hashes(key)
    if not hashes:
        raise ValueError("Not an API key.")
    return hashes[0]


def new_key(long: bool = False) -> str:
    """A fresh random key: 12 characters of ``KEY_ALPHABET``, or 24 lowercase hex with ``long``."""
    if long:
        return secrets.token_hex(12)
    return "".join(secrets.choice(KEY_ALPHABET) for _ in range(KEY_LENGTH))


def blog_host(url: str) -> str:
    """The host a blog URL names, lowercased, without ``www.`` or port (``""`` if none).

    Akismet identifies a site by its front page; Salon identifies it by host, so
    ``http://example.org`` and ``https://www.example.org/blog/`` are one blog.
    """
    url = (url or "").strip()
    if not url:
        return ""
    if "://" not in url:
        url = "//" + url
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    host = host.lower().rstrip(".")
    # 180, not DNS's 253: the host is part of a site's name (200 characters at most).
    if len(host) > 180 or not _HOST.match(host):
        return ""
    return host[4:] if host.startswith("www.") else host


def host_allowed(host: str, allowed: tuple[str, ...] | list[str]) -> bool:
    """Whether ``host`` is one of ``allowed`` (``*.example.org`` covers its subdomains)."""
    if not host:
        return False
    for entry in allowed:
        if entry.startswith("*."):
            base = entry[2:]
            if host == base or host.endswith("." + base):
                return True
        elif host == entry:
            return True
    return False


def _hosts_of(row: ApiKey) -> tuple[str, ...]:
    hosts = []
    for line in row.blog_list():
        if line.startswith("*."):
            hosts.append("*." + blog_host(line[2:]))
        else:
            hosts.append(blog_host(line))
    return tuple(h for h in hosts if h and h != "*.")


def create_key(
    blogs: list[str], label: str = "", rate: str = "", monthly_limit=None, long: bool = False
) -> IssuedKey:
    """Issue a key for ``blogs``; the returned key is the only copy there will ever be.

    ``long`` issues a 24-character key (for clients that put the key in the host name).
    """
    cleaned = [b.strip() for b in blogs if b and b.strip()]
    if not cleaned:
        raise ValueError("A key needs at least one blog URL.")
    bad = [b for b in cleaned if not blog_host(b.removeprefix("*."))]
    if bad:
        raise ValueError(f"Not a blog URL: {', '.join(bad)}")
    key = new_key(long)
    row = ApiKey.objects.create(
        label=label,
        prefix=key[: LONG_PREFIX if long else SHORT_PREFIX],
        key_hash=hash_key(key),
        blogs="\n".join(cleaned),
        rate=rate,
        monthly_limit=monthly_limit,
    )
    return IssuedKey(row=row, key=key)


def find_key(key: str) -> KnownKey | None:
    """The valid (possibly revoked) key ``key`` is, or None for a key never issued."""
    digests = key_hashes(key)
    if not digests:
        return None
    digest = digests[0]
    now = time.monotonic()
    cached = _cache.get(digest)
    if cached is not None and now - cached[0] < KEY_CACHE_SECONDS:
        return cached[1]
    row = ApiKey.objects.filter(key_hash__in=digests).first()
    known = (
        None
        if row is None
        else KnownKey(
            id=row.pk,
            prefix=row.prefix,
            hosts=_hosts_of(row),
            rate=row.rate,
            monthly_limit=row.monthly_limit,
            revoked=row.is_revoked,
        )
    )
    with _cache_lock:
        _cache[digest] = (now, known)
    return known


def forget_cached_keys() -> None:
    """Drop this process's copies of keys (after a key is changed or revoked here)."""
    with _cache_lock:
        _cache.clear()


def revoke(row: ApiKey) -> None:
    """Revoke a key: every request with it is answered ``invalid`` from now on."""
    if row.revoked_at is None:
        row.revoked_at = timezone.now()
        row.save(update_fields=["revoked_at"])
    forget_cached_keys()
