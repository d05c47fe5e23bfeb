"""The pages around the posts: feeds (RSS and Atom, per category, tag and author), search, date
and author archives, sitemap.xml, robots.txt, the favicon and the error pages. Feeds are read
with feedparser, as a feed reader would; search runs on the database the suite runs on (SQLite,
then PostgreSQL in `make test`)."""

from __future__ import annotations

from datetime import UTC, datetime
from xml.etree import ElementTree

import feedparser
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from salon.discussion.models import Comment
from salon.publishing.models import Category, Post, Tag

pytestmark = pytest.mark.django_db

SITE = "http://testserver"


def _feed(client, url: str):
    response = client.get(url)
    assert response.status_code == 200, url
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, f"{url}: {parsed.get('bozo_exception')}"
    return response, parsed


@pytest.fixture
def world(make_post, author):
    """Two categories, a tag, two authors, posts on three dates."""
    news = Category.objects.create(name="News", slug="news")
    art = Category.objects.create(name="Art", slug="art")
    birds = Tag.objects.create(name="Birds", slug="birds")
    first = make_post(
        title="Herons at dawn",
        body='<p>A heron. <img src="/media/2026/03/heron.jpg" alt="A heron" '
        'srcset="/media/2026/03/heron-480.jpg 480w, /media/2026/03/heron.jpg 1200w"> '
        '<a href="/about/">About me</a></p>',
        published_at=datetime(2025, 3, 14, 12, 0, tzinfo=UTC),
    )
    first.categories.add(art)
    first.tags.add(birds)
    second = make_post(
        title="Council budget passed",
        body="<p>The council voted on the moderation of spending.</p>",
        published_at=datetime(2025, 11, 2, 12, 0, tzinfo=UTC),
        author=author,
    )
    second.categories.add(news)
    third = make_post(
        title="Another budget story",
        body="<p>Budget again, and herons again.</p>",
        published_at=datetime(2026, 1, 5, 12, 0, tzinfo=UTC),
    )
    third.categories.add(news)
    make_post(title="A draft about herons", status=Post.Status.DRAFT)
    return {"first": first, "second": second, "third": third, "author": author}


@pytest.mark.parametrize("url", ["/feed/", "/feed/atom/"])
def test_site_feeds_validate_and_hold_absolute_image_addresses(client, world, url):
    response, parsed = _feed(client, url)
    expected_type = "application/atom+xml" if "atom" in url else "application/rss+xml"
    assert response["Content-Type"].startswith(expected_type)
    assert parsed.version == ("atom10" if "atom" in url else "rss20")
    titles = [e.title for e in parsed.entries]
    assert titles == ["Another budget story", "Council budget passed", "Herons at dawn"]
    heron = parsed.entries[2]
    assert heron.link == SITE + world["first"].get_absolute_url()
    html = heron.summary
    assert f'src="{SITE}/media/2026/03/heron.jpg"' in html
    # feedparser drops srcset from what it hands on; the feed itself carries it, absolute.
    raw = response.content.decode()
    assert f"{SITE}/media/2026/03/heron-480.jpg 480w, {SITE}/media/2026/03/heron.jpg 1200w" in raw
    assert " /media/2026/03/heron-480.jpg" not in raw
    assert f'href="{SITE}/about/"' in html
    assert 'src="/media' not in html and 'href="/about' not in html


@pytest.mark.parametrize("kind", ["feed", "atom"])
def test_category_tag_and_author_feeds_hold_only_their_posts(client, world, kind):
    suffix = "feed/" if kind == "feed" else "feed/atom/"
    cases = {
        f"/category/news/{suffix}": ["Another budget story", "Council budget passed"],
        f"/tag/birds/{suffix}": ["Herons at dawn"],
        f"/author/{world['author'].username}/{suffix}": ["Council budget passed"],
    }
    for url, titles in cases.items():
        _, parsed = _feed(client, url)
        assert [e.title for e in parsed.entries] == titles, url
        assert parsed.feed.link.startswith(SITE + "/")
    assert client.get(f"/category/nothing/{suffix}").status_code == 404
    assert client.get(f"/author/nobody/{suffix}").status_code == 404


@pytest.mark.parametrize("url", ["/comments/feed/", "/comments/feed/atom/"])
def test_comment_feeds_validate(client, world, post_comment, url):
    post_comment(world["first"], comment="Lovely herons.", author="Ada")
    Comment.objects.update(status=Comment.Status.APPROVED)
    _, parsed = _feed(client, url)
    assert [e.title for e in parsed.entries] == [f"Comment on {world['first'].title} by Ada"]
    assert "Lovely herons." in parsed.entries[0].summary
    assert parsed.entries[0].link.startswith(SITE + world["first"].get_absolute_url())


def test_pages_announce_their_feeds(client, world):
    home = client.get("/").content.decode()
    assert 'type="application/atom+xml"' in home and 'href="/feed/atom/"' in home
    news = client.get("/category/news/").content.decode()
    assert 'href="/category/news/feed/"' in news and 'href="/category/news/feed/atom/"' in news


def test_date_archives_list_the_posts_of_that_year_month_and_day(client, world):
    def titles(url):
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        return [
            t
            for t in ("Herons at dawn", "Council budget passed", "Another budget story")
            if t in body
        ]

    assert titles("/2025/") == ["Herons at dawn", "Council budget passed"]
    assert titles("/2025/03/") == ["Herons at dawn"]
    assert titles("/2025/03/14/") == ["Herons at dawn"]
    assert titles("/2025/03/15/") == []
    assert titles("/2026/") == ["Another budget story"]
    assert "draft" not in client.get("/2026/").content.decode().lower()
    for impossible in ("/2025/13/", "/2025/02/30/", "/2025/00/"):
        assert client.get(impossible).status_code == 404, impossible


def test_author_archive_lists_their_posts_and_links_from_each_summary(client, world):
    writer = world["author"]
    page = client.get(f"/author/{writer.username}/").content.decode()
    assert "Posts by Wren Writer" in page
    assert "Council budget passed" in page and "Herons at dawn" not in page
    home = client.get("/").content.decode()
    assert f'href="/author/{writer.username}/"' in home
    # People who never published have no archive (no list of accounts to walk through).
    assert client.get("/author/nobody/").status_code == 404


def test_search_finds_live_posts_by_their_words_best_first(client, world):
    page = client.get("/search/", {"q": "budget"}).content.decode()
    assert "Council budget passed" in page and "Another budget story" in page
    assert "Herons at dawn" not in page

    page = client.get("/search/", {"q": "herons"}).content.decode()
    # The title's words weigh more than the body's; drafts are never found.
    assert page.index("Herons at dawn") < page.index("Another budget story")
    assert "A draft about herons" not in page

    # Every word must be there; the start of a word finds the word.
    page = client.get("/search/", {"q": "moder council"}).content.decode()
    assert "Council budget passed" in page and "Another budget story" not in page

    # A post edited after being indexed is found by its new words only.
    Post.objects.filter(pk=world["first"].pk).update(body="<p>Egrets now.</p>")
    post = Post.objects.get(pk=world["first"].pk)
    post.title = "Egrets at dusk"
    post.save()
    assert "Egrets at dusk" in client.get("/search/", {"q": "egrets"}).content.decode()
    assert "Egrets at dusk" not in client.get("/search/", {"q": "heron"}).content.decode()


def test_search_finds_the_words_a_reblog_quotes(client, make_post):
    make_post(
        title="Worth reading",
        body="<p>My note.</p>",
        reblog_url="https://elsewhere.example/article/",
        reblog_title="An article",
        reblog_site="elsewhere",
        reblog_excerpt="<p>Cormorants dive deeper than most birds […]</p>",
    )
    assert "Worth reading" in client.get("/search/", {"q": "cormorants"}).content.decode()


def test_search_uses_the_databases_full_text_index(world):
    """SQLite answers from its FTS5 table; PostgreSQL can answer from the GIN index."""
    from salon.publishing.search import PG_COLUMN

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT rowid FROM publishing_post_search WHERE publishing_post_search MATCH ?",
                ['"heron"*'],
            )
            assert {row[0] for row in cursor.fetchall()} >= {world["first"].pk}
        else:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(
                f"EXPLAIN SELECT id FROM publishing_post WHERE {PG_COLUMN}"
                " @@ to_tsquery('simple'::regconfig, 'heron:*')"
            )
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert "publishing_post_search_gin" in plan, plan


def test_search_takes_any_text_as_words(client, world):
    for query in ('"unbalanced', "NEAR(a b)", "budget OR *", "a:b", "-budget", "'); DROP"):
        response = client.get("/search/", {"q": query})
        assert response.status_code == 200, query
    assert "No post matches" in client.get("/search/", {"q": "zzzqqq"}).content.decode()


def test_search_refuses_an_overlong_query_with_a_message(client, world):
    response = client.get("/search/", {"q": "x" * 201})
    assert response.status_code == 400
    assert "at most 200 characters" in response.content.decode()


def test_search_results_page_keeps_the_words_on_the_next_page(client, make_post, settings):
    settings.SALON = {**settings.SALON, "POSTS_PER_PAGE": 2}
    for n in range(3):
        make_post(title=f"Kestrel sighting {n}")
    page = client.get("/search/", {"q": "kestrel"}).content.decode()
    assert 'href="?q=kestrel&amp;page=2"' in page
    page_two = client.get("/search/", {"q": "kestrel", "page": 2}).content.decode()
    assert page_two.count('rel="bookmark">Kestrel sighting') == 1


def test_the_header_search_form_works_without_scripts(client, world):
    home = client.get("/").content.decode()
    assert '<form class="search-form" role="search" method="get" action="/search/">' in home
    assert 'name="q"' in home


@pytest.mark.parametrize(
    "url", ["/", "/category/news/", "/author/{author}/", "/2025/", "/search/?q=budget"]
)
def test_list_pages_cost_the_same_queries_for_one_post_as_for_many(client, make_post, author, url):
    news = Category.objects.create(name="News", slug="news")
    tag = Tag.objects.create(name="Budget", slug="budget")

    def add(n):
        for _ in range(n):
            post = make_post(
                title="Budget post",
                author=author,
                published_at=datetime(2025, 6, 1, tzinfo=UTC),
            )
            post.categories.add(news)
            post.tags.add(tag)

    url = url.format(author=author.username)
    add(1)
    client.get(url)  # warm the caches
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    add(7)
    with CaptureQueriesContext(connection) as eight:
        assert client.get(url).status_code == 200
    assert len(eight) == len(one), url


def test_sitemap_lists_live_posts_pages_and_archives_with_absolute_addresses(
    client, world, make_post
):
    make_post(title="About", slug="about", kind=Post.Kind.PAGE)
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = {loc.text for loc in ElementTree.fromstring(response.content).findall("s:url/s:loc", ns)}
    assert SITE + "/" in locs
    assert SITE + world["first"].get_absolute_url() in locs
    assert SITE + "/about/" in locs
    assert {SITE + "/category/news/", SITE + "/category/art/", SITE + "/tag/birds/"} <= locs
    assert SITE + f"/author/{world['author'].username}/" in locs
    assert not any("draft" in loc for loc in locs)


def test_robots_txt_keeps_crawlers_out_of_the_administration_and_names_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert "User-agent: *" in lines
    assert "Disallow: /admin/" in lines
    assert f"Sitemap: {SITE}/sitemap.xml" in lines


def test_favicon_is_a_real_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    icon = client.get(response["Location"])
    assert icon.status_code == 200
    data = b"".join(icon.streaming_content) if icon.streaming else icon.content
    assert data[:4] == b"\x00\x00\x01\x00"  # the ICO format's signature
    assert 'rel="icon"' in client.get("/").content.decode()


def test_a_missing_page_is_a_404_in_the_sites_own_theme(client, settings):
    settings.DEBUG = False
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "This page isn’t here" in page
    assert 'class="site-header"' in page and 'action="/search/"' in page


def test_a_failing_page_is_a_500_in_the_sites_own_theme(settings):
    from django.template import loader

    page = loader.get_template("500.html").render({})
    assert "Something went wrong" in page and 'class="site-header"' in page


def test_search_does_not_tell_what_a_protected_post_holds(client, make_post):
    make_post(title="Open notes", body="<p>Herons nest in colonies.</p>")
    make_post(title="Family matters", body="<p>Herons and our secret plans.</p>", password="x")
    page = client.get("/search/", {"q": "herons"}).content.decode()
    assert "Open notes" in page
    assert "Family matters" not in page
    assert "Family matters" not in client.get("/search/", {"q": "secret"}).content.decode()
