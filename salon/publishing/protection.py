"""Password-protected posts, as WordPress has them: the one owner of the rule.

A post with a password shows a reader its title and a password form; its body, excerpt,
likes and conversation stay hidden until the reader gives the password. The right password
leaves a signed unlock for that post in a cookie (10 days, as WordPress's ``wp-postpass_``
cookie), tied to the password: changing the password locks every reader out again.

Everything that shows a post's words or its comments asks :func:`is_locked_for`. Places
with no reader's cookies (feeds, the fediverse, the embed API, mail) pass ``request=None``
and so see a protected post as locked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest, HttpResponse
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from salon.publishing.models import Post

UNLOCK_DAYS = 10
COOKIE_PREFIX = "salon-postpass-"
_SALT = "salon.publishing.protection"

# WordPress's own words, so an imported blog reads as it did.
FORM_PROMPT = _("This content is password protected. To view it please enter your password below:")
NO_EXCERPT = _("There is no excerpt because this is a protected post.")
WRONG_PASSWORD = _("That password is not right. Please try again.")
TOO_MANY_TRIES = _("Too many tries. Wait a minute before trying again.")
LOCKED_CONVERSATION = _("This post is password protected. Enter its password to join in.")


def cookie_name(post: Post) -> str:
    return f"{COOKIE_PREFIX}{post.pk}"


def _unlock_token(post: Post) -> str:
    # Tied to the post and its current password; the cookie signature keeps it unforgeable.
    return salted_hmac(_SALT, f"{post.pk}:{post.password}", algorithm="sha256").hexdigest()


def is_locked_for(post: Post, request: HttpRequest | None) -> bool:
    """Whether ``post``'s words and conversation are hidden from this reader (None: a reader
    with no cookies, as a feed reader or another server)."""
    if not post.password:
        return False
    if request is None:
        return True
    given = request.get_signed_cookie(
        cookie_name(post), default=None, salt=_SALT, max_age=UNLOCK_DAYS * 24 * 3600
    )
    return given is None or not constant_time_compare(given, _unlock_token(post))


def without_protected(posts):
    """``posts`` (a queryset) less those with a password: for lists shown to no one reader,
    as the site's comments feed."""
    return posts.filter(password="")


def password_matches(post: Post, given: str) -> bool:
    return bool(post.password) and constant_time_compare(given, post.password)


def unlock(post: Post, request: HttpRequest, response: HttpResponse) -> None:
    """Remember on this reader's browser that they gave ``post``'s password."""
    response.set_signed_cookie(
        cookie_name(post),
        _unlock_token(post),
        salt=_SALT,
        max_age=UNLOCK_DAYS * 24 * 3600,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure(),
    )
