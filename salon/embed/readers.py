"""Who is reading or writing through the API: a signed token in a header, never a cookie.

A page elsewhere cannot rely on this site's cookies (browsers block third-party cookies, and
cookies sent on their own would make every write a cross-site request forgery). So the API
reads no cookie at all; a reader is known by the token the widget keeps in the host page's
``localStorage`` and sends as ``X-Salon-Token``:

- a **guest token** holds a random key, as the guest cookie of the blog does; comments and
  likes made with it carry that key, so its holder sees their own comment awaiting
  moderation, may edit or delete it within the edit window, and may take back their likes.
  The first write without a token answers with a new one;
- an **account token** is given by the log-in pop-up (:mod:`salon.embed.login`) to the page
  that opened it; it names the account and the service logged in with, and stops working
  when the account's password changes or after ``ACCOUNT_DAYS``.

Both are signed with the site's secret key (``django.core.signing``); nothing is stored.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.core import signing
from django.db.models import Q
from django.http import HttpRequest

from salon.discussion.models import Comment

HEADER = "X-Salon-Token"
_SALT = "salon.embed.reader"
GUEST_DAYS = 365
ACCOUNT_DAYS = 30
_AUTH_HASH = 16  # characters of the session hash kept: enough to notice a password change


class BadToken(Exception):
    """A token that is forged, expired or no longer valid (its account changed)."""


@dataclass(frozen=True)
class Reader:
    """A reader as the API knows them: an account, a guest key, or no one yet."""

    user: Any = None
    key: str = ""
    provider: str = ""
    token: str = ""

    @property
    def known(self) -> bool:
        return self.user is not None or bool(self.key)

    @property
    def liker(self) -> str:
        """Who likes, as :class:`~salon.discussion.models.Like` records it."""
        if self.user is not None:
            return f"u:{self.user.pk}"
        return f"g:{self.key}" if self.key else ""

    def own(self) -> Q | None:
        """The comments this reader wrote, as a filter; None when they can have none."""
        if self.user is not None:
            return Q(user=self.user)
        if self.key:
            return Q(visitor_key=self.key, user__isnull=True)
        return None

    def wrote(self, comment: Comment) -> bool:
        if self.user is not None:
            return comment.user_id == self.user.pk
        return bool(self.key) and comment.user_id is None and comment.visitor_key == self.key


def _auth_hash(user: Any) -> str:
    return user.get_session_auth_hash()[:_AUTH_HASH]


def guest_token(key: str) -> str:
    return signing.dumps({"k": key}, salt=_SALT, compress=True)


def new_guest() -> Reader:
    """A guest seen for the first time: a fresh key, and the token that carries it."""
    key = secrets.token_urlsafe(24)
    return Reader(key=key, token=guest_token(key))


def account_token(user: Any, provider: str) -> str:
    """The token the log-in pop-up hands to the page that opened it."""
    return signing.dumps(
        {"u": user.pk, "h": _auth_hash(user), "p": provider[:40]}, salt=_SALT, compress=True
    )


def read(token: str) -> Reader:
    """The reader a token names; :class:`BadToken` when it is not valid (any more)."""
    try:
        data = signing.loads(token, salt=_SALT, max_age=GUEST_DAYS * 24 * 3600)
    except signing.BadSignature:
        raise BadToken(
            "This token is not valid (or has expired); log in or comment again."
        ) from None
    if not isinstance(data, dict):
        raise BadToken("This token is not valid.")
    if "u" in data:
        try:
            data = signing.loads(token, salt=_SALT, max_age=ACCOUNT_DAYS * 24 * 3600)
            user = get_user_model().objects.get(pk=int(data["u"]), is_active=True)
        except (signing.BadSignature, get_user_model().DoesNotExist, TypeError, ValueError):
            raise BadToken("Your log-in has expired; log in again.") from None
        if _auth_hash(user) != data.get("h"):
            raise BadToken("Your log-in has expired; log in again.")
        return Reader(user=user, provider=str(data.get("p", "")), token=token)
    key = data.get("k")
    if not isinstance(key, str) or not 16 <= len(key) <= 64:
        raise BadToken("This token is not valid.")
    return Reader(key=key, token=token)


def reader_of(request: HttpRequest) -> Reader:
    """The reader a request's ``X-Salon-Token`` names (no header: an unknown reader)."""
    token = request.headers.get(HEADER, "").strip()
    return read(token) if token else Reader()
