"""Log in with WordPress.com: Salon's own provider, against recorded API responses.

The API is a local HTTP server replaying JSON built from WordPress.com's documentation
(see fixtures/wordpress_com/README.md), so the provider's real HTTP code runs.
"""

from __future__ import annotations

import json

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user_model
from django.test import RequestFactory

from salon.discussion.models import Comment
from salon.identity.providers.wordpress_com.provider import WordPressComProvider

from .conftest import CLIENT_ID, CLIENT_SECRET, FIXTURES

pytestmark = pytest.mark.django_db


def test_the_button_sends_the_reader_to_wordpress_com_with_the_right_request(wordpress_login, post):
    query, _callback = wordpress_login(post.get_absolute_url())
    assert query["client_id"] == CLIENT_ID
    assert query["redirect_uri"] == "http://testserver/accounts/wordpress_com/login/callback/"
    assert query["response_type"] == "code"
    # Only the person's own profile: Salon never asks for access to their blogs.
    assert query["scope"] == "auth"
    assert len(query["state"]) >= 12


def test_the_code_is_exchanged_for_a_token_and_the_profile_read(wordpress_login, wordpress_com):
    wordpress_login()
    token_call, me_call = wordpress_com.requests
    assert token_call["path"] == "/oauth2/token"
    form = {k: v[0] for k, v in token_call["form"].items()}
    assert form["grant_type"] == "authorization_code"
    assert form["code"] == "wpcom-code-123"
    assert form["client_id"] == CLIENT_ID and form["client_secret"] == CLIENT_SECRET
    assert form["redirect_uri"] == "http://testserver/accounts/wordpress_com/login/callback/"
    assert me_call["path"] == "/rest/v1/me"
    assert me_call["authorization"] == "Bearer wpcom-test-token-7d1f0b2c9a4e"


def test_a_wordpress_com_person_becomes_an_account_and_comments_under_it(
    client, wordpress_login, post
):
    _query, callback = wordpress_login(f"{post.get_absolute_url()}#respond")
    assert callback.status_code == 302
    assert callback["Location"] == f"{post.get_absolute_url()}#respond"

    user = get_user_model().objects.get(username="mduras")
    assert (user.first_name, user.last_name) == ("Marguerite", "Duras")
    assert user.email == "marguerite@example.com"
    account = SocialAccount.objects.get(user=user)
    assert (account.provider, account.uid) == ("wordpress_com", "81234567")

    page = client.get(post.get_absolute_url()).content.decode()
    assert "You are commenting using your WordPress.com account." in page
    assert "Marguerite Duras" in page
    # The avatar WordPress.com gave (its Gravatar), shown to the person beside their name.
    assert (
        "https://0.gravatar.com/avatar/5e1c3a1ce1a0b7a6d0bfb0b8a3f1c6d2?s=96&amp;d=identicon"
        in page
    )
    assert 'id="author"' not in page  # no name/e-mail fields for a logged-in person

    response = client.post(
        "/comments/post/",
        {"post": post.pk, "comment": "Written as myself."},
        REMOTE_ADDR="203.0.113.9",
    )
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert comment.user == user
    assert comment.identity_provider == "wordpress_com"
    assert comment.author_name == "Marguerite Duras"


def test_a_confirmed_address_is_trusted(wordpress_login):
    wordpress_login()
    address = EmailAddress.objects.get(email="marguerite@example.com")
    assert address.verified and address.primary


def test_an_unconfirmed_address_is_not_trusted(wordpress_login, wordpress_com):
    wordpress_com.me = "me_unverified.json"
    wordpress_login()
    address = EmailAddress.objects.get(email="venu@example.com")
    assert not address.verified


def test_an_unconfirmed_address_does_not_take_over_an_existing_account(
    client, wordpress_login, wordpress_com, django_user_model
):
    owner_of_address = django_user_model.objects.create_user(
        "venu", "venu@example.com", "pw-venu-12345"
    )
    EmailAddress.objects.create(
        user=owner_of_address, email="venu@example.com", verified=True, primary=True
    )
    wordpress_com.me = "me_unverified.json"
    wordpress_login()
    assert not SocialAccount.objects.filter(user=owner_of_address).exists()
    assert client.session.get("_auth_user_id") != str(owner_of_address.pk)


def test_a_refused_code_is_a_clear_failure_and_nobody_is_logged_in(
    client, wordpress_login, wordpress_com
):
    wordpress_com.token, wordpress_com.token_status = "token_error.json", 400
    _query, callback = wordpress_login()
    assert callback.status_code == 401
    page = callback.content.decode()
    assert "Third-Party Login Failure" in page
    assert 'class="site-header"' in page  # in the site's own layout
    assert get_user_model().objects.count() == 0
    assert "_auth_user_id" not in client.session


def test_a_forged_state_is_refused(client, wordpress_com):
    client.post("/accounts/wordpress_com/login/", {"process": "login"})
    response = client.get(
        "/accounts/wordpress_com/login/callback/", {"code": "x", "state": "forged-state"}
    )
    assert response.status_code == 401
    assert "Third-Party Login Failure" in response.content.decode()
    assert not [r for r in wordpress_com.requests if r["path"] == "/oauth2/token"]
    assert get_user_model().objects.count() == 0


def test_profile_fields_are_read_from_the_recorded_me_response(wordpress_com):
    # The provider's own reading of /rest/v1/me, without the HTTP round trip.
    from allauth.socialaccount.adapter import get_adapter

    request = RequestFactory().get("/")
    provider = get_adapter().get_provider(request, WordPressComProvider.id)
    profile = json.loads((FIXTURES / "me.json").read_text())
    login = provider.sociallogin_from_response(request, profile)
    assert login.account.uid == "81234567"
    assert login.user.username == "mduras"
    assert login.account.get_provider_account().to_str() == "Marguerite Duras"
    assert login.account.get_avatar_url().startswith("https://0.gravatar.com/avatar/")
    assert login.account.get_profile_url() == "https://gravatar.com/mduras"
    assert [(e.email, e.verified) for e in login.email_addresses] == [
        ("marguerite@example.com", True)
    ]


def test_a_social_log_in_never_sends_the_reader_off_site(wordpress_login):
    _query, callback = wordpress_login("https://evil.example/after-login")
    assert callback.status_code == 302
    assert "evil.example" not in callback["Location"]
