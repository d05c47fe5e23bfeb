"""A conversation elsewhere the owner gave a password: the widget, which carries no reader's
unlock, neither shows it nor adds to it."""

from __future__ import annotations

import pytest

from salon.discussion.models import Comment
from salon.publishing.models import Post

pytestmark = pytest.mark.django_db


def test_a_protected_conversation_is_neither_shown_nor_joined(api, host_site):
    page = host_site.page("/members/")
    first = api.post_comment(page, text="A remark from before the password.")
    assert first.status == 201
    assert api.thread(page).data["count"] == 1
    Post.objects.filter(external_url=page).update(password="members")

    thread = api.thread(page)
    assert thread.status == 200
    assert thread.data["comments"] == [] and thread.data["open"] is False
    assert "A remark from before the password." not in thread.headers.content.decode()

    refused = api.post_comment(page, text="Trying to get in.")
    assert refused.status == 403 and "password protected" in refused.data["error"]
    assert not Comment.objects.filter(content="Trying to get in.").exists()
    assert api.like(first.data["comment"]["id"]).status == 404
