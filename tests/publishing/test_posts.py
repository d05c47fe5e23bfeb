"""Posts as readers find them: permalinks, status, reblogs, archives, feeds and media."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.files.base import ContentFile
from django.urls import clear_script_prefix, set_script_prefix
from django.utils import timezone

from salon.publishing.content import close_excerpt
from salon.publishing.models import Category, Media, Post, Tag

pytestmark = pytest.mark.django_db


def test_post_lives_at_its_wordpress_style_permalink(client, make_post):
    post = make_post(title="Hello World", published_at=datetime(2021, 3, 4, 12, tzinfo=UTC))
    assert post.get_absolute_url() == "/2021/03/04/hello-world/"
    page = client.get("/2021/03/04/hello-world/")
    assert page.status_code == 200
    assert '<h1 class="entry-title">Hello World</h1>' in page.content.decode()


def test_a_posts_address_follows_its_slug_date_kind_time_zone_and_script_prefix(make_post):
    post = make_post(title="Hello World", published_at=datetime(2021, 3, 4, 23, 30, tzinfo=UTC))
    assert post.get_absolute_url() == post.get_absolute_url() == "/2021/03/04/hello-world/"
    post.slug = "renamed"
    assert post.get_absolute_url() == "/2021/03/04/renamed/"
    post.published_at = datetime(2022, 5, 6, 12, tzinfo=UTC)
    assert post.get_absolute_url() == "/2022/05/06/renamed/"
    post.published_at = datetime(2021, 3, 4, 23, 30, tzinfo=UTC)
    with timezone.override("Europe/Paris"):  # already the 5th there
        assert post.get_absolute_url() == "/2021/03/05/renamed/"
    assert post.get_absolute_url() == "/2021/03/04/renamed/"
    set_script_prefix("/blog/")
    try:
        assert post.get_absolute_url() == "/blog/2021/03/04/renamed/"
    finally:
        clear_script_prefix()
    post.kind = Post.Kind.PAGE
    assert post.get_absolute_url() == "/renamed/"
    post.kind, post.external_url = Post.Kind.ELSEWHERE, "https://elsewhere.example/a/"
    assert post.get_absolute_url() == "https://elsewhere.example/a/"


def test_permalink_with_a_stale_date_redirects_permanently(client, make_post):
    make_post(title="Moved", published_at=datetime(2021, 3, 4, 12, tzinfo=UTC))
    response = client.get("/2020/01/01/moved/")
    assert response.status_code == 301
    assert response["Location"] == "/2021/03/04/moved/"


def test_slugs_stay_unique(make_post):
    first = make_post(title="Same title")
    second = make_post(title="Same title")
    assert first.slug == "same-title"
    assert second.slug == "same-title-2"


def test_drafts_and_future_posts_are_hidden_from_readers(client, make_post):
    draft = make_post(title="Unfinished", status=Post.Status.DRAFT)
    future = make_post(title="Tomorrow", published_at=timezone.now() + timedelta(days=1))
    assert future.status == Post.Status.SCHEDULED
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get(future.get_absolute_url()).status_code == 404
    home = client.get("/").content.decode()
    assert "Unfinished" not in home and "Tomorrow" not in home


def test_scheduled_post_appears_once_its_time_has_come(client, make_post):
    post = make_post(title="Timed", published_at=timezone.now() + timedelta(hours=1))
    assert client.get(post.get_absolute_url()).status_code == 404
    Post.objects.filter(pk=post.pk).update(published_at=timezone.now() - timedelta(seconds=1))
    post.refresh_from_db()
    assert client.get(post.get_absolute_url()).status_code == 200


def test_staff_can_preview_a_draft(client, owner, make_post):
    draft = make_post(title="Preview me", status=Post.Status.DRAFT)
    client.force_login(owner)
    page = client.get(draft.get_absolute_url())
    assert page.status_code == 200
    assert "(Draft)" in page.content.decode()


def test_home_page_is_paginated_newest_first(client, make_post, settings):
    settings.SALON = {**settings.SALON, "POSTS_PER_PAGE": 2}
    now = timezone.now()
    for i in range(5):
        make_post(title=f"Entry {i}", published_at=now - timedelta(days=10 - i))
    first = client.get("/").content.decode()
    assert first.index("Entry 4") < first.index("Entry 3")
    assert "Entry 2" not in first
    assert 'href="/page/2/"' in first
    third = client.get("/page/3/").content.decode()
    assert "Entry 0" in third and "Older posts" not in third


def test_a_page_past_the_last_is_not_found(client, make_post, settings, db):
    """/page/9/ of three pages is a 404, as WordPress answers, not the last page again under
    an address that does not exist (crawlers would keep every number as a copy)."""
    settings.SALON = {**settings.SALON, "POSTS_PER_PAGE": 2}
    category = Category.objects.create(name="News", slug="news")
    for i in range(5):
        make_post(title=f"Entry {i}").categories.add(category)
    assert client.get("/page/3/").status_code == 200
    assert client.get("/page/4/").status_code == 404
    assert client.get("/page/0/").status_code == 404  # not the home page under another address
    assert client.get("/category/news/?page=3").status_code == 200
    assert client.get("/category/news/?page=9").status_code == 404
    assert client.get("/category/news/?page=abc").status_code == 200  # read as the first


def test_body_html_is_sanitised_but_keeps_rich_text(make_post):
    post = make_post(
        body=(
            "<p>Hi <strong>there</strong></p><blockquote><p>quoted</p></blockquote>"
            '<img src="/media/x.png" alt="x" onerror="alert(1)"><script>alert(2)</script>'
            '<a href="javascript:alert(3)">bad</a><a href="https://ok.example/">good</a>'
        )
    )
    assert "<blockquote><p>quoted</p></blockquote>" in post.body
    assert '<img src="/media/x.png" alt="x">' in post.body
    assert "onerror" not in post.body and "<script" not in post.body
    assert "javascript:" not in post.body
    assert 'href="https://ok.example/"' in post.body


def test_reblog_shows_excerpt_ending_in_ellipsis_and_attribution(client, make_post):
    post = make_post(
        title="Shared",
        body="<p>My note on this.</p>",
        reblog_url="https://source.example/article/",
        reblog_title="The Original Article",
        reblog_site="Source Blog",
        reblog_excerpt="<p>First words of the article...</p>",
    )
    page = client.get(post.get_absolute_url()).content.decode()
    assert "<p>First words of the article […]</p>" in page
    assert (
        'via <a href="https://source.example/article/" rel="external">The Original Article</a>'
        " — © Source Blog"
    ) in page
    assert page.index("My note on this.") < page.index("First words of the article")


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("<p>Text</p>", "<p>Text […]</p>"),
        ("<p>Text […]</p>", "<p>Text […]</p>"),
        ("<p>Text…</p>", "<p>Text […]</p>"),
        ("plain words", "plain words […]"),
        ("", ""),
    ],
)
def test_excerpt_ends_in_one_ellipsis(given, expected):
    assert close_excerpt(given) == expected


def test_saving_a_reblog_twice_does_not_double_the_ellipsis(make_post):
    post = make_post(reblog_url="https://s.example/", reblog_excerpt="<p>Words</p>")
    post.save()
    post.refresh_from_db()
    assert post.reblog_excerpt.count("[…]") == 1


def test_category_and_tag_archives_list_their_posts(client, make_post):
    news = Category.objects.create(name="News")
    cats = Tag.objects.create(name="Cats")
    tagged = make_post(title="Cat news")
    tagged.categories.add(news)
    tagged.tags.add(cats)
    make_post(title="Unrelated")
    for url in ("/category/news/", "/tag/cats/"):
        page = client.get(url).content.decode()
        assert "Cat news" in page and "Unrelated" not in page
    assert client.get("/category/none/").status_code == 404


def test_posts_feed_lists_live_posts(client, make_post):
    make_post(title="In the feed")
    make_post(title="Not yet", status=Post.Status.DRAFT)
    response = client.get("/feed/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    body = response.content.decode()
    assert "<title>In the feed</title>" in body and "Not yet" not in body


def test_uploaded_media_is_served_with_the_site(client, owner):
    media = Media(uploaded_by=owner, alt_text="dot")
    media.file.save("dot.gif", ContentFile(b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"), save=True)
    response = client.get(media.url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"GIF89a")
    client.raise_request_exception = False
    assert client.get("/media/../settings.py").status_code == 400
    assert client.get("/media/2020/01/missing.png").status_code == 404


def test_pages_live_at_their_slug_outside_the_timeline(client, make_post, post_comment):
    page = make_post(title="About", kind=Post.Kind.PAGE)
    assert page.get_absolute_url() == "/about/"
    response = client.get("/about/")
    assert response.status_code == 200
    assert '<h1 class="entry-title">About</h1>' in response.content.decode()
    assert "About" not in client.get("/").content.decode()
    assert "About" not in client.get("/feed/").content.decode()
    # Pages have conversations too, with their own feed.
    assert post_comment(page, author="Visitor").status_code == 302
    assert "By: Visitor" in client.get("/about/feed/").content.decode()
    # A post's slug is not a page.
    make_post(title="Dated")
    assert client.get("/dated/").status_code == 404


def test_sticky_posts_come_first_on_the_home_page(client, make_post):
    make_post(
        title="Old but sticky", published_at=timezone.now() - timedelta(days=30), is_sticky=True
    )
    make_post(title="Fresh news")
    home = client.get("/").content.decode()
    assert home.index("Old but sticky") < home.index("Fresh news")
