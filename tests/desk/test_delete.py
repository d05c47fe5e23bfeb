"""Delete Permanently on the moderation screen: only for spam and trashed comments, for
moderators allowed to delete, with nothing to undo; the replies under a deleted comment stay in
their thread."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from salon.discussion.models import Comment
from tests.desk.conftest import ACT, JSON, SCREEN

pytestmark = pytest.mark.django_db
S = Comment.Status


def notice_of(page: str) -> str:
    return page[page.index('id="desk-notices"') : page.index('id="desk-act"')]


def test_a_spam_comment_is_deleted_and_its_approved_reply_moves_up(
    staff, client, post, make_comment
):
    def said(words: str) -> dict[str, str]:
        return {"content": words, "content_html": f"<p>{words}</p>"}

    question = make_comment(S.APPROVED, **said("Where was this taken?"))
    spam = make_comment(S.SPAM, parent=question, **said("Cheap essays at my site"))
    answer = make_comment(S.APPROVED, parent=spam, **said("Near the old harbour, I think."))
    back = f"{SCREEN}?status=spam"

    response = staff.post(ACT, {"do": f"delete:{spam.pk}", "next": back, "view": "spam"})

    assert response.status_code == 302 and response["Location"] == back
    assert not Comment.objects.filter(pk=spam.pk).exists()
    answer.refresh_from_db()
    assert answer.parent_id == question.pk, "the reply stays under the thread's earlier comment"
    post.refresh_from_db()
    assert post.comment_count == 2
    notice = notice_of(staff.get(back).content.decode())
    assert "1 comment deleted permanently." in notice
    assert 'name="undo"' not in notice, "a deletion cannot be undone, so none is offered"

    page = client.get(post.get_absolute_url()).content.decode()
    assert "Near the old harbour, I think." in page
    assert "Cheap essays" not in page


def test_deleting_a_chain_keeps_the_reply_under_the_nearest_survivor(staff, make_comment):
    top = make_comment(S.APPROVED)
    trashed = make_comment(S.TRASH, parent=top)
    spam = make_comment(S.SPAM, parent=trashed)
    reply = make_comment(S.APPROVED, parent=spam)

    body = staff.post(ACT, {"do": "delete", "ids": [trashed.pk, spam.pk]}, **JSON).json()

    assert body["message"] == "2 comments deleted permanently."
    assert body["undo"] == ""
    reply.refresh_from_db()
    assert reply.parent_id == top.pk
    for pk in (trashed.pk, spam.pk):
        assert "deleted permanently" in body["rows"][str(pk)]
        assert f'id="desk-c-{pk}"' in body["rows"][str(pk)]
    assert body["counts"]["trash"] == 0 and body["counts"]["spam"] == 0


def test_what_readers_see_or_a_moderator_awaits_is_never_deleted(staff, make_comment):
    approved = make_comment(S.APPROVED)
    pending = make_comment(S.PENDING)
    for comment in (approved, pending):
        refused = staff.post(ACT, {"do": f"delete:{comment.pk}"}, **JSON)
        assert refused.status_code == 400
        assert "move a comment to the Trash first" in refused.json()["error"]
        as_form = staff.post(ACT, {"do": f"delete:{comment.pk}", "next": SCREEN})
        assert as_form.status_code == 400
        assert "move a comment to the Trash first" in as_form.content.decode()
    assert Comment.objects.filter(pk__in=[approved.pk, pending.pk]).count() == 2

    # Chosen together with spam, they are left alone and the moderator is told so.
    spam = make_comment(S.SPAM)
    body = staff.post(
        ACT, {"do": "delete", "ids": [approved.pk, pending.pk, spam.pk]}, **JSON
    ).json()
    assert body["message"] == (
        "1 comment deleted permanently. 2 comments were left alone: only spam and trashed "
        "comments can be deleted."
    )
    assert set(Comment.objects.values_list("pk", flat=True)) == {approved.pk, pending.pk}


def test_only_the_spam_and_trash_tabs_offer_it(staff, make_comment):
    spam = make_comment(S.SPAM)
    trashed = make_comment(S.TRASH)
    approved = make_comment(S.APPROVED)
    bulk = re.compile(r'<select name="do" id="desk-bulk-do">(.*?)</select>', re.S)
    for tab, comment in (("spam", spam), ("trash", trashed)):
        page = staff.get(f"{SCREEN}?status={tab}").content.decode()
        assert f'value="delete:{comment.pk}"' in page
        assert 'value="delete"' in bulk.search(page).group(1)
    page = staff.get(f"{SCREEN}?status=all").content.decode()
    assert f'value="delete:{approved.pk}"' not in page
    assert 'value="delete"' not in bulk.search(page).group(1)


def test_a_moderator_without_the_right_to_delete_is_refused(
    client, django_user_model, make_comment
):
    spam = make_comment(S.SPAM)
    moderator = django_user_model.objects.create_user(
        "moderator", "m@example.net", "pw-moderator-1", is_staff=True
    )
    moderator.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_comment", "change_comment"])
    )
    client.force_login(moderator)
    page = client.get(f"{SCREEN}?status=spam").content.decode()
    assert f'value="spam:{spam.pk}"' not in page and f'value="notspam:{spam.pk}"' in page
    assert f'value="delete:{spam.pk}"' not in page
    assert client.post(ACT, {"do": f"delete:{spam.pk}"}, **JSON).status_code == 403
    assert Comment.objects.filter(pk=spam.pk).exists()


def test_deleting_needs_the_csrf_token(owner, make_comment):
    spam = make_comment(S.SPAM)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(owner)
    assert browser.post(ACT, {"do": f"delete:{spam.pk}"}, **JSON).status_code == 403
    assert Comment.objects.filter(pk=spam.pk).exists()


EMPTY = "/admin/moderation/empty/"


def test_empty_spam_asks_first_then_deletes_what_it_counted(staff, make_comment):
    spam = [make_comment(S.SPAM) for _ in range(3)]
    trashed = make_comment(S.TRASH)
    approved = make_comment(S.APPROVED)
    screen = staff.get(f"{SCREEN}?status=spam").content.decode()
    assert f'href="{EMPTY}?status=spam"' in screen

    confirm = staff.get(f"{EMPTY}?status=spam")
    page = confirm.content.decode()
    assert confirm.status_code == 200
    assert "Delete all 3 comments marked as spam permanently?" in page
    assert "This cannot be undone." in page
    assert Comment.objects.filter(status=S.SPAM).count() == 3, "asking deletes nothing"
    upto = re.search(r'name="upto" value="(\d+)"', page).group(1)

    # Spam that arrives while the moderator reads the question is not deleted unseen.
    late = make_comment(S.SPAM)
    response = staff.post(EMPTY, {"status": "spam", "upto": upto})

    assert response.status_code == 302 and response["Location"] == f"{SCREEN}?status=spam"
    assert set(Comment.objects.values_list("pk", flat=True)) == {
        late.pk,
        trashed.pk,
        approved.pk,
    }
    assert not Comment.objects.filter(pk__in=[c.pk for c in spam]).exists()
    notice = notice_of(staff.get(response["Location"]).content.decode())
    assert "3 comments deleted permanently." in notice


def test_empty_trash_and_what_cannot_be_emptied(staff, make_comment):
    trashed = make_comment(S.TRASH)
    kept = make_comment(S.PENDING)
    page = staff.get(f"{EMPTY}?status=trash").content.decode()
    assert "Delete the 1 comment in the Trash permanently?" in page
    upto = re.search(r'name="upto" value="(\d+)"', page).group(1)
    assert staff.post(EMPTY, {"status": "trash", "upto": upto}).status_code == 302
    assert list(Comment.objects.values_list("pk", flat=True)) == [kept.pk]
    assert trashed.pk not in Comment.objects.values_list("pk", flat=True)

    for status in ("pending", "approved", "all", ""):
        refused = staff.post(EMPTY, {"status": status, "upto": str(kept.pk)})
        assert refused.status_code == 400
        assert "Only the Spam and the Trash can be emptied." in refused.content.decode()
    assert staff.post(EMPTY, {"status": "trash", "upto": "x"}).status_code == 400
    assert Comment.objects.filter(pk=kept.pk).exists()
    assert "There is nothing to delete." in staff.get(f"{EMPTY}?status=spam").content.decode()


def test_emptying_needs_the_right_to_delete_and_the_csrf_token(
    owner, client, django_user_model, make_comment
):
    spam = make_comment(S.SPAM)
    moderator = django_user_model.objects.create_user(
        "moderator", "m@example.net", "pw-moderator-1", is_staff=True
    )
    moderator.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_comment", "change_comment"])
    )
    client.force_login(moderator)
    assert EMPTY not in client.get(f"{SCREEN}?status=spam").content.decode()
    assert client.get(f"{EMPTY}?status=spam").status_code == 403
    assert client.post(EMPTY, {"status": "spam", "upto": str(spam.pk)}).status_code == 403

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(owner)
    assert browser.post(EMPTY, {"status": "spam", "upto": str(spam.pk)}).status_code == 403
    assert Comment.objects.filter(pk=spam.pk).exists()
