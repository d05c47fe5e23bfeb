"""What the spam filter knows of a commenter's past is said as what it is: by e-mail address,
by IP address and by website, never lumped together as "this author"."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from salon.discussion.models import Comment

pytestmark = [pytest.mark.django_db, pytest.mark.spam_filter]

SHARED_IP = "203.0.113.7"


def _earlier(post, n: int, **fields) -> None:
    for i in range(n):
        Comment.objects.create(
            post=post,
            content=f"An earlier remark {i} about the treaty's terms.",
            created_at=timezone.now() - timedelta(days=1),
            **fields,
        )


def test_a_shared_ip_is_not_called_the_authors_history(owner, post, post_comment):
    # Three people behind one address (a library, a school) were approved before; someone
    # new writes from it, and an address of theirs was once marked spam.
    for n in range(3):
        _earlier(
            post,
            1,
            author_name=f"Reader {n}",
            author_email=f"r{n}@example.net",
            author_ip=SHARED_IP,
            status=Comment.Status.APPROVED,
        )
    _earlier(
        post,
        1,
        author_name="Newcomer",
        author_email="new@example.net",
        author_ip="198.51.100.2",
        status=Comment.Status.SPAM,
    )
    post_comment(
        post,
        ip=SHARED_IP,
        author="Newcomer",
        email="new@example.net",
        comment="I wonder whether the treaty says anything about withdrawal at all.",
    )
    comment = Comment.objects.latest("pk")
    reasons = {r["signal"]: r["message"] for r in comment.spam_reasons}
    assert "this author" not in reasons["history_approved"]
    assert reasons["history_approved"] == "approved before: 3 from this IP address"
    assert reasons["history_spam"] == "marked spam before: 1 from this e-mail address"

    # The admin shows both histories, each for what it is.
    staff = Client()
    staff.force_login(owner)
    page = staff.get(f"/admin/discussion/comment/{comment.pk}/change/").content.decode()
    assert "Other comments from this e-mail address (new@example.net): 0 approved, 1 spam" in page
    assert f"Other comments from this IP address ({SHARED_IP}): 3 approved, 0 spam" in page
