"""The moderator's view: per-day verdicts, corrections and accuracy, and each comment's lessons."""

from __future__ import annotations

import pytest
from django.test import Client

from salon.antispam.models import THIS_SITE, DailyTally, Lesson
from salon.discussion.models import Comment

pytestmark = [pytest.mark.django_db, pytest.mark.spam_filter]

SPAM = (
    "Hey guys check out my new channel and subscribe!!! Make $500 a day from home, "
    "click here http://bit.ly/free-money-now and http://cheap-pills.xyz/buy"
)
HAM = (
    "I think the author is right about the alliances shifting, though the article leaves out "
    "what the treaty actually says about withdrawal."
)


def test_statistics_page_counts_checks_and_corrections(owner, post, post_comment):
    post_comment(post, comment=SPAM, author="Free Money")
    post_comment(post, comment=HAM, author="Careful Reader")
    post_comment(post, comment=HAM + " Indeed.", author="Another Reader")
    spam, ham, other = Comment.objects.order_by("pk")
    assert (spam.status, ham.status) == (Comment.Status.SPAM, Comment.Status.APPROVED)

    staff = Client()
    staff.force_login(owner)
    # One false positive rescued, one missed spam caught by the moderator.
    staff.post(
        "/admin/discussion/comment/", {"action": "mark_not_spam", "_selected_action": [spam.pk]}
    )
    staff.post("/admin/discussion/comment/", {"action": "mark_spam", "_selected_action": [ham.pk]})

    tally = DailyTally.objects.get(site__name=THIS_SITE)
    assert (tally.checked, tally.spam, tally.ham) == (3, 1, 2)
    assert (tally.missed_spam, tally.false_positives) == (1, 1)

    index = staff.get("/admin/").content.decode()
    assert "/admin/antispam/spamstatistics/" in index, "linked from the admin index"
    page = staff.get("/admin/antispam/spamstatistics/").content.decode()
    figure = page[page.index("<figure") : page.index("</figure>")]
    assert "<svg" in figure and "<script" not in figure, "a chart drawn on the server, no JS"
    assert "3 checked, 1 spam caught, 2 ham passed, 1 missed spam, 1 false positives" in figure
    assert "3 checked: 1 spam caught, 2 ham passed." in page
    assert "Corrections: 1 missed spam, 1 false positives." in page
    assert "On the 2 comments moderators decided on, the engine had said the same 0.0 times" in page
    assert "Estimated accuracy over everything checked" in page and "33.3" in page
    assert f"/admin/discussion/comment/{spam.pk}/change/" in page


def test_a_comments_lessons_are_listed(owner, post, post_comment):
    post_comment(post, comment=HAM, author="Careful Reader")
    comment = Comment.objects.get()
    staff = Client()
    staff.force_login(owner)
    staff.post(
        "/admin/discussion/comment/", {"action": "mark_spam", "_selected_action": [comment.pk]}
    )
    staff.post(
        "/admin/discussion/comment/", {"action": "mark_not_spam", "_selected_action": [comment.pk]}
    )
    assert Lesson.objects.filter(comment=comment).count() == 2
    page = staff.get(f"/admin/antispam/lesson/?comment={comment.pk}").content.decode()
    assert page.count(f"/admin/discussion/comment/{comment.pk}/change/") == 2
    assert "not spam" in page and "owner" in page


def test_statistics_need_staff(client, post):
    assert client.get("/admin/antispam/spamstatistics/").status_code == 302


def test_each_sites_learning_and_lessons_are_shown(owner, post, post_comment):
    post_comment(post, comment=HAM, author="Careful Reader")
    staff = Client()
    staff.force_login(owner)
    comment = Comment.objects.get()
    staff.post(
        "/admin/discussion/comment/", {"action": "mark_spam", "_selected_action": [comment.pk]}
    )
    site = Lesson.objects.get().site
    page = staff.get(f"/admin/antispam/spamfiltersite/{site.pk}/change/").content.decode()
    assert THIS_SITE in page and "Careful Reader" in page


def _act(staff: Client, action: str, comment: Comment) -> None:
    response = staff.post(
        "/admin/discussion/comment/", {"action": action, "_selected_action": [comment.pk]}
    )
    assert response.status_code == 302


def test_a_reversed_decision_is_no_correction(owner, post, post_comment):
    """Marking a comment spam and taking it back (the moderation screen's undo) leaves the
    engine's "not spam" standing: neither missed spam nor a false positive."""
    post_comment(post, comment=HAM, author="Careful Reader")
    post_comment(post, comment=SPAM, author="Free Money")
    ham, spam = Comment.objects.order_by("pk")
    assert (ham.status, spam.status) == (Comment.Status.APPROVED, Comment.Status.SPAM)
    staff = Client()
    staff.force_login(owner)

    _act(staff, "mark_spam", ham)
    tally = DailyTally.objects.get(site__name=THIS_SITE)
    assert (tally.missed_spam, tally.false_positives) == (1, 0)
    _act(staff, "mark_not_spam", ham)  # the moderator takes it back
    _act(staff, "mark_not_spam", spam)  # a real false positive…
    _act(staff, "mark_spam", spam)  # …taken back too
    tally.refresh_from_db()
    assert (tally.missed_spam, tally.false_positives) == (0, 0)

    page = staff.get("/admin/antispam/spamstatistics/").content.decode()
    assert "Corrections: 0 missed spam, 0 false positives." in page
    # Two comments decided on (each counted once, as last decided), the engine right on both.
    assert "On the 2 comments moderators decided on, the engine had said the same 100.0" in page
    # The lessons themselves stay: the engine learnt each of them.
    assert Lesson.objects.count() == 4


def test_the_chart_fits_a_phone():
    """The chart scales to its container instead of keeping a fixed 760-pixel width."""
    from datetime import date

    from salon.antispam.statistics import Day, chart_svg

    svg = chart_svg([Day(date(2024, 1, n), checked=n, ham=n) for n in range(1, 31)])
    opening = svg[: svg.index(">") + 1]
    assert 'viewBox="0 0 760 240"' in opening
    assert 'width="760"' not in opening and 'width="100%"' in opening
