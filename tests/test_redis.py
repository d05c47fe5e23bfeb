"""With SALON_REDIS_URL, rate limits and the thread cache live in Redis, shared by processes."""

from __future__ import annotations

import pytest
from django.test import Client

from salon.discussion.models import Comment

pytestmark = pytest.mark.django_db


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
