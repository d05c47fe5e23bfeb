"""New readers get the post page from the cache: the same page, with their own CSRF token,
and never a stale one or someone else's. (The suite runs with the page cache on; the checks
through `salon serve` with several workers and Redis are in test_page_cache_served.py.)"""

from __future__ import annotations

import gzip
import re
import zlib

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from salon.discussion.models import Comment, DiscussionSettings
from salon.publishing import page_cache
from salon.publishing.models import Category, Tag

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="(csrfmiddlewaretoken|shown)" value="([^"]*)"')


def _without_tokens(html: str) -> str:
    return TOKEN.sub(lambda m: f'name="{m.group(1)}" value="…"', html)


def _token(html: str) -> str:
    return TOKEN.search(html).group(2)


@pytest.fixture
def discussed(post, post_comment):
    post_comment(post, author="First Reader", comment="The first remark.")
    post_comment(post, author="Second Reader", comment="A second remark.")
    return post


def test_a_stored_page_is_the_page_a_render_shows_but_for_the_reader_s_token(
    discussed, settings, django_assert_num_queries
):
    url = discussed.get_absolute_url()
    first = Client().get(url)  # rendered, and stored
    with django_assert_num_queries(1):  # from the store: one query checks it is still true
        second = Client().get(url)
    settings.SALON = {**settings.SALON, "PAGE_CACHE": "off"}
    rendered = Client().get(url)
    assert second.status_code == 200
    assert _without_tokens(second.content.decode()) == _without_tokens(rendered.content.decode())
    assert _without_tokens(first.content.decode()) == _without_tokens(rendered.content.decode())
    assert _token(first.content.decode()) != _token(second.content.decode())
    for header in ("Content-Type", "Vary", "Cache-Control", "Link", "X-Pingback"):
        assert second[header] == rendered[header], header
    assert second["Cache-Control"] == "private, no-cache"
    assert {"Cookie", "Accept", "Accept-Language"} <= {v.strip() for v in second["Vary"].split(",")}


def test_a_browser_accepting_gzip_gets_the_stored_page_compressed_and_whole(
    discussed, settings, comment_form
):
    url = discussed.get_absolute_url()
    browser = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}
    first = Client().get(url, **browser)  # rendered, compressed on the way out, and stored
    reader = Client(enforce_csrf_checks=True)
    second = reader.get(url, **browser)  # from the store
    settings.SALON = {**settings.SALON, "PAGE_CACHE": "off"}
    rendered = Client().get(url).content.decode()
    for response in (first, second):
        assert response["Content-Encoding"] == "gzip"
        assert "Accept-Encoding" in response["Vary"]
        assert int(response["Content-Length"]) == len(response.content)
        assert len(response.content) < len(rendered) / 2
        page = gzip.decompress(response.content).decode()
        assert _without_tokens(page) == _without_tokens(rendered)
        # zlib checks the deflate stream, the CRC-32 and the length on its own too.
        assert zlib.decompress(response.content, 16 + zlib.MAX_WBITS).decode() == page
    # The token in the compressed page is this reader's own: their comment goes through.
    token = _token(gzip.decompress(second.content).decode())
    answer = reader.post(
        "/comments/post/",
        {**comment_form(discussed), "csrfmiddlewaretoken": token},
        REMOTE_ADDR="198.51.100.7",
    )
    assert answer.status_code == 302, answer.content[:300]
    # The file-name field (hiding the length against BREACH) varies from answer to answer.
    lengths = {len(reader.get(url, **browser).content) for _ in range(8)}
    assert len(lengths) > 1


def test_each_new_reader_s_form_works_with_their_own_token(discussed, comment_form):
    url = discussed.get_absolute_url()
    Client().get(url)  # stored
    for n in range(2):
        reader = Client(enforce_csrf_checks=True)
        page = reader.get(url).content.decode()
        answer = reader.post(
            "/comments/post/",
            {**comment_form(discussed), "csrfmiddlewaretoken": _token(page)},
            REMOTE_ADDR=f"198.51.100.{n + 1}",
        )
        assert answer.status_code == 302, answer.content[:300]
    stranger = Client(enforce_csrf_checks=True)
    stranger.get(url)
    answer = stranger.post(
        "/comments/post/",
        {**comment_form(discussed), "csrfmiddlewaretoken": "x" * 64},
        REMOTE_ADDR="198.51.100.9",
    )
    assert answer.status_code == 403


def test_the_form_s_shown_time_is_made_for_each_reader(discussed):
    url = discussed.get_absolute_url()
    shown = set()
    for _ in range(3):
        html = Client().get(url).content.decode()
        shown.add(re.search(r'name="shown" value="([^"]+)"', html).group(1))
    assert len(shown) == 3


def test_a_new_comment_approved_shows_at_once(discussed, post_comment, owner):
    url = discussed.get_absolute_url()
    settings_row = DiscussionSettings.current()
    settings_row.hold_all = True
    settings_row.save()
    post_comment(discussed, author="Held Reader", comment="Wait for it.")
    assert "Wait for it." not in Client().get(url).content.decode()
    from salon.discussion.moderation import moderate

    moderate(Comment.objects.filter(author_name="Held Reader"), Comment.Status.APPROVED, owner)
    page = Client().get(url).content.decode()
    assert "Wait for it." in page
    assert "3 thoughts on" in page


def test_a_category_renamed_shows_at_once(discussed):
    category = Category.objects.create(name="Politics", slug="politics")
    discussed.categories.add(category)
    url = discussed.get_absolute_url()
    assert ">Politics</a>" in Client().get(url).content.decode()
    category.name = "World affairs"
    category.save()
    assert ">World affairs</a>" in Client().get(url).content.decode()
    discussed.categories.remove(category)
    assert ">World affairs</a>" not in Client().get(url).content.decode()


def test_the_post_s_like_count_shows_at_once(discussed):
    url = discussed.get_absolute_url()
    Client().get(url)
    liker = Client()
    liker.post("/likes/", {"post": discussed.pk})
    assert "Liked by 1 person" in Client().get(url).content.decode()
    assert 'aria-pressed="true"' in liker.get(url).content.decode()
    assert 'aria-pressed="true"' not in Client().get(url).content.decode()


def test_readers_with_their_own_page_are_never_served_the_stored_one(
    discussed, post_comment, client
):
    url = discussed.get_absolute_url()
    Client().get(url)  # the new readers' page is stored
    settings_row = DiscussionSettings.current()
    settings_row.hold_all = True
    settings_row.save()
    author = Client()
    post_comment(discussed, using=author, author="Held Reader", comment="My own held words.")
    assert "My own held words." in author.get(url).content.decode()
    assert "awaiting moderation" in author.get(url).content.decode()
    assert "My own held words." not in Client().get(url).content.decode()

    get_user_model().objects.create_user("member", "member@example.org", "pw-member-1")
    member = Client()
    assert member.login(username="member", password="pw-member-1")
    assert 'class="logged-in-as' in member.get(url).content.decode()
    assert 'class="logged-in-as' not in Client().get(url).content.decode()


def test_activity_json_query_strings_and_other_cookies_are_not_served_from_the_store(discussed):
    url = discussed.get_absolute_url()
    Client().get(url)
    article = Client().get(url, HTTP_ACCEPT="application/activity+json")
    assert article["Content-Type"].startswith("application/activity+json")
    reply = Client().get(url, {"replytocom": discussed.comments.first().pk})
    assert "Leave a Reply to" in reply.content.decode()
    assert 'id="cancel-comment-reply-link" href' in reply.content.decode()


def test_a_missing_post_is_never_stored(make_post):
    draft = make_post(title="Not yet", status="draft")
    assert Client().get(draft.get_absolute_url()).status_code == 404
    assert Client().get(draft.get_absolute_url()).status_code == 404


def test_a_restart_with_another_site_name_serves_no_old_page(discussed, settings):
    url = discussed.get_absolute_url()
    assert "Salon" in Client().get(url).content.decode()
    settings.SITE_NAME = "The Renamed Blog"
    assert "The Renamed Blog" in Client().get(url).content.decode()


def test_new_code_under_the_same_version_serves_no_old_page(tmp_path):
    # An upgrade to a later commit keeps the version number: its code and templates still
    # name other stored pages and threads than the old code's.
    (tmp_path / "templates").mkdir()
    template = tmp_path / "templates" / "post.html"
    template.write_text("<h1>{{ post.title }}</h1>")
    (tmp_path / "views.py").write_text("def post(request): ...\n")
    (tmp_path / "logo.png").write_bytes(b"\x89PNG")
    before = page_cache.code_digest(tmp_path)
    assert page_cache.code_digest(tmp_path) == before

    (tmp_path / "logo.png").write_bytes(b"\x89PNG, another picture")
    assert page_cache.code_digest(tmp_path) == before  # not code: static files are hashed

    template.write_text("<h1 class=entry-title>{{ post.title }}</h1>")
    assert page_cache.code_digest(tmp_path) != before


def test_a_known_reader_sees_every_change_to_the_parts_all_readers_share(
    discussed, django_user_model, owner, settings
):
    """The post's header, body and tags and the site's header and footer are kept for every
    reader, logged-in ones too: an edit, a renamed author or tag, a post taken down or a new
    site name shows at once."""
    reader = Client()
    reader.force_login(django_user_model.objects.create_user("reader", "reader@example.net"))
    url = discussed.get_absolute_url()
    tag = Tag.objects.create(name="Gardening", slug="gardening")
    discussed.tags.add(tag)
    first = reader.get(url).content.decode()
    assert ">Gardening</a>" in first
    discussed.body = "<p>A second draft of the argument.</p>"
    discussed.save()
    assert "A second draft of the argument." in reader.get(url).content.decode()
    tag.name = "Allotments"
    tag.save()
    assert ">Allotments</a>" in reader.get(url).content.decode()
    discussed.author.first_name, discussed.author.last_name = "Renamed", "Author"
    discussed.author.save()
    assert ">Renamed Author</a>" in reader.get(url).content.decode()
    settings.SITE_TAGLINE = "A tagline set since"
    assert "A tagline set since" in reader.get(url).content.decode()
    staff = Client()
    staff.force_login(owner)
    assert "(Draft)" not in staff.get(url).content.decode()
    discussed.status = discussed.Status.DRAFT
    discussed.save()
    assert "(Draft)" in staff.get(url).content.decode()
    assert reader.get(url).status_code == 404


def test_a_stored_parts_crc_carries_any_earlier_crc_as_reading_it_would():
    """The compressed page's CRC-32 is worked out from each stored part's own; a wrong one
    makes every browser reject the page."""
    import random

    from salon.publishing.page_cache import _part_crc

    chance = random.Random(19)
    for size in (0, 1, 7, 4096, 70_000):
        part = chance.randbytes(size)
        stored = _part_crc(part)
        for earlier in (0, 1, 0xFFFFFFFF, *(chance.getrandbits(32) for _ in range(20))):
            assert stored.after(earlier) == zlib.crc32(part, earlier)
