"""allauth's log-in and sign-up limits count in Salon's cache: shared through Redis."""

from __future__ import annotations

import socket

import pytest
from django.core.cache import caches
from django.test import Client

REDIS = ("127.0.0.1", 6379)
PASSWORD = "correct horse battery staple"


def _redis_answers() -> bool:
    try:
        with socket.create_connection(REDIS, timeout=1):
            return True
    except OSError:
        return False


pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not _redis_answers(), reason="no Redis server answers at 127.0.0.1:6379"),
]


@pytest.fixture
def redis_cache(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/14",
            "KEY_PREFIX": "salon-identity-test",
        }
    }
    cache = caches["default"]
    cache.clear()
    yield cache
    cache.clear()


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
