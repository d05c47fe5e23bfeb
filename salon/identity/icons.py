"""Small inline SVG icons for the log-in choices: no external image, font or script.

Each provider's icon is its mark (``static/identity/providers/*.svg``, from Simple Icons, CC0;
see PROVENANCE.md there) drawn in white on the brand's colour. The icon is decorative
(``aria-hidden``): the button beside it names the provider in text.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from django.utils.safestring import SafeString, mark_safe

MARKS = Path(__file__).resolve().parent / "static" / "identity" / "providers"

# The mark file and brand colour of each allauth provider id.
_BRANDS: dict[str, tuple[str, str]] = {
    "google": ("google", "#4285f4"),
    "facebook": ("facebook", "#0866ff"),
    "twitter_oauth2": ("x", "#000000"),
    "github": ("github", "#181717"),
    "wordpress_com": ("wordpress", "#21759b"),
    "mastodon": ("mastodon", "#6364ff"),
    "openid_connect": ("openid", "#f78c40"),
}


@cache
def _path(mark: str) -> str:
    """The drawing of a mark: the one path of its Simple Icons file (24 × 24)."""
    svg = (MARKS / f"{mark}.svg").read_text(encoding="utf-8")
    return re.search(r'<path d="([^"]+)"', svg).group(1)


def _svg(colour: str, drawing: str) -> SafeString:
    return mark_safe(
        '<svg class="identity-icon" viewBox="0 0 24 24" width="24" height="24" '
        'aria-hidden="true" focusable="false">'
        f'<rect width="24" height="24" rx="5" fill="{colour}"/>{drawing}</svg>'
    )


def brand(provider: str, sub_id: str = "") -> str:
    """The mark shown for a provider: an OpenID Connect server whose id (or name) says
    Mastodon gets Mastodon's, any other server OpenID's."""
    if provider == "openid_connect" and "mastodon" in sub_id.lower():
        return "mastodon"
    return provider if provider in _BRANDS else "openid_connect"


def icon(provider: str, sub_id: str = "") -> SafeString:
    """The icon of ``provider`` (an allauth provider class id, or "local")."""
    if provider == "local":  # Salon's own account: a pencil, a character of the font
        return _svg(
            "#50575e",
            '<text x="12" y="12" dy=".35em" text-anchor="middle" fill="#fff" '
            'font-family="Arial,Helvetica,sans-serif" font-weight="700" font-size="14">✎</text>',
        )
    mark, colour = _BRANDS[brand(provider, sub_id)]
    return _svg(
        colour,
        f'<path fill="#fff" transform="translate(4.5 4.5) scale(.625)" d="{_path(mark)}"/>',
    )
