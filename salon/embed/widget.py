"""Serving the widget: a stable loader, and the widget itself under a name that changes with it.

A site embeds ``<script src="https://comments.example/embed.js" async></script>``. That
loader is tiny and cached for five minutes; it adds the widget, ``/embed/salon-embed.<hash>.js``,
whose name carries a hash of its content, so browsers keep it for a year and a new version
reaches readers as soon as the loader does. An old hash (a loader cached across a release)
is redirected to the current file.

The widget (``widget/salon-embed.js``) is plain JavaScript, served as written, with its
styles inside it: no build step, no framework, nothing fetched from anyone but this site.
"""

from __future__ import annotations

import gzip
import hashlib
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.views.decorators.http import require_GET

SOURCE = Path(__file__).resolve().parent / "widget" / "salon-embed.js"
YEAR = 365 * 24 * 3600
LOADER_SECONDS = 300
JAVASCRIPT = "text/javascript; charset=utf-8"


@dataclass(frozen=True)
class Widget:
    body: bytes
    gzipped: bytes
    digest: str


@cache
def widget() -> Widget:
    """The widget's bytes, compressed once, and the hash its address carries."""
    body = SOURCE.read_bytes()
    return Widget(
        body=body,
        gzipped=gzip.compress(body, compresslevel=9, mtime=0),
        digest=hashlib.sha256(body).hexdigest()[:16],
    )


def widget_path() -> str:
    return reverse("embed:widget", args=[widget().digest])


@require_GET
def loader(request: HttpRequest) -> HttpResponse:
    """``/embed.js``: add the current widget to the page, from this site."""
    source = (
        "/* Salon: loads the comment widget. */\n"
        "(function(d){var c=d.currentScript,s=d.createElement('script');"
        f"s.src=new URL({widget_path()!r},c?c.src:location.href).href;"
        "s.async=true;(d.head||d.documentElement).appendChild(s)})(document);\n"
    )
    response = HttpResponse(source, content_type=JAVASCRIPT)
    response["Cache-Control"] = f"public, max-age={LOADER_SECONDS}"
    return response


_ACCEPTS_GZIP = re.compile(r"\bgzip\b")


@require_GET
def widget_file(request: HttpRequest, digest: str) -> HttpResponse:
    """The widget, cached for a year (its address changes when it does)."""
    current = widget()
    if digest != current.digest:
        return HttpResponseRedirect(widget_path())
    if _ACCEPTS_GZIP.search(request.headers.get("Accept-Encoding", "")):
        response = HttpResponse(current.gzipped, content_type=JAVASCRIPT)
        response["Content-Encoding"] = "gzip"
    else:
        response = HttpResponse(current.body, content_type=JAVASCRIPT)
    response["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    response["Vary"] = "Accept-Encoding"
    return response
