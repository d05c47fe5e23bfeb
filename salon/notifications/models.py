"""Mail the blog sends: subscriptions, opt-outs, the outbox, and used moderation links."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salon.discussion.models import EMAIL_MAX, Comment
from salon.notifications.topics import Topic
from salon.publishing.models import Post


class Subscription(models.Model):
    """A reader's wish for mail: follow-ups on one post, or every new post.

    It sends nothing until ``confirmed_at`` is set by the link in the confirmation mail
    (double opt-in), so nobody can subscribe someone else's address.
    """

    email = models.EmailField(_("e-mail"), max_length=EMAIL_MAX, db_index=True)
    topic = models.CharField(
        _("topic"),
        max_length=12,
        choices=[
            (Topic.REPLIES.value, Topic.REPLIES.label),
            (Topic.POSTS.value, Topic.POSTS.label),
        ],
    )
    post = models.ForeignKey(
        Post, null=True, blank=True, on_delete=models.CASCADE, related_name="subscriptions"
    )
    created_at = models.DateTimeField(_("asked"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        constraints = [
            models.UniqueConstraint(
                fields=["email", "topic", "post"],
                condition=Q(post__isnull=False),
                name="one_subscription_per_post",
            ),
            models.UniqueConstraint(
                fields=["email", "topic"],
                condition=Q(post__isnull=True),
                name="one_site_subscription",
            ),
        ]

    def __str__(self) -> str:
        where = f" on post {self.post_id}" if self.post_id else ""
        return f"{self.email}: {self.get_topic_display()}{where}"


class MailOptOut(models.Model):
    """An address that asked, by an unsubscribe link, to get no more mail of one topic."""

    email = models.EmailField(_("e-mail"), max_length=EMAIL_MAX)
    topic = models.CharField(_("topic"), max_length=12, choices=Topic.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("mail opt-out")
        verbose_name_plural = _("mail opt-outs")
        constraints = [models.UniqueConstraint(fields=["email", "topic"], name="one_opt_out")]

    def __str__(self) -> str:
        return f"{self.email}: no {self.get_topic_display()}"


class OutgoingMailQuerySet(models.QuerySet):
    def waiting(self) -> OutgoingMailQuerySet:
        """Messages neither sent nor given up on."""
        return self.filter(sent_at__isnull=True, failed_at__isnull=True)


class OutgoingMail(models.Model):
    """One message in the outbox: stored in the transaction that caused it, sent later.

    The sender (``salon send_mail``) retries with growing delays while the SMTP server
    fails, so a comment never waits for mail and no message is lost to a passing outage.
    """

    to = models.EmailField(_("to"), max_length=254, db_index=True)
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("body"))
    headers = models.JSONField(default=dict, blank=True)
    topic = models.CharField(_("topic"), max_length=12, blank=True)
    # The comment a notice is about: if it turns out to be spam before the message leaves,
    # it is not sent; if the comment is deleted, the notice goes with it.
    comment = models.ForeignKey(
        Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(_("queued"), default=timezone.now)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    failed_at = models.DateTimeField(_("given up"), null=True, blank=True)

    objects = OutgoingMailQuerySet.as_manager()

    class Meta:
        verbose_name = _("outgoing mail")
        verbose_name_plural = _("outbox")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["sent_at", "failed_at", "next_attempt_at"])]

    def __str__(self) -> str:
        return self.subject


class ModerationLinkUse(models.Model):
    """Proof that a moderation link was followed: its nonce may be used once only.

    The approve, spam and trash links of one notice share a nonce, so after a moderator
    picks one, the others (in every moderator's inbox) say the comment was dealt with.
    """

    nonce = models.CharField(max_length=64, unique=True)
    comment = models.ForeignKey(Comment, null=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=12)
    used_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("used moderation link")
        verbose_name_plural = _("used moderation links")

    def __str__(self) -> str:
        return f"{self.action} comment {self.comment_id} at {self.used_at:%Y-%m-%d %H:%M}"


class PostAnnouncement(models.Model):
    """A post whose "new post" mail has been queued; one row per post, so it goes out once."""

    post = models.OneToOneField(Post, on_delete=models.CASCADE, related_name="announcement")
    announced_at = models.DateTimeField(default=timezone.now)
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("post announcement")
        verbose_name_plural = _("post announcements")

    def __str__(self) -> str:
        return f"post {self.post_id} announced to {self.recipients}"


class CommentAnnouncement(models.Model):
    """A comment that was public and left that status (an edit put it on hold, a moderator
    unapproved it …): it was announced then, so approving it again announces nothing to the
    post's author and subscribers a second time."""

    comment = models.OneToOneField(Comment, on_delete=models.CASCADE, related_name="+")
    announced_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("comment announcement")
        verbose_name_plural = _("comment announcements")

    def __str__(self) -> str:
        return f"comment {self.comment_id} announced"
