"""The spam check weighs what this site decided before about the same e-mail, IP or website."""

from __future__ import annotations

from unittest import mock

import pytest
from django.db.models import F

from salon.antispam import engine, filtering
from salon.antispam.filtering import history_for
from salon.antispam.models import THIS_SITE, SpamFilterSite
from salon.discussion.models import Comment
from salon.discussion.pipeline import CommentSubmission

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


@pytest.mark.parametrize(
    ("email", "ip", "url"),
    [
        ("ANN_LEE@example.org", "203.0.113.7", "https://ann.example/"),
        ("", "203.0.113.7", ""),
        ("", None, ""),
    ],
)
def test_the_check_reads_the_sites_learning_with_the_authors_history(post, email, ip, url):
    """One query gives the spam check the site's row (made on the first check) and the
    author's history: the same as reading each alone; a lesson another process stored
    since (the row's version moved on) is loaded, and only then."""
    _comment(post, "approved", email="Ann_Lee@Example.org", ip="203.0.113.7")
    _comment(post, "spam", email="ann_lee@example.org", url="https://ann.example/")
    assert not SpamFilterSite.objects.filter(name=THIS_SITE).exists()
    submission = CommentSubmission(
        post=post, content="Hello there.", author_email=email, ip=ip, author_url=url
    )

    def check() -> tuple[engine.History, engine.SiteState]:
        with mock.patch.object(engine, "check", wraps=engine.check) as engine_check:
            filtering.check_comment(submission)
        call = engine_check.call_args
        return call.args[0].history, call.kwargs["site"]

    history, first = check()
    assert history == history_for(email, ip, url)
    assert SpamFilterSite.objects.filter(name=THIS_SITE).exists()  # made by the first check
    assert check()[1] is first  # nothing learnt since: the state this process holds
    SpamFilterSite.objects.filter(name=THIS_SITE).update(version=F("version") + 1)
    history, second = check()
    assert second is not first and history == history_for(email, ip, url)
    assert check()[1] is second
