"""A moderator's reply (a staff comment through the pipeline, approving what it answers) and
Quick Edit, as plain forms and as the script's JSON requests."""

from __future__ import annotations

import pytest

from salon.discussion.models import Comment
from salon.discussion.signals import comment_submitted
from tests.desk.conftest import JSON, SCREEN

pytestmark = pytest.mark.django_db
S = Comment.Status


@pytest.fixture
def submitted():
    comments = []

    def hear(comment, submission, **signal):
        comments.append(comment)

    comment_submitted.connect(hear)
    yield comments
    comment_submitted.disconnect(hear)


def test_replying_to_a_waiting_comment_approves_it_and_publishes_the_reply(
    staff, owner, post, make_comment, submitted, django_capture_on_commit_callbacks
):
    waiting = make_comment(S.PENDING, author_name="Asker")
    form = staff.get(f"/admin/moderation/{waiting.pk}/reply/?next={SCREEN}").content.decode()
    assert "Approve and reply" in form and "Asker" in form
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(
            f"/admin/moderation/{waiting.pk}/reply/",
            {"content": "Thanks, **fixed** now.", "next": SCREEN + "?status=pending"},
        )
    assert response.status_code == 302 and response["Location"] == SCREEN + "?status=pending"
    waiting.refresh_from_db()
    assert waiting.status == S.APPROVED
    reply = Comment.objects.get(parent=waiting)
    assert reply.user == owner and reply.status == S.APPROVED
    assert reply.author_email == owner.email and reply.author_name == owner.get_username()
    assert reply.content_html == "<p>Thanks, <strong>fixed</strong> now.</p>"
    assert submitted == [reply], "it went through the pipeline, and the apps heard of it"
    post.refresh_from_db()
    assert post.comment_count == 2
    notice = staff.get(SCREEN).content.decode()
    assert "Comment approved and your reply published." in notice


def test_reply_as_json_returns_both_rows(staff, make_comment):
    comment = make_comment(S.APPROVED, author_name="Asker")
    body = staff.post(
        f"/admin/moderation/{comment.pk}/reply/", {"content": "An answer.", "view": "all"}, **JSON
    ).json()
    reply = Comment.objects.get(parent=comment)
    assert body["message"] == "Your reply is published."
    assert f'id="desk-c-{reply.pk}"' in body["reply"] and "An answer." in body["reply"]
    assert f'id="desk-c-{comment.pk}"' in body["rows"][str(comment.pk)]


def test_a_reply_needs_words_and_a_comment_that_can_be_answered(staff, make_comment):
    comment = make_comment(S.APPROVED)
    empty = staff.post(f"/admin/moderation/{comment.pk}/reply/", {"content": "  "})
    assert empty.status_code == 400 and "Write a reply first." in empty.content.decode()
    as_json = staff.post(f"/admin/moderation/{comment.pk}/reply/", {"content": ""}, **JSON)
    assert as_json.status_code == 400 and as_json.json()["error"] == "Write a reply first."
    spam = make_comment(S.SPAM)
    refused = staff.post(f"/admin/moderation/{spam.pk}/reply/", {"content": "hi"}, **JSON)
    assert refused.status_code == 400 and "published or waiting" in refused.json()["error"]
    assert not Comment.objects.filter(parent__isnull=False).exists()
    assert staff.get("/admin/moderation/999999/reply/").status_code == 404


def test_a_reply_to_a_comment_trashed_meanwhile_keeps_the_moderators_words(staff, make_comment):
    """Another moderator trashed the comment while this one wrote: the form comes back with
    the reason and the words, not the queue without them."""
    comment = make_comment(S.APPROVED, author_name="Asker")
    assert staff.get(f"/admin/moderation/{comment.pk}/reply/").status_code == 200
    Comment.objects.filter(pk=comment.pk).update(status=S.TRASH)
    words = "A long, considered answer & a link."
    response = staff.post(f"/admin/moderation/{comment.pk}/reply/", {"content": words})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Only a published or waiting comment can be answered." in page
    assert ">A long, considered answer &amp; a link.</textarea>" in page
    assert not Comment.objects.filter(parent__isnull=False).exists()


def test_a_reply_on_a_closed_post_says_so(staff, post, make_comment):
    comment = make_comment(S.APPROVED)
    post.comments_open = False
    post.save()
    response = staff.post(f"/admin/moderation/{comment.pk}/reply/", {"content": "hi"}, **JSON)
    assert response.status_code == 403 and "closed" in response.json()["error"]


def test_quick_edit_as_a_plain_form(staff, post, make_comment):
    comment = make_comment(S.APPROVED, content="typo")
    page = staff.get(f"/admin/moderation/{comment.pk}/edit/").content.decode()
    assert 'name="author_email"' in page and "typo" in page
    response = staff.post(
        f"/admin/moderation/{comment.pk}/edit/",
        {
            "author_name": "Renamed",
            "author_email": "renamed@example.net",
            "author_url": "renamed.example",
            "content": "No *typo* <script>alert(1)</script>",
            "next": SCREEN,
        },
    )
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.author_name == "Renamed" and comment.author_url == "https://renamed.example"
    assert comment.content_html.startswith("<p>No <em>typo</em>")
    assert "<script" not in comment.content_html
    assert comment.status == S.APPROVED


def test_quick_edit_as_json(staff, make_comment):
    comment = make_comment(S.PENDING)
    fields = staff.get(f"/admin/moderation/{comment.pk}/edit/", **JSON).json()["form"]
    assert f'id="desk-qe-{comment.pk}-content"' in fields and comment.content in fields
    bad = staff.post(
        f"/admin/moderation/{comment.pk}/edit/",
        {"author_name": "X", "author_email": "not an address", "content": "words"},
        **JSON,
    )
    assert bad.status_code == 400 and "author_email" in bad.json()["errors"]
    good = staff.post(
        f"/admin/moderation/{comment.pk}/edit/",
        {
            "author_name": "X",
            "author_email": "x@example.net",
            "content": "new words",
            "view": "pending",
        },
        **JSON,
    ).json()
    assert "new words" in good["rows"][str(comment.pk)]
    comment.refresh_from_db()
    assert comment.content == "new words" and comment.status == S.PENDING
