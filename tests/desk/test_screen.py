"""The moderation screen as a moderator reads it: tabs and counts, each row's facts about the
comment and who sent it, filters, search, paging, and the count of waiting comments in the
admin menu and the site's header."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from salon.discussion.models import Comment
from tests.desk.conftest import SCREEN

pytestmark = pytest.mark.django_db
S = Comment.Status


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_only_staff_see_it(client, django_user_model, post):
    assert client.get(SCREEN).status_code == 302  # to the admin's log-in
    reader = django_user_model.objects.create_user("reader", "r@example.net", "pw-reader-1")
    client.force_login(reader)
    response = client.get(SCREEN)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    helper = django_user_model.objects.create_user(
        "helper", "h@example.net", "pw-helper-1", is_staff=True
    )
    client.force_login(helper)  # staff, but not allowed to see comments
    assert client.get(SCREEN).status_code == 403


def test_tabs_count_each_status(staff, make_comment):
    for status, n in [(S.PENDING, 2), (S.APPROVED, 3), (S.SPAM, 4), (S.TRASH, 1)]:
        for _ in range(n):
            make_comment(status)
    page = _text(staff.get(SCREEN).content.decode())
    for label, n in [("All", 5), ("Pending", 2), ("Approved", 3), ("Spam", 4), ("Trash", 1)]:
        assert f"{label} ({n})" in page


def test_all_lists_waiting_comments_first_and_no_spam(staff, make_comment):
    old_pending = make_comment(S.PENDING, content_html="<p>old and waiting</p>")
    make_comment(S.APPROVED, content_html="<p>new and approved</p>")
    make_comment(S.SPAM, content_html="<p>spammy words</p>")
    old_pending.created_at = old_pending.created_at.replace(year=2020)
    old_pending.save()
    page = staff.get(SCREEN).content.decode()
    assert page.index("old and waiting") < page.index("new and approved")
    assert "spammy words" not in page
    assert "spammy words" in staff.get(SCREEN + "?status=spam").content.decode()


def test_a_row_shows_who_wrote_it_and_their_addresses_histories(staff, post, make_comment):
    shared = "203.0.113.9"
    for n in range(3):
        make_comment(S.APPROVED, author_ip=shared, author_email=f"other{n}@example.net")
    make_comment(S.SPAM, author_email="Writer@Example.net", author_ip="192.0.2.1")
    parent = make_comment(S.APPROVED, author_name="Parent Person")
    comment = make_comment(
        S.PENDING,
        author_name="New Writer",
        author_email="writer@example.net",
        author_url="https://writer.example/about",
        author_ip=shared,
        parent=parent,
        content_html="<p>The <em>whole</em> comment, rendered.</p>",
    )
    html = staff.get(SCREEN + "?status=pending").content.decode()
    row = html[html.index(f'id="desk-c-{comment.pk}"') :]
    row = row[: row.index("</ol>")]
    text = _text(row)
    assert "New Writer" in text and "writer@example.net" in text
    assert "writer.example" in text and shared in text
    assert "/avatar/" in row and 'alt=""' in row
    assert "0 approved, 1 spam from this e-mail" in text  # the same address, any case
    assert "3 approved, 0 spam from this IP" in text
    assert "<em>whole</em>" in row, "the comment is shown rendered"
    assert "in reply to" in text and "Parent Person" in text
    assert post.title in text


def test_the_rule_that_held_it_and_the_filters_reasons_are_shown(staff, make_comment):
    make_comment(
        S.PENDING,
        spam_score=0.42,
        spam_reasons=[
            {"signal": "links", "weight": 1.2, "message": "links to a shortener"},
            {"signal": "tiny", "weight": 0.01, "message": "barely matters"},
            {"signal": "language", "weight": -0.8, "message": "reads like ordinary comments"},
            {"signal": "word", "weight": 0.5, "message": "mentions money"},
            {"signal": "other", "weight": 0.3, "message": "fourth strongest"},
            {
                "signal": "moderation_words",
                "weight": 0.0,
                "message": "contains “casino”, on this site's moderation list",
            },
        ],
    )
    text = _text(staff.get(SCREEN).content.decode())
    assert "Spam score 42%" in text
    assert "held by this site's rule : contains “casino”" in text
    assert "links to a shortener" in text and "reads like ordinary comments" in text
    assert "mentions money" in text
    assert "fourth strongest" not in text and "barely matters" not in text  # top three only


def test_a_page_costs_the_same_queries_for_few_or_many_comments(
    staff, post, make_post, make_comment
):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert staff.get(SCREEN).status_code == 200
        return len(queries)

    make_comment(S.PENDING)
    few = count()
    other = make_post(title="Another post")
    for n in range(30):
        parent = make_comment(S.APPROVED, post=other if n % 2 else post)
        make_comment(S.PENDING, parent=parent, author_url=f"https://site{n}.example/")
    assert count() == few


def test_filter_by_post_type_and_search_and_pages(staff, post, make_post, make_comment):
    other = make_post(title="Elsewhere entirely")
    make_comment(S.APPROVED, post=other, content_html="<p>on the other post</p>")
    make_comment(S.APPROVED, content_html="<p>needle in a haystack</p>", author_name="Finder")
    make_comment(S.APPROVED, kind=Comment.Kind.PINGBACK, content_html="<p>a ping</p>")
    only_other = staff.get(SCREEN + f"?post={other.pk}").content.decode()
    assert "on the other post" in only_other and "needle" not in only_other
    assert "needle" in staff.get(SCREEN + "?q=needle").content.decode()
    assert "needle" not in staff.get(SCREEN + "?q=nothing-like-it").content.decode()
    by_ip = staff.get(SCREEN + "?q=198.51.100.200").content.decode()
    assert "needle" not in by_ip
    pings = staff.get(SCREEN + "?kind=pingback").content.decode()
    assert "a ping" in pings and "needle" not in pings

    for n in range(25):
        make_comment(S.SPAM, content_html=f"<p>junk {n:02d}</p>")
    first = staff.get(SCREEN + "?status=spam").content.decode()
    second = staff.get(SCREEN + "?status=spam&page=2").content.decode()
    assert first.count('class="desk-row ') == 20 and second.count('class="desk-row ') == 5
    assert "1–20 of 25" in first and 'rel="next"' in first
    assert "junk 24" in second or "junk 00" in second


def test_the_menu_and_the_sites_header_show_how_many_wait(staff, client, post, make_comment):
    make_comment(S.PENDING)
    make_comment(S.PENDING)
    make_comment(S.APPROVED)
    index = staff.get("/admin/").content.decode()
    link = re.search(
        r'<a href="(/admin/moderation/[^"]*)"[^>]*>Comments <span class="desk-badge">2', index
    )
    assert link and link.group(1) == "/admin/moderation/?status=pending"
    assert "2 comments awaiting moderation" in _text(index)

    home = staff.get(post.get_absolute_url()).content.decode()
    assert "2 comments await moderation" in home
    assert "/admin/moderation/?status=pending" in home
    reader_page = client.get(post.get_absolute_url()).content.decode()
    assert "await moderation" not in reader_page and "/admin/moderation/" not in reader_page
