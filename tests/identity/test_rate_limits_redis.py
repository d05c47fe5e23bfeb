"""allauth's log-in and sign-up limits count in Salon's cache: shared through Redis."""

from __future__ import annotations

import pytest
from django.test import Client

PASSWORD = "correct horse battery staple"


pytestmark = pytest.mark.django_db


def test_failed_log_ins_are_counted_across_app_servers(redis_cache, django_user_model):
    django_user_model.objects.create_user("grace", "grace@example.org", PASSWORD)
    # Two browsers, as if each reached a different app server: the count is shared.
    guesser, other = Client(), Client()
    for attempt in range(5):
        (guesser if attempt % 2 else other).post(
            "/accounts/login/", {"login": "grace", "password": f"guess-{attempt}"}
        )
    response = guesser.post("/accounts/login/", {"login": "grace", "password": PASSWORD})
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in guesser.session
    assert any(b"allauth" in key for key in redis_cache._cache.get_client().keys("*"))


def test_sign_up_limit_is_shared_through_redis(redis_cache, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup": "2/h/ip"}
    for n in range(2):
        response = Client().post(
            "/accounts/signup/",
            {
                "username": f"user{n}",
                "email": f"user{n}@example.org",
                "password1": PASSWORD,
                "password2": PASSWORD,
            },
            REMOTE_ADDR="203.0.113.50",
        )
        assert response.status_code == 302
    response = Client().post(
        "/accounts/signup/",
        {
            "username": "user9",
            "email": "u9@example.org",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
        REMOTE_ADDR="203.0.113.50",
    )
    assert response.status_code == 429
