"""With SALON_REDIS_URL, rate limits and the thread cache live in Redis, shared by processes."""

from __future__ import annotations

import socket

import pytest
from django.core.cache import caches
from django.test import Client

from salon.discussion.models import Comment

REDIS = ("127.0.0.1", 6379)


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
            "LOCATION": "redis://127.0.0.1:6379/15",
            "KEY_PREFIX": "salon-test",
        }
    }
    cache = caches["default"]
    cache.clear()
    yield cache
    cache.clear()


def test_like_rate_limit_is_counted_in_redis(redis_cache, post, post_comment, settings):
    settings.SALON = {**settings.SALON, "LIKE_RATE": "2/m"}
    post_comment(post)
    comment = Comment.objects.get()
    # Two browsers from one address: the counter is shared, as between two app servers.
    first, second = Client(REMOTE_ADDR="203.0.113.5"), Client(REMOTE_ADDR="203.0.113.5")
    data = {"post": post.pk, "comment": comment.pk}
    assert first.post("/likes/", data).status_code == 302
    assert second.post("/likes/", data).status_code == 302
    assert first.post("/likes/", data).status_code == 429
    assert any(b"rl:" in key for key in redis_cache._cache.get_client().keys("*"))


def test_thread_cache_in_redis_is_never_stale(redis_cache, post, post_comment):
    reader = Client()
    post_comment(post, author="Early")
    assert "Early" in reader.get(post.get_absolute_url()).content.decode()
    assert redis_cache._cache.get_client().keys("*salon:thread:*")
    post_comment(post, author="Later")
    assert "Later" in reader.get(post.get_absolute_url()).content.decode()
