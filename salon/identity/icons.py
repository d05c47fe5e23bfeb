"""Small inline SVG icons for the log-in choices: no external image, font or script."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# Each provider's colour and the mark drawn in white on it.
_MARKS: dict[str, tuple[str, str]] = {
    "local": ("#50575e", "✎"),
    "google": ("#4285f4", "G"),
    "facebook": ("#1877f2", "f"),
    "twitter_oauth2": ("#000000", "X"),
    "github": ("#24292f", "GH"),
    "wordpress_com": ("#3858e9", "W"),
    "openid_connect": ("#f78c40", "ID"),
}


def icon(provider: str) -> SafeString:
    """The icon of ``provider`` (an allauth provider class id, or "local")."""
    colour, mark = _MARKS.get(provider, _MARKS["openid_connect"])
    size = 14 if len(mark) == 1 else 10
    return mark_safe(
        '<svg class="identity-icon" viewBox="0 0 24 24" width="24" height="24" '
        'aria-hidden="true" focusable="false">'
        f'<rect width="24" height="24" rx="5" fill="{colour}"/>'
        f'<text x="12" y="12" dy=".35em" text-anchor="middle" fill="#fff" '
        f'font-family="Arial,Helvetica,sans-serif" font-weight="700" font-size="{size}">'
        f"{escape(mark)}</text></svg>"
    )
