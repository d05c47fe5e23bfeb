"""The spam check weighs what this site decided before about the same e-mail, IP or website."""

from __future__ import annotations

import pytest

from salon.antispam.filtering import history_for
from salon.discussion.models import Comment

pytestmark = pytest.mark.django_db


def _comment(post, status, email="", ip=None, url=""):
    return Comment.objects.create(
        post=post,
        author_name="Someone",
        author_email=email,
        author_ip=ip,
        author_url=url,
        content="words",
        status=status,
    )


def test_history_counts_each_way_of_knowing_the_author_apart(post):
    _comment(post, "approved", email="Ann_Lee@Example.org", ip="203.0.113.7")
    _comment(post, "spam", email="ann_lee@example.org", url="https://ann.example/")
    _comment(post, "approved", url="https://ann.example/")
    _comment(post, "pending", email="ann_lee@example.org")
    # A wildcard in the address matches only itself: "annxlee" is someone else.
    _comment(post, "spam", email="annxlee@example.org", ip="203.0.113.8")

    history = history_for("ANN_LEE@example.org", "203.0.113.7", "https://ann.example/")
    assert (history.email_approved, history.email_spam) == (1, 1)
    assert (history.ip_approved, history.ip_spam) == (1, 0)
    assert (history.url_approved, history.url_spam) == (1, 1)

    only_ip = history_for("", "203.0.113.8", "")
    assert (only_ip.email_approved, only_ip.email_spam, only_ip.ip_spam) == (0, 0, 1)
    nothing = history_for("", None, "")
    assert (nothing.email_approved, nothing.ip_approved, nothing.url_spam) == (0, 0, 0)
