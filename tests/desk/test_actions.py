"""Every action of the moderation screen, as a plain form and as the script's JSON request:
each goes through moderation.moderate (so the spam filter learns as from any moderator), can
be undone, and is refused without staff rights or a CSRF token."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from salon.antispam.models import Lesson
from salon.discussion.models import Comment
from salon.discussion.signals import comment_status_changed
from tests.desk.conftest import ACT, JSON, SCREEN

pytestmark = pytest.mark.django_db
S = Comment.Status

CASES = [
    ("approve", S.PENDING, S.APPROVED),
    ("unapprove", S.APPROVED, S.PENDING),
    ("spam", S.PENDING, S.SPAM),
    ("spam", S.APPROVED, S.SPAM),
    ("notspam", S.SPAM, S.APPROVED),
    ("trash", S.APPROVED, S.TRASH),
    ("restore", S.TRASH, S.PENDING),
]


@pytest.fixture
def heard():
    decisions = []

    def hear(decision, **signal):
        decisions.append((decision.comment.pk, decision.previous_status, decision.status))

    comment_status_changed.connect(hear)
    yield decisions
    comment_status_changed.disconnect(hear)


@pytest.mark.parametrize(("action", "before", "after"), CASES)
def test_each_action_as_a_plain_form(staff, post, make_comment, heard, action, before, after):
    comment = make_comment(before)
    back = f"{SCREEN}?status={before}"
    response = staff.post(ACT, {"do": f"{action}:{comment.pk}", "next": back, "view": before})
    assert response.status_code == 302 and response["Location"] == back
    comment.refresh_from_db()
    assert comment.status == after
    assert heard == [(comment.pk, before, after)]
    post.refresh_from_db()
    assert post.comment_count == (1 if after == S.APPROVED else 0)

    # The screen, reloaded, says what was done and offers to undo it.
    page = staff.get(back).content.decode()
    notice = page[page.index('id="desk-notices"') : page.index('id="desk-act"')]
    assert "1 comment" in notice and 'name="undo"' in notice
    token = re.search(r'name="undo" value="([^"]+)"', notice).group(1)
    assert (
        "1 comment"
        not in staff.get(back)
        .content.decode()
        .split('id="desk-act"')[0]
        .split('id="desk-notices"')[1]
    ), "the notice is shown once"

    response = staff.post(ACT, {"undo": token, "next": back})
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.status == before
    assert heard[-1] == (comment.pk, after, before)


@pytest.mark.parametrize(("action", "before", "after"), CASES)
def test_each_action_as_json(staff, make_comment, heard, action, before, after):
    comment = make_comment(before)
    make_comment(S.PENDING)
    response = staff.post(ACT, {"do": f"{action}:{comment.pk}", "view": "all"}, **JSON)
    assert response.status_code == 200
    body = response.json()
    comment.refresh_from_db()
    assert comment.status == after and heard == [(comment.pk, before, after)]
    assert body["message"].startswith("1 comment")
    row = body["rows"][str(comment.pk)]
    assert f'id="desk-c-{comment.pk}"' in row and f'data-status="{after}"' in row
    if after in (S.SPAM, S.TRASH):  # no longer in "All": a line saying so, with Undo
        assert "desk-row--moved" in row and 'name="undo"' in row
    else:
        assert "desk-row--moved" not in row
    assert body["counts"][after] == Comment.objects.filter(status=after).count()
    assert body["pending"] == Comment.objects.filter(status=S.PENDING).count()

    undone = staff.post(ACT, {"undo": body["undo"], "view": "all"}, **JSON).json()
    comment.refresh_from_db()
    assert comment.status == before
    assert undone["message"] == "1 change undone."
    assert f'data-status="{before}"' in undone["rows"][str(comment.pk)]


def test_spam_and_not_spam_teach_the_filter(staff, make_comment):
    comment = make_comment(S.APPROVED, spam_score=0.1)
    staff.post(ACT, {"do": f"spam:{comment.pk}"}, **JSON)
    staff.post(ACT, {"do": f"notspam:{comment.pk}"}, **JSON)
    lessons = list(Lesson.objects.order_by("pk").values_list("is_spam", "moderator__username"))
    assert lessons == [(True, "owner"), (False, "owner")]


def test_bulk_actions_and_their_undo(staff, post, make_comment):
    pending = [make_comment(S.PENDING) for _ in range(3)]
    approved = make_comment(S.APPROVED)
    untouched = make_comment(S.PENDING)
    ids = [c.pk for c in pending] + [approved.pk]
    body = staff.post(ACT, {"do": "spam", "ids": ids, "view": "pending"}, **JSON).json()
    assert body["message"] == "4 comments marked as spam."
    assert set(body["rows"]) == {str(pk) for pk in ids}
    assert set(Comment.objects.filter(pk__in=ids).values_list("status", flat=True)) == {S.SPAM}
    untouched.refresh_from_db()
    assert untouched.status == S.PENDING

    staff.post(ACT, {"undo": body["undo"], "next": SCREEN})
    statuses = dict(Comment.objects.values_list("pk", "status"))
    assert [statuses[c.pk] for c in pending] == [S.PENDING] * 3
    assert statuses[approved.pk] == S.APPROVED
    post.refresh_from_db()
    assert post.comment_count == 1

    # Without JavaScript, the bulk form posts the same fields.
    response = staff.post(ACT, {"do": "approve", "ids": ids, "next": SCREEN})
    assert response.status_code == 302
    assert set(Comment.objects.filter(pk__in=ids).values_list("status", flat=True)) == {S.APPROVED}


def test_bad_requests_are_told_what_to_do(staff, make_comment):
    comment = make_comment(S.PENDING)
    for data, status, words in [
        ({"do": "approve"}, 400, "Select at least one comment first."),
        ({"do": "launch", "ids": [comment.pk]}, 400, "Choose an action"),
        ({"do": "approve:abc"}, 400, "Those are not comments."),
        ({"do": "approve:999999"}, 404, "Those comments no longer exist."),
        ({"undo": "forged-token"}, 400, "can no longer be undone"),
    ]:
        as_json = staff.post(ACT, data, **JSON)
        assert as_json.status_code == status and words in as_json.json()["error"]
        as_form = staff.post(ACT, data)
        assert as_form.status_code == status and words in as_form.content.decode()
    comment.refresh_from_db()
    assert comment.status == S.PENDING
    assert staff.get(ACT).status_code == 405


def test_actions_need_staff_rights(client, django_user_model, make_comment):
    comment = make_comment(S.PENDING)
    assert client.post(ACT, {"do": f"approve:{comment.pk}"}, **JSON).status_code == 302
    viewer = django_user_model.objects.create_user(
        "viewer", "v@example.net", "pw-viewer-1", is_staff=True
    )
    from django.contrib.auth.models import Permission

    viewer.user_permissions.add(Permission.objects.get(codename="view_comment"))
    client.force_login(viewer)
    assert client.get(SCREEN).status_code == 200, "may read the queue"
    assert client.post(ACT, {"do": f"approve:{comment.pk}"}, **JSON).status_code == 403
    assert (
        client.post(f"/admin/moderation/{comment.pk}/reply/", {"content": "hi"}).status_code == 403
    )
    assert client.post(f"/admin/moderation/{comment.pk}/edit/", {"content": "x"}).status_code == 403
    comment.refresh_from_db()
    assert comment.status == S.PENDING


def test_actions_need_the_csrf_token(owner, make_comment):
    comment = make_comment(S.PENDING)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(owner)
    refused = browser.post(ACT, {"do": f"approve:{comment.pk}"}, **JSON)
    assert refused.status_code == 403
    comment.refresh_from_db()
    assert comment.status == S.PENDING
    page = browser.get(SCREEN).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    # The script sends the page's token in a header, as Django's documentation shows.
    accepted = browser.post(ACT, {"do": f"approve:{comment.pk}"}, HTTP_X_CSRFTOKEN=token, **JSON)
    assert accepted.status_code == 200
    comment.refresh_from_db()
    assert comment.status == S.APPROVED
