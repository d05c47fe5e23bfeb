"""Log-in buttons carry each provider's mark (Simple Icons' SVG, shipped with Salon), hidden from
screen readers, with the provider's name as the button's text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db

MARKS = (
    Path(__file__).resolve().parents[2] / "salon" / "identity" / "static" / "identity" / "providers"
)


def _drawing(mark: str) -> str:
    return re.search(r'<path d="([^"]+)"', (MARKS / f"{mark}.svg").read_text()).group(1)


def _configure(settings, *providers: str, oidc: str = "") -> None:
    configured = dict(settings.SOCIALACCOUNT_PROVIDERS)
    for provider in providers:
        configured[provider] = {
            **configured[provider],
            "APPS": [{"client_id": f"{provider}-id", "secret": f"{provider}-secret"}],
        }
    if oidc:
        configured["openid_connect"] = {
            **configured["openid_connect"],
            "APPS": [
                {
                    "provider_id": oidc,
                    "name": oidc.title(),
                    "client_id": "o-id",
                    "secret": "o-secret",
                    "settings": {"server_url": f"https://{oidc}.example"},
                }
            ],
        }
    settings.SOCIALACCOUNT_PROVIDERS = configured


def _button(page: str, provider: str) -> str:
    return re.search(rf'<button[^>]*data-provider="{provider}".*?</button>', page, re.S).group(0)


def test_each_comment_form_button_shows_its_providers_mark_and_name(client, post, settings):
    _configure(settings, "google", "facebook", "twitter_oauth2", "github", "wordpress_com")
    page = client.get(post.get_absolute_url()).content.decode()
    for provider, mark, name in [
        ("google", "google", "Google"),
        ("facebook", "facebook", "Facebook"),
        ("twitter_oauth2", "x", "X"),
        ("github", "github", "GitHub"),
        ("wordpress_com", "wordpress", "WordPress.com"),
    ]:
        button = _button(page, provider)
        assert _drawing(mark) in button, provider
        assert 'aria-hidden="true"' in button
        assert f"<span>{name}</span>" in button


def test_an_openid_connect_server_shows_the_openid_mark_or_mastodons(client, post, settings):
    _configure(settings, oidc="mastodon")
    page = client.get(post.get_absolute_url()).content.decode()
    assert _drawing("mastodon") in _button(page, "mastodon")

    _configure(settings, oidc="corp-sso")
    from salon.identity.login_options import forget

    forget()
    page = client.get(post.get_absolute_url()).content.decode()
    assert _drawing("openid") in _button(page, "corp-sso")


def test_the_log_in_page_lists_the_providers_with_their_marks(client, settings):
    _configure(settings, "github", "google")
    page = client.get("/accounts/login/").content.decode()
    providers = re.search(r'<ul class="identity-options provider-list">.*?</ul>', page, re.S)
    assert providers, "the provider list is missing from the log-in page"
    for mark, name in [("github", "GitHub"), ("google", "Google")]:
        link = re.search(
            rf'<a class="identity-option"[^>]*>(?:(?!</a>).)*<span>{name}</span></a>',
            providers.group(0),
            re.S,
        )
        assert link, name
        assert _drawing(mark) in link.group(0)
        assert 'aria-hidden="true"' in link.group(0)


def test_every_mark_ships_with_its_provenance_and_licence():
    provenance = (MARKS / "PROVENANCE.md").read_text()
    assert "CC0" in provenance and "simple-icons" in provenance and "trademarks" in provenance
    assert "CC0 1.0 Universal" in (MARKS / "LICENSE-CC0-1.0.md").read_text()
    for svg in MARKS.glob("*.svg"):
        assert svg.name in provenance
