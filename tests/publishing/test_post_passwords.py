"""Password-protected posts, as WordPress has them: a reader without the password sees the
title and a password form, and nothing of the post's words, likes or conversation; the right
password unlocks the post on that browser."""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET

import pytest
from django.test import Client

from salon.discussion.models import Comment
from salon.publishing.models import Post

pytestmark = pytest.mark.django_db

PROMPT = "This content is password protected. To view it please enter your password below:"
NO_EXCERPT = "There is no excerpt because this is a protected post."
BODY = "The secret recipe is three parts sea salt."
REMARK = "A remark only those with the password may read."


@pytest.fixture
def protected(make_post, post_comment):
    """A published post with an approved comment, then given a password."""
    post = make_post(title="Members' corner", body=f"<p>{BODY}</p>", excerpt="A hand-written gist")
    assert post_comment(post, comment=REMARK).status_code == 302
    assert Comment.objects.get(post=post).status == Comment.Status.APPROVED
    post.password = "open sesame"
    post.save()
    return post


def unlock(client: Client, post: Post, password: str, ip: str = "10.1.0.1"):
    return client.post(f"/post-password/{post.pk}/", {"post_password": password}, REMOTE_ADDR=ip)


def test_a_locked_post_shows_its_title_and_the_form_and_nothing_else(client, protected):
    response = client.get(protected.get_absolute_url())
    assert response.status_code == 200
    page = response.content.decode()
    assert "Members&#x27; corner" in page
    assert PROMPT in page
    assert f'action="/post-password/{protected.pk}/"' in page and 'method="post"' in page
    assert 'name="csrfmiddlewaretoken"' in page
    assert f'<label for="post-password-{protected.pk}">Password:</label>' in page
    assert f'id="post-password-{protected.pk}"' in page
    for hidden in (BODY, REMARK, "A hand-written gist"):
        assert hidden not in page
    # No conversation, no comment form, no like button.
    assert 'id="comments"' not in page and 'id="respond"' not in page
    assert "like-button" not in page
    assert "Cookie" in response["Vary"]


def test_the_right_password_unlocks_the_post_on_that_browser_only(client, protected):
    response = unlock(client, protected, "open sesame")
    assert response.status_code == 303
    assert response["Location"] == protected.get_absolute_url()
    cookie = response.cookies[f"salon-postpass-{protected.pk}"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert cookie["max-age"] == 10 * 24 * 3600

    page = client.get(protected.get_absolute_url()).content.decode()
    assert BODY in page and REMARK in page and 'id="respond"' in page
    assert PROMPT not in page

    # Another reader still sees the form.
    assert BODY not in Client().get(protected.get_absolute_url()).content.decode()


def test_a_wrong_password_shows_the_form_again_and_says_so(client, protected):
    response = unlock(client, protected, "open sesame!")
    assert response.status_code == 403
    page = response.content.decode()
    assert PROMPT in page and "That password is not right" in page
    assert 'aria-invalid="true"' in page
    assert BODY not in page and REMARK not in page
    assert not any(name.startswith("salon-postpass-") for name in response.cookies)
    assert BODY not in client.get(protected.get_absolute_url()).content.decode()


def test_an_unlock_is_for_one_post_and_its_current_password(client, protected, make_post):
    other = make_post(title="Another locked post", body="<p>Other secret words.</p>")
    other.password = "open sesame"
    other.save()
    unlock(client, protected, "open sesame")
    # The first post's unlock, presented for the other post, opens nothing.
    client.cookies[f"salon-postpass-{other.pk}"] = client.cookies[
        f"salon-postpass-{protected.pk}"
    ].value
    assert "Other secret words." not in client.get(other.get_absolute_url()).content.decode()
    # A made-up cookie opens nothing either.
    client.cookies[f"salon-postpass-{other.pk}"] = "unlocked"
    assert "Other secret words." not in client.get(other.get_absolute_url()).content.decode()

    # When the author changes the password, readers need the new one.
    assert BODY in client.get(protected.get_absolute_url()).content.decode()
    protected.password = "new words"
    protected.save()
    assert BODY not in client.get(protected.get_absolute_url()).content.decode()


def test_the_form_is_protected_against_csrf(protected):
    browser = Client(enforce_csrf_checks=True)
    response = unlock(browser, protected, "open sesame")
    assert response.status_code == 403
    assert not response.cookies.get(f"salon-postpass-{protected.pk}")


def test_password_tries_are_limited_per_address(client, protected, settings):
    settings.SALON = {**settings.SALON, "POST_PASSWORD_RATE": "3/m"}
    for _ in range(3):
        assert unlock(client, protected, "guess", ip="10.2.0.1").status_code == 403
    blocked = unlock(client, protected, "open sesame", ip="10.2.0.1")
    assert blocked.status_code == 429
    assert "Too many tries" in blocked.content.decode()
    assert BODY not in client.get(protected.get_absolute_url()).content.decode()
    # Another reader, at another address, is not held back.
    assert unlock(Client(), protected, "open sesame", ip="10.2.0.2").status_code == 303


def test_comments_and_likes_on_a_locked_post_are_refused(client, protected, post_comment):
    response = post_comment(protected, using=client, comment="Let me in")
    assert response.status_code == 403
    assert "password protected" in response.content.decode()
    assert not Comment.objects.filter(content="Let me in").exists()

    liked = client.post("/likes/", {"post": protected.pk}, HTTP_ACCEPT="application/json")
    assert liked.status_code == 403 and "password protected" in liked.json()["error"]
    protected.refresh_from_db()
    assert protected.like_count == 0

    unlock(client, protected, "open sesame")
    assert post_comment(protected, using=client, comment="Now I may").status_code == 302
    assert Comment.objects.filter(content="Now I may").exists()


def test_words_sent_as_the_post_was_locked_are_shown_back_to_copy(client, protected, post_comment):
    """The owner set a password while a reader was typing: the refusal keeps their words."""
    typed = "Two paragraphs on the <recipe> & its salt."
    response = post_comment(protected, using=client, comment=typed)
    assert response.status_code == 403
    page = response.content.decode()
    kept = re.search(r"<textarea[^>]*readonly[^>]*>(.*?)</textarea>", page, re.S)
    assert kept and html.unescape(kept.group(1)) == typed
    assert BODY not in page and REMARK not in page


def test_lists_and_feeds_show_no_excerpt_of_a_protected_post(client, protected):
    home = client.get("/").content.decode()
    assert "Members&#x27; corner" in home and NO_EXCERPT in home
    assert BODY not in home and "A hand-written gist" not in home

    feed = client.get("/feed/")
    items = {i.findtext("title"): i for i in ET.fromstring(feed.content).iter("item")}
    assert items["Members' corner"].findtext("description") == NO_EXCERPT
    assert BODY not in feed.content.decode()

    # The comment feeds: the site's leaves the post out; the post's own shows nothing locked.
    assert REMARK not in client.get("/comments/feed/").content.decode()
    own = client.get(protected.get_absolute_url() + "feed/")
    assert own.status_code == 200 and REMARK not in own.content.decode()
    unlock(client, protected, "open sesame")
    assert REMARK in client.get(protected.get_absolute_url() + "feed/").content.decode()


def test_the_password_is_set_in_the_post_editor_and_shown_in_the_list(owner, make_post):
    staff = Client()
    staff.force_login(owner)
    post = make_post(title="To be protected")
    form = {
        "title": post.title,
        "slug": post.slug,
        "body_format": "html",
        "text": "<p>Words for friends.</p>",
        "excerpt": "",
        "status": "published",
        "password": "friends only",
        "published_at": "2024-05-01T10:00",
        "author": owner.pk,
        "kind": "post",
        "comments_open": "on",
        "tags": "",
    }
    response = staff.post(f"/admin/publishing/post/{post.pk}/change/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    post.refresh_from_db()
    assert post.password == "friends only" and post.status == Post.Status.PUBLISHED
    listing = staff.get("/admin/publishing/post/").content.decode()
    assert "column-password_protected" in listing
    assert "Words for friends." not in Client().get(post.get_absolute_url()).content.decode()


def test_a_post_without_a_password_has_nothing_to_unlock(client, post):
    response = unlock(client, post, "anything")
    assert response.status_code == 303 and response["Location"] == post.get_absolute_url()
    assert not response.cookies
    assert client.post("/post-password/999999/", {"post_password": "x"}).status_code == 404
    assert client.get(f"/post-password/{post.pk}/").status_code == 405
