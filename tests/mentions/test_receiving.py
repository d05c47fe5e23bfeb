"""Receiving Webmentions (POST /webmention/) and pingbacks (XML-RPC at /xmlrpc/).

The source pages live on a real HTTP server on loopback (the `other_site` fixture); Salon
fetches them to check that they link to the post.
"""

from __future__ import annotations

import xmlrpc.client

import pytest

from salon.discussion.models import Comment, DiscussionSettings
from salon.mentions.models import ReceivedMention

pytestmark = pytest.mark.django_db


def source_page(target: str, words: str = "I liked", title: str = "Notes on ferries") -> str:
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>{title} – Harbour Notes</title>
<meta property="og:site_name" content="Harbour Notes"><meta property="og:title" content="{title}">
</head><body><nav><a href="/">Home</a></nav><article><h1>{title}</h1>
<p>{words} <a href="{target}">this post about the island ferries</a>, and the comments under it.</p>
<p>More of my own thoughts follow, with no links at all.</p></article></body></html>"""


def target_of(post) -> str:
    return f"http://testserver{post.get_absolute_url()}"


def webmention(client, source: str, target: str):
    return client.post("/webmention/", {"source": source, "target": target})


def pingback(client, *params):
    call = xmlrpc.client.dumps(params, methodname="pingback.ping")
    response = client.post("/xmlrpc/", call, content_type="text/xml")
    assert response.status_code == 200
    try:
        (answer,), _ = xmlrpc.client.loads(response.content)
    except xmlrpc.client.Fault as fault:
        return fault
    return answer


def test_a_webmention_is_verified_and_shown_under_the_post(
    client, post, other_site, allow_loopback
):
    source = other_site.page("/2026/11/ferries/", source_page(target_of(post)))

    response = webmention(client, source, target_of(post))

    assert response.status_code == 202
    mention = Comment.objects.get()
    assert mention.kind == Comment.Kind.WEBMENTION
    assert mention.status == Comment.Status.APPROVED
    assert mention.author_name == "Notes on ferries – Harbour Notes"
    assert mention.author_url == source
    assert mention.content == (
        "[…] I liked this post about the island ferries, and the comments under it. […]"
    )
    assert mention.author_ip == "127.0.0.1"
    # Salon fetched the source to check it.
    assert [r.path for r in other_site.requests] == ["/2026/11/ferries/"]

    page = client.get(post.get_absolute_url()).content.decode()
    assert "One thought on" in page
    assert (
        f'<a href="{source}" rel="external nofollow ugc">Notes on ferries – Harbour Notes</a>'
        in page
    )
    assert "I liked this post about the island ferries" in page


def test_sending_the_same_mention_again_updates_it(client, post, other_site, allow_loopback):
    source = other_site.page("/ferries/", source_page(target_of(post), "I liked"))
    assert webmention(client, source, target_of(post)).status_code == 202
    other_site.page("/ferries/", source_page(target_of(post), "On second thought I loved"))

    response = webmention(client, source, target_of(post))

    assert response.status_code == 202
    assert "updated" in response.content.decode()
    mention = Comment.objects.get()
    assert mention.content.startswith("[…] On second thought I loved this post")
    assert ReceivedMention.objects.get().comment == mention
    assert "On second thought I loved" in client.get(post.get_absolute_url()).content.decode()


def test_a_source_that_drops_the_link_removes_its_mention(client, post, other_site, allow_loopback):
    source = other_site.page("/ferries/", source_page(target_of(post)))
    webmention(client, source, target_of(post))
    other_site.page("/ferries/", "<html><body><p>I changed my mind.</p></body></html>")

    assert webmention(client, source, target_of(post)).status_code == 202

    assert not Comment.objects.exists()
    assert not ReceivedMention.objects.exists()


def test_a_source_that_does_not_link_is_refused(client, post, other_site, allow_loopback):
    source = other_site.page("/spam/", source_page("http://testserver/somewhere-else/"))
    response = webmention(client, source, target_of(post))
    assert response.status_code == 400
    assert "does not link to the target" in response.content.decode()
    assert not Comment.objects.exists()


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("http://testserver/2020/01/01/no-such-post/", "does not exist"),
        ("http://elsewhere.example/2020/01/01/a-post/", "not on this site"),
        ("http://testserver/privacy/", "not a post"),
        ("javascript:alert(1)", "not an http(s) address"),
    ],
)
def test_targets_that_are_not_our_posts_are_refused(
    client, other_site, allow_loopback, target, message
):
    source = other_site.page("/a/", source_page(target))
    response = webmention(client, source, target)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not other_site.requests  # refused before fetching anything


def test_a_draft_is_not_a_target(client, make_post, other_site, allow_loopback):
    draft = make_post(status="draft")
    source = other_site.page("/a/", source_page(target_of(draft)))
    assert webmention(client, source, target_of(draft)).status_code == 400


def test_missing_fields_and_wrong_method(client, post):
    assert client.post("/webmention/", {"source": "http://a.example/"}).status_code == 400
    assert client.get("/webmention/").status_code == 405


def test_a_source_on_loopback_is_refused_without_the_owner_allowing_it(client, post, other_site):
    source = other_site.page("/a/", source_page(target_of(post)))
    response = webmention(client, source, target_of(post))
    assert response.status_code == 400
    assert "private, loopback or reserved" in response.content.decode()
    assert not other_site.requests


def test_mentions_go_through_the_moderation_rules(client, post, other_site, allow_loopback):
    options = DiscussionSettings.current()
    options.moderation_words = "ferries"
    options.disallowed_words = "casino"
    options.save()
    held = other_site.page("/held/", source_page(target_of(post)))
    spam = other_site.page("/spam/", source_page(target_of(post), "Best casino bonus:"))

    assert webmention(client, held, target_of(post)).status_code == 202
    assert webmention(client, spam, target_of(post)).status_code == 202

    statuses = dict(Comment.objects.values_list("author_url", "status"))
    assert statuses == {held: Comment.Status.PENDING, spam: Comment.Status.TRASH}
    page = client.get(post.get_absolute_url()).content.decode()
    assert "Harbour Notes" not in page


def test_two_mentions_from_one_server_in_a_row_are_both_kept(
    client, post, make_post, other_site, allow_loopback
):
    # One article linking to two posts sends two Webmentions at once; the 15-second flood
    # rule for people must not refuse the second.
    second = make_post(title="Another post")
    source = other_site.page(
        "/both/",
        source_page(target_of(post)).replace(
            "<p>More", f'<p>See also <a href="{target_of(second)}">the other one</a>. More'
        ),
    )
    assert webmention(client, source, target_of(post)).status_code == 202
    assert webmention(client, source, target_of(second)).status_code == 202
    assert (
        Comment.objects.filter(post=second).get().content
        == "[…] See also the other one. More of my own thoughts follow, with no links at all. […]"
    )


def test_markup_on_the_source_page_is_shown_as_text(client, post, other_site, allow_loopback):
    source = other_site.page(
        "/markup/", source_page(target_of(post), "**Bold** claim &lt;script&gt;x&lt;/script&gt;")
    )
    webmention(client, source, target_of(post))
    html = Comment.objects.get().content_html
    assert "<strong>" not in html and "<script" not in html
    assert "**Bold** claim &lt;script&gt;" in html


def test_the_link_on_a_mention_is_an_http_address_or_none(client, post, other_site, allow_loopback):
    """Browsers drop a tab inside an address; Salon does not store one as a link."""
    other_site.page("/ferries/", source_page(target_of(post)))
    source = other_site.url("/ferr\ties/")  # fetched as /ferries/

    assert webmention(client, source, target_of(post)).status_code == 202

    mention = Comment.objects.get()
    assert mention.author_url == ""
    assert mention.author_name == "Notes on ferries – Harbour Notes"


def test_post_pages_advertise_the_endpoints(client, post):
    response = client.get(post.get_absolute_url())
    assert response["Link"] == '<http://testserver/webmention/>; rel="webmention"'
    assert response["X-Pingback"] == "http://testserver/xmlrpc/"
    html = response.content.decode()
    assert '<link rel="webmention" href="/webmention/">' in html
    assert '<link rel="pingback" href="http://testserver/xmlrpc/">' in html
    assert "Link" not in client.get("/privacy/")


# --- pingback -------------------------------------------------------------------------------


def test_a_pingback_is_verified_and_shown(client, post, other_site, allow_loopback):
    source = other_site.page("/ferries/", source_page(target_of(post)))

    answer = pingback(client, source, target_of(post))

    assert "registered" in answer
    mention = Comment.objects.get()
    assert mention.kind == Comment.Kind.PINGBACK
    assert mention.author_url == source
    assert (
        "I liked this post about the island ferries"
        in client.get(post.get_absolute_url()).content.decode()
    )

    again = pingback(client, source, target_of(post))
    assert isinstance(again, xmlrpc.client.Fault) and again.faultCode == 0x30
    assert Comment.objects.count() == 1


def test_pingback_faults(client, post, other_site, allow_loopback):
    no_link = other_site.page("/no-link/", "<html><body><p>Nothing here.</p></body></html>")
    fault = pingback(client, no_link, target_of(post))
    assert fault.faultCode == 0x11

    fault = pingback(client, other_site.url("/gone/"), target_of(post))
    assert fault.faultCode == 0x10

    fault = pingback(client, no_link, "http://testserver/2020/01/01/no-such-post/")
    assert fault.faultCode == 0x20

    fault = pingback(client, no_link)
    assert fault.faultCode == -32602

    call = xmlrpc.client.dumps(("x",), methodname="wp.getUsersBlogs")
    response = client.post("/xmlrpc/", call, content_type="text/xml")
    with pytest.raises(xmlrpc.client.Fault, match="does not exist"):
        xmlrpc.client.loads(response.content)

    response = client.post("/xmlrpc/", b"<not-xml", content_type="text/xml")
    with pytest.raises(xmlrpc.client.Fault, match="parse error"):
        xmlrpc.client.loads(response.content)
    assert not Comment.objects.exists()


MALFORMED_CALLS = {
    "a member without a value": b"""<?xml version="1.0"?><methodCall>
<methodName>pingback.ping</methodName><params><param><value><struct>
<member><name>source</name></member></struct></value></param></params></methodCall>""",
    "an unknown encoding": b"""<?xml version="1.0" encoding="bogus-enc"?><methodCall>
<methodName>pingback.ping</methodName><params></params></methodCall>""",
    "an int that is not a number": b"""<?xml version="1.0"?><methodCall>
<methodName>pingback.ping</methodName><params><param><value><int>x</int></value></param>
</params></methodCall>""",
    "a boolean that is neither 0 nor 1": b"""<?xml version="1.0"?><methodCall>
<methodName>pingback.ping</methodName><params><param><value><boolean>2</boolean></value>
</param></params></methodCall>""",
    "a tag XML-RPC does not have": b"""<?xml version="1.0"?><methodCall>
<methodName>pingback.ping</methodName><params><param><value><member>a</member></value>
</param></params></methodCall>""",
    "bad base64": b"""<?xml version="1.0"?><methodCall><methodName>pingback.ping</methodName>
<params><param><value><base64>a</base64></value></param></params></methodCall>""",
    "an unclosed array": b"""<?xml version="1.0"?><methodCall><methodName>pingback.ping
</methodName><params><param><value><array><data></array></value></param></params>
</methodCall>""",
    "a struct end without a start": b"""<?xml version="1.0"?><methodCall>
<methodName>pingback.ping</methodName><params><param><value></struct></value></param>
</params></methodCall>""",
    "a member value without a name": b"""<?xml version="1.0"?><methodCall>
<methodName>pingback.ping</methodName><params><param><value><struct><member>
<value><string>a</string></value></member></struct></value></param></params></methodCall>""",
    "UTF-16 declared, UTF-8 sent": b"""<?xml version="1.0" encoding="utf-16"?><methodCall/>""",
    "nothing at all": b"",
}


@pytest.mark.parametrize("name", list(MALFORMED_CALLS))
def test_a_malformed_call_gets_a_parse_error_fault_and_a_log_line(client, caplog, name):
    with caplog.at_level("WARNING", logger="salon.mentions"):
        response = client.post("/xmlrpc/", MALFORMED_CALLS[name], content_type="text/xml")

    assert response.status_code == 200
    with pytest.raises(xmlrpc.client.Fault) as fault:
        xmlrpc.client.loads(response.content)
    assert fault.value.faultCode == -32700
    assert "parse error" in fault.value.faultString
    assert any("malformed XML-RPC call" in record.getMessage() for record in caplog.records)
    assert not Comment.objects.exists()


def test_pingbacks_to_closed_posts_are_refused(client, make_post, other_site, allow_loopback):
    closed = make_post(comments_open=False)
    source = other_site.page("/a/", source_page(target_of(closed)))
    fault = pingback(client, source, target_of(closed))
    assert fault.faultCode == 0x21


def test_senders_that_are_too_quick_are_slowed_down(client, post, settings):
    settings.SALON = {**settings.SALON, "MENTION_RATE": "2/m"}
    target = target_of(post)
    answers = [webmention(client, "http://127.0.0.1:9/x", target).status_code for _ in range(3)]
    assert answers == [400, 400, 429]  # (the source is refused, but each try counts)
    fault = pingback(client, "http://127.0.0.1:9/x", target)
    assert fault.faultCode == 0x31
