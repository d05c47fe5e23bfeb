"""Likes: one per person, toggled, counted, with and without JavaScript."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.test import Client

from salon.discussion.likes import toggle_like
from salon.discussion.models import Comment, Like

pytestmark = pytest.mark.django_db


@pytest.fixture
def comment(post, post_comment):
    post_comment(post, author="Likeable")
    return Comment.objects.get()


def _like(browser, post, comment=None, json=False):
    data = {"post": post.pk}
    if comment:
        data["comment"] = comment.pk
    headers = {"HTTP_ACCEPT": "application/json"} if json else {}
    return browser.post("/likes/", data, **headers)


def test_liking_a_comment_without_javascript_redirects_back_to_it(post, comment):
    reader = Client()
    response = _like(reader, post, comment)
    assert response.status_code == 302
    assert response["Location"] == f"{post.get_absolute_url()}#comment-{comment.pk}"
    page = reader.get(post.get_absolute_url()).content.decode()
    assert "Liked by 1 person" in page
    assert 'aria-pressed="true">Liked</button>' in page


def test_liking_again_takes_the_like_back(post, comment):
    reader = Client()
    _like(reader, post, comment)
    _like(reader, post, comment)
    comment.refresh_from_db()
    assert comment.like_count == 0
    assert "Liked by" not in reader.get(post.get_absolute_url()).content.decode()


def test_each_person_counts_once_and_the_label_goes_plural(post, comment):
    readers = [Client() for _ in range(3)]
    for reader in readers:
        assert _like(reader, post, comment, json=True).json()["liked"] is True
    data = _like(Client(), post, comment, json=True).json()
    assert data == {"liked": True, "count": 4, "label": "Liked by 4 people"}
    assert Like.objects.filter(comment=comment).count() == 4


def test_a_logged_in_person_likes_once_from_any_browser(post, owner):
    laptop, phone = Client(), Client()
    laptop.force_login(owner)
    phone.force_login(owner)
    assert _like(laptop, post, json=True).json()["liked"] is True
    assert _like(phone, post, json=True).json() == {"liked": False, "count": 0, "label": ""}


def test_post_likes_are_counted_apart_from_comment_likes(post, comment):
    reader = Client()
    _like(reader, post)
    _like(reader, post, comment)
    post.refresh_from_db()
    comment.refresh_from_db()
    assert (post.like_count, comment.like_count) == (1, 1)
    page = reader.get(post.get_absolute_url()).content.decode()
    assert page.count("Liked by 1 person") == 2


def test_one_like_per_person_holds_in_the_database(post, comment):
    Like.objects.create(post=post, comment=comment, liker="g:abc")
    with pytest.raises(IntegrityError), transaction.atomic():
        Like.objects.create(post=post, comment=comment, liker="g:abc")
    Like.objects.create(post=post, liker="g:abc")  # the post itself is another target
    with pytest.raises(IntegrityError), transaction.atomic():
        Like.objects.create(post=post, liker="g:abc")


def test_toggle_survives_a_concurrent_duplicate(post, comment):
    # Another request from the same person already inserted the like.
    liked, count = toggle_like(post, comment, "g:same")
    assert (liked, count) == (True, 1)


def test_likes_need_a_real_target_and_csrf(post, comment, make_post):
    from salon.publishing.models import Post

    draft = make_post(status=Post.Status.DRAFT)
    reader = Client()
    assert reader.post("/likes/", {"post": draft.pk}).status_code == 404
    assert reader.post("/likes/", {"post": post.pk, "comment": 999999}).status_code == 404
    assert reader.post("/likes/", {"post": "x"}).status_code == 404
    assert reader.get("/likes/").status_code == 405
    strict = Client(enforce_csrf_checks=True)
    assert strict.post("/likes/", {"post": post.pk}).status_code == 403
    assert Like.objects.count() == 0


def test_a_forged_visitor_cookie_is_ignored(post, comment):
    reader = Client()
    _like(reader, post, comment)
    forger = Client()
    forger.cookies["salon_visitor"] = reader.cookies["salon_visitor"].value[:-2] + "xx"
    assert 'aria-pressed="true"' not in forger.get(post.get_absolute_url()).content.decode()


def test_likes_are_rate_limited(post, comment, settings):
    settings.SALON = {**settings.SALON, "LIKE_RATE": "3/m"}
    reader = Client()
    codes = [_like(reader, post, comment, json=True).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
