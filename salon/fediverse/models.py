"""What Salon keeps to take part in the fediverse: its actors' keys, the owner's choices,
the remote people it has heard from, who follows, which replies and reactions arrived, and
what it sent to whom."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salon.discussion.models import AUTHOR_MAX, Comment, Like
from salon.publishing.models import Post

URI_MAX = 2000


class FediverseSettings(models.Model):
    """The owner's fediverse options (one row)."""

    class Replies(models.TextChoices):
        ACCEPT = "accept", _("Take them, judged like any comment")
        HOLD = "hold", _("Take them, and hold every one for moderation")
        OFF = "off", _("Do not take them")

    replies = models.CharField(
        _("replies from the fediverse"),
        max_length=6,
        choices=Replies.choices,
        default=Replies.ACCEPT,
        help_text=_(
            "Replies to a post from Mastodon and other fediverse servers become comments. "
            "Likes and boosts are counted in every case but “Do not take them”."
        ),
    )
    author_actors = models.BooleanField(
        _("each author is an account too"),
        default=False,
        help_text=_(
            "Besides the blog's own account, each author can be found and followed as "
            "@username@this-site; their posts are sent by them, and boosted by the blog."
        ),
    )
    blocked = models.TextField(
        _("blocked servers and people"),
        blank=True,
        help_text=_(
            "One a line: a server's domain (mastodon.example), a handle (@someone@server) or "
            "an account's address. Nothing they send is taken, and they cannot follow."
        ),
    )
    summary = models.TextField(
        _("profile text"),
        blank=True,
        help_text=_("Shown on the blog's fediverse profile; empty: the site's tagline."),
    )

    class Meta:
        verbose_name = _("fediverse settings")
        verbose_name_plural = _("fediverse settings")

    def __str__(self) -> str:
        return str(_("Fediverse settings"))

    @classmethod
    def current(cls) -> FediverseSettings:
        obj, _created = cls.objects.get_or_create(pk=1)
        return obj

    def blocked_entries(self) -> list[str]:
        return [line.strip().lower() for line in self.blocked.splitlines() if line.strip()]


class ActorKey(models.Model):
    """The RSA key pair one of this site's actors signs with (the blog's, or an author's)."""

    name = models.CharField(max_length=150, unique=True)
    private_key_pem = models.TextField(editable=False)
    public_key_pem = models.TextField(editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("signing key")
        verbose_name_plural = _("signing keys")

    def __str__(self) -> str:
        return self.name


class RemoteActor(models.Model):
    """A person (or server, or bot) of another fediverse server, as its server describes it.

    Everything here comes from the actor's own document at ``uri``, fetched at
    ``fetched_at`` (its provenance), and is fetched again when it is older than
    ``SALON_FEDIVERSE_ACTOR_CACHE_HOURS`` or when its key no longer verifies.
    """

    uri = models.URLField(_("address"), max_length=URI_MAX, unique=True)
    handle = models.CharField(_("handle"), max_length=255, blank=True, db_index=True)
    name = models.CharField(_("display name"), max_length=AUTHOR_MAX, blank=True)
    profile_url = models.URLField(_("profile page"), max_length=URI_MAX, blank=True)
    icon_url = models.URLField(_("avatar"), max_length=URI_MAX, blank=True)
    inbox = models.URLField(_("inbox"), max_length=URI_MAX)
    shared_inbox = models.URLField(_("shared inbox"), max_length=URI_MAX, blank=True)
    key_id = models.URLField(_("key address"), max_length=URI_MAX, db_index=True)
    public_key_pem = models.TextField(_("public key"))
    fetched_at = models.DateTimeField(_("fetched"), default=timezone.now)

    class Meta:
        verbose_name = _("fediverse account")
        verbose_name_plural = _("fediverse accounts")
        ordering = ["handle"]

    def __str__(self) -> str:
        return f"@{self.handle}" if self.handle else self.uri

    @property
    def host(self) -> str:
        from urllib.parse import urlsplit

        return (urlsplit(self.uri).hostname or "").lower()

    @property
    def delivery_inbox(self) -> str:
        return self.shared_inbox or self.inbox


class Follower(models.Model):
    """A remote actor following one of this site's actors (``local``: "blog" or an author's
    user name)."""

    actor = models.ForeignKey(RemoteActor, on_delete=models.CASCADE, related_name="follows")
    local = models.CharField(_("follows"), max_length=150, default="blog")
    follow_uri = models.URLField(_("Follow activity"), max_length=URI_MAX)
    created_at = models.DateTimeField(_("since"), default=timezone.now)

    class Meta:
        verbose_name = _("follower")
        verbose_name_plural = _("followers")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["actor", "local"], name="one_follow_per_actor")
        ]

    def __str__(self) -> str:
        return f"{self.actor} follows {self.local}"


class RemoteReply(models.Model):
    """A fediverse post (a ``Note``) answering one of our posts or comments, shown as
    ``comment``. Its ``note_uri`` is where it lives; ``url`` the page people open."""

    note_uri = models.URLField(_("address"), max_length=URI_MAX, unique=True)
    url = models.URLField(_("original"), max_length=URI_MAX, blank=True)
    actor = models.ForeignKey(RemoteActor, on_delete=models.CASCADE, related_name="replies")
    comment = models.OneToOneField(Comment, on_delete=models.CASCADE, related_name="+")
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    updated_at = models.DateTimeField(_("last changed"), default=timezone.now)

    class Meta:
        verbose_name = _("fediverse reply")
        verbose_name_plural = _("fediverse replies")
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return self.note_uri


class Reaction(models.Model):
    """A remote actor's like or boost of one of our posts; a like is also a discussion
    ``Like`` (so it counts with the others)."""

    class Kind(models.TextChoices):
        LIKE = "like", _("Like")
        BOOST = "boost", _("Boost")

    activity_uri = models.URLField(_("activity"), max_length=URI_MAX, unique=True)
    kind = models.CharField(_("type"), max_length=5, choices=Kind.choices)
    actor = models.ForeignKey(RemoteActor, on_delete=models.CASCADE, related_name="reactions")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="+")
    like = models.OneToOneField(
        Like, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("received"), default=timezone.now)

    class Meta:
        verbose_name = _("like or boost")
        verbose_name_plural = _("likes and boosts")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["actor", "post", "kind"], name="one_reaction_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.actor} {self.kind} {self.post_id}"


class FederatedPost(models.Model):
    """What the followers were last told of a post: its object's address, whether it is
    out there (a Create was sent, no Delete since), and the post's ``updated_at`` then.

    The row outlives the post (``post`` becomes null), so a deleted post's Delete can
    still name its object.
    """

    object_uri = models.URLField(max_length=URI_MAX, unique=True)
    post = models.OneToOneField(
        Post, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published = models.BooleanField(default=False)
    post_updated_at = models.DateTimeField(null=True, blank=True)
    sender = models.CharField(max_length=150, default="blog")

    class Meta:
        verbose_name = _("post on the fediverse")
        verbose_name_plural = _("posts on the fediverse")

    def __str__(self) -> str:
        return self.object_uri


class OutgoingActivity(models.Model):
    """An activity this site sent (a post's Create, Update, Delete; an Accept of a Follow),
    as sent; its deliveries say what each server answered."""

    uri = models.URLField(_("address"), max_length=URI_MAX, unique=True)
    kind = models.CharField(_("type"), max_length=20)
    sender = models.CharField(_("sent by"), max_length=150, default="blog")
    post = models.ForeignKey(
        Post, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    document = models.JSONField(_("activity"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("sent activity")
        verbose_name_plural = _("sent activities")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.uri}"


class Delivery(models.Model):
    """One activity to one inbox: waiting, delivered, or failed (tried again with growing
    delays while the server is away, as mentions are), with the server's answer."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    activity = models.ForeignKey(
        OutgoingActivity, on_delete=models.CASCADE, related_name="deliveries"
    )
    inbox = models.URLField(_("inbox"), max_length=URI_MAX)
    status = models.CharField(
        _("status"), max_length=9, choices=Status.choices, default=Status.WAITING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    retry_at = models.DateTimeField(_("next attempt"), null=True, blank=True, db_index=True)
    answered_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    answer = models.CharField(_("answer"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "inbox"], name="one_delivery_per_inbox")
        ]

    def __str__(self) -> str:
        return f"{self.activity.kind} → {self.inbox}: {self.status}"
