"""The one rule for addresses Salon stores or writes into a page: ``http`` and ``https`` only.

A commenter's website, a reblogged article, an imported attachment: each becomes the ``href``
or ``src`` of a page, where ``javascript:``, ``data:`` or ``vbscript:`` would run in the
reader's (or the moderator's) browser. So every way in (the comment form, the admin, the
importers, mentions) refuses or empties any other address, and the templates check again
as they write one (``|web_address``), so that a row stored before this rule is harmless too.

An address passes when, after leading and trailing spaces are removed, it starts with
``http://`` or ``https://`` and a host, and holds no control character (browsers silently
drop tabs and newlines, which could otherwise hide a scheme from a check like this one).
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

WEB_SCHEMES = ("http", "https")

# The scheme and the first character of a host, as a browser will read them.
_WEB = re.compile(r"https?://[^/?#\\\s@]", re.IGNORECASE | re.ASCII)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# "example.com/page": no scheme, as people type addresses. Not "/path", "#x" or "?q".
_BARE_HOST = re.compile(r"[a-z0-9][a-z0-9.-]*\.[a-z]{2,}(?::\d+)?(?:[/?#]|$)", re.IGNORECASE)


def web_address(value: str | None, *, assume_scheme: str = "") -> str:
    """``value`` stripped of surrounding spaces if it is an http(s) address, else "".

    With ``assume_scheme`` ("http" or "https"), an address written without a scheme
    (``example.com/me``) gets that one first, as WordPress shows such addresses; this is
    for data that was accepted elsewhere (imports), not for what people type here.
    """
    text = (value or "").strip()
    if not text or _CONTROL.search(text):
        return ""
    if assume_scheme and _BARE_HOST.match(text):
        text = f"{assume_scheme}://{text}"
    if _WEB.match(text):
        return text
    return ""


def is_web_address(value: str | None) -> bool:
    """Whether ``value`` is an http(s) address (see :func:`web_address`)."""
    return bool(web_address(value))


def validate_web_address(value: str) -> None:
    """Validator for URL fields of models and forms: only http:// and https:// addresses.

    Django's own ``URLValidator`` also allows ``ftp``; this one narrows it. Blank values are
    left to the field's ``blank``/``required``.
    """
    if value and not is_web_address(value):
        raise ValidationError(
            _("Only web addresses starting with http:// or https:// are accepted."),
            code="invalid",
        )
