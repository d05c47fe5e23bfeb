"""The comment form's identity block: guest fields and log-in icons, or who is commenting."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from allauth.socialaccount.models import SocialApp

from salon import settings as salon_settings
from salon.discussion.models import Comment, Like

pytestmark = pytest.mark.django_db


def _page(client, post) -> str:
    return client.get(post.get_absolute_url()).content.decode()


def test_a_guest_sees_their_fields_and_only_the_site_account_when_nothing_is_configured(
    client, post
):
    page = _page(client, post)
    assert "Fill in your details below or click an icon to log in" in page
    for field in ('id="author"', 'id="email"', 'id="url"'):
        assert field in page
    assert "Log in with your Salon account" in page
    for provider in ("Google", "Facebook", "GitHub", "WordPress.com", "data-provider="):
        assert provider not in page


def test_configured_providers_appear_as_icons(client, post, settings):
    providers = dict(settings.SOCIALACCOUNT_PROVIDERS)
    providers["google"] = {**providers["google"], "APPS": [{"client_id": "g-id", "secret": "g-s"}]}
    providers["github"] = {
        **providers["github"],
        "APPS": [{"client_id": "gh-id", "secret": "gh-s"}],
    }
    settings.SOCIALACCOUNT_PROVIDERS = providers
    page = _page(client, post)
    assert 'formaction="/accounts/google/login/"' in page
    assert 'formaction="/accounts/github/login/"' in page
    assert "<svg" in page and 'title="Log in with Google"' in page
    assert "Facebook" not in page
    # The buttons post to allauth with a way back to this form.
    login_form = re.search(r'<form id="identity-login".*?</form>', page, re.S).group(0)
    assert 'name="csrfmiddlewaretoken"' in login_form
    assert f'name="next" value="{post.get_absolute_url()}#respond"' in login_form


def test_an_app_added_in_the_administration_appears_at_once(client, post):
    assert "WordPress.com" not in _page(client, post)  # and the list is now cached
    SocialApp.objects.create(
        provider="wordpress_com", name="WordPress.com", client_id="1", secret="s"
    )
    assert 'formaction="/accounts/wordpress_com/login/"' in _page(client, post)
    SocialApp.objects.all().delete()
    assert "WordPress.com" not in _page(client, post)


def test_an_app_without_its_secret_is_not_offered(client, post):
    SocialApp.objects.create(provider="google", name="Google", client_id="1", secret="")
    assert "Google" not in _page(client, post)


def test_environment_variables_configure_providers_and_oidc_servers(monkeypatch):
    monkeypatch.setenv("SALON_GOOGLE_CLIENT_ID", "g-id")
    monkeypatch.setenv("SALON_GOOGLE_SECRET", "g-secret")
    monkeypatch.setenv("SALON_FACEBOOK_CLIENT_ID", "f-id")  # no secret: not configured
    monkeypatch.setenv("SALON_OIDC_CORP_SSO_CLIENT_ID", "salon")
    monkeypatch.setenv("SALON_OIDC_CORP_SSO_SECRET", "oidc-secret")
    monkeypatch.setenv("SALON_OIDC_CORP_SSO_SERVER_URL", "https://sso.corp.example/realms/x")
    monkeypatch.setenv("SALON_OIDC_CORP_SSO_TITLE", "Corp SSO")
    providers = salon_settings._social_providers()
    assert providers["google"]["APPS"] == [{"client_id": "g-id", "secret": "g-secret"}]
    assert "APPS" not in providers["facebook"]
    assert providers["openid_connect"]["APPS"] == [
        {
            "provider_id": "corp-sso",
            "name": "Corp SSO",
            "client_id": "salon",
            "secret": "oidc-secret",
            "settings": {"server_url": "https://sso.corp.example/realms/x"},
        }
    ]


def test_a_logged_in_person_sees_who_they_are_commenting_as(client, post, author):
    client.force_login(author)
    page = _page(client, post)
    assert "You are commenting using your Salon account." in page
    assert '<b class="identity-name">Wren Writer</b>' in page
    assert 'id="author"' not in page and 'id="email"' not in page
    assert re.search(r'<img class="avatar" src="/avatar/[0-9a-f]+\.svg"', page)


def test_log_out_and_change_come_back_to_the_form(client, post, author):
    client.force_login(author)
    page = _page(client, post)
    buttons = dict(
        (label, value)
        for value, label in re.findall(
            r'<button type="submit" form="identity-logout" name="next" value="([^"]+)"[^>]*>([^<]+)<',
            page,
        )
    )
    respond = f"{post.get_absolute_url()}#respond"
    assert buttons["Log&nbsp;Out"] == respond
    change = buttons["Change"].replace("&amp;", "&")
    assert urlsplit(change).path == "/accounts/login/"
    assert parse_qs(urlsplit(change).query)["next"] == [respond]

    response = client.post("/accounts/logout/", {"next": change})
    assert response.status_code == 302 and unquote(response["Location"]) == unquote(change)
    login_page = client.get(response["Location"]).content.decode()
    assert "Sign In" in login_page
    assert "Fill in your details below" in _page(client, post)


def test_a_comment_records_the_identity_that_wrote_it(client, post, post_comment, author):
    post_comment(post)
    guest = Comment.objects.get()
    assert (guest.identity_provider, guest.user) == ("", None)

    client.force_login(author)
    response = client.post("/comments/post/", {"post": post.pk, "comment": "As myself."})
    assert response.status_code == 302
    mine = Comment.objects.get(user=author)
    assert mine.identity_provider == "local"
    assert mine.author_name == "Wren Writer"


def test_logging_in_brings_a_guests_likes_without_counting_twice(
    client, post, post_comment, author
):
    post_comment(post)
    post_comment(post)
    first, second = Comment.objects.all()
    Like.objects.create(post=post, comment=first, liker=f"u:{author.pk}", user=author)

    # As a guest (a visitor cookie), like the post and both comments.
    client.post("/likes/", {"post": post.pk})
    client.post("/likes/", {"post": post.pk, "comment": first.pk})
    client.post("/likes/", {"post": post.pk, "comment": second.pk})
    first.refresh_from_db()
    assert first.like_count == 2  # the account's and the guest's

    client.post("/accounts/login/", {"login": author.username, "password": "pw-writer-1"})
    assert Like.objects.filter(liker__startswith="g:").count() == 0
    assert Like.objects.filter(liker=f"u:{author.pk}").count() == 3
    first.refresh_from_db()
    second.refresh_from_db()
    post.refresh_from_db()
    assert (first.like_count, second.like_count, post.like_count) == (1, 1, 1)

    page = _page(client, post)
    assert page.count('aria-pressed="true"') == 3  # the post and both comments: Liked
    assert "Liked by 1 person" in page
