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


def test_a_reader_with_a_held_reply_sees_the_thread_a_full_render_shows(post, post_comment):
    """Their thread reuses every reader's cached comments where nothing moved; where their
    held reply shifts the numbering or opens a list of replies, comments are rendered again."""
    from salon.discussion import conversation
    from salon.discussion.models import DiscussionSettings

    for n in range(6):
        post_comment(post, author=f"Voice {n}", comment=f"remark {n}")
    parent = Comment.objects.get(author_name="Voice 2")
    Client().post("/likes/", {"post": post.pk, "comment": parent.pk})
    Client().get(post.get_absolute_url())  # every reader's thread is cached
    options = DiscussionSettings.current()
    options.hold_all = True
    options.save()
    author = Client()
    post_comment(post, using=author, author="Held Voice", comment="my reply", parent=parent.pk)
    page = author.get(post.get_absolute_url()).content.decode()

    # The thread as rendered from scratch for them: every comment through the template.
    from django.db.models import Q

    held = Comment.objects.get(author_name="Held Voice")
    own = Q(visitor_key=held.visitor_key, status__in=conversation.AWAITING)
    entries = conversation._entries(post, options, own)
    fresh = conversation._template().render(
        comments=conversation._render(entries, post.get_absolute_url(), set())
    )

    assert "my reply" in page and "awaiting moderation" in page
    assert fresh in page
