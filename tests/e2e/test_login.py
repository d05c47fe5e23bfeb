"""Logging in to comment, in a real browser, through a real OpenID Connect provider.

The provider is node-oidc-provider (tests/identity/oidc/server.mjs) running on this machine;
Salon is configured for it as an owner would configure any OpenID Connect server (a social
application with its client id, secret and server URL). Nothing of Salon's is mocked: the
browser follows every redirect from the comment form to the provider's log-in and consent
pages and back, and Salon fetches the provider's discovery document, keys, token and userinfo.
"""

from __future__ import annotations

import re
import time
from urllib.parse import urlsplit

import pytest

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="the browser tests need Playwright (pip install -e '.[test]')"
)
expect = sync_api.expect

pytestmark = pytest.mark.e2e

PROVIDER_ID = "local-oidc"
PROVIDER_NAME = "Local OIDC"
# The spam filter takes a comment sent within two seconds of its form being shown for a bot's.
READING_SECONDS = 2.5


@pytest.fixture
def oidc(demo, live_server):
    """A running OpenID Connect provider, configured in Salon as a social application."""
    from allauth.socialaccount.models import SocialApp

    from tests.identity.oidc_server import running_provider

    salon_host = urlsplit(live_server.url).hostname
    callback = f"{live_server.url}/accounts/oidc/{PROVIDER_ID}/login/callback/"
    other_host = "127.0.0.1" if salon_host == "localhost" else "localhost"
    with running_provider(callback, host=other_host) as server:
        SocialApp.objects.create(
            provider="openid_connect",
            provider_id=PROVIDER_ID,
            name=PROVIDER_NAME,
            client_id=server.client_id,
            secret=server.client_secret,
            settings={"server_url": server.issuer, "oauth_pkce_enabled": True},
        )
        yield server


@pytest.fixture
def local_only(page):
    """Refuse any request leaving this machine (the provider's pages link a web font)."""
    local = re.compile(r"^(?:https?|wss?)://(?:127\.0\.0\.1|localhost)(?::\d+)?/")
    page.route(
        re.compile(r"^https?://"),
        lambda route: route.continue_() if local.match(route.request.url) else route.abort(),
    )
    return page


def _log_in_at_the_provider(page, oidc, login: str = "octavia") -> None:
    """On the provider's own pages: sign in (any login is accepted there) and consent."""
    page.wait_for_url(re.compile(re.escape(oidc.issuer) + r"/interaction/"))
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", "any password")
    page.click("button[type=submit]")
    consent = page.locator("button", has_text="Continue")
    consent.wait_for()
    consent.click()


def _post_comment(page, text: str) -> int:
    waited = time.monotonic() - page.loaded_at
    if waited < READING_SECONDS:
        page.wait_for_timeout(1000 * (READING_SECONDS - waited))
    page.fill("#comment", text)
    page.click("#submit")
    page.wait_for_url(re.compile(r"#comment-\d+$"))
    return int(page.url.rsplit("#comment-", 1)[1])


def test_log_in_through_openid_connect_comment_and_log_out(local_only, demo, oidc):
    from salon.discussion.models import Comment

    page = local_only
    page.goto(demo.url)
    expect(page.locator(".comment-notes").first).to_contain_text(
        "Fill in your details below or click an icon to log in"
    )
    # A draft typed before deciding to log in survives the trip to the provider.
    page.fill("#comment", "Typed before logging in, kept through it.")
    page.click(f"button[title='Log in with {PROVIDER_NAME}']")

    _log_in_at_the_provider(page, oidc)
    page.wait_for_url(re.compile(re.escape(demo.url) + "#respond$"))
    identity = page.locator(".comment-identity")
    expect(identity).to_contain_text(f"You are commenting using your {PROVIDER_NAME} account.")
    expect(identity).to_contain_text("Octavia Idris")
    expect(page.locator("#author")).to_have_count(0)
    expect(page.locator("#comment")).to_have_value("Typed before logging in, kept through it.")

    comment_id = _post_comment(page, "Said under my OpenID Connect identity.")
    expect(page.locator(f"#comment-{comment_id}")).to_contain_text("Octavia Idris")
    expect(page.locator(f"#comment-{comment_id}")).to_contain_text(
        "Said under my OpenID Connect identity."
    )
    comment = Comment.objects.select_related("user").get(pk=comment_id)
    assert comment.identity_provider == PROVIDER_ID
    assert comment.user.email == "octavia@oidc.example"
    # The provider said the address is confirmed (email_verified): only then is it trusted.
    assert comment.user.emailaddress_set.get().verified
    # The author may still change it: Edit and Delete, under the form and on the comment.
    for where in (".your-recent-comments", f"#comment-{comment_id}"):
        expect(page.locator(f"{where} .comment-edit-link")).to_have_attribute(
            "href", f"/comments/{comment_id}/edit/"
        )

    page.click("button:text-is('Log Out')")
    page.wait_for_url(re.compile(re.escape(demo.url) + "#respond$"))
    expect(page.locator(".comment-notes").first).to_contain_text(
        "Fill in your details below or click an icon to log in"
    )
    expect(page.locator(".comment-identity")).to_have_count(0)
    expect(page.locator("#author")).to_be_visible()


def test_change_identity_keeps_the_comment_being_typed(local_only, demo, oidc, django_user_model):
    from allauth.account.models import EmailAddress

    user = django_user_model.objects.create_user("wren", "wren@example.org", "pw-wren-12345")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    page = local_only
    page.goto(demo.url)
    page.click("a[title^='Log in with your']")  # the site's own account
    page.fill("input[name=login]", "wren")
    page.fill("input[name=password]", "pw-wren-12345")
    page.click("#content form button[type=submit]")
    page.wait_for_url(re.compile(re.escape(demo.url) + "#respond$"))
    expect(page.locator(".comment-identity")).to_contain_text(
        "You are commenting using your Salon account."
    )

    page.fill("#comment", "Half a thought, then I decided to sign it differently.")
    page.click("button:text-is('Change')")
    page.wait_for_url(re.compile(r"/accounts/login/\?next="))
    page.click(f"a[title='{PROVIDER_NAME}']")
    # allauth asks to confirm before leaving for the provider (log-ins start with a POST).
    page.click("#content form button[type=submit]")
    _log_in_at_the_provider(page, oidc)
    page.wait_for_url(re.compile(re.escape(demo.url) + "#respond$"))
    expect(page.locator(".comment-identity")).to_contain_text(
        f"You are commenting using your {PROVIDER_NAME} account."
    )
    expect(page.locator("#comment")).to_have_value(
        "Half a thought, then I decided to sign it differently."
    )


def test_a_guest_edits_then_deletes_their_comment(local_only, demo):
    page = local_only
    page.goto(demo.url)
    page.fill("#author", "Quick Typist")
    page.fill("#email", "typist@example.net")
    comment_id = _post_comment(page, "Teh typo.")
    own = page.locator(f"#comment-{comment_id}")
    expect(own).to_contain_text("Teh typo.")

    own.locator(".comment-edit-link").click()
    expect(page.locator("h1")).to_have_text("Edit your comment")
    page.fill("#comment", "The typo, fixed.")
    page.click("button:text-is('Save changes')")
    page.wait_for_url(re.compile(rf"#comment-{comment_id}$"))
    expect(own).to_contain_text("The typo, fixed.")
    expect(own).not_to_contain_text("Teh typo.")

    own.locator(".comment-delete-link").click()
    page.click("button:text-is('Delete it')")
    page.wait_for_url(re.compile(r"#comments$"))
    expect(page.locator(f"#comment-{comment_id}")).to_have_count(0)
