"""A post page costs the same number of queries whatever the size of its conversation, and a
new comment reads its author's comments, not every comment."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from salon.discussion.models import Comment, DiscussionSettings, Like

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


def _whole_table_reads(sql: str) -> list[str]:
    """How the database would read the comments table for ``sql`` where it reads all of it
    (every row, or every entry of an index); [] when each read is bounded by an index."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            aliases = {"discussion_comment", *re.findall(r'"discussion_comment" (\w+)', sql)}
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
            return [
                detail
                for *_ids, detail in cursor.fetchall()
                if detail.startswith("SCAN ") and detail.split()[1] in aliases
            ]
        # Told to avoid reading whole tables, PostgreSQL still does where no index serves.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql.replace('%', '%%')}")
        [[plan]] = cursor.fetchone()
    found, nodes = [], [plan["Plan"]]
    while nodes:
        node = nodes.pop()
        nodes.extend(node.get("Plans", []))
        if node.get("Relation Name") != "discussion_comment":
            continue
        if node["Node Type"] == "Seq Scan" or (
            node["Node Type"] in ("Index Scan", "Index Only Scan") and "Index Cond" not in node
        ):
            found.append(f"{node['Node Type']} on discussion_comment: {node.get('Filter', '')}")
    return found


@pytest.mark.spam_filter
def test_a_new_comment_reads_its_authors_comments_by_index(make_post, post_comment):
    """Each query a new comment asks (its author's history for the spam filter, duplicates,
    the flood guard, an earlier approval) finds the comments it needs through an index: on
    a blog with years of comments, reading them all cost more than the rest of the comment.
    E-mail addresses are still compared without case."""
    _add_comments(make_post(title="Archive"), 50)
    post = make_post()
    DiscussionSettings.objects.update_or_create(pk=1, defaults={"require_previous_approval": True})
    Comment.objects.create(
        post=post,
        author_name="Ada",
        author_email="Ada.Lovelace@Example.NET",
        content="An earlier word.",
        content_html="<p>An earlier word.</p>",
        status=Comment.Status.APPROVED,
        created_at=timezone.now() - timedelta(days=30),
    )
    with CaptureQueriesContext(connection) as queries:
        response = post_comment(
            post, author="Ada", email="ada.lovelace@example.net", url="https://ada.example/"
        )
    assert response.status_code == 302
    comment = Comment.objects.latest("pk")
    assert comment.author_email == "ada.lovelace@example.net"
    # Approved for the earlier approved comment under the same name and address, case aside.
    assert comment.status == Comment.Status.APPROVED
    selects = [q["sql"] for q in queries if q["sql"].startswith("SELECT") and ";" not in q["sql"]]
    assert any("discussion_comment" in sql for sql in selects)
    reads = {sql[:160]: found for sql in selects if (found := _whole_table_reads(sql))}
    assert reads == {}
