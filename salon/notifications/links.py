"""The signed links mail carries: confirm, unsubscribe, moderate.

A link is its own proof: its payload is signed with the site's secret key, so the views need
no log-in and no stored token. Links that change something expire (``max_age``); the
unsubscribe link does not, because a message may be read long after it was sent.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from django.core import signing
from django.core.signals import setting_changed
from django.http import HttpResponse
from django.urls import get_script_prefix, get_urlconf, reverse

from salon.notifications.delivery import absolute_url

CONFIRM_MAX_AGE = 7 * 24 * 3600
MODERATION_MAX_AGE = 7 * 24 * 3600
MODERATION_ACTIONS = ("approve", "spam", "trash")

_CONFIRM_SALT = "salon.notifications.confirm"
_UNSUBSCRIBE_SALT = "salon.notifications.unsubscribe"
_MODERATION_SALT = "salon.notifications.moderate"


def _link(view: str, token: str) -> str:
    """The whole address of ``view`` for ``token``: ``reverse(view, args=[token])`` on the
    public site. The address around the token is worked out once (per URLconf and script
    prefix) and the token put in its place: a held comment's notice carries four links, and
    reversing each cost more than signing it. A token with a character that reverse() would
    quote (signed tokens have none) is reversed."""
    if not _PLAIN_TOKEN.fullmatch(token):
        return absolute_url(reverse(view, args=[token]))
    key = (view, get_script_prefix(), get_urlconf())
    frame = _frames.get(key)
    if frame is None:
        before, after = reverse(view, args=[_STAND_IN]).split(_STAND_IN)
        frame = _frames[key] = (before, after)
    return absolute_url(f"{frame[0]}{token}{frame[1]}")


# What signing.dumps() writes (URL-safe base64, ":" and a leading "." when compressed), none
# of which reverse() quotes; the stand-in is such a token.
_PLAIN_TOKEN = re.compile(r"[A-Za-z0-9_.:-]+")
_STAND_IN = "SalonTokenStandIn"
_frames: dict[tuple[str, str, str | None], tuple[str, str]] = {}


def _urls_changed(setting: str = "", **signal) -> None:
    # The URLs change while the site runs only in tests (override_settings).
    if setting == "ROOT_URLCONF":
        _frames.clear()


setting_changed.connect(_urls_changed, dispatch_uid="salon.notifications.links.urls")


class BadLink(Exception):
    """A link that was tampered with, mistyped or has expired."""


def private_page(response: HttpResponse) -> HttpResponse:
    """Headers for a page behind a mailed link: robots must not index or follow it, and its
    address (which is the key) must not reach other sites as a referrer.

    ``same-origin`` rather than ``no-referrer``: under ``no-referrer`` a browser sends
    ``Origin: null`` with the page's own form, and Django's CSRF check refuses the button
    (403) that every such page asks the reader to press.
    """
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "same-origin"
    return response


def confirm_url(email: str, subscription_ids: list[int]) -> str:
    """The double opt-in link confirming these subscriptions of ``email``."""
    token = signing.dumps({"e": email, "s": subscription_ids}, salt=_CONFIRM_SALT, compress=True)
    return _link("notifications:confirm", token)


def read_confirm(token: str) -> tuple[str, list[int]]:
    try:
        data = signing.loads(token, salt=_CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
        return str(data["e"]), [int(pk) for pk in data["s"]]
    except (signing.BadSignature, KeyError, TypeError, ValueError) as error:
        raise BadLink(str(error)) from None


@dataclass(frozen=True)
class Unsubscription:
    """What an unsubscribe link stops: one topic for one address (and one post, for replies)."""

    email: str
    topic: str
    post_id: int | None = None


def unsubscribe_url(email: str, topic: str, post_id: int | None = None) -> str:
    """The one-click link that stops this kind of mail to ``email``."""
    token = signing.dumps({"e": email, "t": topic, "p": post_id}, salt=_UNSUBSCRIBE_SALT)
    return _link("notifications:unsubscribe", token)


def read_unsubscribe(token: str) -> Unsubscription:
    try:
        data = signing.loads(token, salt=_UNSUBSCRIBE_SALT)
        post_id = data.get("p")
        return Unsubscription(str(data["e"]), str(data["t"]), int(post_id) if post_id else None)
    except (signing.BadSignature, KeyError, TypeError, ValueError, AttributeError) as error:
        raise BadLink(str(error)) from None


def new_nonce() -> str:
    """A fresh nonce shared by the approve/spam/trash links of one notice."""
    return secrets.token_urlsafe(18)


def moderation_url(comment_id: int, action: str, nonce: str) -> str:
    """A link that applies ``action`` to the comment, once, within MODERATION_MAX_AGE."""
    token = signing.dumps({"c": comment_id, "a": action, "n": nonce}, salt=_MODERATION_SALT)
    return _link("notifications:moderate", token)


@dataclass(frozen=True)
class ModerationChoice:
    comment_id: int
    action: str
    nonce: str


def read_moderation(token: str) -> ModerationChoice:
    try:
        data = signing.loads(token, salt=_MODERATION_SALT, max_age=MODERATION_MAX_AGE)
        choice = ModerationChoice(int(data["c"]), str(data["a"]), str(data["n"]))
    except (signing.BadSignature, KeyError, TypeError, ValueError) as error:
        raise BadLink(str(error)) from None
    if choice.action not in MODERATION_ACTIONS:
        raise BadLink("unknown action")
    return choice
