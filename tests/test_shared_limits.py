"""Limits hold across the workers of a real ``salon serve``: the rate limits counted in the
cache every worker shares, and the flood guard's atomic claim (issue #18).

One site, served twice by three gunicorn workers: first with the flood guard off (the rate
limits alone), then with it on.
"""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.served import Reader, make_site, wait_for_a_fresh_window

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
    site.serve(SALON_FLOOD_SECONDS="0", SALON_COMMENT_RATE="10/m")
    yield site
    site.stop()


def _at_once(calls, count: int) -> list:
    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(lambda n: calls(n), range(count)))


def _count_comments(site) -> int:
    return int(
        site.python("from salon.discussion.models import Comment; print(Comment.objects.count())")
    )


def test_an_api_key_limited_to_10_a_minute_gets_10_of_30_calls_whichever_worker_answers(
    flood_off,
):
    site = flood_off
    wait_for_a_fresh_window(f"key:{site.api_key_id}", 60)
    fields = {
        "api_key": site.api_key,
        "blog": "https://blog.example/",
        "user_ip": "192.0.2.1",
        "comment_content": "Thanks for the tide tables, they saved our Sunday walk.",
    }
    with httpx.Client(base_url=site.url, timeout=60) as client:
        answers = _at_once(lambda n: client.post("/1.1/comment-check", data=fields), BURST)
    statuses = Counter(answer.status_code for answer in answers)
    assert statuses == {200: 10, 429: 20}, statuses
    assert {a.text for a in answers if a.status_code == 200} == {"false"}


def test_the_comment_limit_holds_across_workers(flood_off):
    site = flood_off
    ip = "198.51.100.20"
    wait_for_a_fresh_window(ip, 60)
    before = _count_comments(site)
    reader = Reader(site)
    try:
        answers = _at_once(
            lambda n: reader.comment(ip, f"Remark {n} on the harbour.", f"burst{n}@example.net"),
            BURST,
        )
    finally:
        reader.close()
    statuses = Counter(answer.status_code for answer in answers)
    assert statuses == {302: 10, 429: 20}, statuses
    assert _count_comments(site) - before == 10


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
