"""Every public HTTP endpoint fuzzed with hypothesis: whatever a client sends, the answer is
never a server error (issue #18).

Forms and APIs get generated fields (text with control characters, NULs, line breaks,
very long values, wrong types); XML-RPC gets generated calls and broken XML; pages get
generated paths and query strings. The JSON API is fuzzed against its OpenAPI description
in tests/embed/test_schema.py and is not repeated here.

Bounded: a fixed number of examples per test (40) and no deadline (the machine is shared).
Sources of Webmentions and pingbacks are private or malformed addresses only, so nothing is
fetched from the network. Run with ``-s`` to see the status codes each endpoint answered.
"""

from __future__ import annotations

import json
import os
import xml.sax.saxutils
from collections import Counter, defaultdict
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from salon.antispam.keys import create_key

# More for a deeper run: SALON_FUZZ_EXAMPLES=500 pytest tests/test_fuzz_endpoints.py
EXAMPLES = int(os.environ.get("SALON_FUZZ_EXAMPLES", "40"))

SEEN: dict[str, Counter] = defaultdict(Counter)

fuzz = hypothesis_settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)

ODD = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\r",
    "\r\n",
    "line\nbreak",
    "\t",
    "\u202e",
    "\ud7ff",
    "😀" * 3,
    "x" * 70_000,
    "javascript:alert(1)",
    "http://",
    "http://[::1",
    "https://blog.example/\r\nX-Injected: 1",
    "-1",
    "0",
    "99999999999999999999999",
    "1e309",
    "NaN",
    "%00",
    "../../etc/passwd",
    "<script>alert(1)</script>",
    "]]>",
    "&#0;",
]
text = st.one_of(st.text(max_size=60), st.sampled_from(ODD))


def _mostly(value: str) -> st.SearchStrategy:
    """The real value three times in four, so most cases reach past the first lookup."""
    return st.one_of(st.just(value), st.just(value), st.just(value), text)


def _check(endpoint: str, response) -> None:
    SEEN[endpoint][response.status_code] += 1
    assert response.status_code < 500, (endpoint, response.status_code, response.content[:300])


@pytest.fixture(scope="module", autouse=True)
def _report():
    yield
    print("\nFuzz cases per endpoint, by status code:")
    for endpoint, statuses in sorted(SEEN.items()):
        codes = ", ".join(f"{code}×{n}" for code, n in sorted(statuses.items()))
        print(f"  {endpoint}: {sum(statuses.values())} cases — {codes}")


@pytest.fixture
def open_site(settings, post):
    """No limit stops the fuzzer before the code behind it; a post and a comment to aim at."""
    settings.SALON = {
        **settings.SALON,
        "COMMENT_RATE": "100000/m",
        "LIKE_RATE": "100000/m",
        "MENTION_RATE": "100000/m",
        "AKISMET_API_RATE": "100000/m",
        "AKISMET_INVALID_KEY_RATE": "100000/m",
        "FLOOD_SECONDS": 0,
        "REBLOG_ALLOW_PRIVATE": False,
    }
    return post


def _field_sets(
    names: list[str],
    extra: dict[str, st.SearchStrategy] | None = None,
    required: dict[str, st.SearchStrategy] | None = None,
):
    """Dicts of some of ``names`` (and any other key), each with generated text, and each of
    ``required``."""
    values = {name: text for name in names} | (extra or {})
    return st.fixed_dictionaries(required or {}, optional=values).flatmap(
        lambda fields: st.dictionaries(text, text, max_size=2).map(lambda more: more | fields)
    )


@fuzz
@given(data=st.data())
def test_comment_form(client, open_site, data):
    fields = data.draw(
        _field_sets(
            ["url", "parent", "nickname", "shown", "save_identity"],
            required={
                "post": _mostly(str(open_site.pk)),
                "comment": st.one_of(st.text(min_size=1, max_size=80), text),
                "author": _mostly("Fuzzy Reader"),
                "email": _mostly("fuzzy@example.net"),
            },
        )
    )
    _check("POST /comments/post/", client.post("/comments/post/", fields))


@fuzz
@given(data=st.data())
def test_likes(client, open_site, data):
    fields = data.draw(
        _field_sets(["comment", "next"], required={"post": _mostly(str(open_site.pk))})
    )
    accept = data.draw(st.sampled_from(["text/html", "application/json"]))
    _check("POST /likes/", client.post("/likes/", fields, HTTP_ACCEPT=accept))


@fuzz
@given(data=st.data())
def test_editing_and_deleting_ones_own_comment(client, open_site, post_comment, data):
    from salon.discussion.models import Comment

    if not Comment.objects.filter(post=open_site).exists():
        assert post_comment(open_site, ip="192.0.2.50", using=client).status_code == 302
    mine = Comment.objects.filter(post=open_site).latest("pk").pk
    pk = data.draw(st.one_of(st.just(mine), st.integers(min_value=0, max_value=2**63 - 1)))
    action = data.draw(st.sampled_from(["edit", "delete"]))
    fields = data.draw(_field_sets(["comment", "confirm"]))
    path = f"/comments/{pk}/{action}/"
    _check(f"GET /comments/<pk>/{action}/", client.get(path))
    _check(f"POST /comments/<pk>/{action}/", client.post(path, fields))


AKISMET = [
    "1.1/verify-key",
    "1.1/comment-check",
    "1.1/submit-spam",
    "1.1/submit-ham",
    "1.1/get-subscription",
    "1.1/get-stats",
    "1.1/deactivate",
    "1.1/verify-wpcom-key",
    "1.1/test",
    "1.1/stats-page",
    "1.2/key-sites",
    "1.2/usage-limit",
    "1.1/no-such-call",
]
AKISMET_FIELDS = [
    "blog",
    "user_ip",
    "user_agent",
    "referrer",
    "permalink",
    "comment_type",
    "comment_author",
    "comment_author_email",
    "comment_author_url",
    "comment_content",
    "comment_date_gmt",
    "blog_lang",
    "blog_charset",
    "is_test",
    "honeypot_field_name",
    "ak_hp_textarea",
    "POST_ak_js",
    "month",
    "format",
    "order",
    "limit",
    "offset",
    "from",
    "guid",
]


@fuzz
@given(data=st.data())
def test_the_akismet_compatible_api(client, open_site, data):
    key = create_key(["blog.example"]).key
    endpoint = data.draw(st.sampled_from(AKISMET))
    fields = data.draw(
        _field_sets(
            AKISMET_FIELDS,
            {
                "key": st.one_of(st.just(key), text),
                "api_key": st.one_of(st.just(key), text),
                "blog": st.one_of(st.just("https://blog.example/"), text),
            },
        )
    )
    how = data.draw(st.sampled_from(["form", "raw", "query"]))
    path = f"/{endpoint}"
    if how == "form":
        response = client.post(path, fields)
    elif how == "raw":
        charset = data.draw(st.sampled_from(["utf-8", "latin-1", "utf-16", "bogus-enc", ""]))
        body = urlencode(fields).encode() + data.draw(st.binary(max_size=40))
        # As sent, whatever the charset claims (the test client's post() would re-encode it).
        response = client.generic(
            "POST", path, body, content_type=f"application/x-www-form-urlencoded; charset={charset}"
        )
    else:
        response = client.get(path, fields)
    _check(f"{'GET' if how == 'query' else 'POST'} /1.x/*", response)


def _post_url(post) -> str:
    return "http://testserver" + post.get_absolute_url()


# Sources are never fetched: private addresses (refused before any connection) or text.
SOURCES = st.one_of(
    st.sampled_from(
        ["http://192.0.2.1/article/", "https://127.0.0.1/", "http://10.0.0.1:8080/x", "ftp://x/"]
    ),
    text,
)


@fuzz
@given(data=st.data())
def test_webmention(client, open_site, data):
    target = st.one_of(st.just(_post_url(open_site)), text)
    fields = data.draw(_field_sets([], {"source": SOURCES, "target": target}))
    _check("POST /webmention/", client.post("/webmention/", fields))


def _xml_value(draw_text: str, kind: str) -> str:
    escaped = xml.sax.saxutils.escape(draw_text)
    return {
        "string": f"<value><string>{escaped}</string></value>",
        "bare": f"<value>{escaped}</value>",
        "int": f"<value><int>{escaped}</int></value>",
        "i8": f"<value><i8>{escaped}</i8></value>",
        "double": f"<value><double>{escaped}</double></value>",
        "boolean": f"<value><boolean>{escaped}</boolean></value>",
        "base64": f"<value><base64>{escaped}</base64></value>",
        "date": f"<value><dateTime.iso8601>{escaped}</dateTime.iso8601></value>",
        "struct": f"<value><struct><member><name>{escaped}</name></member></struct></value>",
        "array": f"<value><array><data>{escaped}</data></array></value>",
        "nil": "<value><nil/></value>",
        "raw": draw_text,
    }[kind]


KINDS = ["string", "bare", "int", "i8", "double", "boolean", "base64", "date", "struct"]


@fuzz
@given(data=st.data())
def test_xmlrpc(client, open_site, data):
    shape = data.draw(st.sampled_from(["call", "bytes"]))
    if shape == "bytes":
        body = data.draw(st.binary(max_size=300))
    else:
        method = data.draw(
            st.one_of(st.sampled_from(["pingback.ping", "system.listMethods", "x.y"]), text)
        )
        params = []
        for _ in range(data.draw(st.integers(0, 3))):
            value = data.draw(st.one_of(SOURCES, st.just(_post_url(open_site))))
            kind = data.draw(st.sampled_from(KINDS + ["array", "nil", "raw"]))
            params.append(f"<param>{_xml_value(value, kind)}</param>")
        encoding = data.draw(st.sampled_from(["utf-8", "iso-8859-1", "bogus-enc", "utf-16"]))
        body = (
            f"<?xml version='1.0' encoding='{encoding}'?><methodCall>"
            f"<methodName>{xml.sax.saxutils.escape(method)}</methodName>"
            f"<params>{''.join(params)}</params></methodCall>"
        ).encode("utf-8", "surrogatepass")
    _check("POST /xmlrpc/", client.post("/xmlrpc/", body, content_type="text/xml"))


@fuzz
@given(data=st.data())
def test_privacy_and_mail_links(client, open_site, data):
    fields = data.draw(_field_sets(["email", "kind"]))
    _check("POST /privacy/your-data/", client.post("/privacy/your-data/", fields))
    token = quote(data.draw(text), safe="") or "x"
    path = data.draw(
        st.sampled_from(
            [
                "/privacy/your-data/{}/",
                "/mail/confirm/{}/",
                "/mail/unsubscribe/{}/",
                "/mail/moderate/{}/",
            ]
        )
    ).format(token)
    _check(f"GET {path.rsplit('/', 2)[0]}/<token>/", client.get(path))
    _check(f"POST {path.rsplit('/', 2)[0]}/<token>/", client.post(path, fields))


PAGES = [
    "/",
    "/feed/",
    "/comments/feed/",
    "/privacy/",
    "/embed/login/",
    "/embed.js",
    "/.well-known/webfinger",
    "/.well-known/nodeinfo",
    "/nodeinfo/2.1",
    "/fediverse/blog/",
    "/fediverse/blog/outbox/",
    "/fediverse/blog/followers/",
    "/accounts/login/",
]
PATHS = [
    "/page/{}/",
    "/category/{}/",
    "/tag/{}/",
    "/{}/",
    "/{}/feed/",
    "/fediverse/authors/{}/",
    "/fediverse/posts/{}/",
    "/fediverse/comments/{}/",
    "/avatar/{}.svg",
    "/media/{}",
]


@fuzz
@given(data=st.data())
def test_pages_with_any_path_and_query(client, open_site, data):
    if data.draw(st.booleans()):
        path = data.draw(st.sampled_from(PAGES + [open_site.get_absolute_url()]))
        label = path if path in PAGES else "<post>"
    else:
        template = data.draw(st.sampled_from(PATHS))
        path = template.format(quote(data.draw(text), safe="") or "x")
        label = template.format("<x>")
    names = ["page", "resource", "url", "s", "next", "replytocom", "lang", "rel", "cpage"]
    query = data.draw(_field_sets(names))
    accept = data.draw(st.sampled_from(["text/html", "application/activity+json", "*/*"]))
    _check(f"GET {label}", client.get(path, query, HTTP_ACCEPT=accept))


@fuzz
@given(data=st.data())
def test_fediverse_inboxes(client, open_site, data):
    path = data.draw(st.sampled_from(["/fediverse/inbox/", "/fediverse/blog/inbox/"]))
    body = data.draw(
        st.one_of(
            st.binary(max_size=200),
            st.recursive(
                st.none() | st.booleans() | st.integers() | text,
                lambda inner: (
                    st.lists(inner, max_size=3)
                    | st.dictionaries(
                        st.sampled_from(["type", "actor", "object", "id", "to", "inReplyTo"])
                        | text,
                        inner,
                        max_size=4,
                    )
                ),
                max_leaves=8,
            ).map(lambda value: json.dumps(value).encode()),
        )
    )
    headers = {"HTTP_SIGNATURE": data.draw(text), "HTTP_DATE": data.draw(text)}
    response = client.post(path, body, content_type="application/activity+json", **headers)
    _check(f"POST {path}", response)


@pytest.mark.parametrize("field", ["post", "parent"])
@pytest.mark.parametrize("number", ["9" * 30, "-99999999999999999999", str(2**63)])
def test_an_id_no_column_can_hold_is_a_clear_answer(client, open_site, field, number):
    # Found by the fuzzer: a 20-digit post id reached the database, which refused it (500).
    fields = {"post": str(open_site.pk), "comment": "Hello!", "author": "A", "email": "a@b.example"}
    fields[field] = number
    answer = client.post("/comments/post/", fields)
    assert answer.status_code in (400, 404)
