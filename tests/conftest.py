"""Fixtures shared by the whole suite: a site owner, posts, and comment-posting helpers."""

from __future__ import annotations

import itertools
import os
import socket
from datetime import timedelta

import pytest
from django.core.cache import cache, caches
from django.utils import timezone

_counter = itertools.count(1)


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Rate-limit counters live in the cache; each test starts with none (nor with this
    # process's leases of them).
    from salon.antispam.api import forget_leases

    cache.clear()
    forget_leases()
    yield
    cache.clear()
    forget_leases()


@pytest.fixture(autouse=True)
def _fresh_embed_origins():
    # The allowed sites are kept in memory for a few seconds per process; a site a test
    # stored (and its rollback removed) must not be allowed in the next test.
    from salon.embed import origins

    origins.forget()
    yield
    origins.forget()


@pytest.fixture(autouse=True)
def _spam_filter(request, settings):
    """Tests of the moderation rules run without the spam filter, so each rule is seen alone;
    tests marked ``spam_filter`` (and the browser tests) run the real engine."""
    if not request.node.get_closest_marker("spam_filter") and not request.node.get_closest_marker(
        "e2e"
    ):
        settings.SALON = {**settings.SALON, "SPAM_FILTER": ""}


@pytest.fixture
def owner(django_user_model):
    return django_user_model.objects.create_superuser("owner", "owner@example.org", "pw-owner-1")


@pytest.fixture
def author(django_user_model):
    return django_user_model.objects.create_user(
        "writer", "writer@example.org", "pw-writer-1", first_name="Wren", last_name="Writer"
    )


@pytest.fixture
def make_post(owner):
    from salon.publishing.models import Post

    def make(**fields) -> Post:
        n = next(_counter)
        defaults = {
            "title": f"Post number {n}",
            "author": owner,
            "body": f"<p>Body of post {n}.</p>",
            "status": Post.Status.PUBLISHED,
            "published_at": timezone.now() - timedelta(days=1),
        }
        defaults.update(fields)
        return Post.objects.create(**defaults)

    return make


@pytest.fixture
def post(make_post):
    return make_post(title="A post worth discussing")


@pytest.fixture
def comment_form():
    """The fields a guest fills in, with a fresh e-mail each time (so floods don't trigger)."""

    def fields(post, **overrides) -> dict[str, str]:
        n = next(_counter)
        data = {
            "post": str(post.pk),
            "comment": f"A thoughtful remark number {n}.",
            "author": f"Guest {n}",
            "email": f"guest{n}@example.net",
            "url": "",
        }
        data.update({k: str(v) for k, v in overrides.items()})
        return data

    return fields


@pytest.fixture
def post_comment(client, comment_form):
    """Post the comment form from a distinct IP each time, as different readers would."""

    def send(post, ip: str | None = None, using=None, **overrides):
        n = next(_counter)
        return (using or client).post(
            "/comments/post/",
            comment_form(post, **overrides),
            REMOTE_ADDR=ip or f"10.0.{n // 250}.{n % 250 + 1}",
        )

    return send


@pytest.fixture
def redis_cache(settings):
    """Salon's cache (and so its rate limits) in the Redis server at 127.0.0.1:6379, as with
    SALON_REDIS_URL; each test worker gets a database of its own, emptied before and after."""
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        pytest.skip("no Redis server answers at 127.0.0.1:6379")
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw")
    database = 10 + int(worker[2:] or 0)
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:6379/{database}",
            "KEY_PREFIX": "salon-test",
        }
    }
    redis = caches["default"]
    redis.clear()
    yield redis
    redis.clear()
