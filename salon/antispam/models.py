"""What the spam filter keeps in the database: each site's learning, the moderators' lessons,
the Akismet-compatible API's keys, and daily counts of verdicts.

Nothing here stores what an API client sent: a check leaves only counts behind.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from salon.discussion.models import Comment

# The name under which Salon's own comments are learned; API clients get sites of their own.
THIS_SITE = "this-site"


class ApiKey(models.Model):
    """A key for the Akismet-compatible API, limited to the blogs it was issued for.

    Only a SHA-256 hash of the key is stored; the key itself is shown once, at creation.
    """

    label = models.CharField(_("label"), max_length=200, blank=True)
    prefix = models.CharField(_("key starts with"), max_length=8, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    blogs = models.TextField(
        _("blogs"),
        help_text=_(
            "One blog URL a line (https://example.org/). The key answers for these hosts "
            "only; *.example.org allows every subdomain."
        ),
    )
    rate = models.CharField(
        _("rate limit"),
        max_length=20,
        blank=True,
        help_text=_("Requests allowed per key, e.g. 600/m; empty for the install's default."),
    )
    monthly_limit = models.PositiveIntegerField(
        _("monthly limit"),
        null=True,
        blank=True,
        help_text=_("Comment checks a month, reported by usage-limit; empty for none."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… {self.label or ', '.join(self.blog_list())}".strip()

    def blog_list(self) -> list[str]:
        """The blog URLs this key may be used for, as the owner wrote them."""
        return [line.strip() for line in self.blogs.splitlines() if line.strip()]

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class SpamFilterSite(models.Model):
    """One site's own correction to the shipped model, learned from its moderators.

    ``state`` is the engine's serialised SiteState (JSON bytes, no code); ``version`` goes up
    with every lesson so each process knows when its copy is stale.
    """

    name = models.CharField(_("site"), max_length=200, unique=True)
    state = models.BinaryField(_("learned state"), default=b"", editable=False)
    version = models.PositiveBigIntegerField(default=0, editable=False)
    spam_lessons = models.PositiveIntegerField(_("spam lessons"), default=0)
    ham_lessons = models.PositiveIntegerField(_("not-spam lessons"), default=0)
    updated_at = models.DateTimeField(auto_now=True)
    # Sites learned through the API belong to a key and one of its blogs (by host).
    api_key = models.ForeignKey(
        ApiKey, null=True, blank=True, on_delete=models.CASCADE, related_name="sites"
    )
    blog = models.CharField(_("blog"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("spam filter site")
        verbose_name_plural = _("spam filter sites")

    def __str__(self) -> str:
        return self.name


class Lesson(models.Model):
    """A moderator's decision on a comment, beside what the engine had said of it."""

    comment = models.ForeignKey(
        Comment, null=True, on_delete=models.SET_NULL, related_name="spam_lessons"
    )
    site = models.ForeignKey(SpamFilterSite, on_delete=models.CASCADE, related_name="lessons")
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    decided_at = models.DateTimeField(auto_now_add=True)
    previous_status = models.CharField(max_length=10)
    status = models.CharField(max_length=10)
    is_spam = models.BooleanField(_("taught as spam"))
    engine_said_spam = models.BooleanField(_("engine had said spam"), null=True)
    engine_score = models.FloatField(_("engine's score"), null=True)

    class Meta:
        verbose_name = _("spam filter lesson")
        verbose_name_plural = _("spam filter lessons")
        ordering = ["-decided_at"]

    def __str__(self) -> str:
        return f"{'spam' if self.is_spam else 'not spam'} ({self.decided_at:%Y-%m-%d})"

    @property
    def correction(self) -> bool:
        """Whether the moderator disagreed with the engine (a missed spam or a false positive)."""
        return self.engine_said_spam is not None and self.engine_said_spam != self.is_spam


class DailyTally(models.Model):
    """How many submissions one site had checked on one day, and what became of them.

    ``missed_spam`` and ``false_positives`` are corrections: a moderator (or an API client's
    submit-spam / submit-ham) saying the engine was wrong. Counts only, no content, so they
    outlive the 15-day spam retention and feed the statistics and Akismet's key-sites.
    """

    COUNTS = ("checked", "spam", "ham", "missed_spam", "false_positives")

    site = models.ForeignKey(SpamFilterSite, on_delete=models.CASCADE, related_name="tallies")
    day = models.DateField()
    checked = models.PositiveIntegerField(default=0)
    spam = models.PositiveIntegerField(default=0)
    ham = models.PositiveIntegerField(default=0)
    missed_spam = models.PositiveIntegerField(default=0)
    false_positives = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("daily tally")
        verbose_name_plural = _("daily tallies")
        constraints = [
            models.UniqueConstraint(fields=["site", "day"], name="one_tally_per_site_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.site} {self.day}: {self.checked} checked"


class SpamStatistics(SpamFilterSite):
    """The admin's "Spam filter statistics" page (a proxy: no table of its own)."""

    class Meta:
        proxy = True
        verbose_name = _("statistics")
        verbose_name_plural = _("statistics")
