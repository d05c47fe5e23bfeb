"""Comments, likes and the owner's discussion settings."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.db.models.lookups import Exact
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salon.prepared import prepared
from salon.publishing.models import Post
from salon.web_addresses import validate_web_address

# WordPress's column sizes, so imports and exports round-trip and limits match what
# commenters know.
AUTHOR_MAX = 245
EMAIL_MAX = 100
URL_MAX = 200
CONTENT_MAX = 65525


class DiscussionSettings(models.Model):
    """The owner's discussion options (one row), as on WordPress's Discussion screen."""

    thread_depth = models.PositiveSmallIntegerField(
        _("thread depth"),
        default=5,
        help_text=_("Replies nest this many levels deep; deeper replies attach at the last level."),
    )
    require_name_email = models.BooleanField(_("guests must give a name and e-mail"), default=True)
    hold_all = models.BooleanField(_("hold every comment for moderation"), default=False)
    require_previous_approval = models.BooleanField(
        _("hold comments from people with no earlier approved comment"),
        default=False,
        help_text=_(
            "WordPress turns this on by default. Salon checks every comment for spam on this "
            "server, so first comments are published unless a rule holds them."
        ),
    )
    max_links = models.PositiveSmallIntegerField(
        _("hold a comment with this many links or more"), default=2
    )
    moderation_words = models.TextField(
        _("moderation words"),
        blank=True,
        help_text=_(
            "One word, IP address or e-mail a line. A comment whose text, name, e-mail, "
            "website, IP or browser contains one is held for moderation."
        ),
    )
    disallowed_words = models.TextField(
        _("disallowed words"),
        blank=True,
        help_text=_("Same format; a matching comment goes straight to the trash."),
    )

    class Meta:
        verbose_name = _("discussion settings")
        verbose_name_plural = _("discussion settings")

    def __str__(self) -> str:
        return str(_("Discussion settings"))

    @classmethod
    def current(cls) -> DiscussionSettings:
        """The site's settings row, created with the defaults on first use (read with a
        query compiled once: every page and every comment asks)."""
        found = prepared("discussion settings", lambda v: cls.objects.filter(pk=1)).objects()
        if found:
            return found[0]
        obj, _created = cls.objects.get_or_create(pk=1)
        return obj

    @staticmethod
    def word_list(text: str) -> list[str]:
        return [line.strip().lower() for line in text.splitlines() if line.strip()]


class CommentQuerySet(models.QuerySet):
    def approved(self) -> CommentQuerySet:
        return self.filter(status=Comment.Status.APPROVED)


class Comment(models.Model):
    class Status(models.TextChoices):
        APPROVED = "approved", _("Approved")
        PENDING = "pending", _("Pending")
        SPAM = "spam", _("Spam")
        TRASH = "trash", _("Trash")

    class Kind(models.TextChoices):
        COMMENT = "comment", _("Comment")
        PINGBACK = "pingback", _("Pingback")
        TRACKBACK = "trackback", _("Trackback")
        WEBMENTION = "webmention", _("Webmention")
        FEDIVERSE = "fediverse", _("Fediverse reply")

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replies"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="comments",
    )
    # Which identity wrote it: "" for a guest, "local" for a site account, or the social
    # log-in provider's id ("google", "wordpress_com", …).
    identity_provider = models.CharField(_("signed in with"), max_length=40, blank=True)
    author_name = models.CharField(_("name"), max_length=AUTHOR_MAX, blank=True)
    author_email = models.EmailField(_("e-mail"), max_length=EMAIL_MAX, blank=True)
    author_url = models.URLField(
        _("website"), max_length=URL_MAX, blank=True, validators=[validate_web_address]
    )
    author_ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=255, blank=True)
    # A random key from the commenter's signed cookie: lets a guest see their own held
    # comment without an account. Not personal data on its own.
    visitor_key = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    content = models.TextField(_("comment"), max_length=CONTENT_MAX)
    content_html = models.TextField(editable=False, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices, default=Kind.COMMENT)
    created_at = models.DateTimeField(_("date"), default=timezone.now)
    # When the comment took its present status. The spam and trash retention periods count
    # from it: a comment trashed or marked as spam today, however old, keeps the whole period
    # in which a moderator can restore it.
    status_since = models.DateTimeField(_("status since"), default=timezone.now, editable=False)
    like_count = models.PositiveIntegerField(default=0, editable=False)

    # What the spam filter said, kept for the moderator ("why is this spam?").
    spam_score = models.FloatField(_("spam score"), null=True, blank=True, editable=False)
    spam_reasons = models.JSONField(_("spam reasons"), default=list, blank=True, editable=False)
    spam_outcome = models.CharField(
        _("spam filter's outcome"),
        max_length=8,
        blank=True,
        editable=False,
        help_text=_("What the spam filter said: approve, hold or spam (empty: not checked)."),
    )

    objects = CommentQuerySet.as_manager()

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["post", "status", "created_at"]),
            models.Index(fields=["status", "-created_at"]),
            # E-mail addresses are compared without case (same_email): the index is on the
            # lower-cased address, so that finding an author's comments reads theirs only.
            models.Index(Lower("author_email"), "status", name="discussion_comment_email"),
            models.Index(fields=["author_ip", "-created_at"]),
            models.Index(fields=["author_url", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.author_name or _('Anonymous')} on {self.post_id}: {self.content[:40]}"

    def get_absolute_url(self) -> str:
        return f"{self.post.get_absolute_url()}#comment-{self.pk}"

    @property
    def display_name(self) -> str:
        return self.author_name or str(_("Anonymous"))


def same_email(email: object) -> models.Q:
    """Comments whose e-mail address is ``email`` but for case, as every rule compares
    addresses: both sides lower-cased by the database, which reads the comment's from its
    index (:class:`Comment`'s ``discussion_comment_email``). ``email`` may be a stand-in of a
    compiled query (:mod:`salon.prepared`)."""
    return models.Q(Exact(Lower("author_email"), Lower(models.Value(email))))


class Like(models.Model):
    """One person's like of a post (comment is null) or of one of its comments.

    ``liker`` identifies the person: ``u:<user id>`` for an account, ``g:<key>`` for a guest
    known by a signed cookie. The unique constraints make "one per person" hold even when two
    requests race.
    """

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="likes")
    comment = models.ForeignKey(
        Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="likes"
    )
    liker = models.CharField(max_length=80)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("like")
        verbose_name_plural = _("likes")
        constraints = [
            models.UniqueConstraint(
                fields=["comment", "liker"],
                condition=models.Q(comment__isnull=False),
                name="one_like_per_comment_per_person",
            ),
            models.UniqueConstraint(
                fields=["post", "liker"],
                condition=models.Q(comment__isnull=True),
                name="one_like_per_post_per_person",
            ),
        ]
        indexes = [models.Index(fields=["post", "liker"])]

    def __str__(self) -> str:
        target = f"comment {self.comment_id}" if self.comment_id else f"post {self.post_id}"
        return f"{self.liker} likes {target}"
