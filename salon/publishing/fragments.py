"""Large fragments put into a post page after its templates are rendered.

A thread of 500 comments is half a megabyte of HTML. Passed through the page's templates it
is copied by every layer that joins its children (the inclusion tag, the block, the base
template, the encoding). A template tag may instead hand :func:`late` the fragment and put
the short placeholder it returns in the page; :func:`splice` puts the fragment in once, in
the rendered bytes. Outside a page rendered by ``render_post_page``, :func:`late` returns the
fragment itself.
"""

from __future__ import annotations

import secrets

from django.http import HttpRequest, HttpResponse


def begin(request: HttpRequest) -> None:
    request._salon_fragments = (secrets.token_hex(8), {})


def late(request: HttpRequest, html: str) -> str:
    """A placeholder for ``html`` (already safe) in the page being rendered."""
    pending = getattr(request, "_salon_fragments", None)
    if pending is None or not html:
        return html
    # Random per request: no text in the page can name it.
    nonce, fragments = pending
    marker = f"<!--salon-fragment:{nonce}:{len(fragments)}-->"
    fragments[marker.encode()] = html
    return marker


def splice(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Put the fragments handed to :func:`late` into the rendered page."""
    _nonce, fragments = request.__dict__.pop("_salon_fragments", (None, {}))
    if fragments:
        content = response.content
        for marker, html in fragments.items():
            before, found, after = content.partition(marker)
            if found:
                content = b"".join((before, html.encode(response.charset), after))
        response.content = content
    return response
