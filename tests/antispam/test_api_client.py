"""The real ``akismet`` client from PyPI, pointed at a live Salon, works as against Akismet.

The client always calls ``https://rest.akismet.com``; an httpx transport sends its requests to
the live server instead, as a site owner's proxy or DNS entry would.
"""

from __future__ import annotations

import asyncio

import akismet
import httpx
import pytest

from salon.antispam.keys import create_key
from salon.antispam.models import SpamFilterSite

pytestmark = pytest.mark.django_db(transaction=True)

BLOG = "https://blog.example.org/"
OTHER_BLOG = "https://other.example.org/"
HAM = (
    "I think the author is right about the alliances shifting, though the article leaves out "
    "what the treaty actually says about withdrawal."
)
SPAM = (
    "Hey guys check out my new channel and subscribe!!! Make $500 a day from home, "
    "click here http://bit.ly/free-money-now and http://cheap-pills.xyz/buy"
)
BLATANT = "Buy cheap viagra pills http://bit.ly/x http://cheap-pills.xyz"
CAMPAIGN = (
    "Wonderful post, I have bookmarked your blog and will come back for more, "
    "regards from the Jakarta team {n}"
)


class ToSalon(httpx.BaseTransport):
    """Sends every request to the live server, with the Host header a deployment would see."""

    def __init__(self, base: str, host: str | None = None) -> None:
        self.base = httpx.URL(base)
        self.host = host
        self.inner = httpx.HTTPTransport()

    def _rewrite(self, request: httpx.Request) -> None:
        request.url = request.url.copy_with(
            scheme=self.base.scheme, host=self.base.host, port=self.base.port
        )
        request.headers["Host"] = self.host or f"{self.base.host}:{self.base.port}"

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self._rewrite(request)
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


class AsyncToSalon(httpx.AsyncBaseTransport):
    def __init__(self, base: str) -> None:
        self.rewrite = ToSalon(base)
        self.inner = httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.rewrite._rewrite(request)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


@pytest.fixture
def salon_api(live_server, settings):
    # Keys may arrive as the first label of the host, as Akismet's old clients send them.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, ".akismet.salon.test"]
    return live_server.url


def sync_client(base: str, key: str, blog: str = BLOG, host: str | None = None):
    http = httpx.Client(transport=ToSalon(base, host), headers={"User-Agent": akismet.USER_AGENT})
    return akismet.SyncClient(config=akismet.Config(key=key, url=blog), http_client=http)


def test_verify_key(salon_api):
    key = create_key([BLOG]).key
    with sync_client(salon_api, key) as client:  # the context manager verifies the key
        assert client.verify_key() is True
        assert client.verify_key(key, OTHER_BLOG) is False, "a key is limited to its blogs"
        assert client.verify_key("0123456789abcdef01234567", BLOG) is False
    with pytest.raises(akismet.APIKeyError):
        akismet.SyncClient.validated_client(
            config=akismet.Config(key="0123456789abcdef01234567", url=BLOG),
            http_client=httpx.Client(transport=ToSalon(salon_api)),
        )


def test_comment_check_answers_ham_spam_and_discard(salon_api):
    key = create_key([BLOG]).key
    with sync_client(salon_api, key) as client:
        ham = client.comment_check(
            "203.0.113.7", comment_content=HAM, comment_author="Careful Reader"
        )
        assert ham == akismet.CheckResponse.HAM
        spam = client.comment_check("203.0.113.8", comment_content=SPAM, comment_author="Money")
        assert spam in (akismet.CheckResponse.SPAM, akismet.CheckResponse.DISCARD)
        # Blatant spam (here: on SmokeDetector's blacklist, with link-spam habits) comes with
        # X-akismet-pro-tip: discard, which the client reports as DISCARD.
        blatant = client.comment_check(
            "203.0.113.8",
            comment_content=BLATANT,
            comment_author="Cheap pills",
            comment_type="comment",
        )
        assert blatant == akismet.CheckResponse.DISCARD
        # Akismet's test values behave as Akismet documents.
        assert (
            client.comment_check(
                "203.0.113.9", comment_content=HAM, comment_author="akismet-guaranteed-spam"
            )
            == akismet.CheckResponse.SPAM
        )
        assert (
            client.comment_check(
                "203.0.113.9", comment_content=SPAM, user_role="administrator", is_test=True
            )
            == akismet.CheckResponse.HAM
        )


def test_discard_for_blatant_spam(salon_api):
    # The client only sends the arguments it knows; a honeypot value travels as any form field
    # does from WordPress, so this one request goes through httpx directly.
    key = create_key([BLOG]).key
    http = httpx.Client(transport=ToSalon(salon_api))
    response = http.post(
        "https://rest.akismet.com/1.1/comment-check",
        data={
            "api_key": key,
            "blog": BLOG,
            "user_ip": "203.0.113.10",
            "comment_author": "Cheap pills",
            "comment_content": SPAM,
            "honeypot_field_name": "hidden_name",
            "hidden_name": "bot was here",
        },
    )
    assert response.text == "true"
    assert response.headers["X-akismet-pro-tip"] == "discard"
    assert "honeypot=+8.0" in response.headers["X-Salon-Reasons"]
    # And the real client reads that header as DISCARD.
    assert akismet._common._handle_check_response(response) == akismet.CheckResponse.DISCARD


def test_submit_spam_teaches_that_site_only(salon_api):
    issued = create_key([BLOG, OTHER_BLOG])
    other_key = create_key([BLOG]).key
    with (
        sync_client(salon_api, issued.key) as site,
        sync_client(salon_api, issued.key, blog=OTHER_BLOG) as same_key_other_blog,
        sync_client(salon_api, other_key) as other_site,
    ):
        fresh = {"comment_content": CAMPAIGN.format(n=999), "comment_author": "Yet Another"}
        for client in (site, same_key_other_blog, other_site):
            assert client.comment_check("198.51.100.1", **fresh) == akismet.CheckResponse.HAM

        for n in range(5):
            assert site.submit_spam(
                "198.51.100.2",
                comment_content=CAMPAIGN.format(n=400 + n),
                comment_author=f"Helper {n}",
            )

        assert site.comment_check("198.51.100.1", **fresh) != akismet.CheckResponse.HAM
        assert same_key_other_blog.comment_check("198.51.100.1", **fresh) == (
            akismet.CheckResponse.HAM
        )
        assert other_site.comment_check("198.51.100.1", **fresh) == akismet.CheckResponse.HAM

        learned = SpamFilterSite.objects.get(name=f"api:{issued.row.pk}:blog.example.org")
        assert learned.spam_lessons == 5

        # submit_ham is a lesson too; with is_test nothing is learned.
        assert site.submit_ham("198.51.100.3", comment_content=HAM, comment_author="Ann")
        assert site.submit_spam("198.51.100.3", comment_content=SPAM, is_test=True)
        learned.refresh_from_db()
        assert (learned.spam_lessons, learned.ham_lessons) == (5, 1)


def test_key_sites_and_usage_limit(salon_api):
    # A long key: the client sends it in the host name, which arrives lowercased.
    issued = create_key([BLOG, OTHER_BLOG], monthly_limit=1000, long=True)
    with sync_client(salon_api, issued.key) as site:
        site.comment_check("198.51.100.1", comment_content=HAM)
        site.comment_check("198.51.100.1", comment_content=SPAM)
        site.submit_spam("198.51.100.1", comment_content=SPAM)
        usage = site.usage_limit()
        assert usage == {"limit": 1000, "usage": 2, "percentage": "0.20", "throttled": False}
        # The client sends no api_key to key-sites: without a key anywhere, Salon answers as
        # Akismet does for a missing key, and the client says so.
        with pytest.raises(akismet.APIKeyError):
            site.key_sites()

    # With the key as the first label of the host (Akismet's documented form), it works.
    host = f"{issued.key}.akismet.salon.test"
    with sync_client(salon_api, issued.key, host=host) as site:
        report = site.key_sites()
        (month,) = [k for k in report if k not in ("limit", "offset", "total")]
        assert report[month] == [
            {
                "site": "blog.example.org",
                "api_calls": "2",
                "spam": "1",
                "ham": "1",
                "missed_spam": "1",
                "false_positives": "0",
                "is_revoked": False,
            }
        ]
        assert (report["limit"], report["offset"], report["total"]) == (500, 0, 1)
        csv_report = site.key_sites(result_format="csv")
        lines = csv_report.splitlines()
        assert lines[0].startswith(f"Active sites for {issued.key} during {month}")
        assert lines[1] == "Site,Total API Calls,Spam,Ham,Missed Spam,False Positives,Is Revoked"
        assert lines[2] == "blog.example.org,2,1,1,1,0,false"


def test_async_client(salon_api):
    key = create_key([BLOG]).key

    async def scenario():
        http = httpx.AsyncClient(transport=AsyncToSalon(salon_api))
        async with akismet.AsyncClient(
            config=akismet.Config(key=key, url=BLOG), http_client=http
        ) as client:
            assert await client.verify_key()
            ham = await client.comment_check("192.0.2.1", comment_content=HAM)
            spam = await client.comment_check(
                "192.0.2.1", comment_author="viagra-test-123", comment_content=HAM
            )
            thanked = await client.submit_spam("192.0.2.1", comment_content=SPAM)
            usage = await client.usage_limit()
        return ham, spam, thanked, usage

    ham, spam, thanked, usage = asyncio.run(scenario())
    assert ham == akismet.CheckResponse.HAM
    assert spam == akismet.CheckResponse.SPAM
    assert thanked is True
    assert usage["usage"] == 2 and usage["limit"] == "none"
