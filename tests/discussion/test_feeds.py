"""Comment feeds: the whole site's and one post's, approved comments only."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from salon.discussion.models import Comment, DiscussionSettings

pytestmark = pytest.mark.django_db


def _titles(response) -> list[str]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    root = ET.fromstring(response.content)
    return [item.findtext("title") for item in root.iter("item")]


def test_all_comments_feed_lists_approved_comments_only(client, post, make_post, post_comment):
    other = make_post(title="Another post")
    post_comment(post, author="Alice")
    post_comment(other, author="Bob")
    DiscussionSettings.objects.update_or_create(pk=1, defaults={"hold_all": True})
    post_comment(post, author="Held Harry")
    Comment.objects.filter(author_name="Bob").update(status=Comment.Status.SPAM)
    assert _titles(client.get("/comments/feed/")) == [f"Comment on {post.title} by Alice"]


def test_the_site_comments_feed_says_which_post_each_comment_is_on(
    client, post, make_post, post_comment
):
    """In a feed reader the site's comments come one by one, far from their posts: each
    title names the post (as WordPress's does), in RSS and Atom alike."""
    other = make_post(title="Another post")
    post_comment(post, author="Alice")
    post_comment(other, author="Alice")
    expected = ["Comment on Another post by Alice", f"Comment on {post.title} by Alice"]
    assert _titles(client.get("/comments/feed/")) == expected
    atom = ET.fromstring(client.get("/comments/feed/atom/").content)
    entries = atom.iter("{http://www.w3.org/2005/Atom}entry")
    assert [entry.findtext("{http://www.w3.org/2005/Atom}title") for entry in entries] == expected


def test_post_comments_feed_lists_that_posts_comments(client, post, make_post, post_comment):
    other = make_post(title="Another post")
    post_comment(post, author="Alice", comment="on the first post")
    post_comment(other, author="Bob")
    url = post.get_absolute_url() + "feed/"
    page = client.get(post.get_absolute_url()).content.decode()
    assert f'href="{url}"' in page  # advertised in the page head
    response = client.get(url)
    assert _titles(response) == ["By: Alice"]
    assert "on the first post" in response.content.decode()
    assert client.get("/2001/01/01/no-such-post/feed/").status_code == 404
