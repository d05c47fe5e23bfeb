"""Reblogging from a URL: `salon reblog URL` and the admin's "Reblog from URL".

The articles are served by a real HTTP server on loopback (tests/data/articles, written for
these tests); Salon is allowed to fetch loopback only where a test says so.
"""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from salon.publishing.fetching import FetchError, address_allowed, fetch
from salon.publishing.models import Media, Post
from tests.mentions import article_server
from tests.mentions.article_server import article, png

# The loopback web site and the "allow private addresses" switch, shared with tests/mentions.
other_site = article_server.other_site
allow_loopback = article_server.allow_loopback

pytestmark = pytest.mark.django_db

TURKEY = "/2019/07/13/is-turkey-now-officially-an-ally-of-russia/"
TURKEY_TITLE = (
    "Is Turkey Now “Officially” an Ally of Russia? Acquires Russia’s S-400 making Exit from "
    "NATO Imminent?"
)


def words_of(html: str) -> list[str]:
    text = re.sub(r"<[^>]+>", " ", html).replace("[…]", " ")
    return text.split()


def serve_turkey(site) -> str:
    site.page("/wp-content/uploads/2019/07/s-400-ankara.png", png(), content_type="image/png")
    return site.page(TURKEY, article("blogfactory-turkey-s400.html"))


def reblog(*args: str) -> str:
    out = StringIO()
    call_command("reblog", *args, stdout=out)
    return out.getvalue()


def test_reblog_makes_a_draft_that_quotes_and_credits_the_article(
    owner, other_site, allow_loopback, client
):
    url = serve_turkey(other_site)

    output = reblog(url, "--note", "Read this.\n\nThen read it again.")

    post = Post.objects.get()
    assert post.status == Post.Status.DRAFT
    assert post.author == owner
    assert post.title == TURKEY_TITLE
    assert post.reblog_title == TURKEY_TITLE
    assert post.reblog_site == "blogfactory"
    assert post.reblog_url == url
    assert post.body == "<p>Read this.</p>\n<p>Then read it again.</p>"
    # WordPress's excerpt: the first 55 words, closed with "[…]" inside the last paragraph.
    assert len(words_of(post.reblog_excerpt)) == 55
    assert post.reblog_excerpt.startswith("<p>Turkey is taking delivery of Russia’s S 400")
    assert post.reblog_excerpt.endswith("“over […]</p>")
    # The lead image is copied to the site's own media, not hot-linked.
    media = Media.objects.get()
    assert f'src="{media.url}"' in post.reblog_excerpt
    assert media.file.read() == png()

    assert "via " + TURKEY_TITLE + " — © blogfactory" in output
    assert "by Michel Chossudovsky" in output
    assert "published 2019-07-13" in output

    client.force_login(owner)
    page = client.get(post.get_absolute_url()).content.decode()
    assert f'via <a href="{url}" rel="external">{TURKEY_TITLE}</a> — © blogfactory' in page
    assert "[…]</p>" in page


def test_words_sets_the_excerpt_length(owner, other_site, allow_loopback):
    reblog(serve_turkey(other_site), "--words", "12")
    excerpt = Post.objects.get().reblog_excerpt
    assert words_of(excerpt) == (
        "Turkey is taking delivery of Russia’s S 400 missile defence system. What".split()
    )


def test_site_name_and_author_from_json_ld(owner, other_site, allow_loopback):
    url = other_site.page(
        "/news/2026/11/20/island-ferry-crews-vote-to-strike",
        article("harbour-courier-ferry-strike.html"),
    )
    output = reblog(url)
    post = Post.objects.get()
    assert post.title == "Island ferry crews vote to strike over winter timetable"
    assert post.reblog_site == "The Harbour Courier"
    # The headline is not repeated as the excerpt's first words.
    assert post.reblog_excerpt.startswith("<p>Ferry crews on the three island routes")
    assert "by Morag Finlay" in output
    # The lead image could not be fetched (404 here): the reblog goes on without it.
    assert "<img" not in post.reblog_excerpt


def test_an_old_page_without_metadata_in_latin_1(owner, other_site, allow_loopback):
    url = other_site.page(
        "/2025/09/03/starter/",
        article("quiet-notes-sourdough.html"),
        content_type="text/html",  # no charset: the page's <meta> says ISO-8859-1
    )
    reblog(url, "--words", "60")
    post = Post.objects.get()
    assert post.title == "A starter that survived the summer"
    assert post.reblog_site == "Quiet Notes"
    assert "Café owners" in post.reblog_excerpt


def test_redirects_are_followed_and_the_final_address_credited(owner, other_site, allow_loopback):
    final = serve_turkey(other_site)
    moved = other_site.page("/?p=4821", b"", status=301, headers={"Location": TURKEY})
    reblog(moved)
    assert Post.objects.get().reblog_url == final


def test_loopback_is_refused_unless_the_owner_allows_it(owner, other_site):
    url = serve_turkey(other_site)
    with pytest.raises(CommandError, match="private, loopback or reserved network address"):
        reblog(url)
    assert not Post.objects.exists()
    assert not other_site.requests  # not even one request reached it


def test_private_and_special_addresses_are_refused():
    for address in (
        "127.0.0.1",
        "10.1.2.3",
        "192.168.0.10",
        "172.16.5.4",
        "169.254.169.254",
        "100.64.0.1",
        "::1",
        "fe80::1",
        "fd00::1",
        "::ffff:127.0.0.1",
        "0.0.0.0",
    ):
        assert not address_allowed(address, allow_private=False), address
    assert address_allowed("93.184.216.34", allow_private=False)
    assert address_allowed("2606:4700::1111", allow_private=False)
    assert address_allowed("192.168.0.10", allow_private=True)
    assert not address_allowed("0.0.0.0", allow_private=True)


# IPv6 forms that carry an IPv4 address are judged as that address.
CARRIED_PRIVATE = {
    "IPv4-compatible loopback": "::127.0.0.1",
    "IPv4-compatible cloud metadata": "::169.254.169.254",
    "NAT64 loopback": "64:ff9b::7f00:1",
    "NAT64 private": "64:ff9b::c0a8:1",
    "6to4 loopback": "2002:7f00:1::1",
    "6to4 private": "2002:a00:1::",
    "Teredo, loopback client": "2001:0:4136:e378:8000:63bf:80ff:fffe",
    "Teredo, private server": "2001:0:c0a8:1:8000:63bf:f7f7:f7f7",
}
CARRIED_PUBLIC = {
    "IPv4-compatible public": "::93.184.216.34",
    "NAT64 public": "64:ff9b::5db8:d822",
    "6to4 public": "2002:5db8:d822::1",
    "Teredo, public server and client": "2001:0:4136:e378:8000:63bf:a247:27dd",
}


@pytest.mark.parametrize("address", CARRIED_PRIVATE.values(), ids=CARRIED_PRIVATE.keys())
def test_ipv6_forms_carrying_a_private_ipv4_address_are_refused(address, settings):
    assert not address_allowed(address, allow_private=False)
    assert address_allowed(address, allow_private=True)
    # The whole fetch stops before connecting, with the reason.
    with pytest.raises(FetchError, match="private, loopback or reserved network address"):
        fetch(f"http://[{address}]:8000/")


@pytest.mark.parametrize("address", CARRIED_PUBLIC.values(), ids=CARRIED_PUBLIC.keys())
def test_ipv6_forms_carrying_a_public_ipv4_address_are_allowed(address):
    assert address_allowed(address, allow_private=False)


def test_an_ipv6_form_carrying_the_unspecified_address_is_refused_even_when_allowed():
    assert not address_allowed("::ffff:0.0.0.0", allow_private=True)
    assert not address_allowed("64:ff9b::", allow_private=True)


@pytest.mark.parametrize(
    ("page", "message"),
    [
        ({"body": b"<h1>Gone</h1>", "status": 404}, "answered 404 Not Found"),
        ({"body": b"%PDF-1.4 ...", "content_type": "application/pdf"}, "not a web page"),
        ({"body": b"<html><body></body></html>"}, "No article text could be found"),
        ({"body": b"<p>x</p>" * 40_000}, "larger than"),
        ({"body": b"<p>x</p>" * 40_000, "length": False}, "larger than"),
        ({"body": b"<p>late</p>", "delay": 3}, "did not answer in time"),
    ],
    ids=["404", "pdf", "empty", "oversize", "oversize-without-length", "timeout"],
)
def test_pages_that_cannot_be_reblogged_give_a_clear_error(
    owner, other_site, allow_loopback, page, message
):
    allow_loopback.SALON = {
        **allow_loopback.SALON,
        "REBLOG_MAX_BYTES": 100_000,
        "REBLOG_TIMEOUT": 1,
    }
    url = other_site.page("/article/", **page)
    with pytest.raises(CommandError, match=message):
        reblog(url)
    assert not Post.objects.exists()


def test_only_web_addresses(owner):
    with pytest.raises(CommandError, match="Only http:// and https://"):
        reblog("file:///etc/passwd")
    with pytest.raises(CommandError, match="Only http:// and https://"):
        reblog("ftp://example.org/article")


def test_reblog_from_url_in_the_admin(owner, other_site, allow_loopback, client):
    url = serve_turkey(other_site)
    client.force_login(owner)

    changelist = client.get("/admin/publishing/post/").content.decode()
    assert 'href="/admin/publishing/post/reblog/"' in changelist
    assert "Reblog from URL" in changelist

    form = client.get("/admin/publishing/post/reblog/")
    assert form.status_code == 200

    response = client.post(
        "/admin/publishing/post/reblog/", {"url": url, "note": "Worth reading.", "words": "30"}
    )
    post = Post.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/admin/publishing/post/{post.pk}/change/"
    assert post.status == Post.Status.DRAFT
    assert post.body == "<p>Worth reading.</p>"
    assert len(words_of(post.reblog_excerpt)) == 30
    shown = client.get(response["Location"]).content.decode()
    assert "Draft created from" in shown


def test_admin_says_why_a_page_cannot_be_reblogged(owner, other_site, allow_loopback, client):
    client.force_login(owner)
    response = client.post(
        "/admin/publishing/post/reblog/", {"url": other_site.url("/missing/"), "words": "55"}
    )
    assert response.status_code == 200
    assert "answered 404 Not Found" in response.content.decode()
    assert not Post.objects.exists()


def test_reblog_needs_an_author(other_site, allow_loopback):
    with pytest.raises(CommandError, match="no administrator"):
        reblog(serve_turkey(other_site))
