"""Limits hold across the workers of a real ``salon serve``: the rate limits counted in the
cache every worker shares, and the flood guard's atomic claim (issue #18).

One site, served twice by three gunicorn workers: first with the flood guard off (the rate
limits alone), then with it on. Each burst is counted by a key or an address whose
rate-limit window has most of its minute ahead (``most_time_left``), so it is counted in one
window (or, should a slow machine stretch a burst past the end of its window, in two).
"""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.served import Burst, Reader, make_site, most_time_left

BURST = 30
SIMULTANEOUS = 8
FLOOD_OFF_POSTS = 40


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    site = make_site(tmp_path_factory.mktemp("limits"), "limits", workers=3)
    yield site
    site.stop()


@pytest.fixture(scope="module")
def flood_off(site):
    site.serve(
        SALON_FLOOD_SECONDS="0",
        SALON_COMMENT_RATE="10/m",
        SALON_AKISMET_INVALID_KEY_RATE="10/m",
    )
    yield site
    site.stop()


def _at_once(calls, count: int) -> list:
    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(lambda n: calls(n), range(count)))


def _count_comments(site) -> int:
    return int(
        site.python("from salon.discussion.models import Comment; print(Comment.objects.count())")
    )


def _addresses(prefix: str) -> list[str]:
    return [f"{prefix}.{n}" for n in range(1, 21)]


FIELDS = {
    "blog": "https://blog.example/",
    "user_ip": "192.0.2.1",
    "comment_content": "Thanks for the tide tables, they saved our Sunday walk.",
}


def test_an_api_key_limited_to_10_a_minute_gets_10_of_30_calls_whichever_worker_answers(
    flood_off,
):
    site = flood_off
    value = most_time_left(site.api_keys, 60)
    key = site.api_keys[value]
    with httpx.Client(base_url=site.url, timeout=60) as client, Burst(value) as burst:
        answers = _at_once(
            lambda n: client.post("/1.1/comment-check", data={**FIELDS, "api_key": key}), BURST
        )
    statuses = Counter(answer.status_code for answer in answers)
    seen = sorted((a.status_code, a.headers.get("Retry-After")) for a in answers)
    assert statuses[200] in burst.allowed(10), (value, burst.left, burst.took, seen)
    assert statuses[429] == BURST - statuses[200], seen
    assert {a.text for a in answers if a.status_code == 200} == {"false"}


def test_unknown_keys_from_one_address_get_10_answers_of_30_then_every_key_is_refused(
    flood_off,
):
    site = flood_off
    address = most_time_left(_addresses("192.0.2"), 60)
    valid = next(iter(site.api_keys.values()))
    with httpx.Client(base_url=site.url, timeout=60) as client:
        with Burst(address) as burst:
            answers = _at_once(
                lambda n: client.post(
                    "/1.1/comment-check",
                    data={**FIELDS, "api_key": f"guess{n:07d}"},
                    headers={"X-Forwarded-For": address},
                ),
                BURST,
            )
        statuses = Counter((answer.status_code, answer.text[:7]) for answer in answers)
        invalid = statuses[(200, "invalid")]
        assert invalid in burst.allowed(10), statuses
        assert statuses[(429, "Too man")] == BURST - invalid, statuses
        # A guesser learns nothing more in this window, not even from a right key.
        right = client.post(
            "/1.1/comment-check",
            data={**FIELDS, "api_key": valid},
            headers={"X-Forwarded-For": address},
        )
        assert right.status_code == 429


def test_the_comment_limit_holds_across_workers(flood_off):
    site = flood_off
    ip = most_time_left(_addresses("198.51.100"), 60)
    before = _count_comments(site)
    reader = Reader(site)
    try:
        with Burst(ip) as burst:
            answers = _at_once(
                lambda n: reader.comment(
                    ip, f"Remark {n} on the harbour.", f"burst{n}@example.net"
                ),
                BURST,
            )
    finally:
        reader.close()
    statuses = Counter(answer.status_code for answer in answers)
    assert statuses[302] in burst.allowed(10) and statuses[429] == BURST - statuses[302], statuses
    assert _count_comments(site) - before == statuses[302]


def test_with_flood_seconds_zero_no_concurrent_post_is_refused_as_a_flood(flood_off):
    site = flood_off
    before = _count_comments(site)
    reader = Reader(site)
    try:
        # One reader (one e-mail) from many addresses, all at once: only the flood guard
        # could refuse them, and it is off.
        answers = _at_once(
            lambda n: reader.comment(
                f"203.0.113.{n + 1}", f"Quick thought {n}.", "same.reader@example.net"
            ),
            FLOOD_OFF_POSTS,
        )
    finally:
        reader.close()
    statuses = Counter(answer.status_code for answer in answers)
    assert statuses == {302: FLOOD_OFF_POSTS}, statuses
    assert _count_comments(site) - before == FLOOD_OFF_POSTS


@pytest.fixture(scope="module")
def flood_on(site, flood_off):
    flood_off.stop()
    site.serve(SALON_FLOOD_SECONDS="15")
    yield site
    site.stop()


def test_of_simultaneous_posts_from_one_address_exactly_one_passes(flood_on):
    site = flood_on
    before = _count_comments(site)
    reader = Reader(site)
    try:
        answers = _at_once(
            lambda n: reader.comment(
                "192.0.2.77", f"Simultaneous remark {n}.", f"someone{n}@example.net"
            ),
            SIMULTANEOUS,
        )
    finally:
        reader.close()
    statuses = Counter(answer.status_code for answer in answers)
    assert statuses == {302: 1, 429: SIMULTANEOUS - 1}, statuses
    refused = [a.text for a in answers if a.status_code == 429]
    assert all("You are posting comments too quickly. Slow down." in text for text in refused)
    assert _count_comments(site) - before == 1
