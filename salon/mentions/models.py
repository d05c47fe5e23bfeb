"""What Salon remembers of mentions: those received (to update rather than duplicate) and
those sent (so the owner can see what was said to whom, and so edits notify removed links)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salon.discussion.models import Comment
from salon.publishing.models import Post


class ReceivedMention(models.Model):
    """Another page (``source``) that links to one of our posts (``target``).

    The mention itself is shown as a Comment of kind Webmention or Pingback; this row ties it
    to the source and target, so a mention sent again updates that comment.
    """

    source = models.URLField(_("source"), max_length=2000)
    target = models.URLField(_("target"), max_length=2000)
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="+")
    comment = models.ForeignKey(
        Comment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(_("type"), max_length=10, choices=Comment.Kind.choices)
    received_at = models.DateTimeField(_("first received"), default=timezone.now)
    updated_at = models.DateTimeField(_("last received"), default=timezone.now)

    class Meta:
        verbose_name = _("received mention")
        verbose_name_plural = _("received mentions")
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(fields=["source", "target"], name="one_mention_per_link")
        ]

    def __str__(self) -> str:
        return f"{self.source} → {self.target}"


class SentMention(models.Model):
    """The last notification Salon sent about one link in one of its posts."""

    class Outcome(models.TextChoices):
        SENT = "sent", _("Sent")
        NO_ENDPOINT = "none", _("No endpoint")
        FAILED = "failed", _("Failed")

    class Protocol(models.TextChoices):
        WEBMENTION = "webmention", _("Webmention")
        PINGBACK = "pingback", _("Pingback")
        NONE = "", _("None found")

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="+")
    target = models.URLField(_("linked page"), max_length=2000)
    protocol = models.CharField(_("protocol"), max_length=10, blank=True, choices=Protocol.choices)
    endpoint = models.URLField(_("endpoint"), max_length=2000, blank=True)
    outcome = models.CharField(_("outcome"), max_length=6, choices=Outcome.choices)
    detail = models.CharField(_("detail"), max_length=500, blank=True)
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)
    attempts = models.PositiveSmallIntegerField(
        _("failed attempts"), default=0, help_text=_("in a row, while the other site was away")
    )
    retry_at = models.DateTimeField(_("next attempt"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("sent mention")
        verbose_name_plural = _("sent mentions")
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(fields=["post", "target"], name="one_sent_mention_per_link")
        ]

    def __str__(self) -> str:
        return f"{self.post_id} → {self.target}: {self.outcome}"


class PostLinks(models.Model):
    """The links of a post as they were when Salon last notified them.

    ``post_updated_at`` is the post's ``updated_at`` at that time: a later edit (or a
    scheduled post going live, which has no row yet) makes the post due again.
    """

    post = models.OneToOneField(Post, on_delete=models.CASCADE, related_name="+")
    links = models.JSONField(default=list)
    post_updated_at = models.DateTimeField()
    checked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("links of a post")
        verbose_name_plural = _("links of posts")

    def __str__(self) -> str:
        return f"{self.post_id}: {len(self.links)} links"


class DeletedSource(models.Model):
    """A deleted post whose linked pages are still to be told that it is gone.

    Recorded as the post is deleted (its own rows go with it); the sender notifies each
    page once and forgets the row.
    """

    source = models.URLField(_("address of the deleted post"), max_length=2000)
    links = models.JSONField(default=list)
    deleted_at = models.DateTimeField(_("deleted"), default=timezone.now)

    class Meta:
        verbose_name = _("deleted post to announce")
        verbose_name_plural = _("deleted posts to announce")

    def __str__(self) -> str:
        return f"{self.source}: {len(self.links)} links"
