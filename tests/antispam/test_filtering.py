"""Every comment is checked by Salon's own spam filter, which learns from the moderators."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from salon.antispam.engine import outcomes
from salon.antispam.engine.checking import default_engine
from salon.antispam.models import THIS_SITE, DailyTally, Lesson, SpamFilterSite
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


def _age_all() -> None:
    """Let the flood window pass: the comments stored earlier, their claims expired."""
    Comment.objects.update(created_at=timezone.now() - timedelta(minutes=5))
    cache.clear()


def test_spam_is_kept_off_the_page_with_its_reasons(client, post, post_comment):
    post_comment(post, comment=SPAM, author="Free Money")
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.SPAM
    assert comment.spam_score >= 0.5
    assert comment.spam_reasons, "a spam verdict says why"
    assert all({"signal", "weight", "message"} <= set(r) for r in comment.spam_reasons)
    assert "Free Money" not in Client().get(post.get_absolute_url()).content.decode()
    # Its author is told it awaits moderation, as for a held comment: nothing they can use.
    own = client.get(post.get_absolute_url()).content.decode()
    assert "Free Money" in own and "Your comment is awaiting moderation." in own


def test_an_ordinary_comment_is_published_and_scored(post, post_comment):
    post_comment(post, comment=HAM, author="Careful Reader")
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.APPROVED
    assert comment.spam_score is not None and comment.spam_score < 0.5


@pytest.mark.parametrize(
    "fields",
    [
        {"author": "akismet-guaranteed-spam"},
        {"email": "akismet-guaranteed-spam@example.com"},
        {"author": "viagra-test-123"},
    ],
)
def test_akismet_test_values_are_always_spam(post, post_comment, fields):
    post_comment(post, comment=HAM, **fields)
    assert Comment.objects.get().status == Comment.Status.SPAM


def test_a_filter_that_cannot_answer_holds_the_comment(post, post_comment, settings):
    settings.SALON = {**settings.SALON, "SPAM_FILTER": "salon.antispam.missing.check"}
    response = post_comment(post, comment=HAM)
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.PENDING
    assert comment.spam_reasons[0]["signal"] == "filter_unavailable"


def test_staff_are_never_marked_spam(client, owner, post, post_comment):
    client.force_login(owner)
    post_comment(post, comment=SPAM)
    assert Comment.objects.get().status == Comment.Status.APPROVED


def test_the_moderators_lessons_change_the_next_verdict(owner, post, post_comment):
    # Generic praise: the shipped model is unsure of it and holds it for a moderator; this
    # site's moderators know better.
    campaign = (
        "Wonderful post, I have bookmarked your blog and will come back for more, "
        "regards from the Jakarta team {n}"
    )
    post_comment(post, comment=campaign.format(n=310), author="Helpful Helen")
    first = Comment.objects.get()
    assert first.status == Comment.Status.PENDING
    before = first.spam_score
    staff = Client()
    staff.force_login(owner)
    staff.post(
        "/admin/discussion/comment/", {"action": "mark_spam", "_selected_action": [first.pk]}
    )
    site = SpamFilterSite.objects.get(name=THIS_SITE)
    assert (site.spam_lessons, site.version) == (1, 1)
    lesson = Lesson.objects.get()
    assert lesson.is_spam and lesson.moderator == owner and lesson.engine_score == before

    for n in range(4):
        _age_all()
        post_comment(post, comment=campaign.format(n=400 + n), author=f"Helper {n}")
        latest = Comment.objects.latest("pk")
        staff.post(
            "/admin/discussion/comment/", {"action": "mark_spam", "_selected_action": [latest.pk]}
        )
    _age_all()
    post_comment(post, comment=campaign.format(n=999), author="Yet Another")
    again = Comment.objects.latest("pk")
    assert again.spam_score > before
    assert again.status == Comment.Status.SPAM
    assert any("resembles spam" in r["message"] for r in again.spam_reasons)


def test_not_spam_is_a_lesson_too(owner, post, post_comment):
    post_comment(post, comment=SPAM, author="Misjudged")
    comment = Comment.objects.get()
    staff = Client()
    staff.force_login(owner)
    staff.post(
        "/admin/discussion/comment/", {"action": "mark_not_spam", "_selected_action": [comment.pk]}
    )
    lesson = Lesson.objects.get()
    assert not lesson.is_spam and lesson.engine_said_spam and lesson.correction
    assert SpamFilterSite.objects.get(name=THIS_SITE).ham_lessons == 1
    page = Client().get(post.get_absolute_url()).content.decode()
    assert "Misjudged" in page


def test_deciding_a_held_comment_teaches_but_corrects_nothing(owner, post, post_comment):
    """The filter held it because it was unsure: whichever way the moderator decides, the
    filter learns, but it was not wrong, so no missed spam or false positive is counted."""
    campaign = (
        "Wonderful post, I have bookmarked your blog and will come back for more, "
        "regards from the Jakarta team 310"
    )
    post_comment(post, comment=campaign, author="Helpful Helen")
    held = Comment.objects.get()
    assert (held.status, held.spam_outcome) == (Comment.Status.PENDING, "hold")
    staff = Client()
    staff.force_login(owner)
    staff.post("/admin/discussion/comment/", {"action": "mark_spam", "_selected_action": [held.pk]})
    lesson = Lesson.objects.get()
    assert lesson.is_spam and lesson.engine_said_spam is None and not lesson.correction
    tally = DailyTally.objects.get()
    assert (tally.missed_spam, tally.false_positives) == (0, 0)


def test_admin_shows_why(client, owner, post, post_comment):
    post_comment(post, comment=SPAM, author="Free Money")
    comment = Comment.objects.get()
    client.force_login(owner)
    page = client.get(f"/admin/discussion/comment/{comment.pk}/change/").content.decode()
    assert "why the spam filter decided so" in page.lower()
    assert comment.spam_reasons[0]["message"] in page


def test_sensitivity_moves_where_spam_begins(post, post_comment, settings):
    """A comment the model is fairly but not nearly sure of: strict sends it to spam,
    cautious (and balanced) hold it for a moderator."""
    text = "Great article, check out my blog for similar content"
    edges = default_engine().model.band_edges
    strict = outcomes.band(0, outcomes.Sensitivity.STRICT, edges)
    cautious = outcomes.band(0, outcomes.Sensitivity.CAUTIOUS, edges)
    settings.SALON = {**settings.SALON, "SPAM_SENSITIVITY": "strict"}
    post_comment(post, comment=text, author="Strictly Judged")
    judged = Comment.objects.get()
    assert strict.spam_from <= judged.spam_score < cautious.spam_from, "pick another text"
    assert judged.status == Comment.Status.SPAM

    settings.SALON = {**settings.SALON, "SPAM_SENSITIVITY": "cautious"}
    _age_all()
    post_comment(post, comment=text, author="Cautiously Judged")
    cautious_judged = Comment.objects.latest("pk")
    assert cautious_judged.spam_score == pytest.approx(judged.spam_score, abs=0.05)
    assert cautious_judged.status == Comment.Status.PENDING
