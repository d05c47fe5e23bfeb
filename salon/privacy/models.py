"""The record of personal-data requests that were carried out, holding no personal data."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DataRequest(models.Model):
    """One export or erasure, as proof that it was done.

    The address itself is not kept: only a keyed hash of it (HMAC under the site's secret),
    which lets the owner answer "did you erase my data?" when the person gives the address
    again, but cannot be turned back into the address by anyone without the secret key.
    """

    class Kind(models.TextChoices):
        EXPORT = "export", _("export")
        ERASE = "erase", _("erasure")

    class Source(models.TextChoices):
        LINK = "link", _("e-mailed link")
        ADMIN = "admin", _("administration")
        COMMAND = "command", _("command line")

    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    source = models.CharField(_("asked through"), max_length=8, choices=Source.choices)
    created_at = models.DateTimeField(_("date"), default=timezone.now)
    counts = models.JSONField(_("records"), default=dict, blank=True)
    erasure_mode = models.CharField(_("comments were"), max_length=10, blank=True)
    email_digest = models.CharField(_("keyed hash of the address"), max_length=64, db_index=True)

    class Meta:
        verbose_name = _("personal-data request")
        verbose_name_plural = _("personal-data requests")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.created_at:%Y-%m-%d %H:%M}"


class DataLinkUse(models.Model):
    """Proof that a mailed data link was used: each link works once.

    A link to one's data is a key to it. Mail is forwarded, synced to other devices and kept
    in archives, so a link that kept working for its whole day would open the data to
    whoever else reads the message. The nonce is random and says nothing about the person.
    """

    nonce = models.CharField(max_length=64, unique=True)
    kind = models.CharField(_("kind"), max_length=8, choices=DataRequest.Kind.choices)
    used_at = models.DateTimeField(_("used"), default=timezone.now)

    class Meta:
        verbose_name = _("used data link")
        verbose_name_plural = _("used data links")

    def __str__(self) -> str:
        return f"{self.kind} link used {self.used_at:%Y-%m-%d %H:%M}"
