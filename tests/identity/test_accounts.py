"""Local accounts: sign up, log in, log out, reset a password, confirm an e-mail — safely."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model

from salon.notifications.models import OutgoingMail

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


@pytest.fixture
def mail_on(settings):
    """The owner has set up mail: account messages go to Salon's outbox."""
    settings.SALON = {
        **settings.SALON,
        "SMTP_URL": "smtp://127.0.0.1:2525",
        "MAIL_FROM": "blog@example.org",
    }


def _queued() -> list[OutgoingMail]:
    return list(OutgoingMail.objects.filter(topic="account"))


def _signup(client, username="ada", email="ada@example.org", next_url="", ip="198.51.100.1"):
    data = {"username": username, "email": email, "password1": PASSWORD, "password2": PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post("/accounts/signup/", data, REMOTE_ADDR=ip)


def test_sign_up_logs_in_and_the_form_says_so(client, post):
    response = _signup(client, next_url=f"{post.get_absolute_url()}#respond")
    assert response.status_code == 302
    assert response["Location"] == f"{post.get_absolute_url()}#respond"
    page = client.get(post.get_absolute_url()).content.decode()
    assert "You are commenting using your Salon account." in page
    assert '<b class="identity-name">ada</b>' in page


def test_account_pages_are_in_the_sites_layout(client):
    for url in ("/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"):
        page = client.get(url).content.decode()
        assert 'class="site-header"' in page and "Powered by Salon" in page, url


def test_log_in_with_name_or_address_and_log_out_again(client, post, django_user_model):
    user = django_user_model.objects.create_user("grace", "grace@example.org", PASSWORD)
    for login in ("grace", "grace@example.org"):
        response = client.post(
            "/accounts/login/",
            {"login": login, "password": PASSWORD, "next": post.get_absolute_url()},
        )
        assert response.status_code == 302, response.content[:300]
        assert client.session["_auth_user_id"] == str(user.pk)
        response = client.post("/accounts/logout/", {"next": f"{post.get_absolute_url()}#respond"})
        assert response["Location"] == f"{post.get_absolute_url()}#respond"
        page = client.get(post.get_absolute_url()).content.decode()
        assert "Fill in your details below or click an icon to log in" in page


def test_a_wrong_password_is_a_clear_error(client, django_user_model):
    django_user_model.objects.create_user("grace", "grace@example.org", PASSWORD)
    response = client.post("/accounts/login/", {"login": "grace", "password": "nope"})
    assert response.status_code == 200
    assert "The username and/or password you specified are not correct." in (
        response.content.decode()
    )
    assert "_auth_user_id" not in client.session


def test_password_reset_by_email(client, django_user_model, mail_on):
    django_user_model.objects.create_user("grace", "grace@example.org", "old-password-1x")
    response = client.post("/accounts/password/reset/", {"email": "grace@example.org"})
    assert response.status_code == 302
    (message,) = _queued()
    assert message.to == "grace@example.org"
    link = re.search(r"http://testserver(/accounts/password/reset/key/\S+)", message.body)
    assert link, message.body
    form_page = client.get(link.group(1), follow=True)
    action = form_page.redirect_chain[-1][0] if form_page.redirect_chain else link.group(1)
    response = client.post(action, {"password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 302
    assert (
        client.post("/accounts/login/", {"login": "grace", "password": PASSWORD}).status_code == 302
    )


def test_email_confirmation_is_optional_by_default_but_offered(client, mail_on):
    _signup(client)
    assert client.session.get("_auth_user_id")  # logged in straight away
    (message,) = _queued()
    assert "confirm" in message.subject.lower() and message.to == "ada@example.org"


def test_without_mail_set_up_sign_up_still_works_and_nothing_is_queued(client):
    response = _signup(client)
    assert response.status_code == 302
    assert client.session.get("_auth_user_id")
    assert _queued() == []


def test_email_confirmation_can_be_required(client, settings, mail_on):
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    response = _signup(client)
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    (message,) = _queued()
    link = re.search(r"http://testserver(/accounts/confirm-email/\S+)", message.body)
    assert link, message.body
    assert client.post(link.group(1)).status_code == 302
    assert EmailAddress.objects.get(email="ada@example.org").verified
    assert (
        client.post("/accounts/login/", {"login": "ada", "password": PASSWORD}).status_code == 302
    )
    assert client.session.get("_auth_user_id")


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/steal", "//evil.example/", "http://evil.example", "/\\evil.example"],
)
def test_no_open_redirect_after_log_in_or_log_out(client, django_user_model, target):
    django_user_model.objects.create_user("grace", "grace@example.org", PASSWORD)
    response = client.post(
        "/accounts/login/", {"login": "grace", "password": PASSWORD, "next": target}
    )
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]
    response = client.post("/accounts/logout/", {"next": target})
    assert "evil.example" not in response["Location"]


def test_a_sibling_host_is_not_a_redirect_target_either(client, django_user_model):
    # localhost is in ALLOWED_HOSTS, but the reader came to testserver: stay there.
    django_user_model.objects.create_user("grace", "grace@example.org", PASSWORD)
    response = client.post(
        "/accounts/login/",
        {"login": "grace", "password": PASSWORD, "next": "http://localhost/elsewhere/"},
    )
    assert "localhost" not in response["Location"]


def test_failed_log_ins_are_rate_limited(client, django_user_model):
    django_user_model.objects.create_user("grace", "grace@example.org", PASSWORD)
    for _ in range(5):
        client.post("/accounts/login/", {"login": "grace", "password": "wrong"})
    # Even the right password is refused now: guessing cannot go on.
    response = client.post("/accounts/login/", {"login": "grace", "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    assert "Too many failed login attempts" in response.content.decode()


def test_sign_ups_are_rate_limited_per_address(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup": "3/h/ip"}
    for n in range(3):
        client.post("/accounts/logout/")
        assert _signup(client, f"user{n}", f"user{n}@example.org").status_code == 302
    client.post("/accounts/logout/")
    response = _signup(client, "user9", "user9@example.org")
    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()
    assert not get_user_model().objects.filter(username="user9").exists()
    # Another address is not held back by that one.
    assert _signup(client, "other", "other@example.org", ip="198.51.100.2").status_code == 302


def test_session_and_csrf_cookies_are_httponly_and_lax(client, django_user_model):
    django_user_model.objects.create_user("grace", "grace@example.org", PASSWORD)
    client.get("/accounts/login/")
    response = client.post("/accounts/login/", {"login": "grace", "password": PASSWORD})
    session = response.cookies["sessionid"]
    assert session["httponly"] and session["samesite"] == "Lax"
    assert not session["secure"]  # served over plain HTTP here
    csrf = client.get("/accounts/login/").cookies.get("csrftoken") or client.cookies["csrftoken"]
    assert csrf["httponly"] and csrf["samesite"] == "Lax"


def test_cookies_are_secure_when_the_site_is_served_over_https():
    # Settings are read once at start-up from SALON_SITE_URL: check them as a fresh process sees them.
    script = (
        "import json; from salon import settings as s; print(json.dumps([s.SESSION_COOKIE_SECURE,"
        " s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.CSRF_COOKIE_HTTPONLY,"
        " s.SESSION_COOKIE_SAMESITE, s.CSRF_COOKIE_SAMESITE]))"
    )
    for site, secure in (("https://blog.example", True), ("http://127.0.0.1:8000", False)):
        env = {**os.environ, "SALON_SITE_URL": site}
        env.pop("SALON_HTTPS", None)
        out = subprocess.run(
            [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
        ).stdout
        assert json.loads(out) == [secure, secure, True, True, "Lax", "Lax"], site


def test_without_mail_the_reset_page_says_no_link_can_be_sent(client, django_user_model):
    django_user_model.objects.create_user("grace", "grace@example.org", "old-password-1x")
    page = client.get("/accounts/password/reset/").content.decode()
    assert "This site sends no e-mail" in page
    assert 'name="email"' not in page
    done = client.post("/accounts/password/reset/", {"email": "grace@example.org"}, follow=True)
    text = done.content.decode()
    assert "no link was sent" in text and "we have sent" not in text.lower()
    assert _queued() == []


def test_with_mail_the_reset_page_offers_the_form_and_says_what_was_sent(client, mail_on):
    page = client.get("/accounts/password/reset/").content.decode()
    assert 'name="email"' in page and "sends no e-mail" not in page
    done = client.post("/accounts/password/reset/", {"email": "nobody@example.org"}, follow=True)
    assert "If an account uses that address" in done.content.decode()
