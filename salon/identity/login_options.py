"""The social log-ins the owner has configured, as the comment form offers them."""

from __future__ import annotations

from dataclasses import dataclass

from allauth.socialaccount.adapter import get_adapter
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.safestring import SafeString

from salon.identity.icons import icon

CACHE_KEY = "salon:identity:login-options"
# Apps from the environment never change while the site runs; apps edited in the admin
# clear this key (signals.py). The short life covers other processes' local caches.
CACHE_SECONDS = 60


@dataclass(frozen=True)
class LoginOption:
    """One "log in with …" button: where it posts and what it shows."""

    provider: str  # the app's provider id ("google", or an OpenID Connect server's id)
    name: str
    login_url: str
    icon: SafeString


def _configured(request: HttpRequest) -> list[tuple[str, str, str, str]]:
    options = []
    for provider in get_adapter().list_providers(request):
        app = getattr(provider, "app", None)
        # An app without both halves of its credentials cannot log anyone in: not offered.
        if app is None or not app.client_id or not app.secret:
            continue
        options.append(
            (provider.sub_id, str(provider.name), provider.get_login_url(request), provider.id)
        )
    return options


def login_options(request: HttpRequest) -> list[LoginOption]:
    """Every configured provider, in a stable order, each with its icon."""
    rows = cache.get(CACHE_KEY)
    if rows is None:
        rows = _configured(request)
        cache.set(CACHE_KEY, rows, CACHE_SECONDS)
    return [
        LoginOption(provider=sub_id, name=name, login_url=url, icon=icon(kind, sub_id))
        for sub_id, name, url, kind in rows
    ]


def forget() -> None:
    """Drop the cached list (an app was added, changed or removed)."""
    cache.delete(CACHE_KEY)
