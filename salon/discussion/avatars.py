"""Avatars: an identicon drawn on this server, or Gravatar when the owner allows it.

By default no e-mail hash leaves the server: the page links to ``/avatar/<key>.svg`` where
``key`` is a keyed hash of the address (so it cannot be looked up in a Gravatar dictionary),
and the identicon is drawn here from that key.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.urls import reverse


def _secret() -> bytes:
    return hashlib.sha256(f"salon-avatar:{settings.SECRET_KEY}".encode()).digest()


def avatar_key(identity: str) -> str:
    """A stable, non-reversible key for an e-mail address (or a name, for guests without one)."""
    return hmac.new(_secret(), identity.strip().lower().encode(), hashlib.sha256).hexdigest()[:24]


def avatar_url(email: str, name: str = "", size: int = 48, prefix: str = "") -> str:
    """The URL of the avatar for a commenter.

    ``prefix`` is the local avatar path up to the key (``/avatar/``); pages showing many
    comments pass it so the URL is not reversed once per comment.
    """
    if settings.SALON["EXTERNAL_AVATARS"] and email:
        digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()
        return f"https://www.gravatar.com/avatar/{digest}?s={size}&d=identicon&r=g"
    key = avatar_key(email or name or "anonymous")
    if prefix:
        return f"{prefix}{key}.svg"
    return reverse("discussion:avatar", args=[key])


def identicon_svg(key: str, cells: int = 5) -> str:
    """Draw a symmetric 5×5 identicon for ``key``, in the colour the key picks."""
    digest = hashlib.sha256(key.encode()).digest()
    hue = int.from_bytes(digest[:2], "big") % 360
    fg = f"hsl({hue},55%,45%)"
    half = (cells + 1) // 2
    rects = []
    for row in range(cells):
        for col in range(half):
            if digest[2 + row * half + col] % 2:
                for x in {col, cells - 1 - col}:
                    rects.append(f'<rect x="{x}" y="{row}" width="1" height="1"/>')
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="-0.5 -0.5 {cells + 1} {cells + 1}" '
        f'width="48" height="48" role="img" aria-hidden="true">'
        f'<rect x="-0.5" y="-0.5" width="{cells + 1}" height="{cells + 1}" fill="#f0f0f0"/>'
        f'<g fill="{fg}">{"".join(rects)}</g></svg>'
    )
