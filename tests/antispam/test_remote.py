"""Salon's own comments checked by a remote Akismet-compatible endpoint (here: another Salon)."""

from __future__ import annotations

import socket

import pytest
from django.test import Client

from salon.antispam import remote
from salon.antispam.keys import create_key
from salon.antispam.models import Lesson, SpamFilterSite
from salon.discussion.models import Comment

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _close_kept_alive_connections():
    # Salon keeps connections to the endpoint open between checks; a live server's thread
    # would hold its database connection as long as one of them stays open.
    yield
    remote.close_connections()


HAM = (
    "I think the author is right about the alliances shifting, though the article leaves out "
    "what the treaty actually says about withdrawal."
)
SPAM = (
    "Hey guys check out my new channel and subscribe!!! Make $500 a day from home, "
    "click here http://bit.ly/free-money-now and http://cheap-pills.xyz/buy"
)


def use_endpoint(settings, url: str, key: str = "0123456789abcdef01234567", timeout=5.0):
    settings.SALON = {
        **settings.SALON,
        "SPAM_FILTER": "salon.antispam.remote.check_comment",
        "AKISMET_URL": url,
        "AKISMET_KEY": key,
        "AKISMET_TIMEOUT": timeout,
    }


def test_comments_are_judged_by_the_remote_endpoint(live_server, settings, post, post_comment):
    issued = create_key([settings.SITE_URL])
    use_endpoint(settings, live_server.url, issued.key)

    post_comment(post, comment=HAM, author="Careful Reader")
    post_comment(post, comment=SPAM, author="Free Money")
    ham, spam = Comment.objects.order_by("pk")
    assert ham.status == Comment.Status.APPROVED
    assert spam.status == Comment.Status.SPAM
    assert spam.spam_score > 0.5
    assert any(r["signal"] == "links" and r["weight"] > 0 for r in spam.spam_reasons), (
        "the remote Salon's reasons are kept for the moderator"
    )


def test_a_comment_the_remote_salon_would_hold_is_held(live_server, settings, post, post_comment):
    issued = create_key([settings.SITE_URL])
    use_endpoint(settings, live_server.url, issued.key)
    post_comment(post, comment="My sister lost weight with trimfire, you should all try it too!")
    assert Comment.objects.get().status == Comment.Status.PENDING


def test_moderators_decisions_go_to_the_remote_endpoint(
    live_server, settings, owner, post, post_comment
):
    issued = create_key([settings.SITE_URL])
    use_endpoint(settings, live_server.url, issued.key)
    post_comment(post, comment=HAM, author="Careful Reader")
    comment = Comment.objects.get()
    staff = Client()
    staff.force_login(owner)
    staff.post(
        "/admin/discussion/comment/", {"action": "mark_spam", "_selected_action": [comment.pk]}
    )
    remote_site = SpamFilterSite.objects.get(api_key=issued.row, blog="127.0.0.1")
    assert remote_site.spam_lessons == 1, "the endpoint's site learned from submit-spam"
    lesson = Lesson.objects.get()
    assert lesson.moderator == owner and lesson.is_spam and lesson.engine_said_spam is False


def test_an_unreachable_endpoint_holds_the_comment(settings, post, post_comment):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    use_endpoint(settings, f"http://127.0.0.1:{port}")  # nothing listens there
    post_comment(post, comment=HAM)
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.PENDING
    assert comment.spam_reasons[0]["signal"] == "filter_unavailable"


def test_a_slow_endpoint_holds_the_comment_after_the_timeout(settings, post, post_comment):
    # A server that accepts the connection and never answers.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        use_endpoint(settings, f"http://127.0.0.1:{silent.getsockname()[1]}", timeout=0.5)
        post_comment(post, comment=HAM)
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.PENDING
    assert comment.spam_reasons[0]["signal"] == "filter_unavailable"


def test_a_refused_key_holds_the_comment(live_server, settings, post, post_comment):
    use_endpoint(settings, live_server.url, "0123456789abcdef01234567")
    post_comment(post, comment=HAM)
    assert Comment.objects.get().status == Comment.Status.PENDING
