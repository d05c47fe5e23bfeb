"""Compiled queries (``salon.prepared``) give the rows the ORM would, and their INSERTs store
the rows the ORM stores."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import IntegrityError, transaction
from django.db.models.functions import Now
from django.db.models.signals import post_save, pre_save
from django.forms.models import model_to_dict

from salon.discussion.models import Comment
from salon.notifications.models import OutgoingMail
from salon.prepared import insert, prepared

pytestmark = pytest.mark.django_db


def _row(model, pk: int) -> dict:
    row = model.objects.filter(pk=pk).values().get()
    del row["id"]
    return row


def _comment_fields(post, parent=None, user=None, **changes) -> dict:
    fields = {
        "post": post,
        "parent": parent,
        "user": user,
        "author_name": "Zoë «Quote» O'Brien",
        "author_email": "Zoe@Example.NET",
        "author_url": "https://zoe.example/",
        "author_ip": "2001:db8::1",
        "user_agent": "Mozilla/5.0 (X11)",
        "visitor_key": "k" * 40,
        "content": "Text with 'quotes', 100% of it; %s and \\ too.\nSecond line ✓",
        "content_html": "<p>Text</p>",
        "status": Comment.Status.PENDING,
        "kind": Comment.Kind.COMMENT,
        "created_at": datetime(2026, 12, 5, 1, 2, 3, 456789, tzinfo=UTC),
        "status_since": datetime(2026, 12, 5, 1, 2, 4, 567890, tzinfo=UTC),
        "spam_score": 0.123456789,
        "spam_reasons": [{"signal": "links", "weight": 1.5, "message": "a “link”"}],
        "spam_outcome": "hold",
    }
    fields.update(changes)
    return fields


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"author_ip": "203.0.113.9", "spam_score": None, "spam_reasons": [], "spam_outcome": ""},
        {"author_ip": None, "author_email": "", "author_url": "", "status": "approved"},
    ],
)
def test_a_compiled_comment_insert_stores_what_the_orm_stores(post, owner, changes):
    parent = Comment.objects.create(**_comment_fields(post, content="The parent."))
    orm = Comment.objects.create(**_comment_fields(post, parent, owner, **changes))
    compiled = insert(Comment(**_comment_fields(post, parent, owner, **changes)))
    assert compiled.pk is not None and compiled.pk != orm.pk
    assert _row(Comment, compiled.pk) == _row(Comment, orm.pk)
    # The instance is the stored row, as after save().
    assert not compiled._state.adding and compiled._state.db == "default"
    assert model_to_dict(Comment.objects.get(pk=compiled.pk)) == model_to_dict(compiled)


def test_defaults_are_filled_in_as_the_orm_fills_them(post):
    orm = Comment.objects.create(post=post, content="Bare.")
    compiled = insert(Comment(post=post, content="Bare."))
    orm_row, compiled_row = _row(Comment, orm.pk), _row(Comment, compiled.pk)
    # The dates default to the time of creation: both within the test, not equal.
    for when in ("created_at", "status_since"):
        assert orm_row.pop(when) <= compiled_row.pop(when)
    assert compiled_row == orm_row
    assert compiled_row["status"] == Comment.Status.PENDING and compiled_row["spam_reasons"] == []


def test_a_compiled_mail_insert_stores_what_the_orm_stores(post):
    comment = Comment.objects.create(**_comment_fields(post))
    fields = {
        "to": "mod@example.org",
        "subject": "Please moderate: “A post”",
        "body": "Line one\nApprove it: https://blog.example/m/abc:def/\n",
        "headers": {"Auto-Submitted": "auto-generated", "List-Unsubscribe": "<https://x/>"},
        "topic": "moderation",
        "comment": comment,
    }
    orm = OutgoingMail.objects.create(**fields)
    compiled = insert(OutgoingMail(**fields))
    orm_row, compiled_row = _row(OutgoingMail, orm.pk), _row(OutgoingMail, compiled.pk)
    for when in ("created_at", "next_attempt_at"):
        assert orm_row.pop(when) <= compiled_row.pop(when)
    assert compiled_row == orm_row
    assert compiled_row["headers"] == fields["headers"]


def test_the_save_signals_are_sent_as_by_save(post):
    seen = []

    def before(sender, instance, **kwargs):
        seen.append(("pre", sender, instance.pk, kwargs["raw"], kwargs["update_fields"]))

    def after(sender, instance, created, **kwargs):
        seen.append(("post", sender, instance.pk, created, kwargs["update_fields"]))

    pre_save.connect(before, sender=Comment)
    post_save.connect(after, sender=Comment)
    try:
        comment = insert(Comment(post=post, content="Counted.", status=Comment.Status.APPROVED))
    finally:
        pre_save.disconnect(before, sender=Comment)
        post_save.disconnect(after, sender=Comment)
    assert seen == [
        ("pre", Comment, None, False, None),
        ("post", Comment, comment.pk, True, None),
    ]
    post.refresh_from_db()
    assert post.comment_count == 1  # the count keeper (a post_save receiver) ran


def test_an_expression_or_a_given_key_goes_through_the_orm(post):
    comment = insert(Comment(post=post, content="Now.", created_at=Now()))
    assert Comment.objects.get(pk=comment.pk).content == "Now."
    chosen = insert(Comment(pk=comment.pk + 1000, post=post, content="Mine."))
    assert chosen.pk == comment.pk + 1000
    assert Comment.objects.get(pk=chosen.pk).content == "Mine."


def test_a_failed_insert_leaves_the_transaction_to_be_rolled_back(post):
    with transaction.atomic():
        with pytest.raises(IntegrityError):
            insert(OutgoingMail(to=None, subject="s", body="b"))  # a column that needs a value
        assert transaction.get_rollback()  # as after a failed save(): the block rolls back
    assert not OutgoingMail.objects.exists()


def test_an_unsaved_related_row_is_refused_as_save_refuses_it(post):
    parent = Comment(post=post, content="Never stored.")
    with pytest.raises(ValueError, match="unsaved related object"):
        insert(Comment(post=post, parent=parent, content="Orphan."))


def test_a_compiled_query_s_rows_hold_values_as_the_orm_gives_them(post, post_comment):
    post_comment(post, author="Dated Voice")
    query = prepared(
        "test: a comment's author and date",
        lambda v: Comment.objects.filter(post_id=v("post", -7_070_707)).values_list(
            "author_name", "created_at"
        ),
    )

    rows = [tuple(row) for row in query.all_rows(post=post.pk)]
    assert rows == list(Comment.objects.values_list("author_name", "created_at"))
