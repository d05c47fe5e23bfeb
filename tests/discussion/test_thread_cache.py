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


def _from_scratch(post, liked=()) -> str:
    """The thread as rendered from scratch for the author of the held comments ("Held
    Voice"): every approved comment and theirs read, arranged and rendered by the template."""
    from django.db.models import Q

    from salon.discussion import conversation
    from salon.discussion.models import DiscussionSettings
    from salon.discussion.threads import SHOWN_COLUMNS, ThreadEntry, arrange

    visible = Q(status=Comment.Status.APPROVED) | Q(
        author_name="Held Voice", status__in=conversation.AWAITING
    )
    rows = post.comments.filter(visible).order_by().values(*SHOWN_COLUMNS)
    entries = arrange(
        (ThreadEntry(**row) for row in rows), DiscussionSettings.current().thread_depth
    )
    conversation._decorate(entries)
    return conversation._template().render(
        comments=conversation._render(entries, post.get_absolute_url(), set(liked))
    )


def _hold_all(on: bool) -> None:
    from salon.discussion.models import DiscussionSettings

    options = DiscussionSettings.current()
    options.hold_all = on
    options.save()


def test_a_reader_with_a_held_reply_sees_the_thread_a_full_render_shows(post, post_comment):
    """Their thread reuses every reader's cached comments where nothing moved; where their
    held reply shifts the numbering or opens a list of replies, comments are rendered again."""
    for n in range(6):
        post_comment(post, author=f"Voice {n}", comment=f"remark {n}")
    parent = Comment.objects.get(author_name="Voice 2")
    Client().post("/likes/", {"post": post.pk, "comment": parent.pk})
    Client().get(post.get_absolute_url())  # every reader's thread is cached
    _hold_all(True)
    author = Client()
    post_comment(post, using=author, author="Held Voice", comment="my reply", parent=parent.pk)
    page = author.get(post.get_absolute_url()).content.decode()

    assert "my reply" in page and "awaiting moderation" in page
    assert _from_scratch(post) in page


def test_a_reader_with_new_held_comments_and_likes_sees_what_a_full_render_shows(
    post, post_comment
):
    """The usual case: their held comments are the newest, placed after every reader's
    cached comments; the comment they liked is pressed."""
    for n in range(4):
        post_comment(post, author=f"Voice {n}", comment=f"remark {n}")
    author = Client()
    liked = Comment.objects.get(author_name="Voice 1")
    author.post("/likes/", {"post": post.pk, "comment": liked.pk})
    Client().get(post.get_absolute_url())  # every reader's thread is cached
    _hold_all(True)
    post_comment(post, using=author, author="Held Voice", comment="held first")
    post_comment(post, using=author, author="Held Voice", comment="held second")
    page = author.get(post.get_absolute_url()).content.decode()

    assert page.count("Your comment is awaiting moderation.") == 2
    assert 'aria-pressed="true"' in page
    assert _from_scratch(post, liked=[liked.pk]) in page
    assert "held first" not in Client().get(post.get_absolute_url()).content.decode()


def test_a_reader_whose_held_comment_is_older_than_others_sees_it_in_its_place(post, post_comment):
    """Comments approved after theirs was held come after it, numbered after it."""
    post_comment(post, author="Voice 0", comment="remark 0")
    _hold_all(True)
    author = Client()
    post_comment(post, using=author, author="Held Voice", comment="held a while")
    _hold_all(False)
    for n in range(1, 4):
        post_comment(post, author=f"Voice {n}", comment=f"remark {n}")
    Client().get(post.get_absolute_url())  # every reader's thread is cached
    page = author.get(post.get_absolute_url()).content.decode()

    assert page.index("held a while") < page.index("remark 1")
    assert _from_scratch(post) in page


def test_a_held_reader_s_thread_is_whole_when_the_cache_lost_its_entries(post, post_comment):
    """The cached comments' entries and places may be evicted before their HTML."""
    from django.core.cache import cache

    from salon.discussion import conversation
    from salon.discussion.models import DiscussionSettings

    for n in range(3):
        post_comment(post, author=f"Voice {n}", comment=f"remark {n}")
    _hold_all(True)
    author = Client()
    parent = Comment.objects.get(author_name="Voice 0")
    post_comment(post, using=author, author="Held Voice", comment="my reply", parent=parent.pk)
    Client().get(post.get_absolute_url())  # every reader's thread is cached
    post.refresh_from_db()
    key = conversation._thread_key(post, DiscussionSettings.current(), post.get_absolute_url())
    assert cache.get(key) is not None
    cache.delete_many([f"{key}:entries", f"{key}:places"])
    page = author.get(post.get_absolute_url()).content.decode()

    assert "my reply" in page
    assert _from_scratch(post) in page


def test_each_reader_sees_their_own_held_comments_and_likes_on_this_post_only(
    post, make_post, post_comment, django_user_model
):
    """A reader is known by their guest cookie, their account, or both; whichever way, they
    see their own held comments and pressed likes on this post, and nobody else's."""
    other_post = make_post(title="Another post")
    post_comment(post, author="Voice", comment="an approved remark")
    liked = Comment.objects.get()
    Client().get(post.get_absolute_url())  # every reader's thread is cached
    _hold_all(True)
    guest, stranger = Client(), Client()
    post_comment(post, using=guest, author="Guest", comment="the guest's held words")
    post_comment(other_post, using=guest, author="Guest", comment="held on the other post")
    guest.post("/likes/", {"post": other_post.pk})
    post_comment(post, using=stranger, author="Stranger", comment="a stranger's held words")
    member = django_user_model.objects.create_user("member", "member@example.org", "pw-mem-1")
    in_browser = Client()
    in_browser.force_login(member)
    post_comment(post, using=in_browser, comment="the member's held words")
    in_browser.post("/likes/", {"post": post.pk, "comment": liked.pk})
    trashed = Comment.objects.get(post=post, author_name="Stranger")
    trashed.status = Comment.Status.TRASH
    trashed.save()
    post_comment(post, using=stranger, author="Stranger", comment="held again")
    elsewhere = Client()  # the member in another browser: no guest cookie
    elsewhere.force_login(member)
    both = Client()  # the guest, who then logs in as the member: cookie and account
    for name, morsel in guest.cookies.items():
        both.cookies[name] = morsel.value
    both.force_login(member)

    def page(client) -> str:
        return client.get(post.get_absolute_url()).content.decode()

    def held(text: str) -> set[str]:
        return {
            words
            for words in (
                "the guest's held words",
                "held on the other post",
                "a stranger's held words",
                "held again",
                "the member's held words",
            )
            if words in text
        }

    assert held(page(guest)) == {"the guest's held words"}
    assert held(page(stranger)) == {"held again"}
    assert held(page(elsewhere)) == {"the member's held words"}
    assert held(page(both)) == {"the guest's held words", "the member's held words"}
    assert held(page(Client())) == set()
    assert 'aria-pressed="true"' in page(elsewhere)
    assert 'aria-pressed="true"' not in page(guest)  # they liked the other post only
    assert 'aria-pressed="true"' in guest.get(other_post.get_absolute_url()).content.decode()
