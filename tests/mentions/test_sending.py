"""Sending Webmentions and pingbacks for published posts (`salon send_mentions`).

The linked pages and their endpoints are served by a real HTTP server on loopback, which
records what Salon sent to it.
"""

from __future__ import annotations

import xmlrpc.client
from datetime import timedelta
from io import StringIO
from urllib.parse import parse_qs

import pytest
from django.core.management import call_command
from django.utils import timezone

from salon.mentions.models import SentMention
from salon.mentions.sending import discover, source_url
from salon.publishing.models import Post

pytestmark = pytest.mark.django_db

PINGBACK_OK = xmlrpc.client.dumps(("Pingback registered.",), methodresponse=True)


def linked_page(head: str = "", body: str = "") -> str:
    return f"<!doctype html><html><head><title>Their page</title>{head}</head><body>{body}<p>Text.</p></body></html>"


def send() -> str:
    out = StringIO()
    call_command("send_mentions", stdout=out)
    return out.getvalue()


def form_of(request) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(request.body.decode()).items()}


def test_publishing_a_post_sends_a_webmention_to_the_page_it_links(
    make_post, other_site, allow_loopback
):
    target = other_site.page(
        "/their/post/", linked_page(), headers={"Link": '</endpoint?token=1>; rel="webmention"'}
    )
    other_site.page("/endpoint?token=1", "Accepted", status=202, content_type="text/plain")
    post = make_post(
        body=f'<p>As <a href="{target}">they wrote</a>, and <a href="mailto:x@y.org">mail</a>.</p>',
        published_at=timezone.now() - timedelta(minutes=5),
    )

    assert "Notified 1 linked page" in send()

    (request,) = other_site.posts_to("/endpoint?token=1")
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert form_of(request) == {"source": source_url(post), "target": target}
    sent = SentMention.objects.get()
    assert (sent.outcome, sent.protocol, sent.endpoint) == (
        "sent",
        "webmention",
        other_site.url("/endpoint?token=1"),
    )
    assert sent.detail.startswith("202 Accepted")

    # Nothing changed: nothing is sent again.
    assert "Notified 0" in send()
    assert len(other_site.posts_to("/endpoint?token=1")) == 1

    # An edit sends again, to the links it has now and to those it no longer has.
    other = other_site.page(
        "/other/", linked_page(), headers={"Link": '</endpoint?token=1>; rel="webmention"'}
    )
    post.body = f'<p>Now <a href="{other}">this</a> instead.</p>'
    post.save()
    send()
    targets = [form_of(r)["target"] for r in other_site.posts_to("/endpoint?token=1")]
    assert targets == [target, other, target]


def test_a_reblog_notifies_the_reblogged_article(make_post, other_site, allow_loopback):
    target = other_site.page("/article/", linked_page('<link rel="webmention" href="/wm">'))
    other_site.page("/wm", "", status=201, content_type="text/plain")
    make_post(
        reblog_url=target,
        reblog_title="Their article",
        reblog_site="Them",
        reblog_excerpt="<p>Quoted words</p>",
        published_at=timezone.now(),
    )
    send()
    assert form_of(other_site.posts_to("/wm")[0])["target"] == target


def test_falls_back_to_pingback(make_post, other_site, allow_loopback):
    target = other_site.page(
        "/old-blog/post/", linked_page(), headers={"X-Pingback": other_site.url("/xmlrpc.php")}
    )
    other_site.page("/xmlrpc.php", PINGBACK_OK, content_type="text/xml")
    post = make_post(body=f'<p><a href="{target}">An old blog</a></p>', published_at=timezone.now())

    send()

    (request,) = other_site.posts_to("/xmlrpc.php")
    params, method = xmlrpc.client.loads(request.body)
    assert method == "pingback.ping"
    assert params == (source_url(post), target)
    sent = SentMention.objects.get()
    assert (sent.outcome, sent.protocol, sent.detail) == (
        "sent",
        "pingback",
        "Pingback registered.",
    )


def test_a_pingback_fault_is_recorded_as_a_failure(make_post, other_site, allow_loopback):
    target = other_site.page(
        "/p/", linked_page(f'<link rel="pingback" href="{other_site.url("/rpc")}">')
    )
    fault = xmlrpc.client.dumps(
        xmlrpc.client.Fault(17, "The source does not link."), methodresponse=True
    )
    other_site.page("/rpc", fault, content_type="text/xml")
    make_post(body=f'<a href="{target}">x</a>', published_at=timezone.now())
    send()
    sent = SentMention.objects.get()
    assert (sent.outcome, sent.detail) == ("failed", "fault 17: The source does not link.")


def test_pages_without_an_endpoint_and_missing_pages_are_recorded(
    make_post, other_site, allow_loopback
):
    plain = other_site.page("/plain/", linked_page())
    make_post(
        body=f'<a href="{plain}">x</a> <a href="{other_site.url("/404/")}">y</a>',
        published_at=timezone.now(),
    )
    send()
    outcomes = dict(SentMention.objects.values_list("target", "outcome"))
    assert outcomes == {plain: "none", other_site.url("/404/"): "failed"}


@pytest.mark.parametrize(
    ("head", "body", "headers", "endpoint"),
    [
        # The HTTP Link header wins over the page's markup.
        (
            "<link rel='webmention' href='/from-html'>",
            "",
            {"Link": '<https://wm.example/h>; rel="webmention"'},
            "https://wm.example/h",
        ),
        # rel is a list of words; other Link values come first.
        (
            "",
            "",
            {"Link": '<https://a.example/css>; rel="stylesheet", <hdr>; rel="other webmention"'},
            "/their/hdr",
        ),
        # In the page, the first <link> or <a> in document order wins.
        (
            "",
            '<a rel="webmention" href="a-first">a</a><link rel="webmention" href="/second">',
            {},
            "/their/a-first",
        ),
        ("<link rel='webmention' href='../up?x=1'>", "", {}, "/up?x=1"),
        # An empty href means the page itself.
        ("<link rel='webmention' href=''>", "", {}, "/their/page"),
        # A link inside an HTML comment is no link.
        (
            "<!-- <link rel='webmention' href='/commented'> -->",
            "<a rel='webmention' href='/real'>r</a>",
            {},
            "/real",
        ),
    ],
    ids=["header-first", "header-rel-list", "document-order", "relative", "empty", "comment"],
)
def test_webmention_endpoint_discovery(other_site, allow_loopback, head, body, headers, endpoint):
    target = other_site.page("/their/page", linked_page(head, body), headers=headers)
    found = discover(target)
    assert found.protocol == "webmention"
    expected = endpoint if endpoint.startswith("https://") else other_site.url(endpoint)
    assert found.url == expected


def test_discovery_follows_redirects_before_resolving(other_site, allow_loopback):
    other_site.page("/moved", "", status=302, headers={"Location": "/new/home/page"})
    other_site.page("/new/home/page", linked_page("<link rel='webmention' href='wm'>"))
    assert discover(other_site.url("/moved")).url == other_site.url("/new/home/wm")


def test_old_posts_are_recorded_without_notifying_anyone(make_post, other_site, allow_loopback):
    # Imports and the demo: a post published long before Salon first saw it.
    target = other_site.page("/t/", linked_page("<link rel='webmention' href='/wm'>"))
    other_site.page("/wm", "", status=202)
    old = make_post(
        body=f'<a href="{target}">x</a>', published_at=timezone.now() - timedelta(days=400)
    )
    send()
    assert not other_site.requests
    # Its author edits it later: that is news, and it is sent.
    old.body += "<p>Update.</p>"
    old.save()
    send()
    assert len(other_site.posts_to("/wm")) == 1


def test_a_scheduled_post_is_announced_when_it_goes_live(make_post, other_site, allow_loopback):
    target = other_site.page("/t/", linked_page("<link rel='webmention' href='/wm'>"))
    other_site.page("/wm", "", status=202)
    post = make_post(
        body=f'<a href="{target}">x</a>', published_at=timezone.now() + timedelta(hours=1)
    )
    assert post.status == Post.Status.SCHEDULED
    send()
    assert not other_site.requests
    # Its time comes (as the clock would move it, without saving the post).
    Post.objects.filter(pk=post.pk).update(published_at=timezone.now() - timedelta(seconds=1))
    send()
    assert len(other_site.posts_to("/wm")) == 1


def test_drafts_own_links_and_reserved_names_are_not_notified(
    make_post, other_site, allow_loopback, settings
):
    target = other_site.page("/t/", linked_page("<link rel='webmention' href='/wm'>"))
    make_post(status=Post.Status.DRAFT, body=f'<a href="{target}">x</a>')
    make_post(
        body=(
            f'<a href="{settings.SITE_URL}/2020/01/01/mine/">my own post</a>'
            '<a href="https://blogfactory.example/a/">reserved name</a>'
            '<a href="/relative/">relative, so mine too</a>'
        ),
        published_at=timezone.now(),
    )
    assert "Notified 0" in send()
    assert not other_site.requests


def test_a_conversation_under_another_sites_page_is_not_a_post_to_announce(make_post):
    from salon.mentions.models import PostLinks
    from salon.mentions.sending import due_posts

    make_post(
        kind=Post.Kind.ELSEWHERE,
        external_url="https://static.example/notes/",
        body="",
        published_at=timezone.now(),
    )
    assert not due_posts().exists()
    send()
    assert not PostLinks.objects.exists()


def test_private_targets_are_not_contacted_unless_allowed(make_post, other_site):
    target = other_site.page("/t/", linked_page("<link rel='webmention' href='/wm'>"))
    make_post(body=f'<a href="{target}">x</a>', published_at=timezone.now())
    send()
    assert not other_site.requests
    sent = SentMention.objects.get()
    assert sent.outcome == "failed"
    assert "private, loopback or reserved" in sent.detail


def test_a_site_that_is_away_is_tried_again_later_and_a_refusal_is_not(
    make_post, other_site, allow_loopback
):
    webmention = {"Link": '</endpoint>; rel="webmention"'}
    away = other_site.page("/away/", linked_page(), headers=webmention)
    refusing = other_site.page(
        "/refusing/", linked_page(), headers={"Link": '</no>; rel="webmention"'}
    )
    other_site.page("/endpoint", "Maintenance", status=503, content_type="text/plain")
    other_site.page("/no", "Source does not link here", status=400, content_type="text/plain")
    make_post(
        body=f'<a href="{away}">a</a> <a href="{refusing}">b</a>',
        published_at=timezone.now() - timedelta(minutes=5),
    )
    started = timezone.now()
    send()
    failed = SentMention.objects.get(target=away)
    assert (failed.outcome, failed.attempts) == ("failed", 1)
    assert failed.detail.startswith("503 Service Unavailable")
    assert timedelta(minutes=9) < failed.retry_at - started < timedelta(minutes=11)
    refused = SentMention.objects.get(target=refusing)
    assert (refused.outcome, refused.attempts, refused.retry_at) == ("failed", 0, None)

    # Not yet due: nothing is sent again.
    send()
    assert len(other_site.posts_to("/endpoint")) == 1

    # Still away when it is due: the next delay is longer.
    SentMention.objects.filter(pk=failed.pk).update(retry_at=timezone.now())
    send()
    failed.refresh_from_db()
    assert failed.attempts == 2
    assert failed.retry_at - timezone.now() > timedelta(minutes=50)

    # Back: the mention goes through and is not tried again.
    other_site.page("/endpoint", "Accepted", status=202, content_type="text/plain")
    SentMention.objects.filter(pk=failed.pk).update(retry_at=timezone.now())
    assert "Notified 1 linked page" in send()
    failed.refresh_from_db()
    assert (failed.outcome, failed.attempts, failed.retry_at) == ("sent", 0, None)
    assert len(other_site.posts_to("/endpoint")) == 3
    assert len(other_site.posts_to("/no")) == 1


def test_retries_stop_after_the_last_delay(make_post, other_site, allow_loopback):
    from salon.mentions.sending import RETRY_DELAYS

    target = other_site.page("/t/", linked_page(), headers={"Link": '</e>; rel="webmention"'})
    other_site.page("/e", "Busy", status=503, content_type="text/plain")
    make_post(body=f'<a href="{target}">t</a>', published_at=timezone.now())
    send()
    for _ in RETRY_DELAYS:
        SentMention.objects.update(retry_at=timezone.now())
        send()
    sent = SentMention.objects.get()
    assert (sent.attempts, sent.retry_at) == (len(RETRY_DELAYS) + 1, None)
    assert len(other_site.posts_to("/e")) == len(RETRY_DELAYS) + 1


def test_unpublishing_a_post_tells_the_pages_it_linked_to(make_post, other_site, allow_loopback):
    target = other_site.page(
        "/their/", linked_page(), headers={"Link": '</endpoint>; rel="webmention"'}
    )
    other_site.page("/endpoint", "Accepted", status=202, content_type="text/plain")
    post = make_post(body=f'<a href="{target}">them</a>', published_at=timezone.now())
    send()
    assert len(other_site.posts_to("/endpoint")) == 1

    post.status = Post.Status.DRAFT
    post.save()
    assert "Notified 1 linked page" in send()
    requests = other_site.posts_to("/endpoint")
    assert [form_of(r) for r in requests] == [{"source": source_url(post), "target": target}] * 2
    assert "Notified 0" in send()  # told once

    post.status = Post.Status.PUBLISHED
    post.save()
    send()
    assert len(other_site.posts_to("/endpoint")) == 3  # announced again when it is back


def test_deleting_a_post_tells_the_pages_it_linked_to(
    client, make_post, other_site, allow_loopback
):
    from salon.mentions.models import DeletedSource

    target = other_site.page(
        "/their/", linked_page(), headers={"Link": '</endpoint>; rel="webmention"'}
    )
    other_site.page("/endpoint", "Accepted", status=202, content_type="text/plain")
    post = make_post(body=f'<a href="{target}">them</a>', published_at=timezone.now())
    never_announced = make_post(title="Draft", body=f'<a href="{target}">x</a>', status="draft")
    send()
    source = source_url(post)
    path = post.get_absolute_url()

    post.delete()
    never_announced.delete()
    assert DeletedSource.objects.count() == 1
    assert "Notified 1 linked page" in send()
    assert [form_of(r) for r in other_site.posts_to("/endpoint")] == [
        {"source": source, "target": target}
    ] * 2
    assert not DeletedSource.objects.exists()
    assert client.get(path).status_code == 404  # what the linked page finds there now


def test_a_protected_post_tells_no_one_what_it_links_to(make_post, other_site, allow_loopback):
    target = other_site.page(
        "/their/post/", linked_page(), headers={"Link": '</endpoint?token=1>; rel="webmention"'}
    )
    other_site.page("/endpoint?token=1", "Accepted", status=202, content_type="text/plain")
    make_post(
        body=f'<p>As <a href="{target}">they wrote</a>.</p>',
        password="members",
        published_at=timezone.now() - timedelta(minutes=5),
    )
    assert "Notified 0" in send()
    assert other_site.posts_to("/endpoint?token=1") == []
    assert not SentMention.objects.exists()
