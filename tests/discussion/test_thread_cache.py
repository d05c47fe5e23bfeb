"""Readers are served a cached thread, and never a stale one."""

from __future__ import annotations

import pytest
from django.test import Client

from salon.discussion.models import Comment

pytestmark = pytest.mark.django_db


def test_a_reader_sees_every_change_at_once(client, owner, post, post_comment):
    reader = Client()
    post_comment(post, author="First Voice", comment="first")
    assert "first" in reader.get(post.get_absolute_url()).content.decode()

    post_comment(post, author="Second Voice", comment="second")
    page = reader.get(post.get_absolute_url()).content.decode()
    assert "Second Voice" in page and "2 thoughts on" in page

    first = Comment.objects.get(author_name="First Voice")
    Client().post("/likes/", {"post": post.pk, "comment": first.pk})
    assert "Liked by 1 person" in reader.get(post.get_absolute_url()).content.decode()

    staff = Client()
    staff.force_login(owner)
    staff.post(
        "/admin/discussion/comment/", {"action": "mark_spam", "_selected_action": [first.pk]}
    )
    page = reader.get(post.get_absolute_url()).content.decode()
    assert "First Voice" not in page and "One thought on" in page

    second = Comment.objects.get(author_name="Second Voice")
    second.content = "edited by the moderator"
    second.content_html = "<p>edited by the moderator</p>"
    second.save()
    assert "edited by the moderator" in reader.get(post.get_absolute_url()).content.decode()

    second.delete()
    assert "Second Voice" not in reader.get(post.get_absolute_url()).content.decode()


def test_a_reader_who_liked_sees_their_own_like(post, post_comment):
    post_comment(post, author="Liked One")
    comment = Comment.objects.get()
    anonymous, fan = Client(), Client()
    anonymous.get(post.get_absolute_url())  # fills the cache
    fan.post("/likes/", {"post": post.pk, "comment": comment.pk})
    assert 'aria-pressed="true">Liked</button>' in fan.get(post.get_absolute_url()).content.decode()
    assert 'aria-pressed="true"' not in anonymous.get(post.get_absolute_url()).content.decode()
