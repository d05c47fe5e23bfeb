"""Queries compiled once give the rows the ORM would."""

from __future__ import annotations

import pytest

from salon.discussion.models import Comment
from salon.prepared import prepared

pytestmark = pytest.mark.django_db


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
