"""Whoever deletes a comment for good (its author, an erasure, retention), the replies others
wrote under it stay in their thread, under the nearest comment that stays."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from salon.discussion.deletion import delete_comments
from salon.discussion.models import Comment

pytestmark = pytest.mark.django_db


@pytest.fixture
def thread(post):
    """question ← doomed ← middle (also doomed) ← answer ← thanks; and a bystander."""

    def add(name: str, parent: Comment | None = None, **fields) -> Comment:
        return Comment.objects.create(
            post=post,
            parent=parent,
            author_name=name,
            author_email=f"{name.lower()}@example.net",
            content=f"{name}'s words.",
            content_html=f"<p>{name}'s words.</p>",
            status=fields.pop("status", Comment.Status.APPROVED),
            **fields,
        )

    question = add("Quinn")
    doomed = add("Dana", question)
    middle = add("Dana", doomed)
    answer = add("Ari", middle)
    thanks = add("Tess", answer)
    bystander = add("Bo")
    return question, doomed, middle, answer, thanks, bystander


def test_replies_move_up_to_the_nearest_comment_that_stays(post, thread):
    question, doomed, middle, answer, thanks, bystander = thread

    assert delete_comments(Comment.objects.filter(pk__in=[doomed.pk, middle.pk])) == 2

    parents = dict(Comment.objects.values_list("pk", "parent_id"))
    assert parents == {
        question.pk: None,
        answer.pk: question.pk,
        thanks.pk: answer.pk,
        bystander.pk: None,
    }
    post.refresh_from_db()
    assert post.comment_count == 4


def test_a_reply_whose_every_ancestor_goes_becomes_a_comment_of_its_own(thread):
    question, doomed, middle, answer, _thanks, _bystander = thread
    delete_comments(Comment.objects.filter(pk__in=[question.pk, doomed.pk, middle.pk]))
    answer.refresh_from_db()
    assert answer.parent_id is None


def test_an_erasure_that_deletes_keeps_the_others_replies_in_the_thread(settings, thread):
    from salon.privacy.models import DataRequest
    from salon.privacy.personal_data import erase_personal_data

    settings.SALON = {**settings.SALON, "ERASURE": "delete"}
    question, _doomed, _middle, answer, thanks, _bystander = thread
    erase_personal_data("dana@example.net", DataRequest.Source.ADMIN)
    assert not Comment.objects.filter(author_name="Dana").exists()
    answer.refresh_from_db()
    thanks.refresh_from_db()
    assert answer.parent_id == question.pk and thanks.parent_id == answer.pk


def test_retention_deleting_spam_keeps_an_approved_reply_in_the_thread(thread):
    question, doomed, middle, answer, _thanks, _bystander = thread
    Comment.objects.filter(pk__in=[doomed.pk, middle.pk]).update(
        status=Comment.Status.SPAM, status_since=timezone.now() - timedelta(days=60)
    )
    call_command("retention")
    answer.refresh_from_db()
    assert answer.parent_id == question.pk
    assert not Comment.objects.filter(pk__in=[doomed.pk, middle.pk]).exists()


def test_an_author_deleting_their_reply_keeps_the_answers_to_it_in_the_thread(post, post_comment):
    post_comment(post, comment="Where is this?")
    question = Comment.objects.get()
    author = Client()
    post_comment(post, using=author, parent=question.pk, comment="Regrettable.")
    mine = Comment.objects.get(content="Regrettable.")
    post_comment(post, using=Client(), parent=mine.pk, comment="An answer to it.")
    answer = Comment.objects.get(content="An answer to it.")

    assert author.post(f"/comments/{mine.pk}/delete/").status_code == 302

    answer.refresh_from_db()
    assert answer.parent_id == question.pk


def test_deleting_many_comments_costs_the_queries_of_deleting_a_few(post):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def spam(n: int) -> None:
        Comment.objects.bulk_create(
            Comment(post=post, content="x", content_html="x", status=Comment.Status.SPAM)
            for _ in range(n)
        )

    costs = []
    for n in (3, 60):
        spam(n)
        with CaptureQueriesContext(connection) as queries:
            assert delete_comments(Comment.objects.filter(status=Comment.Status.SPAM)) == n
        costs.append(len(queries.captured_queries))
    assert costs[0] == costs[1], costs
    post.refresh_from_db()
    assert post.comment_count == 0
