"""Owning one's words: the author may edit or delete a comment for a while, nobody else."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from salon.discussion.models import Comment, DiscussionSettings

pytestmark = pytest.mark.django_db


def _age(comment: Comment, minutes: float) -> None:
    Comment.objects.filter(pk=comment.pk).update(
        created_at=timezone.now() - timedelta(minutes=minutes)
    )


def test_the_post_page_offers_the_author_edit_and_delete(client, post, post_comment):
    post_comment(post)
    comment = Comment.objects.get()
    page = client.get(post.get_absolute_url()).content.decode()
    assert f'href="/comments/{comment.pk}/edit/"' in page
    assert f'href="/comments/{comment.pk}/delete/"' in page
    assert "for 15 more minutes" in page
    assert "/edit/" not in Client().get(post.get_absolute_url()).content.decode()


def test_each_comment_the_reader_may_still_change_is_named_by_its_own_words(
    client, post, post_comment
):
    """Three comments posted in the same minute used to give three identical lines."""
    for text in ("I agree with the first part.", "Although the second part", "Typo: *third*"):
        post_comment(post, comment=text)
    page = client.get(post.get_absolute_url()).content.decode()
    lines = re.findall(r"<li>You can change .*?</li>", page)
    assert len(lines) == 3
    shown = {re.sub(r"<[^>]+>", "", line) for line in lines}  # what a reader reads
    assert len(shown) == 3
    for comment in Comment.objects.all():
        line = next(x for x in lines if f'href="#comment-{comment.pk}"' in x)
        assert comment.content.split()[0] in line
        assert f"/comments/{comment.pk}/edit/" in line


def test_a_guest_edits_their_comment_and_the_page_shows_the_new_text(client, post, post_comment):
    post_comment(post, comment="Frist!")
    comment = Comment.objects.get()
    form = client.get(f"/comments/{comment.pk}/edit/")
    assert form.status_code == 200 and "Frist!</textarea>" in form.content.decode()
    response = client.post(f"/comments/{comment.pk}/edit/", {"comment": "First, *properly*."})
    assert response.status_code == 302
    assert response["Location"] == f"{post.get_absolute_url()}#comment-{comment.pk}"
    page = client.get(post.get_absolute_url()).content.decode()
    assert "First, <em>properly</em>." in page and "Frist!" not in page
    # Readers who never commented see it too (the cached thread was renewed).
    assert "First, <em>properly</em>." in Client().get(post.get_absolute_url()).content.decode()


def test_an_edit_is_checked_again_like_a_new_comment(client, post, post_comment):
    DiscussionSettings.objects.update_or_create(pk=1, defaults={"moderation_words": "casino"})
    post_comment(post, comment="An innocent remark.")
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.APPROVED
    client.post(f"/comments/{comment.pk}/edit/", {"comment": "Now visit my casino."})
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING
    assert "casino" not in Client().get(post.get_absolute_url()).content.decode()


def test_an_empty_edit_is_refused_with_the_forms_message(client, post, post_comment):
    post_comment(post, comment="Keep me.")
    comment = Comment.objects.get()
    response = client.post(f"/comments/{comment.pk}/edit/", {"comment": "  "})
    assert response.status_code == 400
    assert "Please type your comment." in response.content.decode()
    comment.refresh_from_db()
    assert comment.content == "Keep me."


def test_someone_else_cannot_edit_or_delete_it(client, post, post_comment):
    post_comment(post, comment="Mine.")
    comment = Comment.objects.get()
    stranger = Client()
    stranger.post("/likes/", {"post": post.pk})  # a guest with a visitor cookie of their own
    for url in (f"/comments/{comment.pk}/edit/", f"/comments/{comment.pk}/delete/"):
        for method in (stranger.get, stranger.post):
            response = method(url, {"comment": "Hijacked."} if "edit" in url else {})
            assert response.status_code == 403
            assert "Only the person who wrote this comment can edit or delete it." in (
                response.content.decode()
            )
    comment.refresh_from_db()
    assert comment.content == "Mine."


def test_after_the_window_even_the_author_is_refused(client, post, post_comment):
    post_comment(post, comment="Too late to change.")
    comment = Comment.objects.get()
    _age(comment, 16)
    response = client.post(f"/comments/{comment.pk}/edit/", {"comment": "Changed."})
    assert response.status_code == 403
    assert "only in the first 15 minutes after it is posted" in response.content.decode()
    assert client.post(f"/comments/{comment.pk}/delete/").status_code == 403
    assert Comment.objects.get().content == "Too late to change."


def test_an_edit_sent_after_the_window_closed_is_shown_back_to_copy(client, post, post_comment):
    """The page opened in time, the words typed past the end of the window: the refusal
    keeps them for the author to copy, rather than throwing them away."""
    post_comment(post, comment="Frist.")
    comment = Comment.objects.get()
    assert client.get(f"/comments/{comment.pk}/edit/").status_code == 200
    _age(comment, 16)
    typed = "A long, careful correction <with> an aside & more."
    response = client.post(f"/comments/{comment.pk}/edit/", {"comment": typed})
    assert response.status_code == 403
    page = response.content.decode()
    assert "the time for this one is over" in page
    kept = re.search(r"<textarea[^>]*readonly[^>]*>(.*?)</textarea>", page, re.S)
    assert kept and html.unescape(kept.group(1)) == typed
    assert Comment.objects.get().content == "Frist."


def test_the_window_is_configurable(client, post, post_comment, settings):
    settings.SALON = {**settings.SALON, "EDIT_WINDOW_MINUTES": 60}
    post_comment(post)
    comment = Comment.objects.get()
    _age(comment, 30)
    assert client.get(f"/comments/{comment.pk}/edit/").status_code == 200


def test_the_author_deletes_their_comment_and_replies_stay(client, post, post_comment):
    post_comment(post, comment="Regrettable.")
    comment = Comment.objects.get()
    other = Client()
    post_comment(post, using=other, parent=comment.pk, comment="A reply.")
    confirm = client.get(f"/comments/{comment.pk}/delete/")
    assert confirm.status_code == 200 and "Regrettable." in confirm.content.decode()
    response = client.post(f"/comments/{comment.pk}/delete/")
    assert response.status_code == 302
    assert not Comment.objects.filter(pk=comment.pk).exists()
    page = client.get(post.get_absolute_url()).content.decode()
    assert "Regrettable." not in page and "A reply." in page
    post.refresh_from_db()
    assert post.comment_count == 1


def test_a_logged_in_author_edits_from_another_browser(client, post, author):
    client.force_login(author)
    client.post("/comments/post/", {"post": post.pk, "comment": "From my laptop."})
    comment = Comment.objects.get()
    phone = Client()
    phone.force_login(author)
    response = phone.post(f"/comments/{comment.pk}/edit/", {"comment": "From my phone."})
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.content == "From my phone."
    assert comment.identity_provider == "local"


def test_another_account_cannot_edit_it(client, post, author, django_user_model):
    client.force_login(author)
    client.post("/comments/post/", {"post": post.pk, "comment": "Signed by me."})
    comment = Comment.objects.get()
    intruder = Client()
    intruder.force_login(django_user_model.objects.create_user("mallory", "m@example.org", "x"))
    assert intruder.post(f"/comments/{comment.pk}/edit/", {"comment": "No."}).status_code == 403
    assert intruder.post(f"/comments/{comment.pk}/delete/").status_code == 403
