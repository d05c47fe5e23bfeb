"""Which identity a logged-in person is speaking under, remembered in their session.

The comment form says "You are commenting using your Google account": that is the identity
they logged in with this time, not merely one of the accounts connected to their user. It
is written to the session when they log in, so showing it costs no query.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest

from salon.discussion.avatars import avatar_url
from salon.web_addresses import web_address

SESSION_KEY = "salon_identity"
LOCAL = "local"


@dataclass(frozen=True)
class Identity:
    """A logged-in person as the comment form shows them."""

    provider: str  # "local", or the social provider's id ("google", "wordpress_com", …)
    provider_name: str  # "Google", "WordPress.com", the site's name for local accounts
    name: str
    avatar: str


def display_name(user: Any) -> str:
    """The name a user's comments are signed with (as ``post_comment`` does)."""
    return user.get_full_name() or user.get_username()


def remember_login(request: HttpRequest, user: Any, sociallogin: Any = None) -> None:
    """Note in the session which identity ``user`` just logged in with."""
    if not hasattr(request, "session"):
        return
    if sociallogin is None:
        request.session[SESSION_KEY] = {"provider": LOCAL}
        return
    account = sociallogin.account
    provider = account.get_provider(request)
    request.session[SESSION_KEY] = {
        # For OpenID Connect servers this is the server's own id ("keycloak"), not
        # "openid_connect", so two servers stay apart.
        "provider": account.provider,
        "provider_name": str(provider.name),
        # The provider's picture becomes an <img src>: http(s) only, else the identicon.
        "avatar": web_address(account.get_avatar_url()),
    }


def current_identity(request: HttpRequest) -> Identity | None:
    """The identity the reader is logged in with, or None for a guest."""
    user = request.user
    if not user.is_authenticated:
        return None
    stored = request.session.get(SESSION_KEY) or {}
    provider = stored.get("provider") or LOCAL
    name = display_name(user)
    return Identity(
        provider=provider,
        provider_name=stored.get("provider_name") or settings.SITE_NAME,
        name=name,
        avatar=web_address(stored.get("avatar")) or avatar_url(user.email, name),
    )


def provider_of(request: HttpRequest) -> str:
    """What ``Comment.identity_provider`` records: "" guest, "local", or a provider id."""
    identity = current_identity(request)
    return identity.provider[:40] if identity else ""
