"""A post page costs the same number of queries whatever the size of its conversation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from salon.discussion.models import Comment, Like

pytestmark = pytest.mark.django_db


def _add_comments(post, count: int) -> None:
    start = timezone.now() - timedelta(days=1)
    tops = Comment.objects.bulk_create(
        Comment(
            post=post,
            author_name=f"Reader {i}",
            author_email=f"r{i}@example.net",
            author_url="https://r.example/" if i % 3 == 0 else "",
            content=f"Comment {i}",
            content_html=f"<p>Comment {i}</p>",
            status=Comment.Status.APPROVED,
            created_at=start + timedelta(seconds=i),
        )
        for i in range(count * 4 // 5)
    )
    Comment.objects.bulk_create(
        Comment(
            post=post,
            parent=parent,
            author_name="Replier",
            content="reply",
            content_html="<p>reply</p>",
            status=Comment.Status.APPROVED,
            created_at=parent.created_at + timedelta(milliseconds=500),
        )
        for parent in tops[::4]
    )


def _queries_for(browser: Client, url: str, cold: bool) -> int:
    if cold:
        cache.clear()  # the rendered thread is cached for readers: measure both paths
    with CaptureQueriesContext(connection) as queries:
        response = browser.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("as_who", ["reader", "guest-with-likes", "logged-in"])
def test_post_page_queries_do_not_grow_with_comments(make_post, owner, as_who):
    empty, busy = make_post(title="Quiet"), make_post(title="Busy")
    _add_comments(busy, 500)
    assert busy.comments.count() == 500
    browser = Client()
    if as_who == "logged-in":
        browser.force_login(owner)
    if as_who == "guest-with-likes":
        some = busy.comments.first()
        browser.post("/likes/", {"post": busy.pk, "comment": some.pk})
        browser.post("/likes/", {"post": empty.pk})
        assert Like.objects.count() == 2
    browser.get(empty.get_absolute_url())  # first visit creates the settings row
    for cold in (True, False):
        if not cold:
            browser.get(empty.get_absolute_url())
            browser.get(busy.get_absolute_url())
        quiet = _queries_for(browser, empty.get_absolute_url(), cold)
        loud = _queries_for(browser, busy.get_absolute_url(), cold)
        assert quiet == loud, f"{'cold' if cold else 'warm'} cache"
        # The owner (staff) also sees how many comments wait for moderation: one count.
        assert loud <= (11 if as_who == "logged-in" else 10)
