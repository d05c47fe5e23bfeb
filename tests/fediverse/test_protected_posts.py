"""A password-protected post as the fediverse sees it: its title and the way to the password
form, never its words or its comments (a server presents no reader's unlock)."""

from __future__ import annotations

import pytest

from salon.discussion.models import Comment

pytestmark = pytest.mark.django_db

AP = "application/activity+json"
BODY = "Words kept for those with the password."
REMARK = "A comment under the protected post."


def test_a_protected_post_is_an_article_without_its_words_or_replies(
    client, fediverse_site, make_post, post_comment
):
    post = make_post(title="For friends", body=f"<p>{BODY}</p>", excerpt="A gist for friends")
    assert post_comment(post, comment=REMARK).status_code == 302
    comment = Comment.objects.get(post=post)
    note_url = f"/fediverse/comments/{comment.pk}/"
    assert client.get(note_url, HTTP_ACCEPT=AP).status_code == 200  # before the password
    post.password = "friends"
    post.save()

    article = client.get(f"/fediverse/posts/{post.pk}/", HTTP_ACCEPT=AP).json()
    assert article["name"] == "For friends"
    assert "password protected" in article["content"]
    assert f"http://testserver{post.get_absolute_url()}" in article["content"]
    assert article["summary"] == "There is no excerpt because this is a protected post."
    assert BODY not in str(article) and "A gist for friends" not in str(article)

    replies = client.get(f"/fediverse/posts/{post.pk}/replies/", HTTP_ACCEPT=AP).json()
    assert replies["totalItems"] == 0 and replies["orderedItems"] == []
    assert client.get(note_url, HTTP_ACCEPT=AP).status_code == 404
    # The outbox carries the same Article.
    outbox = client.get("/fediverse/blog/outbox/", HTTP_ACCEPT=AP)
    assert BODY not in outbox.content.decode()
