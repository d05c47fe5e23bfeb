"""Mail, end to end: a real SMTP server receives it, and its links are followed like a reader would."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from django.contrib.auth.models import AnonymousUser, Group, Permission
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import Client, RequestFactory
from django.utils import timezone

from salon.antispam.models import DailyTally
from salon.discussion import signals
from salon.discussion.models import Comment, DiscussionSettings
from salon.discussion.views import post_comment as post_comment_view
from salon.notifications.delivery import deliver_due, mail_configured, smtp_server
from salon.notifications.models import MailOptOut, OutgoingMail, Subscription
from salon.publishing.models import Post
from tests.notifications.mailbox import Mailbox, body, link_after, send_mail

# Real commits: mail is queued in the comment's transaction, as in production.
pytestmark = pytest.mark.django_db(transaction=True)

READER = "reader@example.net"


def _subscribe(post, post_comment, mailbox, client, **choices) -> None:
    """Comment with the boxes ticked and click the confirmation link."""
    post_comment(post, email=READER, **choices)
    send_mail()
    (confirmation,) = mailbox.to(READER)
    assert "confirm" in confirmation["Subject"].lower()
    page = client.post(link_after(confirmation, "To confirm"))
    assert page.status_code == 200 and "Subscription confirmed" in page.content.decode()
    mailbox.clear()


def test_the_form_offers_mail_only_when_the_site_can_send_it(client, post, settings, smtp_port):
    assert not mail_configured()
    page = client.get(post.get_absolute_url()).content.decode()
    assert "Notify me of follow-up comments by email." not in page
    settings.SALON = {
        **settings.SALON,
        "SMTP_URL": f"smtp://127.0.0.1:{smtp_port}",
        "MAIL_FROM": "blog@example.org",
    }
    page = client.get(post.get_absolute_url()).content.decode()
    assert "Notify me of follow-up comments by email." in page
    assert "Notify me of new posts by email." in page


def test_follow_ups_need_a_confirmation_click_and_stop_with_one(
    client, post, post_comment, mail_on, mailbox
):
    post_comment(post, email=READER, notify_replies="on")
    send_mail()
    (confirmation,) = mailbox.to(READER)
    assert confirmation["From"] == "Salon <blog@example.org>"
    assert confirmation["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    mailbox.clear()

    # Not confirmed yet: a new comment sends the reader nothing.
    post_comment(post, comment="Before the click.")
    send_mail()
    assert mailbox.to(READER) == []

    page = client.post(link_after(confirmation, "To confirm"))
    assert "new comments on “A post worth discussing”" in page.content.decode()

    post_comment(post, comment="After the click, a follow-up.", author="Ada")
    send_mail()
    (notice,) = mailbox.to(READER)
    assert "After the click, a follow-up." in body(notice)
    assert "Ada" in body(notice)
    header = notice["List-Unsubscribe"].strip("<>")
    assert notice["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert header in body(notice)
    path = header.removeprefix("http://testserver")

    # Opening the link shows a button; it does not unsubscribe by itself (link scanners).
    page = client.get(path)
    assert page.status_code == 200 and "<button" in page.content.decode()
    assert Subscription.objects.filter(email=READER, confirmed_at__isnull=False).exists()

    # The mail program's one-click POST: no cookie, no CSRF token.
    one_click = Client(enforce_csrf_checks=True).post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert one_click.status_code == 200 and "Unsubscribed" in one_click.content.decode()

    mailbox.clear()
    post_comment(post, comment="Nobody should hear of this one.")
    send_mail()
    assert mailbox.to(READER) == []


def test_a_mail_scanner_opening_the_confirmation_link_subscribes_nobody(
    post, post_comment, mail_on, mailbox
):
    """Mail services open every link of a message to check it; the confirmation must wait
    for the reader's own click, or anyone could subscribe an address whose mail is scanned."""
    post_comment(post, email=READER, notify_replies="on", notify_posts="on")
    send_mail()
    (confirmation,) = mailbox.to(READER)
    link = link_after(confirmation, "To confirm")
    mailbox.clear()

    scanned = Client().get(link)
    assert scanned.status_code == 200 and "<button" in scanned.content.decode()
    assert "new comments on “A post worth discussing”" in scanned.content.decode()
    assert not Subscription.objects.filter(confirmed_at__isnull=False).exists()
    post_comment(post, comment="Only the post's author hears of this.")
    send_mail()
    assert mailbox.to(READER) == []

    clicked = Client(enforce_csrf_checks=True)
    page = clicked.get(link)
    done = clicked.post(link, {"csrfmiddlewaretoken": page.context["csrf_token"]})
    assert done.status_code == 200 and "Subscription confirmed" in done.content.decode()
    assert Subscription.objects.filter(confirmed_at__isnull=False).count() == 2
    post_comment(post, comment="Now the reader hears of this.")
    send_mail()
    assert len(mailbox.to(READER)) == 1


def test_the_posts_author_hears_of_new_comments_but_not_of_their_own(
    client, post, post_comment, mail_on, mailbox, owner
):
    post_comment(post, comment="Lovely post.", author="Ben")
    send_mail()
    (notice,) = mailbox.to("owner@example.org")
    assert "New comment on “A post worth discussing”" == notice["Subject"]
    assert "Ben commented on your post" in body(notice) and "Lovely post." in body(notice)
    assert notice["List-Unsubscribe"]

    mailbox.clear()
    client.force_login(owner)
    client.post("/comments/post/", {"post": post.pk, "comment": "Thanks, Ben!"})
    assert Comment.objects.filter(content="Thanks, Ben!", status="approved").exists()
    send_mail()
    assert mailbox.messages == []


def test_a_comments_notice_is_stored_with_it_or_not_at_all(
    post, comment_form, mail_on, mailbox, settings
):
    """The notice is queued by the transaction that stores the comment: it is there as soon
    as the comment is, and a comment rolled back leaves no notice (nor a spam-check count)."""
    settings.SALON = {**settings.SALON, "SPAM_FILTER": "salon.antispam.filtering.check_comment"}
    fields = comment_form(post, comment="Lovely post.", author="Ben")
    request = RequestFactory().post("/comments/post/", fields, REMOTE_ADDR="10.9.0.1")
    request.user = AnonymousUser()
    request.session = {}
    counted = sum(DailyTally.objects.values_list("checked", flat=True))

    class RolledBack(Exception):
        pass

    with pytest.raises(RolledBack), transaction.atomic():
        post_comment_view(request)
        comment = Comment.objects.get(content="Lovely post.")
        # Already queued, before anything commits: not left to a hook after the commit.
        assert OutgoingMail.objects.filter(comment=comment, to="owner@example.org").exists()
        assert sum(DailyTally.objects.values_list("checked", flat=True)) == counted + 1
        raise RolledBack
    assert not Comment.objects.exists() and not OutgoingMail.objects.exists()
    assert sum(DailyTally.objects.values_list("checked", flat=True)) == counted


def test_a_failing_mail_receiver_never_costs_the_comment(
    post, post_comment, mail_on, mailbox, caplog
):
    """A receiver of new comments that fails is logged and what the receivers wrote is
    undone; the comment is stored all the same."""

    def broken(comment, **signal):
        OutgoingMail.objects.create(to="half@example.org", subject="half", body="half")
        raise RuntimeError("a broken receiver")

    signals.comment_submitted.connect(broken, dispatch_uid="tests.broken")
    try:
        with caplog.at_level(logging.ERROR):
            answer = post_comment(post, comment="Still here.", author="Ben")
    finally:
        signals.comment_submitted.disconnect(dispatch_uid="tests.broken")
    assert answer.status_code == 302
    assert Comment.objects.filter(content="Still here.").exists()
    assert not OutgoingMail.objects.filter(to="half@example.org").exists()
    assert "a broken receiver" in caplog.text


def test_a_receiver_whose_query_fails_never_costs_the_comment(
    post, post_comment, mail_on, mailbox, caplog
):
    """A receiver of new comments whose write the database refuses is logged and what the
    receivers wrote is undone (the database's error too): the comment and its count are
    stored all the same."""

    def refused(comment, **signal):
        OutgoingMail.objects.create(to=None, subject="refused", body="refused")

    signals.comment_submitted.connect(refused, dispatch_uid="tests.refused")
    try:
        with caplog.at_level(logging.ERROR):
            answer = post_comment(post, comment="Still here.", author="Ben")
    finally:
        signals.comment_submitted.disconnect(dispatch_uid="tests.refused")
    assert answer.status_code == 302
    assert Comment.objects.filter(content="Still here.", status="approved").exists()
    assert not OutgoingMail.objects.filter(subject="refused").exists()
    post.refresh_from_db()
    assert post.comment_count == 1
    assert "A receiver of a comment signal failed" in caplog.text


def test_a_held_comment_is_moderated_from_the_mail_once(
    client, post, post_comment, mail_on, mailbox
):
    DiscussionSettings.objects.update_or_create(pk=1, defaults={"hold_all": True})
    post_comment(post, comment="Please let me in.", email=READER)
    comment = Comment.objects.get(content="Please let me in.")
    assert comment.status == Comment.Status.PENDING
    send_mail()
    (notice,) = mailbox.to("owner@example.org")
    assert notice["Subject"] == "Please moderate: “A post worth discussing”"
    assert READER in body(notice) and "Please let me in." in body(notice)
    approve, spam = link_after(notice, "Approve it:"), link_after(notice, "Mark it as spam:")

    # Opening the link asks first; only the button acts.
    page = client.get(approve)
    assert page.status_code == 200 and "Please let me in." in page.content.decode()
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING

    done = client.post(approve)
    assert done.status_code == 200 and "Approved" in done.content.decode()
    comment.refresh_from_db()
    post.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED and post.comment_count == 1

    again = client.post(approve)
    assert again.status_code == 410 and "already used" in again.content.decode()
    other = client.post(spam)
    assert other.status_code == 410
    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED

    # Now public, the comment is announced to the post's author.
    mailbox.clear()
    send_mail()
    assert [m["Subject"] for m in mailbox.to("owner@example.org")] == [
        "New comment on “A post worth discussing”"
    ]

    forged = client.get(approve[:-3] + "xx/")
    assert forged.status_code == 400


def test_a_held_comment_is_told_to_each_moderator_who_has_not_opted_out(
    client, post, post_comment, mail_on, mailbox, django_user_model
):
    """Active moderators with an address hear of a held comment, each once whatever the case
    of their address, but not one who stopped it with the notice's unsubscribe link; other
    readers' opt-outs and other topics change nothing."""
    moderators = Group.objects.create(name="Moderators")
    moderators.permissions.add(Permission.objects.get(codename="change_comment"))

    def make(*args, **kwargs):
        user = django_user_model.objects.create_user(*args, **kwargs)
        user.groups.add(moderators)
        return user

    make("second", "Second.Mod@Example.org", "pw-second-1", is_staff=True)
    make("twin", " second.mod@example.org", "pw-twin-1", is_staff=True)
    make("leaver", "leaver@example.org", "pw-leaver-1", is_staff=True)
    make("retired", "retired@example.org", "pw-retired-1", is_staff=True, is_active=False)
    make("nomail", "", "pw-nomail-1", is_staff=True)
    make("reader", "plain@example.org", "pw-reader-1")
    MailOptOut.objects.create(email="second.mod@example.org", topic="author")
    MailOptOut.objects.create(email="plain@example.org", topic="moderation")
    DiscussionSettings.objects.update_or_create(pk=1, defaults={"hold_all": True})

    post_comment(post, comment="First held.", email=READER)
    send_mail()
    expected = ["leaver@example.org", "owner@example.org", "second.mod@example.org"]
    assert sorted(m["To"] for m in mailbox.messages) == expected
    (notice,) = mailbox.to("leaver@example.org")
    client.post(link_after(notice, "Unsubscribe with one click:"))
    assert MailOptOut.objects.filter(email="leaver@example.org", topic="moderation").exists()

    mailbox.clear()
    post_comment(post, comment="Second held.", email="another@example.net")
    send_mail()
    assert sorted(m["To"] for m in mailbox.messages) == expected[1:]


def test_a_held_comment_is_not_mailed_to_staff_who_cannot_moderate(
    client, post, post_comment, mail_on, mailbox, django_user_model
):
    """A writer on the staff without the right to moderate comments (the desk refuses them)
    gets no "Please moderate" notice: it shows the commenter's e-mail address, which only
    moderators see, and its links would let them moderate."""
    writer = django_user_model.objects.create_user(
        "writer", "writer@example.org", "pw-writer-1", is_staff=True
    )
    writer.user_permissions.add(Permission.objects.get(codename="change_post"))
    editor = django_user_model.objects.create_user(
        "editor", "editor@example.org", "pw-editor-1", is_staff=True
    )
    editor.user_permissions.add(Permission.objects.get(codename="change_comment"))
    DiscussionSettings.objects.update_or_create(pk=1, defaults={"hold_all": True})

    post_comment(post, comment="Held for a moderator.", email=READER)
    send_mail()
    assert mailbox.to("writer@example.org") == []
    assert sorted(m["To"] for m in mailbox.messages) == ["editor@example.org", "owner@example.org"]
    assert READER in body(mailbox.to("editor@example.org")[0])


def test_mail_waits_in_the_outbox_while_the_server_is_down(
    post, post_comment, mail_on, smtp_port, caplog
):
    post_comment(post, comment="Sent later.")
    send_mail()  # nothing listens on the port
    mail = OutgoingMail.objects.get()
    assert mail.sent_at is None and mail.attempts == 1 and mail.last_error
    assert mail.next_attempt_at > timezone.now()

    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    try:
        send_mail()  # the retry is not due yet
        assert box.messages == []
        report = deliver_due(now=timezone.now() + timedelta(minutes=2))
        assert report.sent == 1
        (message,) = box.messages
        assert "Sent later." in body(message)
    finally:
        controller.stop()
    mail.refresh_from_db()
    assert mail.sent_at is not None


def test_the_sender_gives_up_after_the_last_attempt(post, post_comment, mail_on, settings, caplog):
    settings.SALON = {**settings.SALON, "MAIL_MAX_ATTEMPTS": 2}
    post_comment(post, comment="Never delivered.")
    deliver_due()
    with caplog.at_level(logging.WARNING, logger="salon.notifications.delivery"):
        deliver_due(now=timezone.now() + timedelta(minutes=2))
    mail = OutgoingMail.objects.get()
    assert mail.failed_at is not None and mail.attempts == 2
    assert "Gave up on outgoing mail" in caplog.text
    assert deliver_due(now=timezone.now() + timedelta(days=1)).sent == 0


def test_spam_and_trash_send_nothing(post, post_comment, mail_on, mailbox, settings):
    settings.SALON = {**settings.SALON, "SPAM_FILTER": "tests.notifications.mailbox.call_it_spam"}
    post_comment(post, comment="Cheap pills", email=READER, notify_replies="on", notify_posts="on")
    assert Comment.objects.get(content="Cheap pills").status == Comment.Status.SPAM

    settings.SALON = {**settings.SALON, "SPAM_FILTER": ""}
    DiscussionSettings.objects.update_or_create(pk=1, defaults={"disallowed_words": "casino"})
    post_comment(post, comment="Visit my casino", email="other@example.net", notify_posts="on")
    assert Comment.objects.get(content="Visit my casino").status == Comment.Status.TRASH

    send_mail()
    assert mailbox.messages == []
    assert not Subscription.objects.exists()


def test_a_notice_is_withheld_if_its_comment_is_marked_spam_before_it_leaves(
    client, owner, post, post_comment, mail_on, mailbox
):
    post_comment(post, comment="Looks fine at first.")
    comment = Comment.objects.get(content="Looks fine at first.")
    client.force_login(owner)
    client.post(
        "/admin/discussion/comment/",
        {"action": "mark_spam", "_selected_action": [comment.pk]},
    )
    comment.refresh_from_db()
    assert comment.status == Comment.Status.SPAM
    send_mail()
    assert mailbox.messages == []


def test_subscribers_hear_of_each_new_post_once_when_it_goes_live(
    client, post, post_comment, make_post, mail_on, mailbox
):
    _subscribe(post, post_comment, mailbox, client, notify_posts="on")

    fresh = make_post(title="Fresh thoughts", published_at=timezone.now())
    later = make_post(
        title="Written ahead",
        status=Post.Status.SCHEDULED,
        published_at=timezone.now() + timedelta(hours=1),
    )
    send_mail()
    (announcement,) = mailbox.to(READER)
    assert announcement["Subject"] == "New post on Salon: Fresh thoughts"
    assert fresh.get_absolute_url() in body(announcement)
    assert announcement["List-Unsubscribe"]

    mailbox.clear()
    send_mail()
    assert mailbox.messages == []

    Post.objects.filter(pk=later.pk).update(published_at=timezone.now() - timedelta(minutes=1))
    send_mail()
    assert [m["Subject"] for m in mailbox.to(READER)] == ["New post on Salon: Written ahead"]


def test_mail_settings_come_from_the_environment_style_url(settings):
    settings.SALON = {
        **settings.SALON,
        "SMTP_URL": "smtp://me%40example.org:s%3Acret@mail.example.org:587?tls=1",
        "MAIL_FROM": "blog@example.org",
    }
    server = smtp_server()
    assert (server.host, server.port, server.username, server.password) == (
        "mail.example.org",
        587,
        "me@example.org",
        "s:cret",
    )
    assert server.use_tls and not server.use_ssl
    settings.SALON = {**settings.SALON, "SMTP_URL": "smtps://mail.example.org"}
    assert smtp_server().use_ssl and smtp_server().port == 465
    settings.SALON = {
        **settings.SALON,
        "SMTP_URL": "",
        "EMAIL_HOST": "relay.example.org",
        "EMAIL_USE_TLS": True,
    }
    assert (smtp_server().host, smtp_server().port) == ("relay.example.org", 587)
    settings.SALON = {**settings.SALON, "MAIL_FROM": ""}
    assert not mail_configured()


def test_send_mail_says_clearly_when_mail_is_off():
    with pytest.raises(CommandError, match="Mail is off"):
        call_command("send_mail")


def test_a_moderation_link_does_not_undo_a_decision_taken_in_the_admin(
    client, owner, post, post_comment, mail_on, mailbox
):
    DiscussionSettings.objects.update_or_create(pk=1, defaults={"hold_all": True})
    post_comment(post, comment="Judged elsewhere.")
    comment = Comment.objects.get(content="Judged elsewhere.")
    send_mail()
    approve = link_after(mailbox.to("owner@example.org")[0], "Approve it:")
    admin = Client()
    admin.force_login(owner)
    admin.post(
        "/admin/discussion/comment/",
        {"action": "move_to_trash", "_selected_action": [comment.pk]},
    )
    late = client.post(approve)
    assert late.status_code == 410 and "already moderated" in late.content.decode()
    comment.refresh_from_db()
    assert comment.status == Comment.Status.TRASH


def test_the_mail_about_a_protected_post_carries_no_excerpt_of_it(
    client, post, post_comment, make_post, mail_on, mailbox
):
    _subscribe(post, post_comment, mailbox, client, notify_posts="on")
    locked = make_post(
        title="For members",
        body="<p>Words kept behind the password.</p>",
        password="members",
        published_at=timezone.now(),
    )
    send_mail()
    (announcement,) = mailbox.to(READER)
    text = body(announcement)
    assert locked.get_absolute_url() in text
    assert "There is no excerpt because this is a protected post." in text
    assert "Words kept behind the password." not in text


def test_a_comment_held_again_after_an_edit_is_not_announced_twice(
    client, post, post_comment, mail_on, mailbox
):
    """A reader's approved comment is announced once; editing it within the window puts it on
    hold (a moderation word), and the moderator's approval must not send the post's author
    and the follow-up subscribers the same comment again."""
    _subscribe(post, post_comment, mailbox, Client(), notify_replies="on")
    DiscussionSettings.objects.update_or_create(pk=1, defaults={"moderation_words": "casino"})
    writer = Client()
    post_comment(post, using=writer, comment="A first thought.", email="dan@example.org")
    comment = Comment.objects.get(content="A first thought.")
    assert comment.status == Comment.Status.APPROVED
    send_mail()
    assert len(mailbox.to(READER)) == 1 and len(mailbox.to("owner@example.org")) == 1
    mailbox.clear()

    writer.post(f"/comments/{comment.pk}/edit/", {"comment": "A first thought, casino aside."})
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING
    send_mail()
    (held,) = mailbox.to("owner@example.org")
    assert held["Subject"].startswith("Please moderate")
    approve = link_after(held, "Approve it:")
    assert client.post(approve).status_code == 200
    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED
    mailbox.clear()

    send_mail()
    assert mailbox.messages == []


def test_a_comment_unapproved_or_marked_spam_and_approved_again_is_not_announced_twice(
    client, owner, post, post_comment, mail_on, mailbox
):
    _subscribe(post, post_comment, mailbox, Client(), notify_replies="on")
    post_comment(post, comment="Public at once.")
    comment = Comment.objects.get(content="Public at once.")
    send_mail()
    assert len(mailbox.to(READER)) == 1
    mailbox.clear()

    client.force_login(owner)
    for away, back in (("unapprove", "approve"), ("mark_spam", "mark_not_spam")):
        for action in (away, back):
            client.post(
                "/admin/discussion/comment/", {"action": action, "_selected_action": [comment.pk]}
            )
        comment.refresh_from_db()
        assert comment.status == Comment.Status.APPROVED
    send_mail()
    assert mailbox.to(READER) == [] and mailbox.to("owner@example.org") == []
