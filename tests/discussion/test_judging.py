"""One path judges every comment, new or changed, with Salon's spam filter on (the default):
the Discussion settings do what their page says, and what follows a comment never undoes it."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from salon.discussion import signals
from salon.discussion.models import Comment, DiscussionSettings
from tests.mentions.test_receiving import source_page, target_of, webmention

pytestmark = [pytest.mark.django_db, pytest.mark.spam_filter]

ORDINARY = "I read the whole piece twice; the part about the harbour tolls was new to me."


def _options(**values) -> None:
    DiscussionSettings.objects.update_or_create(pk=1, defaults=values)


def _status(author: str) -> str:
    return Comment.objects.get(author_name=author).status


def test_each_discussion_setting_does_what_its_page_says(client, post, post_comment):
    _options(disallowed_words="pillstore", moderation_words="ferry tolls", max_links=2)
    post_comment(post, author="Trashed", comment=f"{ORDINARY} Visit pillstore today.")
    post_comment(post, author="Held word", comment=f"{ORDINARY} What about the ferry tolls?")
    post_comment(
        post,
        author="Held links",
        comment=f"{ORDINARY} See https://en.wikipedia.org/wiki/Toll_road and https://www.gov.uk/",
    )
    post_comment(post, author="Published", comment=ORDINARY)

    assert _status("Trashed") == Comment.Status.TRASH
    assert _status("Held word") == Comment.Status.PENDING
    assert _status("Held links") == Comment.Status.PENDING
    assert _status("Published") == Comment.Status.APPROVED
    # The moderator reads which rule decided, beside the filter's reasons.
    reasons = {r["signal"] for r in Comment.objects.get(author_name="Held word").spam_reasons}
    assert "moderation_words" in reasons
    reasons = {r["signal"] for r in Comment.objects.get(author_name="Held links").spam_reasons}
    assert "max_links" in reasons
    trashed = Comment.objects.get(author_name="Trashed").spam_reasons
    assert any("pillstore" in r["message"] for r in trashed)
    # Nobody else sees the held or trashed ones.
    page = Client().get(post.get_absolute_url()).content.decode()
    assert "Published" in page
    assert not any(name in page for name in ("Trashed", "Held word", "Held links"))


def test_a_disallowed_word_in_blatant_spam_still_goes_to_the_trash(post, post_comment):
    """The honeypot alone makes a comment blatant spam, which is discarded unseen; the
    owner's own disallowed word keeps it, in the trash, as the settings page promises."""
    _options(disallowed_words="pillstore")
    post_comment(post, author="Bot", comment="pillstore pillstore", nickname="filled by a bot")
    assert _status("Bot") == Comment.Status.TRASH


def test_an_edit_that_adds_a_disallowed_word_goes_to_the_trash(client, post, post_comment):
    _options(disallowed_words="pillstore")
    post_comment(post, author="Editor", comment=ORDINARY)
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.APPROVED
    client.post(f"/comments/{comment.pk}/edit/", {"comment": f"{ORDINARY} pillstore"})
    comment.refresh_from_db()
    assert comment.status == Comment.Status.TRASH


def test_an_edit_never_lets_a_held_comment_out_of_moderation(client, post, post_comment):
    _options(moderation_words="ferry tolls")
    post_comment(post, author="Patient", comment=f"{ORDINARY} The ferry tolls, though?")
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.PENDING
    client.post(f"/comments/{comment.pk}/edit/", {"comment": ORDINARY})
    comment.refresh_from_db()
    assert comment.content == ORDINARY
    assert comment.status == Comment.Status.PENDING, "only a moderator lets it out"


def test_a_changed_mention_meets_the_moderation_words(client, post, other_site, allow_loopback):
    source = other_site.page("/tolls/", source_page(target_of(post), "I liked"))
    assert webmention(client, source, target_of(post)).status_code == 202
    assert Comment.objects.get().status == Comment.Status.APPROVED

    _options(moderation_words="ferry tolls")
    other_site.page("/tolls/", source_page(target_of(post), "About the ferry tolls, I liked"))
    assert webmention(client, source, target_of(post)).status_code == 202
    mention = Comment.objects.get()
    assert "ferry tolls" in mention.content
    assert mention.status == Comment.Status.PENDING


def test_a_failing_receiver_is_logged_and_the_comment_stays(
    post, post_comment, caplog, django_capture_on_commit_callbacks
):
    heard = []

    def broken(comment, **signal):
        raise RuntimeError("the mail queue is on fire")

    def listening(comment, **signal):
        heard.append(comment.pk)

    signals.comment_submitted.connect(broken)
    signals.comment_submitted.connect(listening)
    try:
        with (
            caplog.at_level(logging.ERROR, logger="salon.discussion.signals"),
            django_capture_on_commit_callbacks(execute=True),
        ):
            response = post_comment(post, author="Survivor", comment=ORDINARY)
    finally:
        signals.comment_submitted.disconnect(broken)
        signals.comment_submitted.disconnect(listening)
    comment = Comment.objects.get(author_name="Survivor")
    assert response.status_code == 302 and response["Location"].endswith(f"#comment-{comment.pk}")
    assert heard == [comment.pk], "the other receivers still hear of it"
    assert "the mail queue is on fire" in caplog.text


def test_the_author_of_a_held_comment_sees_it_awaiting_and_can_change_it(client, post):
    _options(moderation_words="ferry tolls")
    client.post(
        "/comments/post/",
        {
            "post": post.pk,
            "comment": f"{ORDINARY} And the ferry tolls?",
            "author": "Waiting Reader",
            "email": "waiting@example.net",
        },
        REMOTE_ADDR="192.0.2.44",
    )
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.PENDING
    page = client.get(post.get_absolute_url()).content.decode()
    assert f'id="comment-{comment.pk}"' in page, "the link to their comment leads somewhere"
    assert "Your comment is awaiting moderation." in page
    assert f'<a href="#comment-{comment.pk}">your comment</a>' in page
    Comment.objects.update(created_at=timezone.now() - timedelta(minutes=16))
    assert "Waiting Reader" not in Client().get(post.get_absolute_url()).content.decode()


def test_the_moderators_queue_shows_held_comments_first_with_their_reason(
    client, owner, post, post_comment
):
    _options(moderation_words="ferry tolls")
    post_comment(post, author="Early Held", comment=f"{ORDINARY} The ferry tolls?")
    Comment.objects.update(created_at=timezone.now() - timedelta(days=2))
    post_comment(post, author="Later Published", comment=ORDINARY)
    client.force_login(owner)
    page = client.get("/admin/discussion/comment/").content.decode()
    assert page.index("Early Held") < page.index("Later Published")
    assert "on this site&#x27;s moderation list" in page
