"""Moderation rules, as in WordPress, and the moderator's bulk actions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from salon.discussion.models import Comment, DiscussionSettings

pytestmark = pytest.mark.django_db


def _options(**values) -> None:
    DiscussionSettings.objects.update_or_create(pk=1, defaults=values)


def _age_all() -> None:
    """Let the flood window pass: the comments stored earlier, their claims expired."""
    Comment.objects.update(created_at=timezone.now() - timedelta(minutes=5))
    cache.clear()


def test_first_comment_from_a_guest_is_published_by_default(post, post_comment):
    post_comment(post)
    assert Comment.objects.get().status == Comment.Status.APPROVED


def test_two_links_hold_a_comment_one_does_not(post, post_comment):
    post_comment(post, comment="One link: https://one.example")
    post_comment(post, comment="Two: https://one.example and [two](https://two.example)")
    statuses = dict(Comment.objects.values_list("content", "status"))
    assert statuses["One link: https://one.example"] == Comment.Status.APPROVED
    assert [s for c, s in statuses.items() if c.startswith("Two")] == [Comment.Status.PENDING]


def test_moderation_word_holds_a_comment(post, post_comment):
    _options(moderation_words="casino\n203.0.113.9")
    post_comment(post, comment="Visit my CASINO")
    post_comment(post, ip="203.0.113.9", comment="innocent words")
    post_comment(post, comment="fine words")
    held = set(Comment.objects.filter(status="pending").values_list("content", flat=True))
    assert held == {"Visit my CASINO", "innocent words"}


def test_disallowed_word_sends_a_comment_to_the_trash(client, post, post_comment):
    _options(disallowed_words="buy pills")
    post_comment(post, comment="Please BUY PILLS here", author="Pusher")
    assert Comment.objects.get().status == Comment.Status.TRASH
    assert "BUY PILLS" not in client.get(post.get_absolute_url()).content.decode()


def test_hold_all_holds_guests_but_not_staff(client, owner, post, post_comment):
    _options(hold_all=True)
    post_comment(post, author="Guest")
    client.force_login(owner)
    post_comment(post, comment="Owner's answer")
    statuses = dict(Comment.objects.values_list("content", "status"))
    assert statuses["Owner's answer"] == Comment.Status.APPROVED
    assert Comment.objects.get(author_name="Guest").status == Comment.Status.PENDING


def test_the_posts_author_is_approved_even_with_links(client, author, make_post, post_comment):
    post = make_post(author=author)
    client.force_login(author)
    post_comment(post, comment="See https://a.example and https://b.example")
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.APPROVED
    assert comment.user == author and comment.author_name == "Wren Writer"


def test_previous_approval_lets_a_returning_commenter_through(post, post_comment):
    _options(require_previous_approval=True)
    post_comment(post, author="Newcomer", email="new@example.net", comment="hello")
    first = Comment.objects.get()
    assert first.status == Comment.Status.PENDING
    first.status = Comment.Status.APPROVED
    first.save()
    _age_all()
    post_comment(post, author="Newcomer", email="new@example.net", comment="me again")
    assert Comment.objects.get(content="me again").status == Comment.Status.APPROVED
    # Same e-mail under another name is not the same commenter.
    _age_all()
    post_comment(post, author="Impostor", email="new@example.net", comment="it's me")
    assert Comment.objects.get(content="it's me").status == Comment.Status.PENDING


def test_bulk_actions_change_status_and_keep_the_count_true(client, owner, post, post_comment):
    for _ in range(3):
        post_comment(post)
    post.refresh_from_db()
    assert post.comment_count == 3
    ids = list(Comment.objects.values_list("pk", flat=True))
    client.force_login(owner)
    url = "/admin/discussion/comment/"
    for action, status, count in [
        ("mark_spam", "spam", 1),
        ("move_to_trash", "trash", 1),
        ("unapprove", "pending", 1),
        ("approve", "approved", 3),
        ("mark_spam", "spam", 1),
        ("mark_not_spam", "approved", 3),
    ]:
        response = client.post(url, {"action": action, "_selected_action": ids[:2]})
        assert response.status_code == 302
        post.refresh_from_db()
        assert set(Comment.objects.filter(pk__in=ids[:2]).values_list("status", flat=True)) == {
            status
        }
        assert post.comment_count == count


def test_admin_lists_and_searches_comments_and_posts(client, owner, post, post_comment):
    post_comment(post, author="Findable Person", comment="needle in the haystack")
    post_comment(post, author="Other", comment="hay")
    client.force_login(owner)
    page = client.get("/admin/discussion/comment/?q=needle").content.decode()
    assert "Findable Person" in page and "Other" not in page
    posts = client.get("/admin/publishing/post/?q=worth").content.decode()
    assert "A post worth discussing" in posts


def test_every_way_of_moderating_is_heard(client, owner, post, post_comment):
    from salon.discussion.signals import comment_status_changed

    heard = []

    def hear(decision, **signal):
        heard.append(decision)

    comment_status_changed.connect(hear)
    try:
        post_comment(post, comment="to be judged")
        comment = Comment.objects.get()
        client.force_login(owner)
        client.post(
            "/admin/discussion/comment/", {"action": "mark_spam", "_selected_action": [comment.pk]}
        )
        form = {
            "post": post.pk,
            "status": "approved",
            "kind": "comment",
            "content": "to be judged",
            "author_name": comment.author_name,
            "author_email": comment.author_email,
            "author_url": "",
            "user_agent": "",
            "author_ip": "",
            "parent": "",
            "user": "",
            "created_at_0": "2024-01-01",
            "created_at_1": "10:00:00",
        }
        response = client.post(f"/admin/discussion/comment/{comment.pk}/change/", form)
        assert response.status_code == 302
    finally:
        comment_status_changed.disconnect(hear)
    assert [(d.previous_status, d.status, d.moderator) for d in heard] == [
        ("approved", "spam", owner),
        ("spam", "approved", owner),
    ]
    post.refresh_from_db()
    assert post.comment_count == 1
