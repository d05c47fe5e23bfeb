"""Links from mail, followed in a real browser: each page asks with a button, and the button
works (a browser sends the page's Origin with it, which Django's CSRF check reads)."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest

from salon.discussion.models import Comment
from salon.notifications.links import moderation_url, new_nonce
from salon.privacy.data_requests import request_link

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="the browser tests need Playwright (pip install -e '.[test]')"
)
expect = sync_api.expect

pytestmark = pytest.mark.e2e

SHA = "shatara@example.net"  # the demo's first commenter


def opened(page, live_server, link: str) -> None:
    page.goto(live_server.url + urlsplit(link).path)


def test_a_data_link_shows_the_data_once_and_its_page_downloads_it(page, live_server, demo):
    Comment.objects.filter(pk=demo.first_comment_id).update(author_email=SHA)
    link = request_link(SHA, "export")

    opened(page, live_server, link)
    expect(page.get_by_role("button", name="Show my data")).to_be_visible()
    page.get_by_role("button", name="Show my data").click()
    expect(page.get_by_role("heading", name="Comments (1)")).to_be_visible()

    with page.expect_download() as download:
        page.get_by_role("button", name="Download it as a JSON file").click()
    data = json.loads(download.value.path().read_text(encoding="utf-8"))
    assert len(data["comments"]) == 1

    opened(page, live_server, link)  # as anyone else the message reaches
    expect(page.get_by_role("heading", name="This link does not work")).to_be_visible()
    expect(page.get_by_text("It has already been used")).to_be_visible()


def test_an_erasure_link_erases_when_its_button_is_pressed(page, live_server, demo):
    Comment.objects.filter(pk=demo.first_comment_id).update(author_email=SHA)

    opened(page, live_server, request_link(SHA, "erase"))
    page.get_by_role("button", name="Erase my data").click()

    expect(page.get_by_text("Done. Erased for")).to_be_visible()
    assert Comment.objects.get(pk=demo.first_comment_id).author_email == ""


def test_a_moderation_link_moderates_when_its_button_is_pressed(page, live_server, demo):
    Comment.objects.filter(pk=demo.reply_id).update(status=Comment.Status.PENDING)

    opened(page, live_server, moderation_url(demo.reply_id, "approve", new_nonce()))
    page.get_by_role("button", name="Approve").click()

    expect(page.get_by_role("heading", name="Done")).to_be_visible()
    assert Comment.objects.get(pk=demo.reply_id).status == Comment.Status.APPROVED
