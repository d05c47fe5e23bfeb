"""The Akismet-compatible API's protocol: exact bodies and headers, and Akismet's errors."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.core.management import call_command

from salon.antispam.keys import create_key
from salon.antispam.models import DailyTally, SpamFilterSite

pytestmark = pytest.mark.django_db

BLOG = "https://blog.example.org/"
HAM = "I think the author is right about the alliances shifting, though the treaty says more."
SPAM = (
    "Hey guys check out my new channel and subscribe!!! Make $500 a day from home, "
    "click here http://bit.ly/free-money-now and http://cheap-pills.xyz/buy"
)


@pytest.fixture
def key() -> str:
    return create_key([BLOG, "*.example.net"]).key


def check(client, **fields):
    return client.post("/1.1/comment-check", fields)


def test_verify_key(client, key):
    valid = client.post("/1.1/verify-key", {"key": key, "blog": BLOG})
    assert (valid.status_code, valid.content) == (200, b"valid")
    assert valid["Content-Type"] == "text/plain; charset=utf-8"
    # api_key works too, and subdomains of a *.example.net entry are covered.
    assert client.post(
        "/1.1/verify-key", {"api_key": key, "blog": "http://www.shop.example.net"}
    ).content == (b"valid")

    for fields, help_text in [
        ({"blog": BLOG}, 'Empty "api_key" value'),
        ({"key": "abc123abc123abc123", "blog": BLOG}, "We were unable to verify your API key."),
        ({"key": key.swapcase(), "blog": BLOG}, "We were unable to verify your API key."),
        ({"key": "not a key at all!", "blog": BLOG}, "We were unable to verify your API key."),
        ({"key": key}, 'Empty "blog" value'),
        ({"key": key, "blog": "https://elsewhere.example.com/"}, "not valid for the blog"),
    ]:
        response = client.post("/1.1/verify-key", fields)
        assert (response.status_code, response.content) == (200, b"invalid")
        assert help_text in response["X-akismet-debug-help"]


def test_comment_check_answers_with_guid_and_reasons(client, key):
    ham = check(client, api_key=key, blog=BLOG, user_ip="192.0.2.1", comment_content=HAM)
    assert ham.content == b"false"
    assert len(ham["X-akismet-guid"]) == 36
    assert "X-akismet-pro-tip" not in ham
    assert ham["X-Salon-Reasons"].startswith("text_model=-")
    spam = check(
        client,
        api_key=key,
        blog=BLOG,
        user_ip="192.0.2.1",
        comment_content=SPAM,
        comment_author="Money",
        comment_type="comment",
        comment_date_gmt="2026-11-24T10:00:00Z",
        comment_post_modified_gmt="2026-11-01T10:00:00Z",
        permalink=f"{BLOG}a-post/",
        referrer=f"{BLOG}a-post/",
        user_agent="Mozilla/5.0",
        blog_lang="en",
        recheck_reason="edit",
        **{"comment_context[]": ["money", "channels"]},
    )
    assert spam.content == b"true"
    reasons = dict(part.split("=") for part in spam["X-Salon-Reasons"].split(";"))
    assert "links" in reasons and float(reasons["links"]) > 0
    assert ham["X-akismet-guid"] != spam["X-akismet-guid"]


def test_akismet_test_values(client, key):
    base = {"api_key": key, "blog": BLOG, "user_ip": "192.0.2.1"}
    assert check(client, **base, comment_author="akismet-guaranteed-spam").content == b"true"
    assert (
        check(client, **base, comment_author_email="akismet-guaranteed-spam@example.com").content
        == b"true"
    )
    assert check(client, **base, comment_content=SPAM, user_role="administrator").content == (
        b"false"
    )


def test_honeypot_makes_blatant_spam_discardable(client, key):
    response = check(
        client,
        api_key=key,
        blog=BLOG,
        user_ip="192.0.2.1",
        comment_content=SPAM,
        honeypot_field_name="hidden_name",
        hidden_name="filled in by a bot",
    )
    assert response.content == b"true"
    assert response["X-akismet-pro-tip"] == "discard"


def test_missing_and_malformed_parameters_get_akismets_answers(client, key):
    missing_ip = check(client, api_key=key, blog=BLOG, comment_content=HAM)
    assert missing_ip.content == b"Missing required field: user_ip."
    assert missing_ip["X-akismet-debug-help"] == 'Empty "user_ip" value'
    missing_blog = check(client, api_key=key, user_ip="192.0.2.1")
    assert missing_blog.content == b"Missing required field: blog."
    assert check(client, blog=BLOG, user_ip="192.0.2.1").content == b"invalid"
    assert check(client, api_key=key, blog="::::", user_ip="1").content == b"invalid"
    long_host = "https://" + ".".join(["a" * 60] * 4) + "/"
    assert check(client, api_key=key, blog=long_host, user_ip="1").content == b"invalid"
    assert client.get("/1.1/comment-check").status_code == 405
    # Nothing a client can send makes the server fail.
    for body in [b"", b"%%%", b"api_key=%ff%fe&blog=%00", b"&&==&", "é=ü".encode("latin-1")]:
        response = client.generic(
            "POST", "/1.1/comment-check", body, "application/x-www-form-urlencoded"
        )
        assert response.status_code == 200 and response.content in (b"invalid",)
    huge = check(
        client, api_key=key, blog=BLOG, user_ip="192.0.2.1", comment_content="spam " * 100_000
    )
    assert huge.content in (b"true", b"false")


def test_blog_charset_and_multipart(client, key):
    body = urlencode(
        {
            "api_key": key,
            "blog": BLOG,
            "user_ip": "192.0.2.1",
            "comment_author": "akismet-guaranteed-spam",
            "comment_content": "Très intéressant, merci.",
            "blog_charset": "ISO-8859-1",
        },
        encoding="latin-1",
    )
    response = client.generic(
        "POST", "/1.1/comment-check", body, "application/x-www-form-urlencoded"
    )
    assert response.content == b"true"
    # Django's test client sends multipart forms; some clients do too.
    assert client.post("/1.1/verify-key", {"key": key, "blog": BLOG}).content == b"valid"


def test_key_in_the_host_name(client, key, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, ".akismet.salon.test"]
    # Host names arrive lowercased: long keys (lowercase hex) survive that.
    long_key = create_key([BLOG], long=True).key
    host = f"{long_key.upper()}.akismet.salon.test"
    response = client.post(
        "/1.1/comment-check", {"blog": BLOG, "user_ip": "192.0.2.1"}, HTTP_HOST=host
    )
    assert response.content == b"false"
    assert client.get("/1.2/usage-limit", HTTP_HOST=host).json()["usage"] == 1
    # A host with no key in it is no key.
    assert client.get("/1.2/usage-limit").content == b"invalid"


def test_submissions_thank_and_count(client, key):
    base = {"api_key": key, "blog": BLOG, "user_ip": "192.0.2.1", "comment_content": SPAM}
    assert client.post("/1.1/submit-spam", base).content == (
        b"Thanks for making the web a better place."
    )
    assert client.post("/1.1/submit-ham", base).content == (
        b"Thanks for making the web a better place."
    )
    assert client.post("/1.1/submit-spam", {**base, "is_test": "1"}).content == (
        b"Thanks for making the web a better place."
    )
    site = SpamFilterSite.objects.get(blog="blog.example.org")
    assert (site.spam_lessons, site.ham_lessons) == (1, 1)
    tally = DailyTally.objects.get(site=site)
    assert (tally.missed_spam, tally.false_positives) == (1, 1)
    assert client.post("/1.1/submit-spam", {**base, "api_key": "bad"}).content == b"invalid"


def test_key_sites_parameters(client, key):
    for blog in (BLOG, "https://a.example.net/", "https://b.example.net/"):
        check(client, api_key=key, blog=blog, user_ip="192.0.2.1", comment_content=SPAM)
    check(client, api_key=key, blog=BLOG, user_ip="192.0.2.1", comment_content=HAM)
    report = client.get("/1.2/key-sites", {"api_key": key, "filter": "example.net"}).json()
    month = next(k for k in report if k not in ("limit", "offset", "total"))
    assert [s["site"] for s in report[month]] == ["a.example.net", "b.example.net"]
    page = client.get("/1.2/key-sites", {"api_key": key, "limit": 1, "offset": 1}).json()
    assert page["total"] == 3 and len(page[month]) == 1 and page["limit"] == 1
    assert page[month][0]["site"] == "a.example.net", "ordered by total calls, then by name"
    by_ham = client.get("/1.2/key-sites", {"api_key": key, "order": "ham"}).json()
    assert by_ham[month][0]["site"] == "blog.example.org"
    empty = client.get("/1.2/key-sites", {"api_key": key, "month": "2001-01"}).json()
    assert empty == {"2001-01": [], "limit": 500, "offset": 0, "total": 0}
    assert client.get("/1.2/key-sites", {"api_key": key, "month": "soon"}).status_code == 400
    assert client.get("/1.2/key-sites", {"api_key": key, "limit": "-1"}).status_code == 400


def test_revoked_key_is_invalid_everywhere(client):
    issued = create_key([BLOG])
    assert client.post("/1.1/verify-key", {"key": issued.key, "blog": BLOG}).content == b"valid"
    call_command("akismet_key", "revoke", issued.key)
    response = check(client, api_key=issued.key, blog=BLOG, user_ip="192.0.2.1")
    assert response.content == b"invalid"
    assert response["X-akismet-debug-help"] == "This API key has been revoked."
    # WordPress's Akismet plugin shows its owner the alert headers on the comments screen.
    for path in ("/1.1/verify-key", "/1.1/get-subscription", "/1.1/comment-check"):
        answer = client.post(path, {"key": issued.key, "blog": BLOG, "user_ip": "192.0.2.1"})
        assert answer.content == b"invalid"
        assert answer["X-akismet-alert-code"] == "90001"
        assert "revoked" in answer["X-akismet-alert-msg"]


def test_each_key_is_rate_limited(client):
    limited = create_key([BLOG], rate="3/m").key
    other = create_key([BLOG]).key
    fields = {"blog": BLOG, "user_ip": "192.0.2.1", "comment_content": HAM}
    answers = [check(client, api_key=limited, **fields).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    refused = check(client, api_key=limited, **fields)
    # Retry-After is when the key's window ends; the body is neither true nor false and
    # X-akismet-error is set, so the Akismet plugin holds the comment and checks it again.
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert refused.content.startswith(b"Too many requests for this API key; try again in ")
    assert refused["X-akismet-error"]
    assert refused["X-akismet-alert-code"] == "90003"
    assert "request limit (3 a minute)" in refused["X-akismet-alert-msg"]
    assert check(client, api_key=other, **fields).content == b"false"
    # The plugin's settings page still works, and shows why comments wait.
    verified = client.post("/1.1/verify-key", {"key": limited, "blog": BLOG})
    assert verified.content == b"valid" and verified["X-akismet-alert-code"] == "90003"
    assert "X-akismet-alert-code" not in client.post(
        "/1.1/verify-key", {"key": other, "blog": BLOG}
    )


def test_a_key_gets_exactly_its_rate_when_counted_in_leases(client):
    # 300 an hour: the worker takes the key's requests from the shared counter a few at a
    # time (a share of what is left), one at a time near the end; the 301st is refused.
    # (An hour's window, so that the run does not straddle two.)
    limited = create_key([BLOG], rate="300/h").key
    fields = {"api_key": limited, "blog": BLOG, "user_ip": "192.0.2.1", "comment_content": HAM}
    answers = [check(client, **fields).status_code for _ in range(302)]
    assert answers == [200] * 300 + [429] * 2
    assert check(client, **fields)["X-akismet-alert-code"] == "90003"


def test_a_key_counted_by_other_workers_is_refused_here_once_its_rate_is_used(client, rf):
    from django_ratelimit.core import get_usage

    issued = create_key([BLOG], rate="640/h")
    fields = {"api_key": issued.key, "blog": BLOG, "user_ip": "192.0.2.1", "comment_content": HAM}
    assert check(client, **fields).status_code == 200
    # Other workers count the same key in the shared cache (as django-ratelimit counts it),
    # until the hour's 640 are used.
    other = 0
    while not get_usage(
        rf.post("/1.1/comment-check"),
        group="akismet-api",
        key=lambda group, request: f"key:{issued.row.pk}",
        rate="640/h",
        method=get_usage.ALL,
        increment=True,
    )["should_limit"]:
        other += 1
    answers = [check(client, **fields).status_code for _ in range(20)]
    answered = 1 + answers.count(200)
    # This worker answers at most what it had taken before the others used the rest (at most
    # a 64th of the hour's), then refuses: no more than 640 in all.
    assert answers == [200] * (answered - 1) + [429] * (21 - answered)
    assert answered + other == 640 and answered <= 640 // 64


def test_usage_limit(client):
    issued = create_key([BLOG], monthly_limit=2)
    for _ in range(3):
        check(client, api_key=issued.key, blog=BLOG, user_ip="192.0.2.1", comment_content=HAM)
    usage = client.post("/1.2/usage-limit", {"api_key": issued.key})
    assert usage["Content-Type"] == "application/json"
    assert usage.json() == {"limit": 2, "usage": 3, "percentage": "150.00", "throttled": True}


def test_nothing_a_client_sends_is_stored(client, key, capsys):
    marker = "Zanzibar-quokka-7731"
    fields = {
        "api_key": key,
        "blog": BLOG,
        "user_ip": "192.0.2.77",
        "comment_author": marker,
        "comment_author_email": f"{marker}@example.net",
        "comment_content": f"{SPAM} {marker}",
    }
    check(client, **fields)
    client.post("/1.1/submit-spam", fields)
    client.post("/1.1/submit-ham", fields)
    call_command("dumpdata", "antispam")
    dump = capsys.readouterr().out
    assert "blog.example.org" in dump
    assert marker not in dump and "192.0.2.77" not in dump


def test_a_blog_address_with_a_line_break_is_refused_not_a_server_error(client, key):
    # The alert quotes the blog the client sent; a header cannot carry its line break.
    answer = check(client, api_key=key, blog="\r", user_ip="192.0.2.1", comment_content=HAM)
    assert (answer.status_code, answer.content) == (200, b"invalid")
    assert answer["X-akismet-alert-msg"].startswith("Salon: this API key is not valid for \\r.")


def test_answers_keep_the_sites_security_headers_and_host_check(client, key):
    # The API skips the page middleware, not what a browser or proxy relies on.
    answer = check(client, api_key=key, blog=BLOG, user_ip="192.0.2.1", comment_content=HAM)
    assert answer["X-Content-Type-Options"] == "nosniff"
    assert answer["X-Frame-Options"] == "DENY"
    assert answer["Content-Length"] == "5"
    assert "Set-Cookie" not in answer
    # A long answer is compressed for a client that accepts it.
    stats = client.post("/1.1/stats-page", {"key": key, "blog": BLOG}, HTTP_ACCEPT_ENCODING="gzip")
    assert stats.status_code == 200 and stats["Content-Encoding"] == "gzip"
    # A host the site does not serve is refused, as for its pages.
    refused = client.post(
        "/1.1/comment-check",
        {"api_key": key, "blog": BLOG, "user_ip": "192.0.2.1"},
        HTTP_HOST="attacker.example",
    )
    assert refused.status_code == 400
