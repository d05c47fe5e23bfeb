"""A post's whole page for new readers, from the cache every worker shares.

A reader who carries no cookie but the CSRF and language ones (no session, no guest key, no
saved name, no recent comment, no like) sees exactly what every other such reader sees, but
for two values in its forms: the CSRF token, and the signed time the comment form was shown.
Such a reader's page (``GET``/``HEAD``, no query string, not asking for JSON) is stored once,
split around those two values, in ``caches["default"]``, and served to the next one with
their own token and a fresh time put back in. Everyone else gets the page rendered for them.

A stored page is served only while it is still what a render would show. Its entry holds:

- the post's **state** as it was read before the page was rendered: ``updated_at`` (every
  edit), ``conversation_version`` (bumped in the same UPDATE as every change to its comments,
  comment likes and boosts), and its like and comment counts, status and whether comments are
  open. One query per hit reads them again; any difference is a miss.
- the site's **generation**, a random value in the cache replaced (after the transaction
  commits) whenever a row that any page shows changes: the discussion settings, an author's
  name, a category or tag, the log-in options under the form. Apps name their models with
  :func:`shown_on_every_page`.
- a fingerprint of the configuration and the code (site name, tagline and address, time
  zone, language, Salon's settings and version, the size and time of change of each of its
  code and template files, the social log-ins configured in the environment), so a restart
  with other settings or other code never serves the old pages.

The key is the page's address (scheme, host, path) and the reader's language.

A reader whose browser accepts gzip gets the stored page compressed without compressing it
again: each stored piece between the per-reader values is kept also as raw deflate ending in
a full flush (byte-aligned, no reference to what came before), so the pieces concatenate into
one deflate stream; the per-reader values go between them as uncompressed ("stored") deflate
blocks, so the CSRF token is never compressed beside the page's other text. A gzip header
with a random-length file name (the length hiding Django's ``GZipMiddleware`` adds against
BREACH) and the CRC-32 and length of the whole page close it.

``SALON_PAGE_CACHE``: ``auto`` (on when the default cache is shared by all processes: not
Django's per-process memory cache), ``on`` or ``off``.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache as once
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.core.signals import setting_changed
from django.db import connection, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils.cache import patch_vary_headers
from django.utils.html import escape
from django.utils.translation import get_language

import salon
from salon.publishing.models import Post

GENERATION_KEY = "salon:page:generation"
PAGE_SECONDS = 24 * 3600

STATE_FIELDS = (
    "updated_at",
    "conversation_version",
    "like_count",
    "comment_count",
    "status",
    "comments_open",
)
"""The post's columns a stored page must still match (one query per hit reads them)."""


# Cookies that do not change what the page shows: CSRF's own (its token is put back per
# reader) and the language (part of the key). Any other cookie may make the page personal.
def _harmless_cookies() -> frozenset[str]:
    return frozenset({settings.CSRF_COOKIE_NAME, settings.LANGUAGE_COOKIE_NAME})


CACHE_CONTROL = "private, no-cache"
"""Browsers may keep the page but ask again; shared caches may not keep it (its forms carry
the reader's CSRF token)."""

VARY = ("Cookie",)

_PER_READER: dict[str, Callable[[HttpRequest], str]] = {
    "csrfmiddlewaretoken": get_token,
}


def per_reader_field(name: str, value: Callable[[HttpRequest], str]) -> None:
    """A hidden form field (``<input … name="NAME" value="…">``) whose value is made for
    each reader: a stored page holds a gap there, filled with ``value(request)``."""
    _PER_READER[name] = value
    _field_pattern.cache_clear()


@once
def _field_pattern() -> re.Pattern[bytes]:
    names = b"|".join(re.escape(name.encode()) for name in _PER_READER)
    return re.compile(rb'name="(' + names + rb')" value="[^"]*"')


def shown_on_every_page(model, ignore: Callable[..., bool] | None = None) -> None:
    """Declare that rows of ``model`` are shown on post pages beyond one post's own: any save
    or delete of one makes every stored page stale. ``ignore(instance, **signal)`` may tell
    saves that change nothing shown (a user's last log-in time)."""

    def changed(sender, instance=None, **signal) -> None:
        if ignore is not None and instance is not None and ignore(instance, **signal):
            return
        _stale_now_and_after_commit()

    uid = f"salon.page_cache.{model._meta.label}"
    post_save.connect(changed, sender=model, weak=False, dispatch_uid=f"{uid}.save")
    post_delete.connect(changed, sender=model, weak=False, dispatch_uid=f"{uid}.delete")


def _m2m_changed(sender, action: str = "", **signal) -> None:
    if action.startswith("post_"):
        _stale_now_and_after_commit()


def _stale_now_and_after_commit() -> None:
    # Now, for this transaction's own later reads; after the commit too, because a page
    # rendered meanwhile by another process read the rows as they were before it.
    new_generation()
    transaction.on_commit(new_generation)


def connect_post_relations() -> None:
    """A post's categories and tags changed without the post being saved."""
    for relation in (Post.categories.through, Post.tags.through):
        m2m_changed.connect(
            _m2m_changed, sender=relation, weak=False, dispatch_uid=f"salon.page_cache.{relation}"
        )


def new_generation() -> None:
    """Make every stored page stale (they are replaced as readers ask for them)."""
    caches["default"].set(GENERATION_KEY, secrets.token_hex(8), None)


def code_digest(root: Path) -> str:
    """A digest of the code and templates under ``root``: each file's path, size and time of
    last change. An upgrade that keeps the version number (a new commit deployed, a template
    edited) changes it, so pages and threads stored by the old code are never served."""
    digest = hashlib.blake2b(digest_size=8)
    for path in sorted(root.rglob("*")):
        if path.suffix in CODE_SUFFIXES and path.is_file():
            stat = path.stat()
            digest.update(f"{path.relative_to(root)}:{stat.st_size}:{stat.st_mtime_ns};".encode())
    return digest.hexdigest()


CODE_SUFFIXES = {".py", ".html", ".txt", ".xml", ".json"}


@once
def fingerprint() -> str:
    """The code and configuration a page (or a fragment of one) was made with: a key that
    names it never finds what another version, other code or other settings made."""
    try:
        code = version("salon")
    except PackageNotFoundError:  # pragma: no cover (run from a checkout without install)
        code = "?"
    parts = (
        code,
        code_digest(Path(salon.__file__).parent),
        settings.SITE_NAME,
        settings.SITE_TAGLINE,
        settings.SITE_URL,
        settings.TIME_ZONE,
        settings.LANGUAGE_CODE,
        settings.DEBUG,
        repr(sorted(settings.SALON.items())),
        # The log-in buttons under the form (apps configured in the environment).
        repr(getattr(settings, "SOCIALACCOUNT_PROVIDERS", {})),
    )
    return hashlib.blake2b(repr(parts).encode(), digest_size=8).hexdigest()


def _settings_changed(setting: str = "", **signal) -> None:
    # Settings change while the site runs only in tests (override_settings).
    fingerprint.cache_clear()


setting_changed.connect(_settings_changed, dispatch_uid="salon.page_cache.settings")


def enabled() -> bool:
    choice = settings.SALON.get("PAGE_CACHE", "auto")
    if choice in ("on", "off"):
        return choice == "on"
    backend = settings.CACHES["default"]["BACKEND"]
    return not backend.endswith(("LocMemCache", "DummyCache"))


def note_generation(request: HttpRequest) -> None:
    """Read the site's generation for :func:`shared_fragment`, before the view reads what
    the page shows (read after, a change committed between the two reads would be stored
    as current)."""
    if "_salon_generation" in request.__dict__ or not enabled():
        return
    cache = caches["default"]
    request._salon_generation = _generation(cache, cache.get(GENERATION_KEY))


def _generation(cache, found: str | None) -> str | None:
    """The site's generation as ``found`` in ``cache``; when it holds none yet, a new one,
    the same for every process (the first to add it wins)."""
    if found is None:
        cache.add(GENERATION_KEY, secrets.token_hex(8), None)
        found = cache.get(GENERATION_KEY)
    return found


def shared_fragment(request: HttpRequest, name: str, post: Post, render: Callable[[], str]) -> str:
    """A part of ``post``'s page every reader sees alike, known reader or new: ``render()``
    once, then kept in the shared cache under what a stored page is kept under (the post's
    state as the view read it, the site's generation, the fingerprint, the language and the
    address), so any change that would make a stored page stale renders it again. ``render``
    must read nothing but the post and rows that bump its state or the generation."""
    # Noted before the view read the post (:func:`note_generation`); never with a cache of
    # one process's own, where another's changes would not show.
    # Only on a post's page (rendered by its view, which notes the post): other templates
    # on base.html with a ``post`` in their context may show other things in the same parts.
    current = request.__dict__.get("_salon_generation")
    if current is None or not enabled() or not request.__dict__.get("_salon_post_page"):
        return render()
    state = repr(tuple(getattr(post, field) for field in STATE_FIELDS))
    facts = f"{state}:{current}:{request.scheme}://{request.get_host()}{request.path}"
    digest = hashlib.blake2b(facts.encode(), digest_size=16).hexdigest()
    key = f"salon:fragment:{name}:{post.pk}:{fingerprint()}:{get_language()}:{digest}"
    cache = caches["default"]
    html = cache.get(key)
    if html is None:
        html = render()
        cache.set(key, html, PAGE_SECONDS)
    return html


def eligible(request: HttpRequest) -> bool:
    """Whether the reader sees what every new reader sees (see the module's docstring)."""
    if request.method not in ("GET", "HEAD") or request.META.get("QUERY_STRING"):
        return False
    if "json" in request.headers.get("Accept", "").lower():  # ActivityStreams, on the same URL
        return False
    if "HTTP_AUTHORIZATION" in request.META:
        return False
    harmless = _harmless_cookies()
    return all(name in harmless for name in request.COOKIES)


def _key(request: HttpRequest) -> str:
    address = f"{request.scheme}://{request.get_host()}{request.path}"
    digest = hashlib.blake2b(address.encode(), digest_size=16).hexdigest()
    return f"salon:page:{fingerprint()}:{get_language()}:{digest}"


@once
def _state_sql() -> str:
    quote = connection.ops.quote_name
    columns = ", ".join(quote(Post._meta.get_field(name).column) for name in STATE_FIELDS)
    return f"SELECT {columns} FROM {quote(Post._meta.db_table)} WHERE {quote('id')} = %s"


def _state(post_id: int) -> tuple | None:
    """The post's state as the database holds it (one query, written once: the ORM would
    spend more compiling it than the database answering)."""
    with connection.cursor() as cursor:
        cursor.execute(_state_sql(), [post_id])
        row = cursor.fetchone()
    return tuple(row) if row is not None else None


@dataclass(frozen=True)
class StoredPage:
    post_id: int
    state: tuple
    generation: str
    status: int
    headers: tuple[tuple[str, str], ...]
    # The body split around the per-reader values: parts[0], field[0], parts[1], …
    parts: tuple[bytes, ...]
    fields: tuple[str, ...]
    # Each part as raw deflate ending in a full flush (see the module's docstring).
    deflated: tuple[bytes, ...] = ()
    # Each part's CRC-32 and how it carries an earlier CRC through (see _part_crc).
    crcs: tuple[PartCrc, ...] = ()

    def response(self, request: HttpRequest) -> HttpResponse:
        values = {name: escape(_PER_READER[name](request)).encode() for name in set(self.fields)}
        gaps = [
            b'name="' + name.encode() + b'" value="' + values[name] + b'"' for name in self.fields
        ]
        if self.crcs and _ACCEPTS_GZIP.search(request.META.get("HTTP_ACCEPT_ENCODING", "")):
            body = _gzip(self.parts, self.deflated, self.crcs, gaps)
            response = HttpResponse(body, status=self.status)
            response.headers["Content-Encoding"] = "gzip"
            response.headers["Content-Length"] = str(len(response.content))
        else:
            pieces = [self.parts[0]]
            for gap, part in zip(gaps, self.parts[1:], strict=True):
                pieces += (gap, part)
            response = HttpResponse(b"".join(pieces), status=self.status)
        for header, value in self.headers:
            response.headers[header] = value
        if "Content-Encoding" in response.headers:
            # GZipMiddleware leaves an encoded response as it is, Vary included.
            patch_vary_headers(response, ("Accept-Encoding",))
        return response


_ACCEPTS_GZIP = re.compile(r"\bgzip\b")
_MAX_RANDOM_NAME = 100  # as Django's GZipMiddleware
_LAST_BLOCK = b"\x01\x00\x00\xff\xff"  # an empty stored block marked final


def _deflate(part: bytes) -> bytes:
    """``part`` as raw deflate that starts and ends on a byte and refers to nothing before."""
    compressor = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(part) + compressor.flush(zlib.Z_FULL_FLUSH)


def _stored_block(data: bytes) -> bytes:
    """``data`` (< 64 KiB) as one uncompressed, non-final deflate block (byte-aligned)."""
    size = len(data)
    return b"\x00" + struct.pack("<HH", size, size ^ 0xFFFF) + data


@dataclass(frozen=True)
class PartCrc:
    """A stored part's CRC-32 (from nothing), and the columns of the linear map by which the
    CRC of what comes before it passes through it: ``crc32(part, c)`` is ``carried(c) ^
    crc``, whatever ``c`` (a CRC is affine in its starting value, and the map depends only
    on the part's length). So the page's CRC is worked out from 32 stored numbers per part
    instead of reading the whole page again (500 comments: 0.5 MB, ~90 µs) for every reader."""

    crc: int
    columns: tuple[int, ...]

    def after(self, earlier: int) -> int:
        """``zlib.crc32(part, earlier)``, without reading the part."""
        carried, bit = self.crc, 0
        while earlier:
            if earlier & 1:
                carried ^= self.columns[bit]
            earlier >>= 1
            bit += 1
        return carried


def _part_crc(part: bytes) -> PartCrc:
    crc = zlib.crc32(part)
    return PartCrc(crc, tuple(zlib.crc32(part, 1 << bit) ^ crc for bit in range(32)))


def _gzip(
    parts: tuple[bytes, ...],
    deflated: tuple[bytes, ...],
    crcs: tuple[PartCrc, ...],
    gaps: list[bytes],
) -> bytes:
    """The gzip stream of parts[0] + gaps[0] + parts[1] + …, from the parts' stored deflate
    and CRCs."""
    name = b"a" * secrets.randbelow(_MAX_RANDOM_NAME) + b"\x00"
    # Magic, deflate, FNAME, mtime 0, no extra flags, unknown OS; then the file name.
    pieces = [b"\x1f\x8b\x08\x08\x00\x00\x00\x00\x00\xff", name, deflated[0]]
    crc = crcs[0].crc
    size = len(parts[0])
    for gap, part, packed, part_crc in zip(gaps, parts[1:], deflated[1:], crcs[1:], strict=True):
        pieces += (_stored_block(gap), packed)
        crc = part_crc.after(zlib.crc32(gap, crc))
        size += len(gap) + len(part)
    pieces += (_LAST_BLOCK, struct.pack("<II", crc, size & 0xFFFFFFFF))
    return b"".join(pieces)


def _split(body: bytes) -> tuple[tuple[bytes, ...], tuple[str, ...]]:
    parts, fields, start = [], [], 0
    for match in _field_pattern().finditer(body):
        parts.append(body[start : match.start()])
        fields.append(match.group(1).decode())
        start = match.end()
    parts.append(body[start:])
    return tuple(parts), tuple(fields)


def note_post(request: HttpRequest, post: Post) -> None:
    """Called by the post page's view with the post as read before the page is rendered."""
    request._salon_post_page = True
    if hasattr(request, "_salon_page_cache"):
        # The state as the database holds it, read before the page is rendered; stored only
        # if the post the view read (and the page shows) still has it, so a change between
        # the view's read and this one cannot be stored as current.
        state = _state(post.pk)
        current = Post.objects.filter(pk=post.pk).values_list(*STATE_FIELDS).first()
        if current == tuple(getattr(post, field) for field in STATE_FIELDS):
            request._salon_page_cache["post"] = (post.pk, state)


def _storable(request: HttpRequest, response: HttpResponse) -> bool:
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if not response.get("Content-Type", "").startswith("text/html"):
        return False
    session = getattr(request, "session", None)
    if session is not None and session.modified:
        return False
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return False
    varies = {v.strip().lower() for v in response.get("Vary", "").split(",") if v.strip()}
    return varies <= {"accept", "cookie", "accept-language"}


class PageCacheMiddleware:
    """Serve stored post pages to new readers; store the pages rendered for them.

    Placed after CSRF's middleware (so the reader's CSRF cookie is read, and set again on
    the way out as for any page with a form) and before authentication: a stored page is
    answered without the session or the user being looked at.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.on = enabled()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not (self.on and eligible(request)):
            response = self.get_response(request)
            if getattr(request, "_salon_post_page", False):
                self._headers(response)
            return response
        cache = caches["default"]
        key = _key(request)
        found = cache.get_many([GENERATION_KEY, key])
        generation = _generation(cache, found.get(GENERATION_KEY))
        stored: StoredPage | None = found.get(key)
        if stored is not None and stored.generation == generation:
            if _state(stored.post_id) == stored.state:
                return stored.response(request)

        request._salon_page_cache = {}
        request._salon_generation = generation
        response = self.get_response(request)
        noted = request._salon_page_cache.get("post")
        if noted is None:
            return response
        self._headers(response)
        if generation is not None and _storable(request, response):
            parts, fields = _split(response.content)
            cache.set(
                key,
                StoredPage(
                    post_id=noted[0],
                    state=noted[1],
                    generation=generation,
                    status=response.status_code,
                    headers=tuple(response.items()),
                    parts=parts,
                    fields=fields,
                    deflated=tuple(_deflate(part) for part in parts),
                    crcs=tuple(_part_crc(part) for part in parts),
                ),
                PAGE_SECONDS,
            )
        return response

    @staticmethod
    def _headers(response: HttpResponse) -> None:
        response.headers.setdefault("Cache-Control", CACHE_CONTROL)
        patch_vary_headers(response, VARY)
