"""The signed links in mail lead where Django's reverse() says their views are."""

from __future__ import annotations

import pytest
from django.urls import clear_script_prefix, reverse, set_script_prefix

from salon.notifications import links
from salon.notifications.delivery import absolute_url

pytestmark = pytest.mark.django_db


def _token(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[1]


@pytest.mark.parametrize("prefix", ["/", "/blog/"])
def test_each_link_is_the_reversed_address_of_its_token(prefix):
    set_script_prefix(prefix)
    try:
        made = {
            "notifications:moderate": links.moderation_url(42, "approve", links.new_nonce()),
            "notifications:unsubscribe": links.unsubscribe_url("Zoe@Example.net", "replies", 7),
            "notifications:confirm": links.confirm_url("zoe@example.net", [1, 2, 3]),
        }
        for view, url in made.items():
            assert url == absolute_url(reverse(view, args=[_token(url)]))
            assert url.startswith(absolute_url(prefix + "mail/"))
    finally:
        clear_script_prefix()


def test_a_link_reads_back_what_it_was_made_with():
    choice = links.read_moderation(_token(links.moderation_url(42, "spam", "n0nce")))
    assert (choice.comment_id, choice.action, choice.nonce) == (42, "spam", "n0nce")
    stop = links.read_unsubscribe(_token(links.unsubscribe_url("a@example.net", "author")))
    assert (stop.email, stop.topic, stop.post_id) == ("a@example.net", "author", None)


@pytest.mark.parametrize("token", ["a b", "ü", "x%y", "q?r", "#h"])
def test_a_token_that_reverse_would_quote_is_quoted_as_reverse_quotes_it(token):
    url = links._link("notifications:unsubscribe", token)
    assert url == absolute_url(reverse("notifications:unsubscribe", args=[token]))
    assert token not in url
