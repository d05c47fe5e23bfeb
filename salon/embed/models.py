"""The sites the owner allowed, in the administration, to embed the conversation."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from salon.embed.addresses import normalise_origin


class EmbedOrigin(models.Model):
    """One site (scheme, host and port) whose pages may show this Salon's conversation,
    besides those in ``SALON_EMBED_ORIGINS``."""

    origin = models.CharField(
        _("site"),
        max_length=300,
        unique=True,
        help_text=_(
            "Its scheme and host, and its port when not the usual one: https://blog.example "
            "or http://localhost:4000. No path."
        ),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    added_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        verbose_name = _("site allowed to embed")
        verbose_name_plural = _("sites allowed to embed")
        ordering = ["origin"]

    def __str__(self) -> str:
        return self.origin

    def save(self, *args, **kwargs) -> None:
        self.origin = normalise_origin(self.origin) or self.origin
        super().save(*args, **kwargs)

    def clean(self) -> None:
        origin = normalise_origin(self.origin)
        if origin is None:
            raise ValidationError(
                {
                    "origin": _(
                        "Write the site as its scheme and host, like https://blog.example "
                        "(and :port when not the usual one), with no path."
                    )
                }
            )
        self.origin = origin
